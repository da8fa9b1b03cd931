"""Two coaches claim the same session at the same moment, each on its own PostgreSQL connection."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from interviews.models import InterviewSession
from reviews.models import Review
from tests.interviews.test_races import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks as PostgreSQL takes them"),
]


@pytest.mark.parametrize("attempt", range(3))
def test_two_coaches_claiming_at_once_one_wins_the_other_gets_409(coach, other_coach, session, attempt):
    def claim_as(user):
        def claim():
            client = APIClient()
            client.force_authenticate(user)
            response = client.post(f"/api/v1/sessions/{session.pk}/claim/")
            return response.status_code, response.json()

        return claim

    results = run_together(claim_as(coach), claim_as(other_coach))

    assert all(kind == "ok" for kind, _ in results), results
    statuses = sorted(status for _, (status, _) in results)
    assert statuses == [200, 409]
    loser = next(body for _, (status, body) in results if status == 409)
    assert loser["code"] == "claimed"
    winner = next(body for _, (status, body) in results if status == 200)
    review = Review.objects.get(session=session)
    assert review.coach_id == winner["coach"]
    assert InterviewSession.objects.get(pk=session.pk).status == InterviewSession.Status.IN_REVIEW
