"""Reads of sessions and templates shared by the pages and the API."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Role, User

from .models import InterviewSession, InterviewTemplate, SessionItem


def session_items() -> QuerySet[SessionItem]:
    """A session's items in order, with the question as asked and the answer: one query for all."""
    return SessionItem.objects.select_related("revision", "answer").order_by("position")


def session_for_user(
    *, user: User, session_id: int, owner_only: bool = False, with_items: bool = True
) -> InterviewSession:
    """The one way to look up a session for a user: Http404 for anyone who may not see it.

    Candidates see their own sessions, coaches also the sessions in the review queue and those they
    claimed or reviewed, admins every session (read only: pass ``owner_only`` for writes).
    ``with_items`` prefetches the items, their revisions and answers.
    """
    if not 0 < session_id < 2**63:  # beyond a bigint: no such row, and no database error either
        raise Http404("No such session.")
    queryset = InterviewSession.objects.select_related("template", "role", "level", "company")
    if owner_only:
        queryset = queryset.filter(candidate=user)
    elif not user.is_admin:
        if user.has_role(Role.COACH):
            from reviews.selectors import coach_may_read  # reviews builds on interviews

            queryset = queryset.filter(Q(candidate=user) | coach_may_read(coach=user))
        else:
            queryset = queryset.filter(candidate=user)
    if with_items:
        queryset = queryset.prefetch_related(Prefetch("items", queryset=session_items()))
    try:
        return queryset.get(pk=session_id)
    except InterviewSession.DoesNotExist:
        raise Http404("No such session.") from None


def session_list(*, user: User) -> QuerySet[InterviewSession]:
    """The user's own sessions, newest first, with their question counts."""
    return (
        InterviewSession.objects.filter(candidate=user)
        .select_related("template", "role", "level", "company")
        .annotate(question_count=Count("items"))
        .order_by("-started_at", "-id")
    )


def template_list() -> QuerySet[InterviewTemplate]:
    """The templates candidates may start from."""
    return (
        InterviewTemplate.objects.filter(is_active=True)
        .select_related("role", "level", "company")
        .prefetch_related("categories")
    )
