"""Reads of the review queue, coaches' access to sessions, and the admin's coach figures."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Avg, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from accounts.models import Role, User
from interviewnode.markdown import render_code, render_markdown, render_user_markdown
from interviewnode.params import query_int, query_slug
from interviews.models import InterviewSession, SessionItem
from interviews.selectors import answers_withheld
from questions.models import Category
from questions.rubric import effective_rubric

from .models import ItemReview, Review, SelfAssessment

Status = InterviewSession.Status
RUBRIC_KINDS = ("written", "code")  # answers a coach scores; multiple choice is graded on submit
QUEUE_SLUG_FILTERS = ("category", "role", "company", "level")


def claim_cutoff(now: datetime | None = None) -> datetime:
    """Claims last worked on before this moment have expired."""
    return (now or timezone.now()) - timedelta(hours=settings.REVIEW_CLAIM_TTL_HOURS)


def needs_review() -> Exists:
    """The session has at least one written or code answer (as asked)."""
    return Exists(
        SessionItem.objects.filter(session=OuterRef("pk"), revision__content__kind__in=RUBRIC_KINDS)
    )


def claimable(now: datetime | None = None) -> Q:
    """Submitted and unclaimed, or claimed but not worked on for REVIEW_CLAIM_TTL_HOURS."""
    return Q(status__in=[Status.SUBMITTED, Status.IN_REVIEW]) & (
        Q(review__isnull=True)
        | Q(review__status=Review.Status.DRAFT)
        & (Q(review__coach__isnull=True) | Q(review__last_worked_at__lt=claim_cutoff(now)))
    )


def coach_may_read(*, coach: User) -> Q:
    """The sessions a coach may open: those in the queue and those they claimed or reviewed."""
    return needs_review() & (claimable() | Q(review__coach=coach))


def coach_readers(*, user: User) -> Q | None:
    """For ``session_for_user`` (``session_hooks.readers``): the sessions a coach may read besides
    their own, those of ``coach_may_read``; None for anyone else."""
    return coach_may_read(coach=user) if user.has_role(Role.COACH) else None


def is_rubric_item(item: SessionItem) -> bool:
    content = item.revision.content
    return content.get("kind") in RUBRIC_KINDS and bool(content.get("rubric"))


MAX_QUEUE_AGE_HOURS = 24 * 365 * 10


def queue_filters(params) -> dict:
    """The queue's filters read from a query string: slugs and ``age`` in hours (400 if malformed)."""
    filters: dict = {name: query_slug(params, name) for name in QUEUE_SLUG_FILTERS}
    filters["age"] = query_int(params, "age", min_value=0, max_value=MAX_QUEUE_AGE_HOURS)
    return filters


def review_queue(*, coach: User, filters: dict | None = None) -> QuerySet[InterviewSession]:
    """Sessions waiting for a coach, oldest submission first, plus this coach's own open claims;
    never the coach's own sessions.

    ``filters``: ``category``, ``role``, ``company``, ``level`` (slugs) and ``age`` (at least this
    many hours since submission).
    """
    filters = filters or {}
    queryset = (
        InterviewSession.objects.filter(needs_review())
        .filter(claimable() | Q(review__coach=coach, review__status=Review.Status.DRAFT))
        .exclude(candidate=coach)  # a coach never reviews their own session (review_refuse_own)
        .select_related("template", "role", "level", "company", "review")
        .order_by("submitted_at", "id")
    )
    if filters.get("category"):
        queryset = queryset.filter(
            Exists(
                SessionItem.objects.filter(
                    session=OuterRef("pk"), revision__content__category=filters["category"]
                )
            )
        )
    for field in ("role", "level", "company"):
        if filters.get(field):
            queryset = queryset.filter(**{f"{field}__slug": filters[field]})
    if filters.get("age") not in (None, ""):
        queryset = queryset.filter(submitted_at__lte=timezone.now() - timedelta(hours=int(filters["age"])))
    return queryset


def review_for_session(*, session: InterviewSession, published_only: bool = False) -> Review | None:
    """The session's review with its coach and item reviews (two queries)."""
    queryset = Review.objects.filter(session=session).select_related("coach").prefetch_related("items__item")
    if published_only:
        queryset = queryset.filter(status=Review.Status.PUBLISHED)
    return queryset.first()


def published_review(*, session: InterviewSession) -> dict | None:
    """The session's published review as the candidate reads it (interviews'
    ``PublishedReviewSerializer``, through ``session_hooks.published_review``), or None."""
    review = review_for_session(session=session, published_only=True)
    if review is None:
        return None
    return {
        "coach": review.coach.display_name,
        "recommendation": review.recommendation,
        "summary": review.summary,
        "published_at": review.published_at,
        "items": [
            {
                "position": row.item.position,
                "scores": row.scores,
                "comment": row.comment,
                "score": row.item.score,
            }
            for row in sorted(review.items.all(), key=lambda row: row.item.position)
        ],
    }


