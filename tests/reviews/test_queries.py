"""The queue (API and page) and the review page run a fixed number of queries, whatever the data."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from reviews import services
from tests.factories import submitted_session


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_queue_query_count_does_not_grow_with_sessions(client, coach, candidate, questions):
    client.force_login(coach)
    coach_api = APIClient()
    coach_api.force_authenticate(User.objects.get(pk=coach.pk))
    submitted_session(candidate, questions)
    one = (_count(coach_api, "/api/v1/reviews/queue/"), _count(client, "/reviews/"))

    coach_api.force_authenticate(User.objects.get(pk=coach.pk))  # its roles unread again, as per request
    for _ in range(4):
        submitted_session(candidate, questions)
    services.review_claim(coach=coach, session_id=submitted_session(candidate, questions).pk)

    assert (_count(coach_api, "/api/v1/reviews/queue/"), _count(client, "/reviews/")) == one


def test_the_published_session_detail_adds_two_queries_for_the_review(candidate_api, coach, session):
    before = _count(candidate_api, f"/api/v1/sessions/{session.pk}/")
    services.review_claim(coach=coach, session_id=session.pk)
    from .helpers import full_review

    body = full_review(publish=True)
    services.review_save(
        coach=coach,
        session_id=session.pk,
        **{k: body[k] for k in ("items", "summary", "recommendation", "publish")},
    )

    # The review with its coach, and its item reviews with their items.
    assert _count(candidate_api, f"/api/v1/sessions/{session.pk}/") == before + 2
