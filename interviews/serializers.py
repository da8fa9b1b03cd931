"""Input and output shapes of the sessions API (SPEC.md, "REST API", shapes clients rely on).

Items are served from the revision each one asked, never from the live question. The reference
answer, the explanation and which choices are correct appear only once the session is closed, and
never while the reader has a timed session open on the same question (``answers_withheld``): then
that item's results (its score, correctness and review) wait until the timed session closes too.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviewnode.api import StrictCharField
from interviewnode.markdown import render_markdown
from questions.models import Category, Company, Level, Role
from questions.rubric import effective_rubric
from questions.serializers import RubricCriterionSerializer

from .hooks import session_hooks
from .models import MAX_DURATION, MAX_QUESTIONS, MIN_DURATION, MIN_QUESTIONS, InterviewSession, SessionItem

Mode = InterviewSession.Mode


def _slug_field(queryset, **kwargs):
    return serializers.SlugRelatedField(slug_field="slug", queryset=queryset, **kwargs)


class SessionCreateSerializer(serializers.Serializer):
    """``{template}``, ``{question}`` (practice on one question) or a custom choice.

    Anything else a client sends (a deadline, a score, an owner) is not a field here and is ignored.
    """

    template = StrictCharField(required=False, help_text="A template's slug (or id)")
    question = serializers.IntegerField(required=False, help_text="Practice one published question")
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    role = _slug_field(Role.objects.all(), required=False)
    level = _slug_field(Level.objects.all(), required=False)
    company = _slug_field(Company.objects.all(), required=False, allow_null=True)
    categories = _slug_field(Category.objects.all(), many=True, required=False)
    question_count = serializers.IntegerField(
        min_value=MIN_QUESTIONS, max_value=MAX_QUESTIONS, required=False
    )
    duration_minutes = serializers.IntegerField(
        min_value=MIN_DURATION, max_value=MAX_DURATION, required=False, allow_null=True
    )

    def validate(self, data):
        if "template" in data or "question" in data:
            return data
        errors = {
            name: ["This field is required."]
            for name in ("mode", "role", "level", "question_count")
            if data.get(name) is None
        }
        if data.get("mode") == Mode.TIMED and data.get("duration_minutes") is None:
            errors["duration_minutes"] = ["A timed session needs a duration."]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class AnswerSaveSerializer(serializers.Serializer):
    content = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    choice_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
    version = serializers.IntegerField(min_value=0)


class SavedAnswerSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    saved_at = serializers.DateTimeField()


# --- output ----------------------------------------------------------------------------------------

_SCORE = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)


def _score(value, *, withheld: bool):
    return None if withheld or value is None else _SCORE.to_representation(value)


class AskedChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    is_correct = serializers.BooleanField(required=False, help_text="Only once the session is closed")


class AskedQuestionSerializer(serializers.Serializer):
    """The question as it was asked (its revision)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField()
    prompt = serializers.CharField()
    prompt_html = serializers.CharField()
    choices = AskedChoiceSerializer(many=True)
    allows_multiple_choices = serializers.BooleanField()
    rubric = RubricCriterionSerializer(many=True)
    time_budget_seconds = serializers.IntegerField()
    language = serializers.CharField()
    starter_code = serializers.CharField()
    reference_answer = serializers.CharField(required=False, help_text="Only once the session is closed")
    reference_answer_html = serializers.CharField(required=False)
    explanation = serializers.CharField(required=False, help_text="Only once the session is closed")
    explanation_html = serializers.CharField(required=False)


@extend_schema_field({"type": "boolean", "nullable": True})
class _NullableBooleanField(serializers.BooleanField):
    """A boolean that may be null, and whose key is left out when missing (unlike ``allow_null``)."""


class ItemAnswerSerializer(serializers.Serializer):
    content = serializers.CharField()
    choice_ids = serializers.ListField(child=serializers.IntegerField())
    version = serializers.IntegerField()
    saved_at = serializers.DateTimeField(allow_null=True)
    # Not allow_null: with it, DRF would print the key (as null) even while the session is open.
    is_correct = _NullableBooleanField(
        required=False, help_text="Once the session is closed: null for written and code answers"
    )


def asked_question(item: SessionItem, *, reveal: bool) -> dict:
    asked = item.revision.content
    choices = asked.get("choices") or []
    data = {
        "id": item.question_id,
        "title": asked["title"],
        "kind": asked["kind"],
        "category": asked["category"],
        "prompt": asked["prompt"],
        "prompt_html": str(render_markdown(asked["prompt"])),
        "choices": [
            {"id": c["id"], "text": c["text"], **({"is_correct": c["is_correct"]} if reveal else {})}
            for c in choices
        ],
        "allows_multiple_choices": item.allows_multiple_choices,
        "rubric": effective_rubric(asked.get("rubric") or []),
        "time_budget_seconds": asked["time_budget_seconds"],
        "language": asked.get("language", ""),
        "starter_code": asked.get("starter_code", ""),
    }
    if reveal:
        for key in ("reference_answer", "explanation"):
            data[key] = asked.get(key, "")
            data[f"{key}_html"] = str(render_markdown(data[key]))
    return data


def item_answer(item: SessionItem, *, reveal: bool) -> dict:
    answer = item.answer
    data = {
        "content": answer.content,
        "choice_ids": answer.choice_ids,
        "version": answer.version,
        "saved_at": answer.saved_at,
    }
    if reveal:
        data["is_correct"] = answer.is_correct
    return data


