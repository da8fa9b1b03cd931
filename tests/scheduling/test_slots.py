"""Coaches publish slots: one-off or weekly in their own time zone, never overlapping, withdrawn when free."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from accounts.models import Role
from interviewnode.errors import ApplicationError
from scheduling.models import Booking, CoachProfile, Slot
from scheduling.services.bookings import booking_create
from scheduling.services.slots import slot_create, slot_withdraw, slots_create_weekly
from tests.factories import UserFactory, coach_slot

pytestmark = pytest.mark.django_db

# A Monday, two weeks before Europe/Paris leaves summer time (25 October 2026, 03:00 CEST).
BEFORE_DST_END = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)


def test_a_coach_publishes_a_slot_stored_in_utc_and_becomes_listed(coach):
    with time_machine.travel(BEFORE_DST_END, tick=False):
        slot = slot_create(
            coach=coach,
            start=datetime.fromisoformat("2026-10-20T18:00:00+02:00"),
            end=datetime.fromisoformat("2026-10-20T19:00:00+02:00"),
        )
    slot.refresh_from_db()
    assert (slot.start, slot.end) == (
        datetime(2026, 10, 20, 16, tzinfo=UTC),
        datetime(2026, 10, 20, 17, tzinfo=UTC),
    )
    assert slot.status == Slot.Status.OPEN
    assert CoachProfile.objects.filter(user=coach, is_active=True).exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-10-11T18:00:00+00:00", "2026-10-11T19:00:00+00:00", "in the future"),
        ("2026-10-20T18:00:00+00:00", "2026-10-20T22:01:00+00:00", "at most 4 hours"),
        ("2026-10-20T18:00:00+00:00", "2026-10-20T18:00:00+00:00", "end after it starts"),
    ],
)
def test_it_refuses_a_past_too_long_or_empty_slot(coach, start, end, message):
    with time_machine.travel(BEFORE_DST_END, tick=False), pytest.raises(ApplicationError, match=message):
        slot_create(coach=coach, start=datetime.fromisoformat(start), end=datetime.fromisoformat(end))
    assert not Slot.objects.exists()


def test_it_refuses_a_slot_overlapping_the_coachs_own_open_slot(coach):
    other_coach = UserFactory(role=Role.COACH)
    start = datetime(2026, 10, 20, 16, tzinfo=UTC)
    with time_machine.travel(BEFORE_DST_END, tick=False):
        slot_create(coach=coach, start=start, end=start + timedelta(hours=1))
        with pytest.raises(ApplicationError) as refused:
            slot_create(coach=coach, start=start + timedelta(minutes=30), end=start + timedelta(hours=2))
        # Back to back is fine, and another coach may offer the same hour.
        slot_create(coach=coach, start=start + timedelta(hours=1), end=start + timedelta(hours=2))
        slot_create(coach=other_coach, start=start, end=start + timedelta(hours=1))
    assert (refused.value.code, refused.value.status_code) == ("slot_overlap", 409)
    assert Slot.objects.filter(coach=coach).count() == 2


def test_a_withdrawn_slot_no_longer_blocks_a_new_one_at_the_same_time(coach):
    slot = coach_slot(coach)
    slot_withdraw(coach=coach, slot_id=slot.pk)
    again = slot_create(coach=coach, start=slot.start, end=slot.end)
    assert again.status == Slot.Status.OPEN


def test_a_candidate_cannot_publish_slots(candidate):
    with pytest.raises(ApplicationError) as refused:
        slot_create(
            coach=candidate,
            start=datetime(2030, 1, 1, 10, tzinfo=UTC),
            end=datetime(2030, 1, 1, 11, tzinfo=UTC),
        )
    assert refused.value.status_code == 403
    assert not Slot.objects.exists()


def test_weekly_slots_keep_the_coachs_local_hour_across_the_october_dst_change():
    paris_coach = UserFactory(role=Role.COACH, timezone="Europe/Paris")
    with time_machine.travel(BEFORE_DST_END, tick=False):
        slots = slots_create_weekly(
            coach=paris_coach, weekday=3, at=time(18, 0), duration=timedelta(minutes=60), weeks=4
        )
    starts = [slot.start for slot in Slot.objects.filter(coach=paris_coach).order_by("start")]
    assert len(slots) == 4
    assert starts == [
        datetime(2026, 10, 15, 16, tzinfo=UTC),  # 18:00 CEST
        datetime(2026, 10, 22, 16, tzinfo=UTC),
        datetime(2026, 10, 29, 17, tzinfo=UTC),  # 18:00 CET, after the change
        datetime(2026, 11, 5, 17, tzinfo=UTC),
    ]


def test_a_weekly_pattern_that_overlaps_an_existing_slot_publishes_nothing(coach):
    with time_machine.travel(BEFORE_DST_END, tick=False):
        coach_slot(coach, start=datetime(2026, 10, 22, 18, 30, tzinfo=UTC))
        with pytest.raises(ApplicationError) as refused:
            slots_create_weekly(coach=coach, weekday=3, at=time(18, 0), duration=timedelta(hours=1), weeks=3)
    assert refused.value.code == "slot_overlap"
    assert Slot.objects.filter(coach=coach).count() == 1


def test_a_coach_cannot_withdraw_another_coachs_slot(coach):
    other = coach_slot(UserFactory(role=Role.COACH))
    with pytest.raises(Http404):
        slot_withdraw(coach=coach, slot_id=other.pk)
    other.refresh_from_db()
    assert other.status == Slot.Status.OPEN


def test_a_booked_slot_is_not_withdrawn(coach, candidate):
    slot = coach_slot(coach)
    booking_create(candidate=candidate, slot_id=slot.pk)
    with pytest.raises(ApplicationError) as refused:
        slot_withdraw(coach=coach, slot_id=slot.pk)
    slot.refresh_from_db()
    assert refused.value.code == "slot_booked"
    assert slot.status == Slot.Status.OPEN
    assert Booking.objects.get().status == Booking.Status.BOOKED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_database_itself_refuses_overlapping_open_slots_of_one_coach(coach):
    slot = coach_slot(coach)
    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.create(coach=coach, start=slot.start + timedelta(minutes=30), end=slot.end)
    Slot.objects.create(
        coach=coach, start=slot.start, end=slot.end, status=Slot.Status.WITHDRAWN
    )  # a withdrawn one may
    assert Slot.objects.count() == 2


def test_the_database_itself_refuses_a_second_live_booking_of_a_slot(coach, candidate, other_candidate):
    slot = coach_slot(coach)
    Booking.objects.create(slot=slot, candidate=candidate)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(slot=slot, candidate=other_candidate)
    Booking.objects.create(
        slot=slot, candidate=other_candidate, status=Booking.Status.CANCELLED, cancelled_at=slot.start
    )
    assert Booking.objects.count() == 2
