"""The session page's data and the sessions API cost the same number of queries however many questions."""

from __future__ import annotations

import pytest

from interviews.services import answer_save
from tests.factories import QuestionFactory, interview_session

pytestmark = pytest.mark.django_db


def _session(candidate, count: int):
    questions = [
        QuestionFactory(choices=[("Yes", True), ("No", False)]) if n % 2 else QuestionFactory()
        for n in range(count)
    ]
    session = interview_session(candidate, questions)
    for position, question in enumerate(questions, 1):
        if question.kind == "written":
            answer_save(session=session, position=position, content="An answer", version=0)
    return session


# The role check (one), the session with its template and taxonomy (one), the items with their
# revisions and answers (one).
DETAIL_QUERIES = 3


@pytest.mark.parametrize("count", [2, 8])
def test_session_detail_queries_do_not_grow_with_the_questions(
    taxonomy, candidate, candidate_api, django_assert_num_queries, count
):
    session = _session(candidate, count)
    candidate = type(candidate).objects.get(pk=candidate.pk)  # no cached role names
    candidate_api.force_authenticate(candidate)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = candidate_api.get(f"/api/v1/sessions/{session.id}/")

    assert len(response.json()["items"]) == count


@pytest.mark.parametrize("count", [2, 8])
def test_submitted_session_detail_queries_do_not_grow_with_the_questions(
    taxonomy, candidate, candidate_api, django_assert_num_queries, count
):
    session = _session(candidate, count)
    candidate_api.post(f"/api/v1/sessions/{session.id}/submit/")
    candidate_api.force_authenticate(type(candidate).objects.get(pk=candidate.pk))

    # A closed session also asks which questions are in the reader's open timed sessions.
    with django_assert_num_queries(DETAIL_QUERIES + 1):
        response = candidate_api.get(f"/api/v1/sessions/{session.id}/")

    assert response.json()["status"] == "submitted"


@pytest.mark.parametrize("count", [2, 8])
def test_submit_queries_do_not_grow_with_the_questions(
    taxonomy, candidate, candidate_api, django_assert_num_queries, count
):
    session = _session(candidate, count)
    candidate_api.force_authenticate(type(candidate).objects.get(pk=candidate.pk))

    # Owner lookup; in a savepoint: lock the session, lock the answers, read the items, grade the
    # items, grade the answers, close the session, the "submitted" e-mail's questions in open timed
    # sessions and outbox row (look up its key, insert it in a savepoint); then the detail (role,
    # session, items, questions in open timed sessions).
    with django_assert_num_queries(18):
        response = candidate_api.post(f"/api/v1/sessions/{session.id}/submit/")

    assert response.status_code == 200


def test_an_autosave_is_three_queries(taxonomy, candidate, candidate_api, django_assert_num_queries):
    session = _session(candidate, 2)

    # The owner's session, the item as asked, the conditional UPDATE.
    with django_assert_num_queries(3):
        response = candidate_api.put(
            f"/api/v1/sessions/{session.id}/items/1/answer/",
            {"content": "Saved", "version": 1},
            format="json",
        )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("count", [2, 8])
def test_session_list_queries_do_not_grow_with_the_sessions(
    taxonomy, candidate, candidate_api, django_assert_num_queries, count
):
    for _ in range(count):
        _session(candidate, 1)

    with django_assert_num_queries(2):  # count, page
        response = candidate_api.get("/api/v1/sessions/")

    assert len(response.json()["results"]) == count