def item_results_withheld(item: SessionItem, *, withheld: frozenset[int]) -> bool:
    """A closed session's item whose results wait: the reader has it in a timed session still open."""
    return item.session.status != InterviewSession.Status.IN_PROGRESS and item.question_id in withheld


def item_reveal(item: SessionItem, *, withheld: frozenset[int]) -> bool:
    """Whether the reader may see the item's reference answer, explanation and correct choices."""
    return item.session.status != InterviewSession.Status.IN_PROGRESS and item.question_id not in withheld


class SessionItemSerializer(serializers.Serializer):
    """Needs ``withheld`` (``answers_withheld`` of the reader) in the context."""

    position = serializers.IntegerField()
    question = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    results_withheld = serializers.SerializerMethodField(
        help_text="True while this question is in a timed session of yours that is still open: its "
        "reference, correct choices, score and review appear once that session closes"
    )

    def _reveal(self, item) -> bool:
        return item_reveal(item, withheld=self.context["withheld"])

    @extend_schema_field(_SCORE)
    def get_score(self, item):
        return _score(item.score, withheld=self.get_results_withheld(item))

    def get_results_withheld(self, item) -> bool:
        return item_results_withheld(item, withheld=self.context["withheld"])

    @extend_schema_field(AskedQuestionSerializer)
    def get_question(self, item) -> dict:
        return AskedQuestionSerializer(asked_question(item, reveal=self._reveal(item))).data

    @extend_schema_field(ItemAnswerSerializer)
    def get_answer(self, item) -> dict:
        return ItemAnswerSerializer(item_answer(item, reveal=self._reveal(item))).data


class SessionFieldsSerializer(serializers.Serializer):
    """What every view of a session shows: its identity, state and times."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    template = serializers.CharField(source="template.slug", allow_null=True, read_only=True)
    mode = serializers.CharField()
    status = serializers.CharField()
    closed_by = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)


class SessionSummarySerializer(SessionFieldsSerializer):
    """A row of "My sessions" (from ``session_list``): no score while its results are withheld."""

    question_count = serializers.IntegerField()
    score = serializers.SerializerMethodField()
    results_withheld = serializers.BooleanField(
        help_text="True while some of its questions are in a timed session of yours that is still open"
    )

    @extend_schema_field(_SCORE)
    def get_score(self, session):
        return _score(session.score, withheld=session.results_withheld)


class ReviewedItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.IntegerField())
    comment = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)


class ReviewSummarySerializer(serializers.Serializer):
    strengths = serializers.CharField()
    improvements = serializers.CharField()
    next_steps = serializers.CharField()


class PublishedReviewSerializer(serializers.Serializer):
    """A published review as the candidate reads it (SPEC.md: session ``review``)."""

    coach = serializers.CharField(help_text='The coach\'s name, or "Member #<id>" when they gave none')
    recommendation = serializers.CharField()
    summary = ReviewSummarySerializer()
    published_at = serializers.DateTimeField()
    items = ReviewedItemSerializer(many=True)


class SessionSerializer(SessionFieldsSerializer):
    """A session with its items; ``server_time`` lets the page count down without trusting its own clock.

    Context: ``server_time`` and ``withheld`` (``answers_withheld`` of the reader). While some items'
    results are withheld, so are the session's score and the review's rows for those items.
    """

    score = serializers.SerializerMethodField()
    results_withheld = serializers.SerializerMethodField(
        help_text="True while some of its questions are in a timed session of yours that is still open"
    )
    server_time = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    def _withheld_positions(self, session) -> set[int]:
        withheld = self.context["withheld"]
        return {
            item.position
            for item in session.items.all()
            if session.status != InterviewSession.Status.IN_PROGRESS and item.question_id in withheld
        }

    @extend_schema_field(_SCORE)
    def get_score(self, session):
        return _score(session.score, withheld=bool(self._withheld_positions(session)))

    def get_results_withheld(self, session) -> bool:
        return bool(self._withheld_positions(session))

    @extend_schema_field(serializers.DateTimeField())
    def get_server_time(self, session):
        return serializers.DateTimeField().to_representation(self.context["server_time"])

    @extend_schema_field(SessionItemSerializer(many=True))
    def get_items(self, session) -> list:
        items = list(session.items.all())
        for item in items:
            item.session = session  # the items' back reference, without a query each
        return SessionItemSerializer(items, many=True, context=self.context).data

    @extend_schema_field(PublishedReviewSerializer(allow_null=True))
    def get_review(self, session) -> dict | None:
        """The coach's review once published (from the reviews app, ``session_hooks``); a draft is
        never shown here, to anyone."""
        if session.status != InterviewSession.Status.REVIEWED:
            return None
        data = session_hooks.published_review(session=session)
        if data is None:
            return None
        withheld = self._withheld_positions(session)
        data["items"] = [row for row in data["items"] if row["position"] not in withheld]
        return PublishedReviewSerializer(data).data


class TemplateSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    role = serializers.CharField(source="role.slug")
    level = serializers.CharField(source="level.slug")
    company = serializers.CharField(source="company.slug", allow_null=True)
    categories = serializers.SerializerMethodField()
    question_count = serializers.IntegerField()
    duration_minutes = serializers.IntegerField()

    def get_categories(self, template) -> list[str]:
        return [category.slug for category in template.categories.all()]
