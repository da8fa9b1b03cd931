from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator

from interviewnode.admin import ReadOnlyAdmin

from .models import InterviewSession, InterviewTemplate, SessionItem


@admin.register(InterviewTemplate)
class InterviewTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "level", "company", "question_count", "duration_minutes", "is_active"]
    list_filter = ["is_active", "level", "role", "company"]
    list_editable = ["is_active"]
    list_select_related = ["role", "level", "company"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories"]
    fields = [
        "name", "slug", "description", "role", "level", "company", "categories", "question_count",
        "duration_minutes", "is_active", "order",
    ]  # fmt: skip


class SessionItemInline(admin.TabularInline):
    model = SessionItem
    extra = 0
    can_delete = False
    fields = [
        "position",
        "title_as_asked",
        "kind",
        "answer_text",
        "version",
        "saved_at",
        "is_correct",
        "score",
    ]
    readonly_fields = fields
    verbose_name_plural = "questions as asked, with the answers"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("revision", "answer")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="question")
    def title_as_asked(self, item):
        return item.revision.content.get("title")

    @admin.display(description="kind")
    def kind(self, item):
        return item.revision.content.get("kind")

    @admin.display(description="answer")
    def answer_text(self, item):
        answer = item.answer
        return answer.choice_ids or Truncator(answer.content).chars(200) or "—"

    @admin.display(description="version")
    def version(self, item):
        return item.answer.version

    @admin.display(description="saved at")
    def saved_at(self, item):
        return item.answer.saved_at

    @admin.display(description="correct", boolean=True)
    def is_correct(self, item):
        return item.answer.is_correct


@admin.register(InterviewSession)
class InterviewSessionAdmin(ReadOnlyAdmin):
    """Read only: sessions change through the candidate's actions and the deadline task alone."""

    list_display = ["id", "candidate", "template", "mode", "status", "started_at", "deadline", "score"]
    list_filter = ["status", "mode", "closed_by", "template"]
    list_select_related = ["candidate", "template"]
    search_fields = ["candidate__email"]
    date_hierarchy = "started_at"
    inlines = [SessionItemInline]