def review_page_items(*, session: InterviewSession, review: Review, coach: User) -> list[dict]:
    """The review page's rows: each answer (highlighted if code) next to its question, reference and
    rubric with the coach's draft scores and comment.

    A coach taking a timed interview themselves does not see its questions' answers here either: for
    those, no reference and no correctness (``answers_withheld``).
    """
    rows = {row.item_id: row for row in review.items.all()}
    withheld = answers_withheld(user=coach)
    page_items = []
    for item in session.items.all():
        content = item.revision.content
        row = rows.get(item.pk)
        hidden = item.question_id in withheld
        page_items.append(
            {
                "withheld": hidden,
                "position": item.position,
                "title": content["title"],
                "kind": content["kind"],
                "prompt_html": render_markdown(content["prompt"]),
                "reference_html": "" if hidden else render_markdown(content.get("reference_answer", "")),
                "answer_html": (
                    render_code(item.answer.content, content.get("language", ""))
                    if content["kind"] == "code"
                    else render_user_markdown(item.answer.content)
                ),
                "answer_empty": not item.answer.content.strip(),
                "is_correct": None if hidden else item.answer.is_correct,
                "rubric_scored": is_rubric_item(item),
                "rubric": [
                    {**criterion, "given": (row.scores if row else {}).get(criterion["key"])}
                    for criterion in effective_rubric(content.get("rubric") or [])
                ],
                "comment": row.comment if row else "",
                "score": item.score,
            }
        )
    return page_items


def coach_stats() -> list[dict]:
    """Per coach: published reviews, median turnaround (submitted → published) in hours, and the mean
    answer score given per category next to every coach's mean for that category.

    An answer counts in the category its question had when it was asked (recorded in the item's
    revision), not the one the question may have moved to since.
    """
    turnarounds: dict[int, list[float]] = defaultdict(list)
    coaches: dict[int, User] = {}
    for review in Review.objects.filter(status=Review.Status.PUBLISHED).select_related("coach", "session"):
        coaches[review.coach_id] = review.coach
        delta = review.published_at - review.session.submitted_at
        turnarounds[review.coach_id].append(delta.total_seconds() / 3600)
    published = ItemReview.objects.filter(
        review__status=Review.Status.PUBLISHED, item__score__isnull=False
    ).annotate(category=KeyTextTransform("category", "item__revision__content"))
    overall = {
        row["category"]: row["mean"] for row in published.values("category").annotate(mean=Avg("item__score"))
    }
    names = dict(Category.objects.filter(slug__in=overall).values_list("slug", "name"))
    by_coach: dict[int, list[dict]] = defaultdict(list)
    for row in published.values("review__coach", "category").annotate(mean=Avg("item__score")):
        slug = row["category"]
        by_coach[row["review__coach"]].append(
            {"category": names.get(slug, slug), "mean": row["mean"], "all": overall[slug]}
        )
    for rows in by_coach.values():
        rows.sort(key=lambda row: row["category"])
    return [
        {
            "coach": coach,
            "reviews_done": len(turnarounds[pk]),
            "median_turnaround_hours": round(statistics.median(turnarounds[pk]), 1),
            "categories": by_coach[pk],
        }
        for pk, coach in sorted(coaches.items(), key=lambda kv: kv[1].email)
    ]


def results_feedback(*, session: InterviewSession) -> tuple[Review | None, dict[int, dict]]:
    """For the candidate's results page: the published review (or None) and per position the rubric
    with the candidate's self scores and, once published, the coach's scores and comment."""
    review = (
        review_for_session(session=session, published_only=True)
        if session.status == Status.REVIEWED
        else None
    )
    coach_rows = {row.item_id: row for row in review.items.all()} if review else {}
    selves = {s.item_id: s for s in SelfAssessment.objects.filter(item__session=session)}
    feedback = {}
    for item in session.items.all():
        if not is_rubric_item(item):
            continue
        own, coach_row = selves.get(item.pk), coach_rows.get(item.pk)
        feedback[item.position] = {
            "self_score": own.score if own else None,
            "coach_comment": coach_row.comment if coach_row else "",
            "can_self_assess": session.status != Status.REVIEWED,
            "criteria": [
                {
                    **criterion,
                    "self": (own.scores if own else {}).get(criterion["key"]),
                    "coach": (coach_row.scores if coach_row else {}).get(criterion["key"]),
                }
                for criterion in effective_rubric(item.revision.content["rubric"])
            ],
        }
    return review, feedback
