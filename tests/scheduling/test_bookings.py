"""Candidates book, cancel and reschedule; both sides get e-mails with iCalendar invites."""

from __future__ import annotations

from datetime import UTC, timedelta

import icalendar
import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from interviewnode.errors import ApplicationError
from notifications.models import OutboxEmail
from scheduling.models import Booking, Reminder, Slot
from scheduling.services.bookings import booking_cancel, booking_create, booking_reschedule
from tests.factories import UserFactory, coach_slot

pytestmark = pytest.mark.django_db


def invite(message) -> tuple[icalendar.Calendar, icalendar.Event]:
    """The calendar attached to an e-mail received by the SMTP sink."""
    [attachment] = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    return calendar, event


def stored_invite(email: OutboxEmail) -> tuple[icalendar.Calendar, icalendar.Event]:
    [attachment] = email.attachments
    calendar = icalendar.Calendar.from_ical(attachment["content"])
    return calendar, calendar.walk("VEVENT")[0]


def by_recipient(messages) -> dict:
    return {message["To"]: message for message in messages}


def test_a_booking_confirmation_reaches_both_with_a_valid_invite(
    coach, candidate, smtp_sink, django_capture_on_commit_callbacks
):
    slot = coach_slot(coach)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(candidate=candidate, slot_id=slot.pk)

    messages = by_recipient(smtp_sink.wait_for(2))
    assert set(messages) == {candidate.email, coach.email}
    for message in messages.values():
        assert "Live mock booked" in message["Subject"]
        calendar, event = invite(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == booking.uid
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == slot.start
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event["DTSTART"].to_ical() == slot.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()
        assert event.decoded("DTEND") == slot.end
        assert str(event["ORGANIZER"]) == f"mailto:{coach.email}"
        assert str(event["ATTENDEE"]) == f"mailto:{candidate.email}"
        # Names, never the addresses, where people read them (neither gave a name).
        assert event["ORGANIZER"].params["CN"] == f"Member #{coach.pk}"
        assert event["ATTENDEE"].params["CN"] == f"Member #{candidate.pk}"
        assert str(event["SUMMARY"]) == f"Live mock interview: Member #{candidate.pk} with Member #{coach.pk}"
        assert "@" not in message.get_body(("plain",)).get_content()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.BOOKED


def test_the_confirmation_shows_the_time_in_each_recipients_time_zone(
    candidate, django_capture_on_commit_callbacks
):
    tokyo_coach = UserFactory(role=Role.COACH, timezone="Asia/Tokyo")
    slot = coach_slot(tokyo_coach)
    with django_capture_on_commit_callbacks(execute=True):
        booking_create(candidate=candidate, slot_id=slot.pk)
    to_coach = OutboxEmail.objects.get(to_email=tokyo_coach.email)
    to_candidate = OutboxEmail.objects.get(to_email=candidate.email)
    tokyo = slot.start.astimezone(timezone.get_fixed_timezone(9 * 60))
    assert f"{tokyo:%H:%M}" in to_coach.body_text and "JST" in to_coach.body_text
    assert f"{slot.start:%H:%M}" in to_candidate.body_text and "UTC" in to_candidate.body_text


def test_cancelling_sends_method_cancel_with_the_same_uid_and_a_higher_sequence(
    coach, candidate, smtp_sink, django_capture_on_commit_callbacks
):
    slot = coach_slot(coach)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(candidate=candidate, slot_id=slot.pk)
    smtp_sink.wait_for(2)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking_id=booking.pk, user=candidate, reason="Got the offer already")

    cancellations = by_recipient(smtp_sink.wait_for(4)[2:])
    assert set(cancellations) == {candidate.email, coach.email}
    for message in cancellations.values():
        assert "Cancelled" in message["Subject"]
        calendar, event = invite(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["UID"]) == booking.uid
        assert event["SEQUENCE"] == 1
        assert str(event["STATUS"]) == "CANCELLED"
    assert "Got the offer already" in cancellations[coach.email].get_body(("plain",)).get_content()
    booking.refresh_from_db()
    assert (booking.status, booking.sequence, booking.cancelled_by) == ("cancelled", 1, candidate)
    # The slot is free again for someone else, and no reminder is left to send.
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    other = UserFactory(role=Role.CANDIDATE)
    assert booking_create(candidate=other, slot_id=slot.pk).is_live


