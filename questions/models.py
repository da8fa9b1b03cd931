from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact

from .rubric import effective_rubric


class Level(models.Model):
    """A seniority level, with how a candidate at that level should split preparation time."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    short_name = models.CharField(max_length=30, help_text="e.g. E5/L5")
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    prep_coding = models.PositiveSmallIntegerField("coding %")
    prep_ml = models.PositiveSmallIntegerField("ML theory and statistics %")
    prep_system_design = models.PositiveSmallIntegerField("system design %")
    prep_behavioral = models.PositiveSmallIntegerField("behavioral %")

    class Meta:
        ordering = ["order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(
                    F("prep_coding") + F("prep_ml") + F("prep_system_design") + F("prep_behavioral"), 100
                ),
                name="level_prep_split_sums_to_100",
                violation_error_message="The preparation split must add up to 100%.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """An interview round (coding, ML system design, …) with the rubric its answers are scored on."""

    class PrepArea(models.TextChoices):
        CODING = "coding", "Coding"
        ML = "ml", "ML theory and statistics"
        SYSTEM_DESIGN = "system_design", "System design"
        BEHAVIORAL = "behavioral", "Behavioral"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    prep_area = models.CharField(max_length=20, choices=PrepArea.choices)
    default_rubric = models.JSONField(
        default=list, help_text="Criteria: key, name, description, weight, anchors"
    )

    class Meta:
        ordering = ["order", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """A company whose interviews the bank prepares for, with a profile of its loop."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60)
    stages = models.TextField(blank=True, help_text="Markdown: the interview stages")
    weighs = models.TextField(blank=True, help_text="Markdown: what its ML interviews weigh")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    WRITTEN = "written", "Written"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    CODE = "code", "Code"


class QuestionDifficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class QuestionLanguage(models.TextChoices):
    PYTHON = "python", "Python"
    SQL = "sql", "SQL"
    JAVA = "java", "Java"
    CPP = "cpp", "C++"
    JAVASCRIPT = "javascript", "JavaScript"
    GO = "go", "Go"
    SCALA = "scala", "Scala"


class Question(models.Model):
    Kind = QuestionKind
    Difficulty = QuestionDifficulty
    Status = QuestionStatus
    Language = QuestionLanguage

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    prompt = models.TextField(help_text="Markdown")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WRITTEN)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="questions")
    difficulty = models.CharField(max_length=10, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    roles = models.ManyToManyField(Role, related_name="questions")
    levels = models.ManyToManyField(Level, related_name="questions")
    companies = models.ManyToManyField(Company, blank=True, related_name="questions")
    topics = models.ManyToManyField(Topic, blank=True, related_name="questions")
    time_budget_seconds = models.PositiveIntegerField(default=15 * 60, help_text="Suggested time")
    weight = models.PositiveSmallIntegerField(default=1, help_text="Weight in a session's score")
    reference_answer = models.TextField(blank=True, help_text="Markdown; shown only after answering")
    explanation = models.TextField(blank=True, help_text="Multiple choice: why the right choices are right")
    language = models.CharField(max_length=20, choices=Language.choices, blank=True)
    starter_code = models.TextField(blank=True)
    rubric = models.JSONField(
        null=True, blank=True, help_text="Own rubric criteria; empty means the category's default rubric"
    )
    provenance = models.TextField(blank=True, help_text="In the style of …, or Reported: where and when")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept up to date by a database trigger on PostgreSQL (title weighted A, prompt B); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["status", "category"], name="question_status_category"),
            models.Index(fields=["status", "difficulty"], name="question_status_difficulty"),
            models.Index(fields=["status", "kind"], name="question_status_kind"),
            models.Index(fields=["status", "title", "id"], name="question_status_title"),
            GinIndex(fields=["search_vector"], name="question_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=QuestionStatus.values), name="question_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(difficulty__in=QuestionDifficulty.values), name="question_difficulty_valid"
            ),
            models.CheckConstraint(
                condition=Q(time_budget_seconds__gte=60, time_budget_seconds__lte=3 * 60 * 60),
                name="question_time_budget_range",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="question_weight_positive"),
            models.CheckConstraint(
                condition=~Q(kind="code") | ~Q(language=""), name="question_code_has_language"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def time_minutes(self) -> int:
        return round(self.time_budget_seconds / 60)

    @property
    def effective_rubric(self) -> list[dict]:
        """The question's own rubric, or its category's default, in normalised form."""
        return effective_rubric(self.rubric or self.category.default_rubric)

    @property
    def allows_multiple_choices(self) -> bool:
        return sum(1 for c in self.choices.all() if c.is_correct) > 1


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class QuestionRevision(models.Model):
    """The question's content as it stood after an edit; a session points at the revision it asked."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField(help_text="Title, prompt, choices, rubric, … as of this revision")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["question", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question} r{self.number}"


class StatusChange(models.Model):
    """Who moved a question through the workflow, and when."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Question.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Question.Status.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.question}: {self.from_status or '∅'} → {self.to_status}"
