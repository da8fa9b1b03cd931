"""The weekly digest and the practice reminders, run by Celery beat (schedule: scheduling's migration 0002).

The tasks keep the names they had when they lived in scheduling.tasks: the beat schedule stores each
task by its name, and a message queued before a deploy names it so too.
"""

from __future__ import annotations

from celery import shared_task

from .emails import practice_reminders_send, weekly_digest_send


@shared_task(name="scheduling.tasks.send_weekly_digest")
def send_weekly_digest() -> int:
    """Queue the weekly progress digest (once per candidate and week)."""
    return weekly_digest_send()


@shared_task(name="scheduling.tasks.send_practice_reminders")
def send_practice_reminders() -> int:
    """Queue practice reminders for candidates whose interview is near (at most one a week each)."""
    return practice_reminders_send()
