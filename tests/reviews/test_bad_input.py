"""Odd input to the review queue and forms is refused with a 4xx and a message, never a 500."""

from __future__ import annotations

import pytest

from reviews import services
from reviews.models import ItemReview, Review, SelfAssessment

from .helpers import FULL

QUEUE_API = "/api/v1/reviews/queue/"
BAD_QUEUE_FILTERS = [
    {"age": "²"},
    {"age": "99999999"},
    {"age": "-1"},
    {"category": "\x00"},
    {"role": "a\x00"},
    {"company": "%"},
    {"level": "a b"},
]


@pytest.mark.parametrize("params", BAD_QUEUE_FILTERS)
def test_an_odd_queue_filter_is_a_400_in_the_api(coach_api, session, params):
    response = coach_api.get(QUEUE_API, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert list(body["errors"]) == list(params)


@pytest.mark.parametrize("params", BAD_QUEUE_FILTERS)
def test_an_odd_queue_filter_is_a_message_on_the_page(client, coach, session, params):
    client.force_login(coach)

    response = client.get("/reviews/", params)

    assert response.status_code == 400
    page = response.content.decode()
    assert f"{next(iter(params))}: " in page
    assert session.title in page  # the queue, without the filter it could not read


def test_good_queue_filters_still_work(coach_api, client, coach, session):
    rows = coach_api.get(QUEUE_API, {"age": "0", "category": "ml-theory"}).json()["results"]
    assert [row["id"] for row in rows] == [session.pk]
    client.force_login(coach)
    assert client.get("/reviews/", {"age": "0", "role": "", "category": "ml-theory"}).status_code == 200


def test_a_score_of_superscript_two_on_the_review_form_is_a_message(client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    client.force_login(coach)
    form = {f"score-1-{key}": str(value) for key, value in FULL.items()} | {"score-1-accuracy": "²"}

    response = client.post(f"/reviews/{session.pk}/", {**form, "action": "save"}, follow=True)

    assert response.status_code == 200
    assert "accuracy" in response.content.decode() and "whole number" in response.content.decode()
    assert not ItemReview.objects.filter(scores__has_key="accuracy").exists()


def test_a_nul_in_a_review_comment_is_a_message(client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    client.force_login(coach)

    response = client.post(f"/reviews/{session.pk}/", {"comment-1": "a\x00b", "action": "save"}, follow=True)

    assert response.status_code == 200
    assert "comment-1: Null characters are not allowed." in response.content.decode()
    assert not ItemReview.objects.filter(comment__contains="a").exists()


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1"])
def test_a_self_assessment_score_that_is_no_number_is_a_message(candidate_client, session, value):
    form = {f"self-{key}": str(score) for key, score in FULL.items()} | {"self-accuracy": value}

    response = candidate_client.post(f"/reviews/{session.pk}/self-assessment/1/", form, follow=True)

    assert response.status_code == 200
    assert "Question 1: " in response.content.decode()
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize("value", ["abc", "²", "99999999999999999999999"])
def test_reassigning_to_a_coach_that_is_no_number_changes_nothing_in_the_admin(
    client, admin_user, coach, session, value
):
    services.review_claim(coach=coach, session_id=session.pk)
    review = Review.objects.get()
    client.force_login(admin_user)

    response = client.post(
        "/admin/reviews/review/",
        {"action": "reassign", "_selected_action": [review.pk], "coach": value},
        follow=True,
    )

    # The action form's coach field refuses the value before the action reads it.
    assert response.status_code == 200
    assert Review.objects.get().coach == coach
