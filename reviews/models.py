"""Coach reviews of submitted sessions, and candidates' self-assessments (SPEC.md, "Review and feedback").

A session has at most one Review (a one-to-one): the row is the claim while it is a draft with a
coach, so the database itself allows one active claim per session.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Recommendation(models.TextChoices):
    STRONG_NO_HIRE = "strong_no_hire", "Strong no hire"
    NO_HIRE = "no_hire", "No hire"
    HIRE = "hire", "Hire"
    STRONG_HIRE = "strong_hire", "Strong hire"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Review(models.Model):
    """A coach's review of one session: a claim and a draft until published, then frozen."""

    Status = ReviewStatus
    Recommendation = Recommendation

    session = models.OneToOneField(
        "interviews.InterviewSession", on_delete=models.CASCADE, related_name="review"
    )
    # The claim: null once released (the draft stays for whoever claims next).
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    summary_strengths = models.TextField(blank=True, default="")
    summary_improvements = models.TextField(blank=True, default="")
    summary_next_steps = models.TextField(blank=True, default="")
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_worked_at = models.DateTimeField(null=True, blank=True, help_text="Claim or last save")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["coach", "status"], name="review_coach_status"),
            models.Index(fields=["status", "last_worked_at"], name="review_status_worked"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
            models.CheckConstraint(
                condition=Q(recommendation="") | Q(recommendation__in=Recommendation.values),
                name="review_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=Q(coach__isnull=True) | Q(claimed_at__isnull=False, last_worked_at__isnull=False),
                name="review_claim_has_times",
            ),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.DRAFT, published_at__isnull=True)
                | Q(
                    status=ReviewStatus.PUBLISHED,
                    published_at__isnull=False,
                    coach__isnull=False,
                    recommendation__in=Recommendation.values,
                ),
                name="review_published_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Review of session {self.session_id} ({self.get_status_display()})"

    @property
    def summary(self) -> dict:
        return {
            "strengths": self.summary_strengths,
            "improvements": self.summary_improvements,
            "next_steps": self.summary_next_steps,
        }


class ItemReview(models.Model):
    """The coach's scores (criterion key → 1..4) and comment on one answer.

    The answer's 0–100 score is not kept here: publishing sets it on the item (``SessionItem.score``),
    the one place every answer's score lives, whether a coach or the submit's grading gave it.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey("interviews.SessionItem", on_delete=models.CASCADE, related_name="reviews")
    scores = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["item__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="item_review_unique"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.item}"


class SelfAssessment(models.Model):
    """The candidate's own scores of one answer, on the same rubric."""

    item = models.OneToOneField(
        "interviews.SessionItem", on_delete=models.CASCADE, related_name="self_assessment"
    )
    scores = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="self_assessment_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Self-assessment of {self.item}"
