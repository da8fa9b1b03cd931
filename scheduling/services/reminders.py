"""Booking reminders: planned when a slot is booked or moved, sent when due by the beat task."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxEmail
from scheduling.models import Booking, Reminder

from .emails import booking_email

REMINDERS = {Reminder.Kind.DAY_BEFORE: timedelta(hours=24), Reminder.Kind.HOUR_BEFORE: timedelta(hours=1)}
REMINDER_BATCH = 500


def reminders_plan(booking: Booking, *, now: datetime) -> None:
    """Replace the booking's unsent reminders with ones for its (new) start; past-due ones are skipped."""
    booking.reminders.filter(sent_at__isnull=True).delete()
    Reminder.objects.bulk_create(
        Reminder(booking=booking, kind=kind, due_at=booking.slot.start - before)
        for kind, before in REMINDERS.items()
        if booking.slot.start - before > now
    )


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Send the reminders that are due; returns how many this run claimed.

    Safe to run twice at once: each reminder is claimed by a conditional UPDATE (``sent_at`` still
    empty) in the transaction that writes its e-mails, so only one run sends it.
    """
    now = now or timezone.now()
    due = list(
        Reminder.objects.filter(
            sent_at__isnull=True,
            due_at__lte=now,
            booking__status=Booking.Status.BOOKED,
            booking__slot__start__gt=now,
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:REMINDER_BATCH]
    )
    claimed = 0
    for reminder_id in due:
        with transaction.atomic():
            if not Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(sent_at=now):
                continue  # another run took it
            claimed += 1
            reminder = Reminder.objects.select_related("booking__candidate", "booking__slot__coach").get(
                pk=reminder_id
            )
            booking_email(reminder.booking, kind=OutboxEmail.Kind.BOOKING_REMINDER, reminder=reminder)
    return claimed
