from __future__ import annotations

from django.contrib import admin, messages
from django.utils.text import Truncator

from interviewnode.admin import ReadOnlyAdmin

from .models import EmailPreference, OutboxEmail
from .services import email_requeue


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    """Read only: rows change through the outbox services; a failed e-mail can be re-queued."""

    list_display = ["kind", "to_email", "state", "attempts", "short_error", "created_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to_email", "key"]
    ordering = ["-created_at"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["requeue"]
    fields = [
        "key", "kind", "to_email", "user", "subject", "state", "attempts", "last_error", "created_at",
        "next_attempt_at", "claimed_at", "sent_at", "text", "html", "attachment_names",
    ]  # fmt: skip
    readonly_fields = fields
    # Account e-mails carry a one-time link or code (confirm the address, reset the password): whoever
    # reads them can take the account, so the admin shows that they went out, not what they said.
    SECRET_KINDS = {
        OutboxEmail.Kind.ACCOUNT,
        OutboxEmail.Kind.ACCOUNT_CONFIRM,
        OutboxEmail.Kind.PASSWORD_RESET,
    }
    HIDDEN = "(hidden: it carries a one-time link or code for the recipient)"

    def has_requeue_permission(self, request):
        return request.user.has_perm("notifications.change_outboxemail")

    @admin.display(description="last error")
    def short_error(self, email):
        return Truncator(email.last_error).chars(80)

    @admin.display(description="body text")
    def text(self, email):
        return self.HIDDEN if email.kind in self.SECRET_KINDS else email.body_text

    @admin.display(description="body HTML")
    def html(self, email):
        return self.HIDDEN if email.kind in self.SECRET_KINDS and email.body_html else email.body_html

    @admin.display(description="attachments")
    def attachment_names(self, email):
        return ", ".join(a["filename"] for a in email.attachments) or "—"

    @admin.action(description="Re-queue the selected failed e-mails", permissions=["requeue"])
    def requeue(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        requeued = sum(email_requeue(email_id=email_id) for email_id in ids)
        self.message_user(request, f"{requeued} e-mail(s) re-queued.", messages.SUCCESS)
        if skipped := len(ids) - requeued:
            self.message_user(request, f"{skipped} e-mail(s) left alone: only failed ones are re-queued.")


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_digest", "practice_reminders"]
    list_filter = ["weekly_digest", "practice_reminders"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["token"]
