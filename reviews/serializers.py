"""Input and output shapes of the review API (SPEC.md, "REST API")."""

from __future__ import annotations

from rest_framework import serializers

from interviewnode.api import StrictCharField
from interviews.models import InterviewSession

from .models import Recommendation, Review


class ReviewItemInputSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    # Checked against the rubric as asked by the service (keys known, whole numbers 1..4).
    scores = serializers.DictField(required=False, help_text="{criterion key: 1..4}")
    comment = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)


class ReviewSummaryInputSerializer(serializers.Serializer):
    strengths = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    improvements = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    next_steps = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)


class ReviewSaveSerializer(serializers.Serializer):
    """The review PUT body. ``summary`` is an object ``{strengths, improvements, next_steps}`` (each
    optional; those sent replace the draft's); items not sent keep their draft."""

    items = ReviewItemInputSerializer(many=True, required=False)
    summary = ReviewSummaryInputSerializer(required=False)
    recommendation = serializers.ChoiceField(
        choices=[("", "—"), *Recommendation.choices], required=False, allow_blank=True
    )
    publish = serializers.BooleanField(required=False, default=False)


class SelfAssessmentInputSerializer(serializers.Serializer):
    scores = serializers.DictField(help_text="{criterion key: 1..4}, every criterion of the rubric")


class SelfAssessmentSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="item.position")
    scores = serializers.DictField(child=serializers.IntegerField())
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)


class ReviewItemSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="item.position")
    scores = serializers.DictField(child=serializers.IntegerField())
    comment = serializers.CharField()
    score = serializers.DecimalField(
        source="item.score", max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )


class ReviewSerializer(serializers.Serializer):
    """A review as its coach (or an admin) sees it, draft or published."""

    session = serializers.IntegerField(source="session_id")
    session_status = serializers.CharField(source="session.status")
    status = serializers.CharField()
    coach = serializers.IntegerField(source="coach_id", allow_null=True)
    recommendation = serializers.CharField()
    summary = serializers.DictField(child=serializers.CharField())
    claimed_at = serializers.DateTimeField(allow_null=True)
    last_worked_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    items = serializers.SerializerMethodField()

    def get_items(self, review: Review) -> list:
        rows = sorted(review.items.select_related("item"), key=lambda row: row.item.position)
        return ReviewItemSerializer(rows, many=True).data


class QueueEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    role = serializers.CharField(source="role.slug", allow_null=True)
    level = serializers.CharField(source="level.slug", allow_null=True)
    company = serializers.CharField(source="company.slug", allow_null=True)
    submitted_at = serializers.DateTimeField()
    claimed_by_me = serializers.SerializerMethodField()

    def get_claimed_by_me(self, session: InterviewSession) -> bool:
        review = getattr(session, "review", None)
        return bool(review and review.coach_id == self.context["coach"].pk)
