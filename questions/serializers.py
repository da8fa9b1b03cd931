from __future__ import annotations

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interviewnode.api import StrictCharField
from interviewnode.markdown import render_markdown

from .bank import MAX_TEXT, SLUG_PATTERN
from .models import Choice, Question


class TaxonomyItemSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class LevelSerializer(TaxonomyItemSerializer):
    short_name = serializers.CharField()
    preparation_split = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_preparation_split(self, level) -> dict:
        return {
            "coding": level.prep_coding,
            "ml": level.prep_ml,
            "system_design": level.prep_system_design,
            "behavioral": level.prep_behavioral,
        }


class CompanySerializer(TaxonomyItemSerializer):
    stages = serializers.CharField()
    weighs = serializers.CharField()


class TaxonomySerializer(serializers.Serializer):
    roles = TaxonomyItemSerializer(many=True)
    levels = LevelSerializer(many=True)
    companies = CompanySerializer(many=True)
    categories = TaxonomyItemSerializer(many=True)


class QuestionListSerializer(serializers.Serializer):
    """A row of the list, from selectors.question_list_rows()."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    category = serializers.SlugField()
    difficulty = serializers.ChoiceField(choices=Question.Difficulty.choices)
    roles = serializers.ListField(child=serializers.SlugField())
    levels = serializers.ListField(child=serializers.SlugField())
    companies = serializers.ListField(child=serializers.SlugField())
    topics = serializers.ListField(child=serializers.SlugField())
    time_budget_seconds = serializers.IntegerField()


def _slugs():
    return serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)


class ChoiceSerializer(serializers.ModelSerializer):
    """A choice as a candidate sees it: never whether it is correct."""

    class Meta:
        model = Choice
        fields = ["id", "text"]


class RubricAnchorSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    label = serializers.CharField()
    description = serializers.CharField()


class RubricCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.FloatField()
    anchors = RubricAnchorSerializer(many=True)


class QuestionDetailSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    roles = _slugs()
    levels = _slugs()
    companies = _slugs()
    topics = _slugs()
    prompt_html = serializers.SerializerMethodField()
    choices = ChoiceSerializer(many=True, read_only=True)
    allows_multiple_choices = serializers.BooleanField(read_only=True)
    rubric = RubricCriterionSerializer(source="effective_rubric", many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id", "slug", "title", "kind", "category", "difficulty", "roles", "levels", "companies",
            "topics", "time_budget_seconds", "prompt", "prompt_html", "choices", "allows_multiple_choices",
            "rubric", "language", "starter_code", "provenance",
        ]  # fmt: skip

    def get_prompt_html(self, question) -> str:
        return str(render_markdown(question.prompt))


class QuestionWriteSerializer(serializers.Serializer):
    """A question as curators write it: the same fields as a row of the bank's JSON import.

    Each field is checked here as the schema shows it; the bank checks the rest when it saves the row
    (slugs that exist, what each kind needs, the rubric) and lists every problem in ``errors``. A POST
    needs the fields marked required; a PATCH (``partial``) sends only those it changes.
    """

    slug = StrictCharField(max_length=80, validators=[RegexValidator(SLUG_PATTERN)], help_text="kebab-case")
    title = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    category = StrictCharField(help_text="A category's slug")
    difficulty = serializers.ChoiceField(choices=Question.Difficulty.choices)
    status = serializers.ChoiceField(
        choices=Question.Status.choices,
        required=False,
        # The same words as question_transition's, which moves a PATCH's status along the workflow.
        error_messages={"invalid_choice": f"Allowed: {', '.join(Question.Status.values)}."},
    )
    roles = serializers.ListField(child=StrictCharField(), min_length=1, help_text="Role slugs")
    levels = serializers.ListField(child=StrictCharField(), min_length=1, help_text="Level slugs")
    companies = serializers.ListField(child=StrictCharField(), required=False, help_text="Company slugs")
    topics = serializers.ListField(
        child=StrictCharField(max_length=60, validators=[RegexValidator(SLUG_PATTERN)]), required=False
    )
    time_minutes = serializers.FloatField(min_value=1, max_value=180, required=False)
    weight = serializers.IntegerField(min_value=1, max_value=100, required=False)
    provenance = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    prompt = StrictCharField(max_length=MAX_TEXT, help_text="Markdown")
    reference_answer = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    explanation = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=Question.Language.choices, required=False, allow_blank=True, help_text="Code questions"
    )
    starter_code = StrictCharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    choices = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="Multiple choice: [{text, correct}], 2 to 6"
    )
    rubric = serializers.ListField(child=serializers.DictField(), required=False, allow_null=True)


class ChoiceRowSerializer(serializers.Serializer):
    text = serializers.CharField()
    correct = serializers.BooleanField()


class QuestionSavedSerializer(serializers.Serializer):
    """What a curator's POST or PATCH answers: the question as saved, a row of the bank with its id."""

    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    category = serializers.SlugField()
    difficulty = serializers.ChoiceField(choices=Question.Difficulty.choices)
    status = serializers.ChoiceField(choices=Question.Status.choices)
    roles = serializers.ListField(child=serializers.SlugField())
    levels = serializers.ListField(child=serializers.SlugField())
    companies = serializers.ListField(child=serializers.SlugField())
    topics = serializers.ListField(child=serializers.SlugField())
    time_minutes = serializers.FloatField()
    weight = serializers.IntegerField()
    provenance = serializers.CharField()
    prompt = serializers.CharField()
    reference_answer = serializers.CharField()
    explanation = serializers.CharField()
    language = serializers.CharField()
    starter_code = serializers.CharField()
    choices = ChoiceRowSerializer(many=True)
    rubric = serializers.ListField(child=serializers.DictField(), allow_null=True)
