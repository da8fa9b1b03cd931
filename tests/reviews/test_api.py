"""The review API: shapes, draft invisibility, bad input, and the permission matrix."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from interviews.models import InterviewSession
from notifications.models import OutboxEmail
from reviews import services
from reviews.models import ItemReview, Review, SelfAssessment

from .helpers import FULL, full_review

ANSWER = "Dropout **zeroes** units."
DRAFT_COMMENT = "Clear on the mechanism."


@pytest.fixture
def claimed(coach, session):
    """The session claimed by ``coach`` with a complete draft saved (not published)."""
    services.review_claim(coach=coach, session_id=session.pk)
    body = full_review()
    services.review_save(
        coach=coach,
        session_id=session.pk,
        items=body["items"],
        summary=body["summary"],
        recommendation=body["recommendation"],
    )
    return session


def test_a_candidate_cannot_claim(candidate_api, session):
    response = candidate_api.post(f"/api/v1/sessions/{session.pk}/claim/")

    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "detail": "Only coaches review sessions."}
    assert not Review.objects.exists()


def test_the_queue_lists_waiting_sessions_oldest_first_with_my_claims(
    coach, other_coach_api, candidate, other_session, session, questions
):
    from tests.factories import submitted_session

    newest = submitted_session(candidate, questions)
    services.review_claim(coach=coach, session_id=session.pk)

    mine = APIClient()
    mine.force_authenticate(coach)
    rows = mine.get("/api/v1/reviews/queue/").json()["results"]
    theirs = other_coach_api.get("/api/v1/reviews/queue/").json()["results"]

    # other_session was submitted first (its fixture is set up before session's).
    assert [r["id"] for r in rows] == [other_session.pk, session.pk, newest.pk]
    assert [r["claimed_by_me"] for r in rows] == [False, True, False]
    assert [r["id"] for r in theirs] == [other_session.pk, newest.pk]


def test_the_queue_filters_by_company_and_age(coach_api, session):
    assert coach_api.get("/api/v1/reviews/queue/", {"company": "google"}).json()["results"] == []
    assert coach_api.get("/api/v1/reviews/queue/", {"age": "2"}).json()["results"] == []
    rows = coach_api.get("/api/v1/reviews/queue/", {"category": "ml-theory", "age": "0"}).json()["results"]
    assert [r["id"] for r in rows] == [session.pk]
    assert coach_api.get("/api/v1/reviews/queue/", {"category": "coding"}).json()["results"] == []


def test_the_candidate_never_sees_a_draft(candidate_api, claimed):
    response = candidate_api.get(f"/api/v1/sessions/{claimed.pk}/")

    assert response.status_code == 200
    assert response.json()["review"] is None
    assert DRAFT_COMMENT not in response.content.decode()
    assert "Sound basics" not in response.content.decode()


def test_after_publishing_the_candidate_reads_the_review(candidate_api, coach, coach_api, claimed):
    response = coach_api.put(f"/api/v1/sessions/{claimed.pk}/review/", {"publish": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"

    data = candidate_api.get(f"/api/v1/sessions/{claimed.pk}/").json()

    assert data["status"] == "reviewed"
    assert data["score"] == 52.22
    review = data["review"]
    assert review["coach"] == f"Member #{coach.pk}"  # a name, never the address, when they gave none
    assert review["recommendation"] == "hire"
    assert review["summary"] == {
        "strengths": "Sound basics.",
        "improvements": "Depth.",
        "next_steps": "Read papers.",
    }
    assert review["items"] == [
        {"position": 1, "scores": FULL, "comment": DRAFT_COMMENT, "score": 56.67},
        {"position": 2, "scores": dict.fromkeys(FULL, 4), "comment": "Excellent.", "score": 100.0},
    ]
    assert review["published_at"]


def test_a_full_put_with_publish_publishes_and_queues_the_email(coach_api, coach, session):
    assert coach_api.post(f"/api/v1/sessions/{session.pk}/claim/").status_code == 200

    response = coach_api.put(
        f"/api/v1/sessions/{session.pk}/review/", full_review(publish=True), format="json"
    )

    assert response.status_code == 200
    assert OutboxEmail.objects.filter(kind="feedback_published", to_email=session.candidate.email).exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"items": [{"position": 1, "scores": {"accuracy": 0}}]}, 400, "invalid"),
        ({"items": [{"position": 1, "scores": {"accuracy": 5}}]}, 400, "invalid"),
        ({"items": [{"position": 1, "scores": {"nope": 3}}]}, 400, "invalid"),
        ({"items": [{"position": 7, "scores": {"accuracy": 3}}]}, 400, "invalid"),
        ({"items": [{"position": 1, "scores": [3]}]}, 400, "invalid"),
        ({"recommendation": "maybe"}, 400, "invalid"),
        ({"summary": "a plain string"}, 400, "invalid"),
        (
            {"items": [{"position": 2, "scores": {}}], "recommendation": "", "publish": True},
            400,
            "incomplete",
        ),
    ],
    ids=["zero", "five", "unknown", "other-item", "list", "recommendation", "summary-string", "missing"],
)
def test_bad_review_input_is_refused_and_nothing_changes(coach_api, claimed, body, status, code):
    before = list(ItemReview.objects.values_list("scores", "comment", "item__score"))
    review_before = Review.objects.values_list("recommendation", "status", "summary_strengths").get()

    response = coach_api.put(f"/api/v1/sessions/{claimed.pk}/review/", body, format="json")

    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert list(ItemReview.objects.values_list("scores", "comment", "item__score")) == before
    assert Review.objects.values_list("recommendation", "status", "summary_strengths").get() == review_before


def test_publish_with_missing_scores_lists_what_is_missing(coach_api, coach, session):
    coach_api.post(f"/api/v1/sessions/{session.pk}/claim/")

    response = coach_api.put(
        f"/api/v1/sessions/{session.pk}/review/",
        {"items": [{"position": 1, "scores": FULL}], "recommendation": "hire", "publish": True},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["missing"] == [
        {
            "position": 2,
            "criteria": [
                "Technical accuracy",
                "Depth of understanding",
                "Practical judgement",
                "Communication",
            ],
        }
    ]
    assert not ItemReview.objects.exists()


def test_publishing_twice_answers_409(coach_api, claimed):
    url = f"/api/v1/sessions/{claimed.pk}/review/"
    assert coach_api.put(url, {"publish": True}, format="json").status_code == 200

    response = coach_api.put(url, {"publish": True, "recommendation": "no_hire"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_published"
    assert Review.objects.get().recommendation == "hire"
    assert OutboxEmail.objects.filter(kind="feedback_published").count() == 1


def test_reviewing_without_a_claim_answers_409(coach_api, session):
    response = coach_api.put(f"/api/v1/sessions/{session.pk}/review/", full_review(), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "not_claimed"
    assert not Review.objects.exists()


def test_self_assessment_round_trip(candidate_api, session):
    url = f"/api/v1/sessions/{session.pk}/items/1/self-assessment/"

    response = candidate_api.put(url, {"scores": FULL}, format="json")

    assert response.status_code == 200
    assert response.json() == {"position": 1, "scores": FULL, "score": 56.67}
    bad = candidate_api.put(url, {"scores": {**FULL, "accuracy": 0}}, format="json")
    assert bad.status_code == 400
    assert SelfAssessment.objects.get().scores == FULL


# --- the permission matrix -------------------------------------------------------------------------

ACTORS = ["candidate", "other_candidate", "coach", "other_coach", "admin_user", "anonymous"]
# Against a session claimed by ``coach``, with a draft: (method, path, body) → status per actor.
MATRIX = {
    "detail": (("get", "/api/v1/sessions/{id}/", None), [200, 404, 200, 404, 200, 401]),
    "queue": (("get", "/api/v1/reviews/queue/", None), [403, 403, 200, 200, 403, 401]),
    "claim": (("post", "/api/v1/sessions/{id}/claim/", None), [403, 403, 200, 409, 403, 401]),
    "release": (("post", "/api/v1/sessions/{id}/release/", None), [404, 404, 200, 404, 200, 401]),
    "review": (("put", "/api/v1/sessions/{id}/review/", "draft"), [403, 403, 200, 404, 403, 401]),
    "publish": (("put", "/api/v1/sessions/{id}/review/", "publish"), [403, 403, 200, 404, 403, 401]),
    "self-assessment": (
        ("put", "/api/v1/sessions/{id}/items/1/self-assessment/", "self"),
        [200, 404, 404, 404, 404, 401],
    ),
    "answer": (
        ("put", "/api/v1/sessions/{id}/items/1/answer/", "answer"),
        [409, 404, 404, 404, 404, 401],
    ),
    "submit": (("post", "/api/v1/sessions/{id}/submit/", None), [200, 404, 404, 404, 404, 401]),
}
BODIES = {
    None: None,
    "draft": {"items": [{"position": 1, "scores": {"accuracy": 1}, "comment": "changed"}]},
    "publish": {"publish": True},
    "self": {"scores": FULL},
    "answer": {"content": "rewritten", "version": 1},
}


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(request, claimed, endpoint, actor):
    (method, path, body), expected = MATRIX[endpoint]
    client = APIClient()
    if actor != "anonymous":
        client.force_authenticate(request.getfixturevalue(actor))
    rows_before = (
        list(ItemReview.objects.values_list("scores", "comment")),
        Review.objects.values_list("coach_id", "status").get(),
        InterviewSession.objects.values_list("status", "score").get(pk=claimed.pk),
    )

    response = getattr(client, method)(path.format(id=claimed.pk), BODIES[body], format="json")

    assert response.status_code == expected[ACTORS.index(actor)], response.content
    text = response.content.decode()
    if response.status_code >= 400:
        # Refusals carry the error shape and nothing of the session.
        assert set(response.json()) <= {"code", "detail", "errors", "missing"}
        assert ANSWER not in text and DRAFT_COMMENT not in text and claimed.candidate.email not in text
        unchanged = (
            list(ItemReview.objects.values_list("scores", "comment")),
            Review.objects.values_list("coach_id", "status").get(),
            InterviewSession.objects.values_list("status", "score").get(pk=claimed.pk),
        )
        assert unchanged == rows_before
    if actor == "candidate":
        assert DRAFT_COMMENT not in text  # the draft is the coach's until published


def test_coaches_see_queued_sessions_but_not_sessions_reviewed_by_someone_else(
    coach_api, other_coach_api, claimed
):
    assert (
        coach_api.put(f"/api/v1/sessions/{claimed.pk}/review/", {"publish": True}, format="json").status_code
        == 200
    )

    assert coach_api.get(f"/api/v1/sessions/{claimed.pk}/").status_code == 200
    assert other_coach_api.get(f"/api/v1/sessions/{claimed.pk}/").status_code == 404


def test_a_coach_can_read_a_queued_session_before_claiming(other_coach_api, session):
    response = other_coach_api.get(f"/api/v1/sessions/{session.pk}/")

    assert response.status_code == 200
    assert ANSWER in response.content.decode()


def test_a_coach_cannot_read_a_session_in_progress(coach_api, candidate, questions):
    from tests.factories import interview_session

    open_session = interview_session(candidate, questions)

    assert coach_api.get(f"/api/v1/sessions/{open_session.pk}/").status_code == 404
