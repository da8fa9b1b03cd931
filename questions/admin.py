from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from . import bank
from .forms import BankImportForm, ChoiceFormSet, QuestionAdminForm
from .models import Category, Choice, Company, Level, Question, QuestionRevision, Role, StatusChange, Topic
from .services import questions_transition, revision_record


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "prep_coding", "prep_ml", "prep_system_design", "prep_behavioral"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "prep_area", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Role, Topic)
class SlugNameAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Company)
class CompanyAdmin(SlugNameAdmin):
    pass


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ["position", "text", "is_correct"]


class RevisionInline(admin.TabularInline):
    model = QuestionRevision
    extra = 0
    can_delete = False
    fields = ["number", "created_at", "created_by", "title_as_asked", "changes"]
    readonly_fields = fields
    verbose_name_plural = "revision history (what sessions keep as asked)"

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="title")
    def title_as_asked(self, revision):
        return revision.content.get("title")

    @admin.display(description="changed")
    def changes(self, revision):
        previous = revision.question.revisions.filter(number=revision.number - 1).first()
        if previous is None:
            return "first version"
        changed = [key for key, value in revision.content.items() if previous.content.get(key) != value]
        return ", ".join(changed) or "—"


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "from_status", "to_status"]
    readonly_fields = fields
    verbose_name_plural = "status history"

    def has_add_permission(self, request, obj=None):
        return False


def _transition_action(to_status: str, label: str):
    def action(modeladmin, request, queryset):
        moved, refused = questions_transition(questions=queryset, to_status=to_status, user=request.user)
        modeladmin.message_user(
            request, f"{moved} question(s) now {Question.Status(to_status).label.lower()}."
        )
        for reason in refused:
            modeladmin.message_user(request, reason, level=messages.WARNING)

    action.__name__ = f"make_{to_status}"
    return admin.action(description=label, permissions=["change"])(action)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    change_list_template = "admin/questions/question/change_list.html"
    list_display = [
        "title",
        "category",
        "kind",
        "difficulty",
        "status_badge",
        "status_changed_at",
        "updated_at",
    ]
    list_filter = ["status", "category", "kind", "difficulty", "levels", "roles", "companies"]
    search_fields = ["title", "slug", "prompt", "topics__slug"]
    list_select_related = ["category"]
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["roles", "levels", "companies", "topics"]
    readonly_fields = [
        "status",
        "status_changed_at",
        "status_changed_by",
        "author",
        "created_at",
        "updated_at",
    ]
    inlines = [ChoiceInline, StatusChangeInline, RevisionInline]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "kind", "category", "difficulty", "time_budget_seconds", "weight"]},
        ),
        (
            "Content",
            {"fields": ["prompt", "reference_answer", "explanation", "language", "starter_code", "rubric"]},
        ),
        ("Tags", {"fields": ["roles", "levels", "companies", "topics", "provenance"]}),
        (
            "Workflow",
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "status_changed_by",
                    "author",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    actions = [
        _transition_action(Question.Status.IN_REVIEW, "Send to review"),
        _transition_action(Question.Status.PUBLISHED, "Publish"),
        _transition_action(Question.Status.RETIRED, "Retire"),
        _transition_action(Question.Status.DRAFT, "Back to draft"),
        "export_json",
        "export_csv",
    ]

    class Media:
        # The status colours: a class each, as the Content-Security-Policy refuses style attributes.
        css = {"all": ["css/admin.css"]}

    @admin.display(description="status", ordering="status")
    def status_badge(self, question):
        return format_html(
            '<b class="question-status question-status-{}">{}</b>',
            question.status,
            question.get_status_display(),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revision_record(question=form.instance, user=request.user)

    # --- import and export ---

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="questions_question_import"),
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="questions_question_export",
            ),
            *super().get_urls(),
        ]

    def _export_response(self, queryset, fmt: str) -> HttpResponse:
        content_type = {"json": "application/json", "csv": "text/csv"}[fmt]
        response = HttpResponse(bank.export(queryset, fmt), content_type=f"{content_type}; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="interviewnode-bank-{stamp}.{fmt}"'
        return response

    @admin.action(description="Export selected as JSON", permissions=["view"])
    def export_json(self, request, queryset):
        return self._export_response(queryset, "json")

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export_response(queryset, "csv")

    def export_view(self, request, fmt: str):
        if fmt not in ("json", "csv") or not self.has_view_permission(request):
            return redirect("admin:questions_question_changelist")
        return self._export_response(Question.objects.all(), fmt)

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            messages.error(request, "You may not import questions.")
            return redirect("admin:questions_question_changelist")
        errors: list[str] = []
        form = BankImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = bank.parse(upload["text"], upload["format"], source=upload["name"])
                report = bank.import_rows(rows, user=request.user)
            except bank.BankImportError as error:
                errors = error.errors
            else:
                messages.success(request, f"Imported {upload['name']}: {report}.")
                return redirect("admin:questions_question_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import questions",
            "form": form,
            "errors": errors,
            "changelist_url": reverse("admin:questions_question_changelist"),
        }
        return TemplateResponse(request, "admin/questions/question/import.html", context)
