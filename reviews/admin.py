from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from accounts.models import Role, User
from interviewnode.admin import ReadOnlyAdmin
from interviewnode.errors import ApplicationError

from . import services
from .models import ItemReview, Review
from .selectors import coach_stats


class ReassignActionForm(ActionForm):
    coach = forms.ModelChoiceField(
        queryset=User.objects.filter(groups__name=Role.COACH.value).order_by("email"),
        required=False,
        help_text="For “Reassign to coach”",
    )


class ItemReviewInline(admin.TabularInline):
    model = ItemReview
    extra = 0
    can_delete = False
    fields = ["item", "scores", "comment", "score"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="score")
    def score(self, row: ItemReview):
        return row.item.score


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = [
        "session",
        "coach",
        "status",
        "recommendation",
        "claimed_at",
        "last_worked_at",
        "published_at",
    ]
    list_filter = ["status", "recommendation"]
    list_select_related = ["session", "coach"]
    search_fields = ["coach__email", "session__candidate__email"]
    inlines = [ItemReviewInline]
    action_form = ReassignActionForm
    actions = ["reassign", "release"]
    change_list_template = "admin/reviews/review/change_list.html"

    def _each(self, request, queryset, act, done: str) -> None:
        count = 0
        for review in queryset:
            try:
                act(review)
                count += 1
            except ApplicationError as error:
                self.message_user(request, f"Session {review.session_id}: {error.detail}", messages.ERROR)
        if count:
            self.message_user(request, f"{count} review(s) {done}.", messages.SUCCESS)

    @admin.action(description="Reassign to coach (choose below)")
    def reassign(self, request, queryset):
        coach = request.POST.get("coach")
        coach = User.objects.filter(pk=coach).first() if coach else None
        if coach is None:
            self.message_user(request, "Choose the coach to reassign to.", messages.ERROR)
            return
        self._each(
            request,
            queryset,
            lambda r: services.review_reassign(admin=request.user, session_id=r.session_id, coach=coach),
            f"reassigned to {coach}",
        )

    @admin.action(description="Release claim (back to the queue)")
    def release(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: services.review_release(user=request.user, session_id=r.session_id),
            "released",
        )

    def get_urls(self):
        return [
            path("stats/", self.admin_site.admin_view(self.stats_view), name="reviews_review_stats"),
            *super().get_urls(),
        ]

    def stats_view(self, request):
        """Per coach: reviews done, median turnaround, mean score per category vs all coaches."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Coach figures", "rows": coach_stats(),
                   "opts": self.model._meta}  # fmt: skip
        return TemplateResponse(request, "admin/reviews/stats.html", context)
