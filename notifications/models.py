from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


# Choices at module level, so that the model's Meta can name them as well; the model exposes them as
# OutboxEmail.Kind and OutboxEmail.State.
class OutboxKind(models.TextChoices):
    ACCOUNT = "account", "Account"
    ACCOUNT_CONFIRM = "account_confirm", "Confirm e-mail address"
    PASSWORD_RESET = "password_reset", "Password reset"
    SESSION_SUBMITTED = "session_submitted", "Session submitted"
    FEEDBACK_PUBLISHED = "feedback_published", "Feedback published"
    BOOKING_CONFIRMED = "booking_confirmed", "Booking confirmed"
    BOOKING_UPDATED = "booking_updated", "Booking updated"
    BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
    BOOKING_REMINDER = "booking_reminder", "Booking reminder"
    WEEKLY_DIGEST = "weekly_digest", "Weekly digest"
    PRACTICE_REMINDER = "practice_reminder", "Practice reminder"


class OutboxState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxEmail(models.Model):
    """One e-mail, written in the transaction of the change that causes it, then sent by a Celery task.

    ``key`` says what the e-mail is about (kind + object + recipient [+ sequence]); being unique, it
    makes enqueueing the same e-mail twice a no-op.
    """

    Kind = OutboxKind
    State = OutboxState

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=32, choices=OutboxKind.choices)
    to_email = models.EmailField("to")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbox_emails",
    )
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content_type, content}] with text content"
    )
    headers = models.JSONField(default=dict, blank=True, help_text="extra headers, e.g. List-Unsubscribe")
    state = models.CharField(max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="sends started, counting the one under way"
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(help_text="when the sweep sends it if it is still pending")
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="when the current send started")

    class Meta:
        verbose_name = "outbox e-mail"
        constraints = [
            models.CheckConstraint(condition=Q(state__in=OutboxState.values), name="outbox_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.SENT) | Q(sent_at__isnull=False), name="outbox_sent_at"
            ),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.SENDING) | Q(claimed_at__isnull=False),
                name="outbox_sending_claimed_at",
            ),
        ]
        indexes = [
            # The sweep: pending rows that are due, and sending rows left by a dead worker.
            models.Index(fields=["state", "next_attempt_at"], name="outbox_state_due_idx"),
            models.Index(
                fields=["claimed_at"], condition=Q(state=OutboxState.SENDING), name="outbox_sending_idx"
            ),
            # The admin list, newest first.
            models.Index(fields=["-created_at"], name="outbox_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_email}"


def unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class EmailPreference(models.Model):
    """Opt-outs for the optional e-mails (no row: both on); the token identifies unsubscribe links."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    weekly_digest = models.BooleanField(default=True)
    practice_reminders = models.BooleanField(default=True)
    token = models.CharField(max_length=64, unique=True, default=unsubscribe_token, editable=False)

    class Meta:
        # The model was scheduling's until the preferences joined the e-mails; its table kept the name.
        db_table = "scheduling_emailpreference"

    def __str__(self) -> str:
        return f"E-mail preferences of {self.user}"
