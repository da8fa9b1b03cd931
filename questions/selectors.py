"""Reads of the question bank shared by the pages and the API."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet

from .models import Category, Company, Level, Question, Role


def published_questions() -> QuerySet[Question]:
    """What candidates may see: published questions only, with what a list row shows."""
    return (
        Question.objects.filter(status=Question.Status.PUBLISHED)
        .select_related("category")
        .prefetch_related("roles", "levels", "companies", "topics")
    )


def published_question(*, question_id: int | None = None, slug: str | None = None) -> Question:
    """One published question with its choices; Question.DoesNotExist for drafts, retired and missing ones."""
    lookup = {"pk": question_id} if question_id is not None else {"slug": slug}
    return published_questions().prefetch_related("choices").get(**lookup)


def question_search(queryset: QuerySet[Question], text: str) -> QuerySet[Question]:
    """Full-text search, best match first (PostgreSQL); a plain substring match on SQLite."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            queryset.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "title", "id")
        )
    terms = Q()
    for word in text.split():
        terms &= Q(title__icontains=word) | Q(prompt__icontains=word)
    return queryset.filter(terms)


def taxonomy() -> dict[str, list]:
    return {
        "roles": list(Role.objects.all()),
        "levels": list(Level.objects.all()),
        "companies": list(Company.objects.all()),
        "categories": list(Category.objects.all()),
    }
