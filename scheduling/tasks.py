"""Periodic work for live mocks, run by Celery beat (schedule: migration 0002)."""

from __future__ import annotations

from celery import shared_task

from .services.reminders import reminders_send_due


@shared_task
def send_due_reminders() -> int:
    """Send the booking reminders that are due; safe to run twice at once (each is claimed once)."""
    return reminders_send_due()
