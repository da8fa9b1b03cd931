"""Submitting: POST /api/v1/sessions/{id}/submit/, grading and the results a candidate then sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from interviews.models import Answer, InterviewSession, SessionItem
from interviews.services import answer_save
from tests.factories import QuestionFactory, interview_session

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def detail_url(session) -> str:
    return f"/api/v1/sessions/{session.id}/"


def submit_url(session) -> str:
    return f"/api/v1/sessions/{session.id}/submit/"


def choose(session, position: int, *texts: str) -> None:
    item = SessionItem.objects.select_related("revision").get(session=session, position=position)
    ids = [c["id"] for c in item.revision.content["choices"] if c["text"] in texts]
    answer_save(session=session, position=position, choice_ids=ids, version=0)


@pytest.fixture
def mc_questions(taxonomy):
    return [
        QuestionFactory(title="Pick the loss", choices=[("Cross-entropy", True), ("MSE", False)], weight=1),
        QuestionFactory(
            title="Pick the regularizers", choices=[("L1", True), ("L2", True), ("ReLU", False)], weight=3
        ),
    ]


def test_submit_closes_the_session_and_locks_every_answer(candidate_api, candidate, taxonomy):
    with time_machine.travel(NOW, tick=False):
        session = interview_session(candidate, [QuestionFactory(), QuestionFactory()])
    answer_save(session=session, position=1, content="My answer", version=0)

    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):
        response = candidate_api.post(submit_url(session))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["closed_by"] == "candidate"
    assert datetime.fromisoformat(body["submitted_at"]) == NOW + timedelta(minutes=12)
    assert body["items"][0]["answer"]["content"] == "My answer"
    assert body["score"] is None  # written answers wait for a coach
    assert all(answer.locked for answer in Answer.objects.filter(item__session=session))


def test_multiple_choice_is_graded_at_once_and_the_session_scored_by_weight(
    candidate_api, candidate, mc_questions
):
    session = interview_session(candidate, mc_questions)
    choose(session, 1, "Cross-entropy")  # right, weight 1
    choose(session, 2, "L1")  # half the right set is wrong, weight 3

    body = candidate_api.post(submit_url(session)).json()

    first, second = body["items"]
    assert (first["score"], first["answer"]["is_correct"]) == (100, True)
    assert (second["score"], second["answer"]["is_correct"]) == (0, False)
    assert body["score"] == 25  # (100×1 + 0×3) / 4
    assert {c["text"]: c["is_correct"] for c in second["question"]["choices"]} == {
        "L1": True, "L2": True, "ReLU": False
    }  # fmt: skip
    assert second["question"]["explanation"] == "Why the right choice is right."
    session.refresh_from_db()
    assert session.score == Decimal("25.00")
    assert list(SessionItem.objects.filter(session=session).values_list("score", flat=True)) == [100, 0]


def test_the_exact_set_of_right_choices_scores_full_marks(candidate_api, candidate, mc_questions):
    session = interview_session(candidate, mc_questions)
    choose(session, 1, "Cross-entropy")
    choose(session, 2, "L1", "L2")

    assert candidate_api.post(submit_url(session)).json()["score"] == 100


def test_an_unanswered_multiple_choice_question_scores_zero(candidate_api, candidate, mc_questions):
    session = interview_session(candidate, mc_questions)
    choose(session, 1, "Cross-entropy")

    body = candidate_api.post(submit_url(session)).json()

    assert body["items"][1]["answer"]["is_correct"] is False
    assert body["score"] == 25


def test_a_session_with_written_answers_has_no_score_until_review(candidate_api, candidate, mc_questions):
    session = interview_session(candidate, [mc_questions[0], QuestionFactory()])
    choose(session, 1, "Cross-entropy")

    body = candidate_api.post(submit_url(session)).json()

    assert body["items"][0]["score"] == 100
    assert body["items"][1]["score"] is None
    assert body["items"][1]["answer"]["is_correct"] is None
    assert body["score"] is None


def test_reference_answers_and_right_choices_appear_only_after_submit(candidate_api, candidate, mc_questions):
    session = interview_session(candidate, [mc_questions[0], QuestionFactory()])

    before = candidate_api.get(detail_url(session))
    for item in before.json()["items"]:
        assert "reference_answer" not in item["question"]
        assert "explanation" not in item["question"]
        assert all(set(choice) == {"id", "text"} for choice in item["question"]["choices"])
        assert "is_correct" not in item["answer"]
    assert b"The secret reference answer." not in before.content
    assert b"Why the right choice is right." not in before.content

    after = candidate_api.post(submit_url(session)).json()
    written = after["items"][1]["question"]
    assert written["reference_answer"] == "The secret reference answer."
    assert "<p>The secret reference answer.</p>" in written["reference_answer_html"]


def test_submit_twice_is_one_transition(candidate_api, candidate, mc_questions):
    session = interview_session(candidate, mc_questions)
    with time_machine.travel(NOW, tick=False):
        first = candidate_api.post(submit_url(session))
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        second = candidate_api.post(submit_url(session))

    assert first.status_code == second.status_code == 200
    assert second.json()["submitted_at"] == first.json()["submitted_at"] == "2026-11-22T10:00:00Z"
    assert second.json()["status"] == "submitted"


def test_a_candidate_submitting_after_deadline_and_grace_is_recorded_as_closed_by_deadline(
    candidate_api, candidate, taxonomy, settings
):
    settings.SESSION_GRACE_SECONDS = 30
    with time_machine.travel(NOW, tick=False):
        session = interview_session(candidate, [QuestionFactory()], duration_minutes=10)

    with time_machine.travel(NOW + timedelta(minutes=10, seconds=31), tick=False):
        body = candidate_api.post(submit_url(session)).json()

    assert body["status"] == "submitted"
    assert body["closed_by"] == "deadline"


def test_a_candidate_submitting_before_the_deadline_is_recorded_as_closed_by_candidate(
    candidate_api, candidate, taxonomy
):
    with time_machine.travel(NOW, tick=False):
        session = interview_session(candidate, [QuestionFactory()], duration_minutes=10)

    with time_machine.travel(NOW + timedelta(minutes=10) - timedelta(seconds=1), tick=False):
        body = candidate_api.post(submit_url(session)).json()

    assert body["closed_by"] == "candidate"


def test_a_submit_when_time_has_run_out_is_recorded_as_closed_by_the_deadline(
    candidate_api, candidate, taxonomy
):
    # The page submits by itself at zero, within the grace period: still the deadline's doing.
    with time_machine.travel(NOW, tick=False):
        session = interview_session(candidate, [QuestionFactory()], duration_minutes=10)

    with time_machine.travel(NOW + timedelta(minutes=10, seconds=2), tick=False):
        body = candidate_api.post(submit_url(session)).json()

    assert body["closed_by"] == "deadline"


# --- someone else's session --------------------------------------------------------------------------


@pytest.fixture
def someone_elses(taxonomy, other_candidate):
    question = QuestionFactory(title="Secret title of theirs", prompt="Secret prompt of theirs")
    session = interview_session(other_candidate, [question])
    answer_save(session=session, position=1, content="Their private answer", version=0)
    return session


ENDPOINTS = {
    "detail": lambda client, s: client.get(f"/api/v1/sessions/{s.id}/"),
    "answer": lambda client, s: client.put(
        f"/api/v1/sessions/{s.id}/items/1/answer/", {"content": "Overwritten", "version": 1}, format="json"
    ),
    "submit": lambda client, s: client.post(f"/api/v1/sessions/{s.id}/submit/"),
}


def _assert_untouched_404(response, session):
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    for secret in (b"Secret title", b"Secret prompt", b"Their private answer"):
        assert secret not in response.content
    session.refresh_from_db()
    assert session.status == "in_progress"
    answer = Answer.objects.get(item__session=session)
    assert (answer.content, answer.version) == ("Their private answer", 1)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_candidate_gets_404_for_someone_elses_session(candidate_api, someone_elses, endpoint):
    _assert_untouched_404(ENDPOINTS[endpoint](candidate_api, someone_elses), someone_elses)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_coach_gets_404_for_a_session_until_reviews_exist(coach, someone_elses, endpoint):
    client = APIClient()
    client.force_authenticate(coach)

    _assert_untouched_404(ENDPOINTS[endpoint](client, someone_elses), someone_elses)


@pytest.mark.parametrize("endpoint", ["answer", "submit"])
def test_an_admin_reads_any_session_but_cannot_answer_or_submit_it(admin_user, someone_elses, endpoint):
    client = APIClient()
    client.force_authenticate(admin_user)

    assert client.get(f"/api/v1/sessions/{someone_elses.id}/").status_code == 200
    _assert_untouched_404(ENDPOINTS[endpoint](client, someone_elses), someone_elses)


def test_someone_elses_session_is_not_in_my_list(candidate_api, someone_elses):
    assert candidate_api.get("/api/v1/sessions/").json()["count"] == 0


@pytest.mark.parametrize("session_id", [0, 999999, 2**63, 10**30])
def test_a_session_that_does_not_exist_is_404(candidate_api, session_id):
    assert candidate_api.get(f"/api/v1/sessions/{session_id}/").status_code == 404
    assert candidate_api.post(f"/api/v1/sessions/{session_id}/submit/").status_code == 404


def test_the_session_table_refuses_a_timed_session_without_deadline(candidate):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        InterviewSession.objects.create(candidate=candidate, mode="timed", started_at=NOW, deadline=None)


def test_submitting_queues_one_session_submitted_email(
    taxonomy, candidate, mailoutbox, django_capture_on_commit_callbacks
):
    from interviews.services import session_submit
    from notifications.models import OutboxEmail

    mc = QuestionFactory(choices=[("Right", True), ("Wrong", False), ("Also wrong", False)])
    session = interview_session(candidate, [QuestionFactory(), mc])

    with django_capture_on_commit_callbacks(execute=True):
        session_submit(session_id=session.pk, user=candidate, closed_by="candidate")
    with django_capture_on_commit_callbacks(execute=True):
        session_submit(session_id=session.pk, user=candidate, closed_by="candidate")

    email = OutboxEmail.objects.get(kind=OutboxEmail.Kind.SESSION_SUBMITTED)
    assert email.to_email == candidate.email
    assert "0 of 1 right" in email.body_text
    assert "1 written answer awaits a coach" in email.body_text
    assert email.state == OutboxEmail.State.SENT
    assert len(mailoutbox) == 1
