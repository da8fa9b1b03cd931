"""A coach never reviews their own session: not in their queue; claim, save, publish and an admin's
reassignment to them are refused with 403 ``own_session``, in the API, the pages and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.roles import role_grant
from interviewnode.errors import ApplicationError
from interviews.models import InterviewSession
from reviews import services
from reviews.models import Review
from tests.factories import UserFactory, submitted_session

from .helpers import full_review

OWN_SESSION = "Coaches never review their own sessions"


@pytest.fixture
def coach_candidate(db):
    """A coach who also practises as a candidate."""
    user = UserFactory(role=Role.COACH)
    role_grant(user=user, role=Role.CANDIDATE)
    return user


@pytest.fixture
def own_session(coach_candidate, questions):
    return submitted_session(coach_candidate, questions)


@pytest.fixture
def own_api(coach_candidate):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(coach_candidate)
    return client


@pytest.fixture
def own_client(client, coach_candidate):
    client.force_login(coach_candidate)
    return client


def _claimed_before_the_rule(session, coach):
    """A claim on one's own session as the old code let it be made: saving and publishing must still
    be refused."""
    now = timezone.now()
    session.status = InterviewSession.Status.IN_REVIEW
    session.save(update_fields=["status"])
    return Review.objects.create(session=session, coach=coach, claimed_at=now, last_worked_at=now)


def _assert_untouched(session):
    session.refresh_from_db()
    assert session.score is None
    assert session.status != InterviewSession.Status.REVIEWED


def test_the_queue_never_lists_ones_own_session(own_api, own_client, own_session, other_session):
    rows = own_api.get("/api/v1/reviews/queue/").json()["results"]
    page = own_client.get("/reviews/").content.decode()

    assert [row["id"] for row in rows] == [other_session.pk]
    assert reverse("reviews:claim", args=[other_session.pk]) in page
    assert reverse("reviews:claim", args=[own_session.pk]) not in page


def test_another_coach_still_sees_it_in_the_queue(coach_api, own_session):
    rows = coach_api.get("/api/v1/reviews/queue/").json()["results"]

    assert [row["id"] for row in rows] == [own_session.pk]


def test_claiming_ones_own_session_is_refused_in_the_api(own_api, own_session):
    response = own_api.post(f"/api/v1/sessions/{own_session.pk}/claim/")

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "own_session"
    assert OWN_SESSION in response.json()["detail"]
    assert not Review.objects.filter(session=own_session).exists()
    own_session.refresh_from_db()
    assert own_session.status == InterviewSession.Status.SUBMITTED


def test_claiming_ones_own_session_is_refused_on_the_page(own_client, own_session):
    response = own_client.post(reverse("reviews:claim", args=[own_session.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("reviews:queue")
    assert OWN_SESSION in response.content.decode()
    assert not Review.objects.filter(session=own_session).exists()


def test_saving_and_publishing_ones_own_session_is_refused_in_the_api(own_api, coach_candidate, own_session):
    _claimed_before_the_rule(own_session, coach_candidate)

    saved = own_api.put(f"/api/v1/sessions/{own_session.pk}/review/", full_review(), format="json")
    published = own_api.put(
        f"/api/v1/sessions/{own_session.pk}/review/",
        full_review(publish=True, recommendation="strong_hire"),
        format="json",
    )

    for response in (saved, published):
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "own_session"
    review = Review.objects.get(session=own_session)
    assert review.status == Review.Status.DRAFT and review.recommendation == ""
    _assert_untouched(own_session)


def test_the_review_page_of_ones_own_session_is_refused(own_client, coach_candidate, own_session):
    _claimed_before_the_rule(own_session, coach_candidate)
    url = reverse("reviews:review", args=[own_session.pk])

    shown = own_client.get(url, follow=True)
    posted = own_client.post(url, {"recommendation": "strong_hire", "action": "publish"}, follow=True)

    for response in (shown, posted):
        assert response.redirect_chain[-1][0] == reverse("reviews:queue")
        assert OWN_SESSION in response.content.decode()
    assert Review.objects.get(session=own_session).recommendation == ""
    _assert_untouched(own_session)


def test_the_service_refuses_whoever_calls_it(coach_candidate, own_session, admin_user):
    for call in (
        lambda: services.review_claim(coach=coach_candidate, session_id=own_session.pk),
        lambda: services.review_save(
            coach=coach_candidate, session_id=own_session.pk, recommendation="strong_hire", publish=True
        ),
        lambda: services.review_reassign(admin=admin_user, session_id=own_session.pk, coach=coach_candidate),
    ):
        with pytest.raises(ApplicationError) as refused:
            call()
        assert (refused.value.code, refused.value.status_code) == ("own_session", 403)
    assert not Review.objects.filter(session=own_session).exists()


def test_an_admin_cannot_reassign_a_session_to_its_candidate(
    client, admin_user, coach, coach_candidate, own_session
):
    services.review_claim(coach=coach, session_id=own_session.pk)
    review = Review.objects.get(session=own_session)
    client.force_login(admin_user)

    response = client.post(
        "/admin/reviews/review/",
        {"action": "reassign", "_selected_action": [review.pk], "coach": coach_candidate.pk},
        follow=True,
    )

    assert OWN_SESSION in response.content.decode()
    review.refresh_from_db()
    assert review.coach == coach
