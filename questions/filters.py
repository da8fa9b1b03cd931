"""The bank's filters, shared by the browse page and GET /api/v1/questions/.

Each taxonomy filter takes one slug or several separated by commas; an unknown slug is an error that
lists the allowed values, never an empty page.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Category, Company, Level, Question, Role, Topic
from .selectors import question_search


class SlugListField(forms.Field):
    def __init__(self, *, allowed, **kwargs):
        self.allowed = allowed  # a callable, so the values are read when the form is checked
        super().__init__(**kwargs)

    def clean(self, value):
        slugs = [part.strip() for part in (value or "").split(",") if part.strip()]
        if not slugs:
            return []
        allowed = list(self.allowed())
        unknown = [s for s in slugs if s not in allowed]
        if unknown:
            raise forms.ValidationError(
                f"Unknown value {', '.join(repr(s) for s in unknown)}. Allowed: {', '.join(allowed)}.",
                code="invalid_choice",
            )
        return slugs


# The schema cannot infer a type for a filter named after no model field (role, level, …).
@extend_schema_field(OpenApiTypes.STR)
class SlugListFilter(django_filters.Filter):
    field_class = SlugListField

    def __init__(self, *, allowed, lookup, **kwargs):
        self.lookup = lookup
        super().__init__(allowed=allowed, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.lookup}__in": value})


class RelatedSlugFilter(SlugListFilter):
    """Questions tagged with any of the slugs, as EXISTS so that rows are never duplicated."""

    def __init__(self, *, model, related_name, **kwargs):
        # Not ``self.model``: the FilterSet overwrites that attribute with Question on every instance.
        self.tag_model, self.related_name = model, related_name
        super().__init__(
            allowed=lambda: model.objects.order_by("slug").values_list("slug", flat=True),
            lookup="slug",
            **kwargs,
        )

    def filter(self, qs, value):
        if not value:
            return qs
        through = getattr(Question, self.related_name).through
        column = f"{self.tag_model._meta.model_name}__slug__in"
        return qs.filter(Exists(through.objects.filter(question=OuterRef("pk"), **{column: value})))


def _values(choices):
    return lambda: [value for value, _ in choices]


class QuestionFilter(django_filters.FilterSet):
    role = RelatedSlugFilter(model=Role, related_name="roles")
    level = RelatedSlugFilter(model=Level, related_name="levels")
    company = RelatedSlugFilter(model=Company, related_name="companies")
    topic = RelatedSlugFilter(model=Topic, related_name="topics")
    category = SlugListFilter(
        allowed=lambda: Category.objects.values_list("slug", flat=True), lookup="category__slug"
    )
    difficulty = SlugListFilter(allowed=_values(Question.Difficulty.choices), lookup="difficulty")
    kind = SlugListFilter(allowed=_values(Question.Kind.choices), lookup="kind")
    q = django_filters.CharFilter(method="search", max_length=200, label="Search")

    class Meta:
        model = Question
        fields: list[str] = []

    def search(self, queryset, name, value):
        return question_search(queryset, value)
