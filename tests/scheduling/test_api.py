"""The live-mock API: coaches and slots, publishing and withdrawing, booking and cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from scheduling.models import Booking, CoachProfile, Slot
from scheduling.services.bookings import booking_cancel, booking_create
from tests.factories import coach_slot

pytestmark = pytest.mark.django_db


def future(hours: float) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


def test_coaches_and_their_open_slots_are_listed(candidate_api, coach, other_coach, other_candidate):
    CoachProfile.objects.create(user=coach, bio="Ex-FAANG ML lead")
    open_slot = coach_slot(coach, hours_ahead=24)
    coach_slot(coach, hours_ahead=30, status=Slot.Status.WITHDRAWN)
    coach_slot(coach, hours_ahead=-3)
    booking_create(candidate=other_candidate, slot_id=coach_slot(coach, hours_ahead=40).pk)
    coach_slot(other_coach)

    coaches = candidate_api.get("/api/v1/coaches/").json()
    slots = candidate_api.get(f"/api/v1/coaches/{coach.pk}/slots/").json()

    assert {c["id"] for c in coaches["results"]} == {coach.pk, other_coach.pk}
    [listed] = [c for c in coaches["results"] if c["id"] == coach.pk]
    assert listed["bio"] == "Ex-FAANG ML lead" and listed["roles"] == [] and listed["companies"] == []
    assert listed["name"] == f"Member #{coach.pk}"  # no name given: never the e-mail address
    assert [s["id"] for s in slots["results"]] == [open_slot.pk]
    assert slots["results"][0]["start"] == open_slot.start.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_a_non_coach_has_no_slots_page(candidate_api, candidate):
    response = candidate_api.get(f"/api/v1/coaches/{candidate.pk}/slots/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get("/api/v1/coaches/").status_code == 401


def test_a_coach_publishes_a_slot_with_an_offset(coach_api, coach):
    start = future(48).astimezone(timezone.get_fixed_timezone(120))
    response = coach_api.post(
        "/api/v1/slots/",
        {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    slot = Slot.objects.get(pk=response.json()["id"])
    assert (slot.coach, slot.start, slot.end) == (coach, start, start + timedelta(hours=1))


def test_a_slot_without_an_offset_is_refused(coach_api):
    start = future(48).replace(tzinfo=None)
    response = coach_api.post(
        "/api/v1/slots/",
        {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"start", "end"}
    assert not Slot.objects.exists()


def test_an_overlapping_or_too_long_slot_is_refused(coach_api, coach):
    existing = coach_slot(coach, hours_ahead=48)
    overlap = coach_api.post(
        "/api/v1/slots/",
        {"start": existing.start.isoformat(), "end": existing.end.isoformat()},
        format="json",
    )
    too_long = coach_api.post(
        "/api/v1/slots/", {"start": future(72).isoformat(), "end": future(77).isoformat()}, format="json"
    )
    assert (overlap.status_code, overlap.json()["code"]) == (409, "slot_overlap")
    assert (too_long.status_code, too_long.json()["code"]) == (400, "invalid")
    assert Slot.objects.count() == 1


def test_a_candidate_cannot_create_slots(candidate_api):
    response = candidate_api.post(
        "/api/v1/slots/", {"start": future(48).isoformat(), "end": future(49).isoformat()}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert not Slot.objects.exists()


def test_a_coach_withdraws_their_own_slot_but_not_another_coachs(coach_api, coach, other_coach):
    mine, theirs = coach_slot(coach), coach_slot(other_coach)

    assert coach_api.delete(f"/api/v1/slots/{mine.pk}/").status_code == 204
    response = coach_api.delete(f"/api/v1/slots/{theirs.pk}/")

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (Slot.Status.WITHDRAWN, Slot.Status.OPEN)


def test_a_candidate_books_and_a_second_booking_of_the_slot_gets_409(candidate_api, other_candidate, coach):
    slot = coach_slot(coach)
    response = candidate_api.post("/api/v1/bookings/", {"slot": slot.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slot"]["id"], body["status"], body["sequence"]) == (slot.pk, "booked", 0)

    late = APIClient()
    late.force_authenticate(other_candidate)
    taken = late.post("/api/v1/bookings/", {"slot": slot.pk}, format="json")
    assert taken.status_code == 409
    assert taken.json() == {"code": "slot_taken", "detail": "Sorry, this slot was just taken."}
    assert Booking.objects.count() == 1


def test_a_coach_cannot_book_through_the_api(coach_api, other_coach):
    response = coach_api.post("/api/v1/bookings/", {"slot": coach_slot(other_coach).pk}, format="json")
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_candidate_cancels_their_booking(candidate_api, candidate, coach):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach).pk)
    response = candidate_api.post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Clash"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["sequence"]) == ("cancelled", 1)
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Clash")


def test_someone_elses_booking_answers_404(candidate_api, other_candidate, coach):
    booking = booking_create(candidate=other_candidate, slot_id=coach_slot(coach).pk)
    response = candidate_api.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    booking.refresh_from_db()
    assert booking.is_live


def test_a_late_cancellation_answers_too_late(candidate_api, candidate, coach, settings):
    settings.BOOKING_CANCEL_CUTOFF_HOURS = 24
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=5).pk)
    response = candidate_api.post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "too_late")


def test_booking_past_the_limit_of_upcoming_bookings_answers_409_booking_limit(
    candidate_api, candidate, coach
):
    for hours in (24, 30, 36):
        booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=hours).pk)
    fourth = coach_slot(coach, hours_ahead=42)

    response = candidate_api.post("/api/v1/bookings/", {"slot": fourth.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "booking_limit"
    assert "the most you can book at a time (3)" in response.json()["detail"]
    assert not Booking.objects.filter(slot=fourth).exists()
    assert Booking.objects.filter(candidate=candidate).count() == 3


def test_cancelled_and_past_bookings_do_not_count_towards_the_limit(
    candidate_api, candidate, coach, settings
):
    settings.MAX_UPCOMING_BOOKINGS = 2
    cancelled = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=24).pk)
    booking_cancel(booking_id=cancelled.pk, user=candidate)
    past_slot = coach_slot(coach, hours_ahead=30)
    booking_create(candidate=candidate, slot_id=past_slot.pk)
    Slot.objects.filter(pk=past_slot.pk).update(start=future(-3), end=future(-2))  # it took place
    booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=36).pk)

    response = candidate_api.post(
        "/api/v1/bookings/", {"slot": coach_slot(coach, hours_ahead=42).pk}, format="json"
    )
    assert response.status_code == 201, response.json()

    refused = candidate_api.post(
        "/api/v1/bookings/", {"slot": coach_slot(coach, hours_ahead=48).pk}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "booking_limit")
