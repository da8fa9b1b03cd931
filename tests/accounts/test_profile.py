"""The profile page where a candidate sets their target."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Profile
from questions.models import Company, Level
from questions.models import Role as JobRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, candidate, taxonomy):
    client.force_login(candidate)
    return client


def _target(**overrides) -> dict:
    return {
        "target_role": JobRole.objects.get(slug="ml-engineer").pk,
        "target_level": Level.objects.get(slug="senior").pk,
        "target_companies": [Company.objects.get(slug="google").pk, Company.objects.get(slug="meta").pk],
        "interview_date": "2031-03-14",
        "timezone": "Europe/Paris",
        **overrides,
    }


def test_anonymous_is_sent_to_login(client):
    response = client.get("/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/profile/"


def test_the_page_shows_the_form(signed_in):
    response = signed_in.get("/profile/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your target" in page
    for name in ("target_role", "target_level", "target_companies", "interview_date", "timezone"):
        assert f'name="{name}"' in page
    assert "ML Engineer" in page
    assert "Google" in page
    assert "Europe/Paris" in page


def test_saving_the_form_stores_the_target(signed_in, candidate):
    response = signed_in.post("/profile/", _target(), follow=True)

    assert response.redirect_chain == [("/profile/", 302)]
    assert "Your target is saved." in response.content.decode()
    profile = Profile.objects.get(user=candidate)
    assert profile.target_role.slug == "ml-engineer"
    assert profile.target_level.slug == "senior"
    assert sorted(profile.target_companies.values_list("slug", flat=True)) == ["google", "meta"]
    assert profile.interview_date == datetime.date(2031, 3, 14)
    candidate.refresh_from_db()
    assert candidate.timezone == "Europe/Paris"


def test_the_saved_target_is_shown_when_the_page_is_opened_again(signed_in):
    signed_in.post("/profile/", _target())

    page = signed_in.get("/profile/").content.decode()

    senior = Level.objects.get(slug="senior")
    assert f'<option value="{senior.pk}" selected>' in page
    assert "<option selected>Europe/Paris</option>" in page
    assert 'value="2031-03-14"' in page
    google = Company.objects.get(slug="google")
    assert f'value="{google.pk}"' in page
    assert page.count("checked") == 2


def test_saving_again_replaces_the_companies_and_clears_empty_fields(signed_in, candidate):
    signed_in.post("/profile/", _target())

    signed_in.post(
        "/profile/",
        _target(
            target_role="",
            target_companies=[Company.objects.get(slug="amazon").pk],
            interview_date="",
            timezone="Asia/Tokyo",
        ),
    )

    profile = Profile.objects.get(user=candidate)
    assert profile.target_role is None
    assert list(profile.target_companies.values_list("slug", flat=True)) == ["amazon"]
    assert profile.interview_date is None
    candidate.refresh_from_db()
    assert candidate.timezone == "Asia/Tokyo"


def test_an_unknown_time_zone_is_refused_and_nothing_is_saved(signed_in, candidate):
    response = signed_in.post("/profile/", _target(timezone="Mars/Olympus_Mons"))

    assert response.status_code == 200
    assert "Mars/Olympus_Mons is not one of the available choices" in response.content.decode()
    profile = Profile.objects.get(user=candidate)
    assert profile.target_role is None
    assert profile.interview_date is None
    assert not profile.target_companies.exists()
    candidate.refresh_from_db()
    assert candidate.timezone == "UTC"


@pytest.mark.parametrize("bad_date", ["2031-02-30", "next tuesday", "14/14/2031"])
def test_a_malformed_date_is_refused_and_nothing_is_saved(signed_in, candidate, bad_date):
    response = signed_in.post("/profile/", _target(interview_date=bad_date))

    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    profile = Profile.objects.get(user=candidate)
    assert profile.target_level is None
    assert not profile.target_companies.exists()
    candidate.refresh_from_db()
    assert candidate.timezone == "UTC"


def test_an_unknown_company_is_refused_and_nothing_is_saved(signed_in, candidate):
    response = signed_in.post("/profile/", _target(target_companies=[999_999]))

    assert response.status_code == 200
    assert "999999 is not one of the available choices" in response.content.decode()
    assert Profile.objects.get(user=candidate).target_role is None


def test_a_users_save_does_not_touch_another_users_profile(signed_in, candidate, coach):
    signed_in.post("/profile/", _target())

    other = Profile.objects.get(user=coach)
    assert other.target_role is None
    assert not other.target_companies.exists()
    coach.refresh_from_db()
    assert coach.timezone == "UTC"
