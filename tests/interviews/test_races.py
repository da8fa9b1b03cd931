"""Races on PostgreSQL, with threads on separate connections: submit/submit, save/submit, save/save.

The deterministic tests hold one transaction open and wait (through pg_stat_activity) until the other
connection is really blocked on its row lock, so the interleaving under test is the one that happens.
"""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import User
from interviewnode.errors import ApplicationError
from interviews import services
from interviews.models import Answer, InterviewSession
from interviews.services import answer_save, session_submit
from tests.factories import QuestionFactory, interview_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks as PostgreSQL takes them"),
]

TIMEOUT = 60  # generous: only reached when something is broken


def run_together(*functions):
    """Run each function in its own thread (and database connection), released at the same moment."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=TIMEOUT)
            results[index] = ("ok", function())
        except Exception as error:  # noqa: BLE001 - handed to the test
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def in_thread(function):
    """Start ``function`` in a thread with its own connection; join() the result."""
    box: dict = {}

    def run():
        try:
            box["result"] = function()
        except Exception as error:  # noqa: BLE001 - handed to the test
            box["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()

    def join():
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread hung"
        return box

    return join


def wait_until_someone_waits_for_a_lock() -> None:
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("no connection ever waited for the row lock")


def client_for(user_id: int) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user_id))
    return client


@pytest.fixture
def mc_question(taxonomy):
    return QuestionFactory(title="Pick the loss", choices=[("Cross-entropy", True), ("MSE", False)])


def right_choice(question) -> int:
    return question.choices.get(is_correct=True).id


def test_two_simultaneous_submits_make_one_transition_and_both_get_the_submitted_session(
    candidate, mc_question
):
    for _ in range(5):
        session = interview_session(candidate, [mc_question])
        url = f"/api/v1/sessions/{session.id}/submit/"
        with mock.patch.object(services, "session_score", wraps=services.session_score) as transitions:
            results = run_together(
                lambda url=url: client_for(candidate.id).post(url),
                lambda url=url: client_for(candidate.id).post(url),
            )

        assert [kind for kind, _ in results] == ["ok", "ok"], results
        bodies = [response.json() for _, response in results]
        assert [r.status_code for _, r in results] == [200, 200]
        assert [b["status"] for b in bodies] == ["submitted", "submitted"]
        assert bodies[0]["submitted_at"] == bodies[1]["submitted_at"]
        assert transitions.call_count == 1
        session.refresh_from_db()
        assert session.status == "submitted"


def test_a_save_waiting_behind_a_submit_is_refused_as_closed(candidate, taxonomy):
    session = interview_session(candidate, [QuestionFactory()])
    answer_save(session=session, position=1, content="Saved before", version=0)
    submitted, release = threading.Event(), threading.Event()

    def submit_and_hold():
        with transaction.atomic():
            session_submit(session_id=session.id, user=None, closed_by="candidate")
            submitted.set()
            release.wait(TIMEOUT)

    join_submit = in_thread(submit_and_hold)
    assert submitted.wait(TIMEOUT)
    join_save = in_thread(
        lambda: answer_save(session=session, position=1, content="Racing the submit", version=1)
    )
    wait_until_someone_waits_for_a_lock()
    release.set()

    assert "error" not in join_submit()
    outcome = join_save()
    assert isinstance(outcome.get("error"), ApplicationError), outcome
    assert outcome["error"].code == "session_closed"
    answer = Answer.objects.get(item__session=session)
    assert (answer.content, answer.version, answer.locked) == ("Saved before", 1, True)


def test_a_submit_waiting_behind_a_save_grades_the_saved_answer(candidate, mc_question):
    session = interview_session(candidate, [mc_question])
    saved, release = threading.Event(), threading.Event()

    def save_and_hold():
        with transaction.atomic():
            answer_save(session=session, position=1, choice_ids=[right_choice(mc_question)], version=0)
            saved.set()
            release.wait(TIMEOUT)

    join_save = in_thread(save_and_hold)
    assert saved.wait(TIMEOUT)
    join_submit = in_thread(lambda: session_submit(session_id=session.id, user=None, closed_by="candidate"))
    wait_until_someone_waits_for_a_lock()
    release.set()

    assert "error" not in join_save()
    outcome = join_submit()
    assert "error" not in outcome, outcome
    assert outcome["result"].status == "submitted"
    assert outcome["result"].score == 100
    answer = Answer.objects.get(item__session=session)
    assert answer.choice_ids == [right_choice(mc_question)]
    assert answer.is_correct is True


def test_two_saves_from_the_same_version_one_wins_and_the_other_is_told_it_is_stale(candidate, taxonomy):
    session = interview_session(candidate, [QuestionFactory()])
    saved, release = threading.Event(), threading.Event()

    def first_tab():
        with transaction.atomic():
            answer_save(session=session, position=1, content="First tab", version=0)
            saved.set()
            release.wait(TIMEOUT)

    join_first = in_thread(first_tab)
    assert saved.wait(TIMEOUT)
    join_second = in_thread(lambda: answer_save(session=session, position=1, content="Second tab", version=0))
    wait_until_someone_waits_for_a_lock()
    release.set()

    assert "error" not in join_first()
    outcome = join_second()
    assert isinstance(outcome.get("error"), ApplicationError), outcome
    assert outcome["error"].code == "stale_version"
    assert outcome["error"].extra["answer"]["content"] == "First tab"
    answer = Answer.objects.get(item__session=session)
    assert (answer.content, answer.version) == ("First tab", 1)


def test_a_save_racing_a_submit_is_either_in_the_submitted_answer_or_refused(candidate, taxonomy):
    outcomes = set()
    for round_number in range(8):
        session = interview_session(candidate, [QuestionFactory()])
        base = f"/api/v1/sessions/{session.id}/"
        content = f"Answer of round {round_number}"
        results = run_together(
            lambda base=base, content=content: client_for(candidate.id).put(
                f"{base}items/1/answer/", {"content": content, "version": 0}, format="json"
            ),
            lambda base=base: client_for(candidate.id).post(f"{base}submit/"),
        )

        (save_kind, save), (submit_kind, submit) = results
        assert (save_kind, submit_kind) == ("ok", "ok"), results
        assert submit.status_code == 200
        stored = Answer.objects.get(item__session=session)
        if save.status_code == 200:
            assert submit.json()["items"][0]["answer"]["content"] == content
            assert stored.content == content
        else:
            assert save.status_code == 409
            assert save.json()["code"] == "session_closed"
            assert stored.content == ""
        outcomes.add(save.status_code)
        assert InterviewSession.objects.get(pk=session.id).status == "submitted"
    assert outcomes <= {200, 409}
