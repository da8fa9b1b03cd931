"""Mock interviews: templates curators offer, sessions candidates take, and their answers."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

MIN_QUESTIONS, MAX_QUESTIONS = 1, 20
MIN_DURATION, MAX_DURATION = 5, 180  # minutes


class InterviewTemplate(models.Model):
    """A ready-made interview: which questions to draw (role, level, company, categories) and for how long."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="Markdown: what this round is like")
    role = models.ForeignKey("questions.Role", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("questions.Level", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(
        "questions.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(
        "questions.Category", related_name="+", help_text="The rounds to draw questions from"
    )
    question_count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_QUESTIONS), MaxValueValidator(MAX_QUESTIONS)]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)]
    )
    is_active = models.BooleanField(default=True, help_text="Offered to candidates")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(question_count__gte=MIN_QUESTIONS, question_count__lte=MAX_QUESTIONS),
                name="template_question_count_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_DURATION, duration_minutes__lte=MAX_DURATION),
                name="template_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SessionMode(models.TextChoices):
    TIMED = "timed", "Timed"
    PRACTICE = "practice", "Practice"


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    REVIEWED = "reviewed", "Reviewed"


class ClosedBy(models.TextChoices):
    NOT_CLOSED = "", "—"
    CANDIDATE = "candidate", "Candidate"
    DEADLINE = "deadline", "Deadline"


class InterviewSession(models.Model):
    """One mock interview taken by one candidate; its items keep the questions as they were asked."""

    Mode = SessionMode
    Status = SessionStatus
    ClosedBy = ClosedBy

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interview_sessions"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    closed_by = models.CharField(max_length=10, choices=ClosedBy.choices, blank=True, default="")
    template = models.ForeignKey(
        InterviewTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    role = models.ForeignKey(
        "questions.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.ForeignKey(
        "questions.Level", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey(
        "questions.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True, help_text="Timed sessions only")
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            # The beat task's scan: in-progress sessions past their deadline.
            models.Index(fields=["status", "deadline"], name="session_status_deadline"),
            models.Index(fields=["candidate", "-started_at"], name="session_candidate_started"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(mode__in=SessionMode.values), name="session_mode_valid"),
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="session_status_valid"),
            models.CheckConstraint(
                condition=Q(closed_by__in=ClosedBy.values), name="session_closed_by_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode=SessionMode.TIMED, deadline__isnull=False)
                | Q(mode=SessionMode.PRACTICE, deadline__isnull=True),
                name="session_deadline_iff_timed",
            ),
            models.CheckConstraint(
                condition=Q(status=SessionStatus.IN_PROGRESS, closed_by="", submitted_at__isnull=True)
                | (~Q(status=SessionStatus.IN_PROGRESS) & ~Q(closed_by="") & Q(submitted_at__isnull=False)),
                name="session_closed_iff_submitted",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="session_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} of {self.candidate_id} ({self.get_status_display()})"

    @property
    def title(self) -> str:
        """What the candidate calls this session: the template's name, or what was chosen."""
        if self.template_id:
            return self.template.name
        parts = [str(part) for part in (self.role, self.level, self.company) if part is not None]
        kind = "Practice" if self.mode == SessionMode.PRACTICE else "Custom interview"
        return f"{kind}: {', '.join(parts)}" if parts else kind


class SessionItem(models.Model):
    """One question of a session, pinned to the revision that was asked."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey("questions.Question", on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey("questions.QuestionRevision", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="session_item_position_unique"),
            models.UniqueConstraint(fields=["session", "question"], name="session_item_question_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="session_item_position_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="session_item_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.position}"

    @property
    def allows_multiple_choices(self) -> bool:
        """Whether the question as asked has more than one correct choice ("select all that apply")."""
        return sum(1 for choice in self.revision.content.get("choices") or [] if choice["is_correct"]) > 1


class Answer(models.Model):
    """The candidate's answer to one item; ``version`` counts saves so two tabs never overwrite each other."""

    item = models.OneToOneField(SessionItem, on_delete=models.CASCADE, related_name="answer")
    content = models.TextField(blank=True, default="")
    choice_ids = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    # Set when the session stops accepting answers; a save's conditional UPDATE re-checks it.
    locked = models.BooleanField(default=False)
    is_correct = models.BooleanField(null=True, blank=True, help_text="Multiple choice, once graded")

    def __str__(self) -> str:
        return f"Answer to {self.item}"
