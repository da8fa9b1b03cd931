"""The bank's filters, shared by the browse page and GET /api/v1/questions/.

Each taxonomy filter takes one slug or several separated by commas; an unknown slug is an error that
lists the allowed values, never an empty page.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Question
from .selectors import QuestionList, TaxonomyIndex, question_search, taxonomy_index


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
            # Values go in as params, never into the message: it is %-formatted (a "%" would break it).
            raise forms.ValidationError(
                "Unknown value %(unknown)s. Allowed: %(allowed)s.",
                code="invalid_choice",
                params={"unknown": ", ".join(repr(s) for s in unknown), "allowed": ", ".join(allowed)},
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


class TaxonomyFilter(SlugListFilter):
    """Questions in any of the categories, or tagged with any of the roles, levels, … given by slug.

    Slugs are checked and turned into ids with the filterset's taxonomy index, so the query joins no
    taxonomy table; a tag filter is an EXISTS on the through table, so that rows are never duplicated.
    """

    def __init__(self, *, field: str, **kwargs):
        self.question_field = field
        super().__init__(allowed=None, lookup=field, **kwargs)

    @property
    def field(self):
        # The allowed slugs are those of the filterset's taxonomy (self.parent: each filterset has its
        # own copy of its filters), read when the form is checked.
        field = super().field
        field.allowed = lambda: self.parent.taxonomy.allowed(self.question_field)
        return field

    def filter(self, qs, value):
        if not value:
            return qs
        ids = [self.parent.taxonomy.ids[self.question_field][slug] for slug in value]
        field = Question._meta.get_field(self.question_field)
        if not field.many_to_many:
            return qs.filter(**{f"{field.attname}__in": ids})
        links = field.remote_field.through.objects.filter(
            **{field.m2m_column_name(): OuterRef("pk"), f"{field.m2m_reverse_name()}__in": ids}
        )
        return qs.filter(Exists(links))


def _values(choices):
    return lambda: [value for value, _ in choices]


class QuestionFilter(django_filters.FilterSet):
    role = TaxonomyFilter(field="roles")
    level = TaxonomyFilter(field="levels")
    company = TaxonomyFilter(field="companies")
    topic = TaxonomyFilter(field="topics")
    category = TaxonomyFilter(field="category")
    difficulty = SlugListFilter(allowed=_values(Question.Difficulty.choices), lookup="difficulty")
    kind = SlugListFilter(allowed=_values(Question.Kind.choices), lookup="kind")
    q = django_filters.CharFilter(method="search", max_length=200, label="Search")

    class Meta:
        model = Question
        fields: list[str] = []

    @cached_property
    def taxonomy(self) -> TaxonomyIndex:
        """The bank's taxonomy, read once for the form, the filters and the naming of the rows."""
        return taxonomy_index()

    def search(self, queryset, name, value):
        return question_search(queryset, value)

    def questions(self) -> QuestionList:
        """The matching rows, for QuestionPaginator (call is_valid() first)."""
        return QuestionList(self.qs, filters=self.form.cleaned_data, version=self.taxonomy.version)
