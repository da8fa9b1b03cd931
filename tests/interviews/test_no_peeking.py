"""While a timed session is open, nothing its candidate can reach shows the answers of its questions.

The rule: a session sharing a question with an open timed session is not started (409
``question_in_open_timed_session``; a draw skips those questions), and whatever session or page
would show a reference answer, an explanation or which choices are correct withholds it for the
reader's open timed questions until that timed session closes ("open" as ``answer_save`` decides).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from interviews.models import InterviewSession
from interviews.services import session_submit
from notifications.models import OutboxEmail
from tests.factories import QuestionFactory, interview_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]

SESSIONS = "/api/v1/sessions/"
REFERENCE = "The secret reference answer."
EXPLANATION = "Why the right choice is right."


@pytest.fixture
def written():
    return QuestionFactory(title="Explain dropout")


@pytest.fixture
def multiple_choice():
    return QuestionFactory(title="Pick the loss", choices=[("Cross-entropy", True), ("Hinge", False)])


@pytest.fixture
def timed(candidate, written, multiple_choice):
    """The candidate's timed session on both questions, open (30 minutes from now)."""
    return interview_session(candidate, [written, multiple_choice])


def _submit(session):
    session_submit(
        session_id=session.pk, user=session.candidate, closed_by=InterviewSession.ClosedBy.CANDIDATE
    )


def _practice_submitted_while_timed_is_open(candidate, written, multiple_choice):
    """A practice session on the same questions, started before the timed one and submitted empty
    while it is open: the path left open once starting such a session is refused."""
    practice = interview_session(candidate, [written, multiple_choice], mode="practice")
    interview_session(candidate, [written, multiple_choice])
    _submit(practice)
    return practice


def _assert_nothing_revealed(body):
    for item in body["items"]:
        assert item["results_withheld"] is True
        assert "reference_answer" not in item["question"] and "explanation" not in item["question"]
        assert all("is_correct" not in choice for choice in item["question"]["choices"])
        assert "is_correct" not in item["answer"]
        assert item["score"] is None
    assert body["results_withheld"] is True
    assert body["score"] is None
    assert REFERENCE not in str(body) and EXPLANATION not in str(body)


# --- starting ---------------------------------------------------------------------------------------


def test_practising_a_question_of_the_open_timed_session_is_refused(candidate_api, candidate, timed, written):
    response = candidate_api.post(SESSIONS, {"question": written.pk}, format="json")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "question_in_open_timed_session"
    assert "timed interview that is still open" in response.json()["detail"]
    assert InterviewSession.objects.filter(candidate=candidate).count() == 1
    assert REFERENCE not in response.content.decode()


def test_the_answers_learnt_nowhere_else_are_still_saved_into_the_timed_session(candidate_api, timed):
    response = candidate_api.put(
        f"{SESSIONS}{timed.pk}/items/1/answer/", {"content": "My own answer", "version": 0}, format="json"
    )

    assert response.status_code == 200


def test_a_drawn_session_skips_the_open_timed_sessions_questions(
    candidate_api, timed, written, multiple_choice
):
    third = QuestionFactory()
    choice = {"mode": "practice", "role": "ml-engineer", "level": "mid", "categories": ["ml-theory"]}

    one = candidate_api.post(SESSIONS, {**choice, "question_count": 1}, format="json")
    three = candidate_api.post(SESSIONS, {**choice, "question_count": 3}, format="json")

    assert one.status_code == 201, one.content
    assert [item["question"]["id"] for item in one.json()["items"]] == [third.pk]
    assert three.status_code == 409
    assert three.json()["code"] == "question_in_open_timed_session"
    assert "2 of the 3 questions" in three.json()["detail"]


def test_once_the_timed_session_closes_its_questions_can_be_practised(candidate_api, timed, written):
    _submit(timed)

    response = candidate_api.post(SESSIONS, {"question": written.pk}, format="json")

    assert response.status_code == 201, response.content


