"""What apps built on interviews add to a session, without interviews importing them.

Reviews build on interviews: coaches may read the sessions they review, and a reviewed session's
results carry the coach's review and the rubric feedback. interviews shows sessions but knows nothing
of reviews, so the dependency has one direction: the reviews app fills these hooks in when Django
starts (``ReviewsConfig.ready``). As they are here, a session is read by its candidate (and admins)
only and its results carry no review.

Each hook is called with keyword arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


def _no_other_readers(*, user) -> Q | None:
    return None


def _no_review(*, session) -> dict | None:
    return None


def _no_feedback(*, session) -> tuple[Any, dict[int, dict]]:
    return None, {}


@dataclass
class SessionHooks:
    readers: Callable[..., Q | None] = _no_other_readers
    """``readers(user=…)``: the sessions ``user`` may read besides their own, as a Q on
    InterviewSession, or None. ``session_for_user`` asks it for reads, never for writes."""

    published_review: Callable[..., dict | None] = _no_review
    """``published_review(session=…)``: a reviewed session's published review in the shape of
    ``PublishedReviewSerializer``, or None."""

    results_feedback: Callable[..., tuple[Any, dict[int, dict]]] = _no_feedback
    """``results_feedback(session=…)``: for the results page, the published review (or None) and, per
    item position, the rubric with the candidate's and the coach's scores."""


session_hooks = SessionHooks()
