"""Periodic work for sessions, run by Celery beat (schedule: migration 0002)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import InterviewSession
from .services import session_submit

BATCH = 500
logger = logging.getLogger(__name__)


@shared_task
def close_overdue_sessions() -> int:
    """Submit timed sessions whose candidate has gone, once ``deadline + grace`` has passed.

    Safe to run twice or in parallel: ``session_submit`` locks each session and leaves a closed one alone.
    Returns how many sessions it looked at.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_GRACE_SECONDS)
    overdue = list(
        InterviewSession.objects.filter(
            status=InterviewSession.Status.IN_PROGRESS,
            mode=InterviewSession.Mode.TIMED,
            deadline__lt=cutoff,
        )
        .order_by("deadline")
        .values_list("pk", flat=True)[:BATCH]
    )
    for session_id in overdue:
        try:
            session_submit(session_id=session_id, user=None, closed_by=InterviewSession.ClosedBy.DEADLINE)
        except Exception:
            # One broken session must not keep every other one open; the next run retries it.
            logger.exception("Could not close overdue session %s", session_id)
    return len(overdue)
