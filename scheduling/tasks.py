"""Periodic work for live mocks and the optional e-mails, run by Celery beat (schedule: migration 0002)."""

from __future__ import annotations

from celery import shared_task

from .services import practice_reminders_send, reminders_send_due, weekly_digest_send


@shared_task
def send_due_reminders() -> int:
    """Send the booking reminders that are due; safe to run twice at once (each is claimed once)."""
    return reminders_send_due()


@shared_task
def send_weekly_digest() -> int:
    """Queue the weekly progress digest (once per candidate and week)."""
    return weekly_digest_send()


@shared_task
def send_practice_reminders() -> int:
    """Queue practice reminders for candidates whose interview is near (at most one a week each)."""
    return practice_reminders_send()
