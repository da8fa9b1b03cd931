"""The live-mock pages: coach directory, my bookings, a coach's slots, and the unsubscribe page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from accounts.models import Role
from notifications.models import EmailPreference, OutboxEmail
from questions.models import Company
from questions.models import Role as JobRole
from scheduling.models import Booking, CoachProfile, Slot
from scheduling.services.bookings import booking_create
from tests.factories import UserFactory, coach_slot

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.clock(datetime(2030, 6, 1, tzinfo=UTC))  # a month before the slot: within the horizon
def test_the_directory_shows_coaches_and_open_slots_in_the_viewers_time_zone(taxonomy):
    coach = UserFactory(role=Role.COACH, first_name="Grace", last_name="Hopper")
    profile = CoachProfile.objects.create(user=coach, bio="Ten years of ML hiring loops.")
    profile.roles.set(profile.roles.model.objects.filter(slug="ml-engineer"))
    slot = coach_slot(coach, start=datetime(2030, 7, 1, 16, 0, tzinfo=UTC))
    viewer = UserFactory(role=Role.CANDIDATE, timezone="America/New_York")

    page = client_for(viewer).get("/coaches/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Grace Hopper" in html and "Ten years of ML hiring loops." in html and "ML Engineer" in html
    assert "Book Mon 1 Jul, 12:00–13:00 EDT" in html  # 16:00 UTC in New York summer time
    assert f'action="/bookings/book/{slot.pk}/"' in html


def test_the_directory_shows_a_coach_without_a_name_by_a_neutral_name_not_the_address(candidate_client):
    coach = UserFactory(role=Role.COACH, email="grace.private@example.com")
    coach_slot(coach)

    html = candidate_client.get("/coaches/").content.decode()

    assert f"Member #{coach.pk}" in html
    assert "grace.private" not in html


def test_the_directory_runs_the_same_queries_for_more_coaches(
    candidate_client, django_assert_max_num_queries
):
    def coaches(count):
        for _ in range(count):
            coach_slot(UserFactory(role=Role.COACH))

    coaches(1)
    with django_assert_max_num_queries(12) as one:
        candidate_client.get("/coaches/")
    coaches(4)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = candidate_client.get("/coaches/")
    assert page.content.decode().count("Book ") >= 5


def test_a_candidate_books_from_the_directory_and_sees_it_in_my_bookings(
    candidate_client, candidate, coach, django_capture_on_commit_callbacks, mailoutbox
):
    slot = coach_slot(coach)
    with django_capture_on_commit_callbacks(execute=True):
        response = candidate_client.post(f"/bookings/book/{slot.pk}/", follow=True)

    assert response.redirect_chain == [("/bookings/", 302)]
    html = response.content.decode()
    assert "Booked: the confirmation and calendar invite are on their way" in html
    assert f"Member #{coach.pk}" in html and coach.email not in html and "Cancel" in html
    assert Booking.objects.get().candidate == candidate
    assert {m.to[0] for m in mailoutbox} == {candidate.email, coach.email}


def test_booking_past_the_limit_shows_why_and_the_directory_says_so(
    candidate_client, candidate, coach, settings
):
    settings.MAX_UPCOMING_BOOKINGS = 1
    booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=24).pk)
    slot = coach_slot(coach, hours_ahead=30)

    response = candidate_client.post(f"/bookings/book/{slot.pk}/", follow=True)

    assert response.redirect_chain == [("/coaches/", 302)]
    html = response.content.decode()
    assert "You already have 1 upcoming live mock, the most you can book at a time (1)." in html
    assert 'id="booking-limit"' in html and "the most you can hold at a time" in html
    assert not Booking.objects.filter(slot=slot).exists()


def test_the_directory_says_nothing_of_the_limit_below_it(candidate_client, candidate, coach):
    booking_create(candidate=candidate, slot_id=coach_slot(coach).pk)

    assert 'id="booking-limit"' not in candidate_client.get("/coaches/").content.decode()


def test_booking_a_taken_slot_shows_just_taken(candidate_client, other_candidate, coach):
    slot = coach_slot(coach)
    booking_create(candidate=other_candidate, slot_id=slot.pk)
    response = candidate_client.post(f"/bookings/book/{slot.pk}/", follow=True)
    assert response.redirect_chain == [("/coaches/", 302)]
    assert "Sorry, this slot was just taken." in response.content.decode()
    assert Booking.objects.count() == 1


def test_a_candidate_cancels_and_reschedules_from_my_bookings(candidate_client, candidate, coach):
    first, second, third = (coach_slot(coach, hours_ahead=h) for h in (48, 72, 96))
    booking = booking_create(candidate=candidate, slot_id=first.pk)

    page = candidate_client.get("/bookings/").content.decode()
    assert f'<option value="{second.pk}">' in page and f'<option value="{first.pk}">' not in page

    candidate_client.post(f"/bookings/{booking.pk}/reschedule/", {"slot": third.pk})
    booking.refresh_from_db()
    assert (booking.slot_id, booking.sequence) == (third.pk, 1)

    response = candidate_client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Clash"}, follow=True)
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Clash")
    assert "Cancelled: both of you get an e-mail" in response.content.decode()


def test_someone_elses_booking_cannot_be_cancelled_from_the_pages(candidate_client, other_candidate, coach):
    booking = booking_create(candidate=other_candidate, slot_id=coach_slot(coach).pk)
    assert candidate_client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "x"}).status_code == 404
    booking.refresh_from_db()
    assert booking.is_live


def test_a_coach_publishes_slots_on_their_own_clock_and_sees_bookings():
    coach = UserFactory(role=Role.COACH, timezone="Europe/Paris")
    client = client_for(coach)
    with time_machine.travel(datetime(2026, 10, 12, 9, 0, tzinfo=UTC), tick=False):
        one = client.post("/coach/slots/", {"date": "2026-10-20", "time": "18:00", "duration": "60"})
        weekly = client.post(
            "/coach/slots/weekly/", {"weekday": "3", "time": "18:00", "duration": "45", "weeks": "3"}
        )
        page = client.get("/coach/slots/").content.decode()

    assert one.status_code == weekly.status_code == 302
    starts = list(Slot.objects.filter(coach=coach).order_by("start").values_list("start", flat=True))
    assert starts == [
        datetime(2026, 10, 15, 16, tzinfo=UTC),
        datetime(2026, 10, 20, 16, tzinfo=UTC),
        datetime(2026, 10, 22, 16, tzinfo=UTC),
        datetime(2026, 10, 29, 17, tzinfo=UTC),
    ]
    assert "Tue 20 Oct 2026, 18:00–19:00 CEST" in page and "Thu 29 Oct 2026, 18:00–18:45 CET" in page


@pytest.mark.clock(datetime(2030, 1, 1, tzinfo=UTC))  # the slot is nine days ahead
def test_a_coach_page_refuses_an_overlapping_slot_with_a_message(coach, client):
    slot = coach_slot(coach, start=datetime(2030, 1, 10, 18, 0, tzinfo=UTC))
    client.force_login(coach)
    response = client.post("/coach/slots/", {"date": "2030-01-10", "time": "18:30", "duration": "60"})
    assert response.status_code == 400
    assert "You already have a slot overlapping" in response.content.decode()
    assert list(Slot.objects.all()) == [slot]


def test_a_coach_cancels_a_booking_with_a_reason(coach, candidate, client):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach).pk)
    client.force_login(coach)
    page = client.get("/coach/slots/").content.decode()
    assert f"Member #{candidate.pk}" in page and candidate.email not in page

    response = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Sick"}, follow=True)

    assert response.redirect_chain == [("/coach/slots/", 302)]
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == ("cancelled", "Sick")
    assert OutboxEmail.objects.filter(kind="booking_cancelled", to_email=candidate.email).exists()


def test_candidates_have_no_coach_slots_page(candidate_client):
    assert candidate_client.get("/coach/slots/").status_code == 404
    assert candidate_client.post("/coach/slots/weekly/", {}).status_code == 404
    assert not Slot.objects.exists()


def test_a_coach_writes_the_profile_candidates_read_in_the_directory(coach, candidate_client, taxonomy):
    coach_slot(coach)
    page = client_for(coach)
    form = page.get("/coach/profile/").content.decode()
    assert 'name="is_listed"' in form and "checked" in form.split('name="is_listed"')[1].split(">")[0]
    ids = dict(JobRole.objects.values_list("slug", "pk")) | dict(Company.objects.values_list("slug", "pk"))

    response = page.post(
        "/coach/profile/",
        {
            "bio": "Ten years of ranking systems; I run mocks like a real onsite loop.",
            "roles": [ids["ml-engineer"], ids["applied-scientist"]],
            "companies": [ids["meta"]],
            "is_listed": "on",
        },
    )
    assert response.status_code == 302

    directory = candidate_client.get("/coaches/").content.decode()
    assert "Ten years of ranking systems" in directory
    assert "ML Engineer" in directory and "Applied Scientist" in directory and "Meta" in directory
    assert "Ten years of ranking systems" in page.get("/coach/profile/").content.decode()

    page.post("/coach/profile/", {"bio": "Away until spring.", "roles": [ids["ml-engineer"]]})  # unlisted
    assert "Away until spring" not in candidate_client.get("/coaches/").content.decode()


@pytest.mark.parametrize(
    ("field", "value"), [("bio", "x" * 2001), ("roles", "999999"), ("companies", "not-an-id")]
)
def test_a_bad_coach_profile_is_refused_with_a_message_and_changes_nothing(coach, taxonomy, field, value):
    page = client_for(coach)
    page.post("/coach/profile/", {"bio": "Before.", "is_listed": "on"})

    response = page.post("/coach/profile/", {"bio": "After.", "is_listed": "on", field: value})

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    profile = CoachProfile.objects.get(user=coach)
    assert (profile.bio, profile.roles.count(), profile.companies.count()) == ("Before.", 0, 0)


def test_candidates_have_no_coach_profile_page(candidate_client, candidate):
    assert candidate_client.get("/coach/profile/").status_code == 404
    assert candidate_client.post("/coach/profile/", {"bio": "Hi", "is_listed": "on"}).status_code == 404
    assert not CoachProfile.objects.filter(user=candidate).exists()


def test_the_unsubscribe_link_shows_the_choice_and_saves_it_without_signing_in(candidate, client):
    preference = EmailPreference.objects.create(user=candidate)
    url = f"/email/unsubscribe/{preference.token}/"

    page = client.get(url + "?kind=weekly_digest").content.decode()
    preference.refresh_from_db()
    assert candidate.email in page
    assert 'name="weekly_digest" id="id_weekly_digest">' in page  # unticked, not yet saved
    assert 'name="practice_reminders" id="id_practice_reminders" checked>' in page
    assert preference.weekly_digest is True

    client.post(url, {"practice_reminders": "on"})
    preference.refresh_from_db()
    assert (preference.weekly_digest, preference.practice_reminders) == (False, True)


def test_an_unknown_unsubscribe_token_is_not_found(client):
    assert client.get("/email/unsubscribe/not-a-token/").status_code == 404


def test_the_nav_links_to_live_mocks_and_coaches_to_their_slots(candidate_client, coach):
    html = candidate_client.get("/coaches/").content.decode()
    assert 'href="/coaches/"' in html and 'href="/bookings/"' in html
    assert 'href="/coach/slots/"' not in html
    assert 'href="/coach/slots/"' in client_for(coach).get("/bookings/").content.decode()


def test_the_booking_admin_lists_bookings(admin_user, client, candidate, coach):
    booking_create(candidate=candidate, slot_id=coach_slot(coach).pk)
    client.force_login(admin_user)
    for path in ("booking", "slot", "coachprofile", "reminder"):
        assert client.get(f"/admin/scheduling/{path}/").status_code == 200, path
    # The e-mail preferences are the notifications app's.
    assert client.get("/admin/notifications/emailpreference/").status_code == 200
    assert candidate.email in client.get("/admin/scheduling/booking/").content.decode()