def test_the_practice_button_on_the_question_page_says_why_it_is_refused(
    candidate_client, candidate, timed, written
):
    response = candidate_client.post(reverse("interviews:practice", args=[written.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("questions:detail", args=[written.slug])
    assert "timed interview that is still open" in response.content.decode()
    assert InterviewSession.objects.filter(candidate=candidate).count() == 1


def test_the_custom_session_page_says_why_it_is_refused(candidate_client, timed):
    form = {"mode": "practice", "role": "ml-engineer", "level": "mid", "question_count": 2}

    response = candidate_client.post(reverse("interviews:new"), form)

    assert response.status_code == 409
    assert "timed interview that is still open" in response.content.decode()


# --- reading ----------------------------------------------------------------------------------------


def test_an_earlier_practice_sessions_results_withhold_the_answers_while_timed_is_open(
    candidate_api, candidate, written, multiple_choice
):
    practice = _practice_submitted_while_timed_is_open(candidate, written, multiple_choice)

    response = candidate_api.get(f"{SESSIONS}{practice.pk}/")

    assert response.status_code == 200
    _assert_nothing_revealed(response.json())


def test_the_results_page_withholds_the_answers_while_timed_is_open(
    candidate_client, candidate, written, multiple_choice
):
    practice = _practice_submitted_while_timed_is_open(candidate, written, multiple_choice)

    page = candidate_client.get(reverse("interviews:results", args=[practice.pk])).content.decode()

    assert "Explain dropout" in page and "Cross-entropy" in page
    assert REFERENCE not in page and EXPLANATION not in page
    assert "✅" not in page and "❌" not in page
    assert "Incorrect" not in page and "Correct" not in page
    assert 'id="results-withheld"' in page
    assert "Score once your timed interview closes" in page


def test_the_results_show_everything_once_the_timed_session_closes(
    candidate_api, candidate_client, candidate, written, multiple_choice
):
    practice = _practice_submitted_while_timed_is_open(candidate, written, multiple_choice)
    _submit(InterviewSession.objects.get(candidate=candidate, mode="timed"))

    body = candidate_api.get(f"{SESSIONS}{practice.pk}/").json()
    page = candidate_client.get(reverse("interviews:results", args=[practice.pk])).content.decode()

    assert body["results_withheld"] is False
    assert body["items"][0]["question"]["reference_answer"] == REFERENCE
    assert body["items"][1]["question"]["choices"][0]["is_correct"] is True
    assert body["items"][1]["score"] == 0
    assert REFERENCE in page and EXPLANATION in page and "✅" in page


def test_my_sessions_gives_no_score_while_its_results_are_withheld(
    candidate_api, candidate_client, candidate, multiple_choice
):
    practice = interview_session(candidate, [multiple_choice], mode="practice")
    interview_session(candidate, [multiple_choice])
    _submit(practice)  # all multiple choice: scored at once (0), which would tell the choice was wrong

    rows = {row["id"]: row for row in candidate_api.get(SESSIONS).json()["results"]}
    page = candidate_client.get(reverse("interviews:mine")).content.decode()

    assert rows[practice.pk]["score"] is None and rows[practice.pk]["results_withheld"] is True
    assert "after your timed interview" in page


def test_a_timed_session_past_its_deadline_still_taking_answers_counts_as_open(
    settings, candidate_api, candidate, written, multiple_choice
):
    settings.SESSION_GRACE_SECONDS = 30
    practice = _practice_submitted_while_timed_is_open(candidate, written, multiple_choice)
    timed = InterviewSession.objects.get(candidate=candidate, mode="timed")

    with time_machine.travel(timed.deadline + timedelta(seconds=20), tick=False):
        in_grace = candidate_api.get(f"{SESSIONS}{practice.pk}/").json()
        refused = candidate_api.post(SESSIONS, {"question": written.pk}, format="json")
    with time_machine.travel(timed.deadline + timedelta(seconds=31), tick=False):
        after_grace = candidate_api.get(f"{SESSIONS}{practice.pk}/").json()

    _assert_nothing_revealed(in_grace)
    assert refused.status_code == 409
    # Past the grace period no save is accepted, so reading the answers can no longer change its score.
    assert after_grace["results_withheld"] is False
    assert after_grace["items"][0]["question"]["reference_answer"] == REFERENCE


def test_another_candidates_open_timed_session_withholds_nothing_from_me(
    candidate_api, candidate, other_candidate, written, multiple_choice
):
    practice = interview_session(candidate, [written, multiple_choice], mode="practice")
    _submit(practice)
    interview_session(other_candidate, [written, multiple_choice])

    body = candidate_api.get(f"{SESSIONS}{practice.pk}/").json()

    assert body["results_withheld"] is False
    assert body["items"][0]["question"]["reference_answer"] == REFERENCE


def test_the_question_page_and_api_never_show_the_answers(
    candidate_client, candidate_api, timed, written, multiple_choice
):
    for question in (written, multiple_choice):
        page = candidate_client.get(reverse("questions:detail", args=[question.slug])).content.decode()
        body = candidate_api.get(f"/api/v1/questions/{question.pk}/").content.decode()

        assert question.title in page
        assert REFERENCE not in page and EXPLANATION not in page
        assert REFERENCE not in body and EXPLANATION not in body and "is_correct" not in body


def test_the_submitted_email_gives_no_grades_while_timed_is_open(
    candidate, written, multiple_choice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        practice = _practice_submitted_while_timed_is_open(candidate, written, multiple_choice)

    email = OutboxEmail.objects.get(
        kind=OutboxEmail.Kind.SESSION_SUBMITTED, key__contains=f"session:{practice.pk}:"
    )
    assert "graded automatically" not in email.body_text
    assert "Your score" not in email.body_text
    assert "timed interview that is still open" in email.body_text
    assert "timed interview that is still open" in email.body_html
