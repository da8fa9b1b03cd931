"""Concurrency on PostgreSQL: two candidates racing for a slot, two reminder runs racing for a reminder."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from accounts.models import Role
from interviewnode.errors import ApplicationError
from notifications.models import OutboxEmail
from scheduling.models import Booking, Reminder
from scheduling.services.bookings import booking_create
from scheduling.services.reminders import reminders_send_due
from tests.factories import UserFactory, coach_slot

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls):
    """Run the calls in threads started at the same moment; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_two_candidates_racing_for_one_slot_get_one_booking_and_one_slot_taken():
    coach = UserFactory(role=Role.COACH)
    first, second = UserFactory(role=Role.CANDIDATE), UserFactory(role=Role.CANDIDATE)
    slot = coach_slot(coach)

    results = run_together(
        lambda: booking_create(candidate=first, slot_id=slot.pk),
        lambda: booking_create(candidate=second, slot_id=slot.pk),
    )

    bookings = [r for r in results if isinstance(r, Booking)]
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(bookings) == 1 and len(refusals) == 1, results
    assert (refusals[0].code, refusals[0].status_code) == ("slot_taken", 409)
    assert Booking.objects.filter(slot=slot, status=Booking.Status.BOOKED).count() == 1
    # Only the winner's confirmations were written (candidate and coach).
    assert OutboxEmail.objects.filter(kind="booking_confirmed").count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_one_candidate_booking_two_slots_at_once_cannot_pass_the_limit_twice(settings):
    settings.MAX_UPCOMING_BOOKINGS = 1
    coach, candidate = UserFactory(role=Role.COACH), UserFactory(role=Role.CANDIDATE)
    first, second = coach_slot(coach, hours_ahead=24), coach_slot(coach, hours_ahead=30)

    results = run_together(
        lambda: booking_create(candidate=candidate, slot_id=first.pk),
        lambda: booking_create(candidate=candidate, slot_id=second.pk),
    )

    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refusals) == 1 and refusals[0].code == "booking_limit", results
    assert Booking.objects.filter(candidate=candidate, status=Booking.Status.BOOKED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
def test_due_reminders_are_sent_once_when_two_runs_overlap():
    coach = UserFactory(role=Role.COACH)
    bookings = [
        booking_create(
            candidate=UserFactory(role=Role.CANDIDATE), slot_id=coach_slot(coach, hours_ahead=30 + i).pk
        )
        for i in range(8)
    ]
    now = max(b.slot.start for b in bookings) - timedelta(hours=23)  # every 24 h reminder is due
    assert Reminder.objects.filter(due_at__lte=now).count() == 8

    results = run_together(lambda: reminders_send_due(now=now), lambda: reminders_send_due(now=now))

    assert sum(results) == 8, results
    assert not Reminder.objects.filter(due_at__lte=now, sent_at__isnull=True).exists()
    assert OutboxEmail.objects.filter(kind="booking_reminder").count() == 16  # candidate and coach
    # A later run finds nothing left to send.
    assert reminders_send_due(now=now) == 0
