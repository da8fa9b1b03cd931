from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def expire_review_claims() -> int:
    """Claims not worked on for REVIEW_CLAIM_TTL_HOURS go back to the queue (safe to run twice)."""
    return services.review_claims_expire()
