"""Reads of sessions and templates shared by the pages and the API."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from interviewnode.errors import ApplicationError

from .hooks import session_hooks
from .models import InterviewSession, InterviewTemplate, SessionItem


def accepting_answers(now: datetime | None = None) -> Q:
    """Sessions that still take answers: in progress and not past ``deadline + SESSION_GRACE_SECONDS``.

    What ``answer_save`` accepts, so "open" means the same everywhere, including a timed session past
    its deadline that the sweep has not closed yet (it takes saves until the grace period ends).
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SESSION_GRACE_SECONDS)
    return Q(status=InterviewSession.Status.IN_PROGRESS) & (
        Q(deadline__isnull=True) | Q(deadline__gte=cutoff)
    )


def answers_withheld(*, user: User) -> frozenset[int]:
    """Ids of the questions whose reference answer, explanation and correct choices ``user`` may not
    see right now: those of their timed sessions that still take answers.

    Every page, API and e-mail that reveals answers asks this about the person reading, so a candidate
    cannot look up the answers of a timed session while it is open, whichever session shows them.
    """
    if not user.is_authenticated:
        return frozenset()
    return frozenset(_open_timed_items(user).values_list("question_id", flat=True))


def _open_timed_items(user: User) -> QuerySet[SessionItem]:
    open_timed = InterviewSession.objects.filter(
        accepting_answers(), candidate=user, mode=InterviewSession.Mode.TIMED
    )
    return SessionItem.objects.filter(session__in=open_timed)


def session_items() -> QuerySet[SessionItem]:
    """A session's items in order, with the question as asked and the answer: one query for all."""
    return SessionItem.objects.select_related("revision", "answer").order_by("position")


def item_at(*, session: InterviewSession, position: int) -> SessionItem:
    """The session's item at ``position``, with the question as asked; 404 ``not_found`` if none."""
    item = SessionItem.objects.select_related("revision").filter(session=session, position=position).first()
    if item is None:
        raise ApplicationError(
            "This session has no question at that position.", code="not_found", status_code=404
        )
    return item


def session_for_user(
    *, user: User, session_id: int, owner_only: bool = False, with_items: bool = True
) -> InterviewSession:
    """The one way to look up a session for a user: Http404 for anyone who may not see it.

    Candidates see their own sessions, admins every session (read only: pass ``owner_only`` for
    writes), and anyone else whom an app built on interviews lets read it (``session_hooks.readers``:
    coaches, the sessions in the review queue and those they claimed or reviewed).
    ``with_items`` prefetches the items, their revisions and answers.
    """
    if not 0 < session_id < 2**63:  # beyond a bigint: no such row, and no database error either
        raise Http404("No such session.")
    queryset = InterviewSession.objects.select_related("template", "role", "level", "company")
    if owner_only:
        queryset = queryset.filter(candidate=user)
    elif not user.is_admin:
        readable = Q(candidate=user)
        also = session_hooks.readers(user=user)
        if also is not None:
            readable |= also
        queryset = queryset.filter(readable)
    if with_items:
        queryset = queryset.prefetch_related(Prefetch("items", queryset=session_items()))
    try:
        return queryset.get(pk=session_id)
    except InterviewSession.DoesNotExist:
        raise Http404("No such session.") from None


def session_list(*, user: User) -> QuerySet[InterviewSession]:
    """The user's own sessions, newest first, with their question counts and ``results_withheld``
    (closed, and sharing a question with one of their timed sessions still open: no score yet)."""
    shares_open_timed = SessionItem.objects.filter(
        session=OuterRef("pk"), question_id__in=_open_timed_items(user).values("question_id")
    )
    return (
        InterviewSession.objects.filter(candidate=user)
        .select_related("template", "role", "level", "company")
        .annotate(
            question_count=Count("items"),
            results_withheld=ExpressionWrapper(
                Exists(shares_open_timed) & ~Q(status=InterviewSession.Status.IN_PROGRESS),
                output_field=BooleanField(),
            ),
        )
        .order_by("-started_at", "-id")
    )


def template_list() -> QuerySet[InterviewTemplate]:
    """The templates candidates may start from."""
    return (
        InterviewTemplate.objects.filter(is_active=True)
        .select_related("role", "level", "company")
        .prefetch_related("categories")
    )
