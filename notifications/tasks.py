"""Celery tasks of the outbox: thin, idempotent, ids only (the sweep's schedule: migration 0002)."""

from __future__ import annotations

from celery import shared_task

from .services import email_send, outbox_sweep


@shared_task
def send_email_task(email_id: int) -> bool:
    """Send one outbox e-mail; a second run, or a run for a sent row, does nothing."""
    return email_send(email_id=email_id)


@shared_task
def sweep_outbox() -> int:
    """Schedule again the e-mails a dead broker or worker dropped, and the retries that are due."""
    return outbox_sweep()