def test_rescheduling_moves_the_invite_keeping_its_uid(coach, candidate, django_capture_on_commit_callbacks):
    slot = coach_slot(coach, hours_ahead=48)
    later = coach_slot(coach, hours_ahead=72)
    booking = booking_create(candidate=candidate, slot_id=slot.pk)
    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking_id=booking.pk, user=candidate, new_slot_id=later.pk)

    booking.refresh_from_db()
    assert (booking.slot_id, booking.sequence) == (later.pk, 1)
    updates = OutboxEmail.objects.filter(kind="booking_updated")
    assert {email.to_email for email in updates} == {candidate.email, coach.email}
    for email in updates:
        calendar, event = stored_invite(email)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert (str(event["UID"]), event["SEQUENCE"]) == (booking.uid, 1)
        assert event.decoded("DTSTART") == later.start
    assert sorted(Reminder.objects.values_list("due_at", flat=True)) == [
        later.start - timedelta(hours=24),
        later.start - timedelta(hours=1),
    ]
    # The old slot is open again.
    assert booking_create(candidate=UserFactory(role=Role.CANDIDATE), slot_id=slot.pk).is_live


def test_a_booking_plans_reminders_24_hours_and_1_hour_before(coach, candidate):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=48).pk)
    soon = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=3).pk)
    assert {(r.kind, r.due_at) for r in booking.reminders.all()} == {
        ("24h", booking.slot.start - timedelta(hours=24)),
        ("1h", booking.slot.start - timedelta(hours=1)),
    }
    # Already inside 24 hours: only the 1-hour reminder.
    assert [r.kind for r in soon.reminders.all()] == ["1h"]


def test_a_slot_booked_already_answers_slot_taken(coach, candidate, other_candidate):
    slot = coach_slot(coach)
    booking_create(candidate=candidate, slot_id=slot.pk)
    with pytest.raises(ApplicationError) as refused:
        booking_create(candidate=other_candidate, slot_id=slot.pk)
    assert (refused.value.code, refused.value.status_code) == ("slot_taken", 409)
    assert Booking.objects.count() == 1


def test_a_withdrawn_or_past_slot_cannot_be_booked(coach, candidate):
    withdrawn = coach_slot(coach, status=Slot.Status.WITHDRAWN)
    past = coach_slot(coach, hours_ahead=-2)
    for slot in (withdrawn, past):
        with pytest.raises(ApplicationError) as refused:
            booking_create(candidate=candidate, slot_id=slot.pk)
        assert refused.value.code == "slot_unavailable"
    assert not Booking.objects.exists()


def test_a_candidate_cannot_cancel_after_the_cutoff(coach, candidate, settings):
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 12
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=6).pk)
    with pytest.raises(ApplicationError) as refused:
        booking_cancel(booking_id=booking.pk, user=candidate)
    booking.refresh_from_db()
    assert refused.value.code == "too_late"
    assert booking.status == Booking.Status.BOOKED


def test_a_coach_cancels_with_a_reason_even_late_and_the_slot_is_withdrawn(coach, candidate, settings):
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 12
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=6).pk)
    with pytest.raises(ApplicationError) as refused:
        booking_cancel(booking_id=booking.pk, user=coach, reason="  ")
    assert refused.value.code == "reason_required"

    booking_cancel(booking_id=booking.pk, user=coach, reason="I am ill")
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason, booking.cancelled_by) == ("cancelled", "I am ill", coach)
    assert booking.slot.status == Slot.Status.WITHDRAWN
    email = OutboxEmail.objects.get(kind="booking_cancelled", to_email=candidate.email)
    assert "Reason: I am ill" in email.body_text


def test_someone_elses_booking_is_not_found(coach, candidate, other_candidate):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach).pk)
    other_coach = UserFactory(role=Role.COACH)
    for intruder in (other_candidate, other_coach):
        with pytest.raises(Http404):
            booking_cancel(booking_id=booking.pk, user=intruder, reason="mine now")
    booking.refresh_from_db()
    assert booking.is_live
