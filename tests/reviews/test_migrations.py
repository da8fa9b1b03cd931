"""reviews migration 0003: an answer's score moves to its item alone, and none is lost either way."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from interviews.models import SessionItem
from reviews import services

from .helpers import full_review

BEFORE = [("reviews", "0002_expire_claims_schedule")]
AFTER = [("reviews", "0003_item_score_only_on_session_item")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def published(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    body = full_review(publish=True)
    services.review_save(
        coach=coach,
        session_id=session.pk,
        **{k: body[k] for k in ("items", "summary", "recommendation", "publish")},
    )
    return session


@pytest.mark.django_db(transaction=True)
def test_scores_go_back_to_the_review_rows_and_return_to_the_items(published):
    scores = dict(SessionItem.objects.filter(session=published).values_list("pk", "score"))
    reviewed = dict(
        SessionItem.objects.filter(session=published, reviews__isnull=False).values_list("pk", "score")
    )
    assert len(reviewed) == 2  # the written answers; the multiple-choice one was graded on submit
    try:
        old = _migrate(BEFORE)
        rows = old.get_model("reviews", "ItemReview").objects.filter(review__session_id=published.pk)
        assert {row.item_id: row.score for row in rows} == reviewed
        # A score only the review row holds: the migration must not lose it.
        only_on_review = min(reviewed)
        old.get_model("interviews", "SessionItem").objects.filter(pk=only_on_review).update(score=None)

        _migrate(AFTER)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert dict(SessionItem.objects.filter(session=published).values_list("pk", "score")) == scores
