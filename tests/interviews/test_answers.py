"""Autosave: PUT /api/v1/sessions/{id}/items/{position}/answer/ with the version it was based on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interviews.models import Answer, SessionItem
from interviews.services import session_submit
from tests.factories import QuestionFactory, interview_session

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
GRACE = 30


@pytest.fixture(autouse=True)
def _grace(settings):
    settings.SESSION_GRACE_SECONDS = GRACE


@pytest.fixture
def questions(taxonomy):
    """Position 1 written, 2 single-answer multiple choice, 3 several-answer multiple choice, 4 code."""
    return [
        QuestionFactory(title="Explain dropout"),
        QuestionFactory(title="Pick the loss", choices=[("Cross-entropy", True), ("MSE", False)]),
        QuestionFactory(title="Pick the regularizers", choices=[("L1", True), ("L2", True), ("ReLU", False)]),
        QuestionFactory(title="Implement k-means", kind="code", language="python"),
    ]


@pytest.fixture
def session(candidate, questions):
    with time_machine.travel(NOW, tick=False):
        return interview_session(candidate, questions, duration_minutes=30)


def url(session, position: int) -> str:
    return f"/api/v1/sessions/{session.id}/items/{position}/answer/"


def stored(session, position: int) -> Answer:
    return Answer.objects.get(item__session=session, item__position=position)


def choice_ids(question) -> list[int]:
    return list(question.choices.order_by("position").values_list("id", flat=True))


def put(client, session, position, **data):
    return client.put(url(session, position), data, format="json")


def test_each_save_increments_the_version_and_a_reload_shows_the_answer(candidate_api, session):
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        first = put(candidate_api, session, 1, content="Dropout zeroes", version=0)
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        second = put(candidate_api, session, 1, content="Dropout zeroes random units.", version=1)

    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1
    assert second.json()["version"] == 2
    assert datetime.fromisoformat(second.json()["saved_at"]) == NOW + timedelta(minutes=2)
    detail = candidate_api.get(f"/api/v1/sessions/{session.id}/").json()
    assert detail["items"][0]["answer"] == {
        "content": "Dropout zeroes random units.",
        "choice_ids": [],
        "version": 2,
        "saved_at": "2026-11-22T10:02:00Z",
    }


def test_a_code_answer_keeps_its_whitespace(candidate_api, session):
    code = "def kmeans(x, k):\n    return x[:k]\n\n"

    assert put(candidate_api, session, 4, content=code, version=0).status_code == 200

    assert stored(session, 4).content == code


def test_multiple_choice_answers_are_saved_as_choice_ids(candidate_api, session, questions):
    ids = choice_ids(questions[2])

    response = put(candidate_api, session, 3, choice_ids=[ids[1], ids[0]], version=0)

    assert response.status_code == 200, response.content
    assert stored(session, 3).choice_ids == sorted(ids[:2])


def test_a_stale_version_is_refused_with_the_stored_answer(candidate_api, session):
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        put(candidate_api, session, 1, content="Saved in the first tab", version=0)

    response = put(candidate_api, session, 1, content="Typed in the second tab", version=0)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["answer"] == {
        "content": "Saved in the first tab",
        "choice_ids": [],
        "version": 1,
        "saved_at": "2026-11-22T10:01:00Z",
    }
    answer = stored(session, 1)
    assert (answer.content, answer.version) == ("Saved in the first tab", 1)


def test_a_version_from_the_future_is_stale_too(candidate_api, session):
    response = put(candidate_api, session, 1, content="Hello", version=7)

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["answer"]["version"] == 0
    assert stored(session, 1).content == ""


def test_a_save_after_deadline_and_grace_is_refused_and_the_earlier_save_stays(candidate_api, session):
    with time_machine.travel(NOW + timedelta(minutes=29), tick=False):
        assert put(candidate_api, session, 1, content="In time", version=0).status_code == 200

    with time_machine.travel(NOW + timedelta(minutes=30, seconds=GRACE, microseconds=1), tick=False):
        response = put(candidate_api, session, 1, content="Too late", version=1)

    assert response.status_code == 409
    assert response.json()["code"] == "session_closed"
    assert "saved" in response.json()["detail"]
    answer = stored(session, 1)
    assert (answer.content, answer.version) == ("In time", 1)


@pytest.mark.parametrize("after_deadline", [timedelta(seconds=1), timedelta(seconds=GRACE)])
def test_a_save_within_the_grace_period_is_accepted(candidate_api, session, after_deadline):
    with time_machine.travel(NOW + timedelta(minutes=30) + after_deadline, tick=False):
        response = put(candidate_api, session, 1, content="Just in time", version=0)

    assert response.status_code == 200, response.content
    assert stored(session, 1).content == "Just in time"


def test_a_practice_session_accepts_answers_days_later(candidate_api, candidate, questions):
    with time_machine.travel(NOW, tick=False):
        practice = interview_session(candidate, questions[:1], mode="practice")

    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        response = put(candidate_api, practice, 1, content="Later", version=0)

    assert response.status_code == 200


def test_a_save_after_submit_is_refused(candidate_api, candidate, session):
    put(candidate_api, session, 1, content="Before submit", version=0)
    session_submit(session_id=session.id, user=candidate, closed_by="candidate")

    response = put(candidate_api, session, 1, content="After submit", version=1)

    assert response.status_code == 409
    assert response.json()["code"] == "session_closed"
    assert stored(session, 1).content == "Before submit"


def test_an_answer_of_exactly_64_kib_is_accepted(candidate_api, session):
    response = put(candidate_api, session, 1, content="x" * 65536, version=0)

    assert response.status_code == 200


@pytest.mark.parametrize("content", ["x" * 65537, "é" * 32769], ids=["ascii", "two-byte characters"])
def test_an_answer_over_64_kib_is_refused(candidate_api, session, content):
    response = put(candidate_api, session, 1, content=content, version=0)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "64 KiB" in response.json()["errors"]["content"][0]
    answer = stored(session, 1)
    assert (answer.content, answer.version) == ("", 0)


@pytest.mark.parametrize("position", [0, 5, 32767, 99999999999])
def test_an_unknown_position_is_404(candidate_api, session, position):
    response = put(candidate_api, session, position, content="Hello", version=0)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_choice_ids_from_another_question_are_refused(candidate_api, session, questions):
    response = put(candidate_api, session, 2, choice_ids=[choice_ids(questions[2])[0]], version=0)

    assert response.status_code == 400
    assert "choice_ids" in response.json()["errors"]
    assert stored(session, 2).choice_ids == []


@pytest.mark.parametrize(
    ("position", "data", "field"),
    [
        (2, {"content": "Cross-entropy"}, "content"),
        (1, {"choice_ids": []}, "choice_ids"),
        (1, {}, "content"),
        (2, {}, "choice_ids"),
        (2, {"choice_ids": ["first"]}, "choice_ids"),
        (1, {"content": None}, "content"),
    ],
    ids=["content-for-mc", "choices-for-written", "no-content", "no-choices", "not-ids", "null-content"],
)
def test_an_answer_of_the_wrong_kind_is_refused(candidate_api, session, position, data, field):
    response = put(candidate_api, session, position, version=0, **data)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert stored(session, position).version == 0


def test_two_choices_for_a_single_answer_question_are_refused(candidate_api, session, questions):
    response = put(candidate_api, session, 2, choice_ids=choice_ids(questions[1]), version=0)

    assert response.status_code == 400
    assert stored(session, 2).choice_ids == []


@pytest.mark.parametrize("version", [None, -1, "one"])
def test_a_save_without_a_valid_version_is_refused(candidate_api, session, version):
    data = {"content": "Hello"} if version is None else {"content": "Hello", "version": version}

    response = candidate_api.put(url(session, 1), data, format="json")

    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_client_sent_timestamps_scores_and_flags_are_ignored(candidate_api, session, questions):
    ids = choice_ids(questions[1])
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        response = put(
            candidate_api, session, 2, choice_ids=[ids[1]], version=0, saved_at="2020-01-01T00:00:00Z",
            score=100, is_correct=True, locked=False, deadline="2030-01-01T00:00:00Z",
        )  # fmt: skip

    assert response.status_code == 200
    assert response.json() == {"version": 1, "saved_at": "2026-11-22T10:05:00Z"}
    answer = stored(session, 2)
    assert answer.saved_at == NOW + timedelta(minutes=5)
    assert answer.is_correct is None
    assert SessionItem.objects.get(session=session, position=2).score is None
    session.refresh_from_db()
    assert session.deadline == NOW + timedelta(minutes=30)
