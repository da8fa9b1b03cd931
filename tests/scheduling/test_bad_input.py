"""Odd slot times, unsubscribe links and form values are refused with a 4xx, never a 500; slots are
bounded in time and length, and pages survive any stored slot time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from interviewnode.errors import ApplicationError
from notifications.preferences import preferences_for
from scheduling.models import Booking, Slot
from scheduling.services.bookings import booking_create
from scheduling.services.slots import slot_create
from tests.factories import UserFactory, coach_slot

pytestmark = pytest.mark.django_db

SLOTS = "/api/v1/slots/"


def future(**delta) -> datetime:
    return (timezone.now() + timedelta(**delta)).replace(microsecond=0)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "2031-01-01T12:99:00Z",
        "2031-01-01T25:00:00Z",
        "2031-02-30T12:00:00Z",
        "2031-01-01T12:00:00+25:00",
        "2031-01-01T12:00:00-24:00",
        "9999-12-31T23:30:00-05:00",
        "0001-01-01T00:30:00+05:00",
        "²",
    ],
)
def test_an_impossible_slot_time_is_a_400(coach_api, start):
    response = coach_api.post(SLOTS, {"start": start, "end": "2031-01-01T13:00:00Z"}, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and "start" in body["errors"]
    assert not Slot.objects.exists()


def test_a_slot_in_year_9999_is_refused(coach_api):
    response = coach_api.post(
        SLOTS, {"start": "9999-12-31T22:00:00Z", "end": "9999-12-31T23:00:00Z"}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "days ahead" in response.json()["detail"]
    assert not Slot.objects.exists()


def test_a_slot_beyond_the_horizon_is_refused_and_one_inside_it_is_published(coach_api, settings):
    settings.SLOT_HORIZON_DAYS = 30
    beyond, inside = future(days=31), future(days=29)

    refused = coach_api.post(
        SLOTS, {"start": beyond.isoformat(), "end": (beyond + timedelta(hours=1)).isoformat()}, format="json"
    )
    published = coach_api.post(
        SLOTS, {"start": inside.isoformat(), "end": (inside + timedelta(hours=1)).isoformat()}, format="json"
    )

    assert refused.status_code == 400 and "30 days ahead" in refused.json()["detail"]
    assert published.status_code == 201, published.json()


@pytest.mark.parametrize(("minutes", "ok"), [(14, False), (15, True), (240, True), (241, False)])
def test_a_slot_lasts_15_minutes_to_4_hours(coach, minutes, ok):
    start = future(days=2)
    if ok:
        assert slot_create(coach=coach, start=start, end=start + timedelta(minutes=minutes)).pk
        return
    with pytest.raises(ApplicationError) as refused:
        slot_create(coach=coach, start=start, end=start + timedelta(minutes=minutes))
    assert refused.value.status_code == 400
    assert not Slot.objects.exists()


# --- any stored slot time ------------------------------------------------------------------------------


@pytest.fixture
def far_slot(coach):
    """A slot at the very end of what a datetime holds, written directly (as an old row might be)."""
    start = datetime(9999, 12, 31, 22, 30, tzinfo=UTC)
    return coach_slot(coach, start=start, minutes=60)


@pytest.mark.parametrize("tz", ["Europe/Paris", "Pacific/Kiritimati", "America/New_York"])
def test_the_directory_and_my_bookings_survive_a_slot_in_year_9999(far_slot, other_candidate, tz):
    other_candidate.timezone = tz
    other_candidate.save(update_fields=["timezone"])
    Booking.objects.create(slot=far_slot, candidate=other_candidate)  # an old row
    viewer = UserFactory(role=Role.CANDIDATE, timezone=tz)
    coach_slot(far_slot.coach, start=datetime(9999, 12, 31, 20, 0, tzinfo=UTC), minutes=30)

    directory = client_for(viewer).get("/coaches/")
    bookings = client_for(other_candidate).get("/bookings/")

    assert directory.status_code == 200  # past the horizon: not on offer
    assert bookings.status_code == 200 and "9999" in bookings.content.decode()


def test_the_coach_page_and_the_api_survive_a_slot_in_year_9999(far_slot, coach, candidate_api):
    coach.timezone = "Asia/Tokyo"
    coach.save(update_fields=["timezone"])
    Booking.objects.create(slot=far_slot, candidate=UserFactory(role=Role.CANDIDATE))
    coach_slot(coach, start=datetime(9999, 12, 31, 20, 0, tzinfo=UTC), minutes=30)

    assert client_for(coach).get("/coach/slots/").status_code == 200
    assert candidate_api.get("/api/v1/coaches/").status_code == 200
    assert candidate_api.get(f"/api/v1/coaches/{coach.pk}/slots/").status_code == 200
    assert Booking.objects.count() == 1


def test_a_stored_slot_past_the_horizon_is_not_on_offer(far_slot, coach, candidate, candidate_api):
    with pytest.raises(ApplicationError) as refused:
        booking_create(candidate=candidate, slot_id=far_slot.pk)
    assert refused.value.code == "slot_unavailable"
    assert candidate_api.get(f"/api/v1/coaches/{coach.pk}/slots/").json()["results"] == []
    assert "9999" not in client_for(candidate).get("/coaches/").content.decode()
    assert "9999" in client_for(coach).get("/coach/slots/").content.decode()  # the coach sees it


# --- the pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Pacific/Kiritimati"])
def test_the_slot_form_refuses_a_date_out_of_range_with_a_message(coach, day, tz):
    coach.timezone = tz
    coach.save(update_fields=["timezone"])

    response = client_for(coach).post("/coach/slots/", {"date": day, "time": "23:30", "duration": "120"})

    assert response.status_code == 400
    assert "days ahead" in response.content.decode() or "future" in response.content.decode()
    assert not Slot.objects.exists()


def test_the_slot_form_refuses_a_date_beyond_the_horizon(coach, settings):
    settings.SLOT_HORIZON_DAYS = 10
    day = (timezone.now() + timedelta(days=12)).date().isoformat()

    response = client_for(coach).post("/coach/slots/", {"date": day, "time": "10:00", "duration": "60"})

    assert response.status_code == 400
    assert "10 days ahead" in response.content.decode()
    assert not Slot.objects.exists()


def test_weekly_slots_beyond_the_horizon_are_refused(coach, settings):
    settings.SLOT_HORIZON_DAYS = 14

    response = client_for(coach).post(
        "/coach/slots/weekly/", {"weekday": "0", "time": "10:00", "duration": "60", "weeks": "4"}
    )

    assert response.status_code == 400
    assert "14 days ahead" in response.content.decode()
    assert not Slot.objects.exists()


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "\x00"])
def test_rescheduling_to_a_slot_that_is_no_number_is_a_message(candidate_client, candidate, coach, value):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach).pk)

    response = candidate_client.post(f"/bookings/{booking.pk}/reschedule/", {"slot": value}, follow=True)

    assert response.status_code == 200
    assert "Pick a new time." in response.content.decode()
    booking.refresh_from_db()
    assert booking.sequence == 0


# --- unsubscribe links --------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["%00", "a%00b", "%C2%B2", "x" * 300])
def test_an_unsubscribe_link_with_an_odd_token_is_a_404(client, token):
    assert client.get(f"/email/unsubscribe/{token}/").status_code == 404
    assert client.post(f"/email/unsubscribe/{token}/", {"weekly_digest": "on"}).status_code == 404
    assert client.post(f"/email/unsubscribe/{token}/weekly_digest/one-click/").status_code == 404
    assert client.get(f"/email/unsubscribe/{token}/weekly_digest/one-click/").status_code in (302, 404)


def test_an_unsubscribe_link_with_an_odd_kind_is_a_404(client, candidate):
    token = preferences_for([candidate])[candidate.pk].token
    assert client.post(f"/email/unsubscribe/{token}/%00/one-click/").status_code == 404
