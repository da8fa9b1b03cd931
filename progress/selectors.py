"""Reads of a candidate's progress: the average score per category, and what to practise next."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypedDict

from django.db.models import Avg, Count

from accounts.models import User
from interviews.models import InterviewSession, SessionItem
from questions.models import Category


class CategoryScore(TypedDict):
    category: str  # the category's name
    average: Decimal  # of the scored answers, 0 to 100
    answers: int


def category_scores(*, candidate: User, since: datetime | None = None) -> list[CategoryScore]:
    """The candidate's average score per category over the scored answers of their submitted sessions
    (those submitted since ``since``), weakest first."""
    items = SessionItem.objects.filter(
        session__candidate=candidate, score__isnull=False, session__submitted_at__isnull=False
    ).exclude(session__status=InterviewSession.Status.IN_PROGRESS)
    if since is not None:
        items = items.filter(session__submitted_at__gte=since)
    rows = items.values("question__category__name").annotate(average=Avg("score"), answers=Count("pk"))
    return sorted(
        (
            CategoryScore(category=r["question__category__name"], average=r["average"], answers=r["answers"])
            for r in rows
        ),
        key=lambda r: (r["average"], r["category"]),
    )


def practise_next(*, candidate: User, now: datetime) -> list[str]:
    """The names of the two weakest categories over the last four weeks, or the first ones of the bank."""
    scores = category_scores(candidate=candidate, since=now - timedelta(weeks=4))
    if scores:
        return [row["category"] for row in scores[:2]]
    return list(Category.objects.order_by("order", "slug").values_list("name", flat=True)[:2])
