"""reviews.services on PostgreSQL: claims, drafts, publishing, self-assessment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from interviewnode.errors import ApplicationError
from interviews.models import InterviewSession, SessionItem
from notifications.models import OutboxEmail
from reviews import services
from reviews.models import ItemReview, Review, SelfAssessment
from reviews.selectors import review_queue
from reviews.tasks import expire_review_claims

from .helpers import FULL, full_review

Status = InterviewSession.Status


def _save(coach, session, **body):
    body = {**full_review(), **body}
    return services.review_save(
        coach=coach,
        session_id=session.pk,
        items=body["items"],
        summary=body["summary"],
        recommendation=body["recommendation"],
        publish=body["publish"],
    )


def _snapshot(session):
    session.refresh_from_db()
    review = Review.objects.filter(session=session).first()
    return (
        session.status,
        session.score,
        list(
            SessionItem.objects.filter(session=session).order_by("position").values_list("score", flat=True)
        ),
        review
        and (review.status, review.coach_id, review.recommendation, review.summary, review.published_at),
        sorted(
            ItemReview.objects.filter(review__session=session).values_list("item_id", "scores", "comment")
        ),
        OutboxEmail.objects.filter(kind="feedback_published").count(),
    )


# --- claims ----------------------------------------------------------------------------------------


def test_claiming_moves_the_session_to_in_review(coach, session):
    review = services.review_claim(coach=coach, session_id=session.pk)

    session.refresh_from_db()
    assert session.status == Status.IN_REVIEW
    assert review.coach == coach and review.claimed_at and review.status == Review.Status.DRAFT


def test_a_second_coach_is_refused_with_claimed(coach, other_coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    with pytest.raises(ApplicationError) as error:
        services.review_claim(coach=other_coach, session_id=session.pk)

    assert (error.value.code, error.value.status_code) == ("claimed", 409)
    assert Review.objects.get(session=session).coach == coach


def test_claiming_ones_own_claim_again_is_fine(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    services.review_claim(coach=coach, session_id=session.pk)

    assert Review.objects.filter(session=session, coach=coach).count() == 1


def test_a_session_still_in_progress_cannot_be_claimed(coach, candidate, questions):
    from tests.factories import interview_session

    open_session = interview_session(candidate, questions)

    with pytest.raises(ApplicationError) as error:
        services.review_claim(coach=coach, session_id=open_session.pk)

    assert error.value.status_code == 404


def test_a_stale_claim_expires_and_another_coach_can_take_it(coach, other_coach, session, settings):
    settings.REVIEW_CLAIM_TTL_HOURS = 48
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.review_claim(coach=coach, session_id=session.pk)
    with time_machine.travel(start + timedelta(hours=47), tick=False):
        with pytest.raises(ApplicationError):
            services.review_claim(coach=other_coach, session_id=session.pk)
        assert session not in review_queue(coach=other_coach)
    with time_machine.travel(start + timedelta(hours=48, minutes=1), tick=False):
        assert session in review_queue(coach=other_coach)
        services.review_claim(coach=other_coach, session_id=session.pk)

    assert Review.objects.get(session=session).coach == other_coach


def test_saving_a_draft_keeps_the_claim_alive(coach, other_coach, session):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.review_claim(coach=coach, session_id=session.pk)
    with time_machine.travel(start + timedelta(hours=40), tick=False):
        _save(coach, session)
    with (
        time_machine.travel(start + timedelta(hours=60), tick=False),
        pytest.raises(ApplicationError) as error,
    ):
        services.review_claim(coach=other_coach, session_id=session.pk)

    assert error.value.code == "claimed"


def test_the_expiry_task_puts_stale_claims_back_in_the_queue(coach, session):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.review_claim(coach=coach, session_id=session.pk)
        assert expire_review_claims.delay().get() == 0
    with time_machine.travel(start + timedelta(hours=49), tick=False):
        assert expire_review_claims.delay().get() == 1

    session.refresh_from_db()
    assert session.status == Status.SUBMITTED
    assert Review.objects.get(session=session).coach is None


def test_release_puts_the_session_back_and_keeps_the_draft(coach, other_coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    _save(coach, session)

    services.review_release(user=coach, session_id=session.pk)

    session.refresh_from_db()
    assert session.status == Status.SUBMITTED
    services.review_claim(coach=other_coach, session_id=session.pk)
    assert ItemReview.objects.filter(review__session=session).count() == 2


def test_another_coach_cannot_release_a_claim(coach, other_coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    with pytest.raises(ApplicationError) as error:
        services.review_release(user=other_coach, session_id=session.pk)

    assert error.value.code == "not_claimed"
    assert Review.objects.get(session=session).coach == coach


def test_an_admin_can_release_and_reassign(coach, other_coach, admin_user, session):
    services.review_claim(coach=coach, session_id=session.pk)

    services.review_reassign(admin=admin_user, session_id=session.pk, coach=other_coach)
    assert Review.objects.get(session=session).coach == other_coach

    services.review_release(user=admin_user, session_id=session.pk)
    session.refresh_from_db()
    assert session.status == Status.SUBMITTED
    assert Review.objects.get(session=session).coach is None


def test_reassigning_to_someone_who_is_not_a_coach_is_refused(coach, candidate, admin_user, session):
    services.review_claim(coach=coach, session_id=session.pk)

    with pytest.raises(ApplicationError):
        services.review_reassign(admin=admin_user, session_id=session.pk, coach=candidate)

    assert Review.objects.get(session=session).coach == coach


# --- drafts and publishing -------------------------------------------------------------------------


def test_a_draft_saves_partial_scores_and_comments(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    _save(coach, session, items=[{"position": 1, "scores": {"accuracy": 3}, "comment": "So far so good"}])

    row = ItemReview.objects.get(review__session=session)
    assert (row.item.position, row.scores, row.comment, row.item.score) == (
        1,
        {"accuracy": 3},
        "So far so good",
        None,
    )
    session.refresh_from_db()
    assert session.status == Status.IN_REVIEW and session.score is None


def test_publishing_freezes_scores_and_marks_the_session_reviewed(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    review = _save(coach, session, publish=True)

    session.refresh_from_db()
    # Question 1: (4×3 + 3×3 + 2×2 + 1×2) / 10 = 2.7 → 56.67; question 2: all 4 → 100; the MC left empty → 0.
    scores = list(
        SessionItem.objects.filter(session=session).order_by("position").values_list("score", flat=True)
    )
    assert scores == [Decimal("56.67"), Decimal("100.00"), Decimal("0.00")]
    assert session.score == Decimal("52.22")
    assert session.status == Status.REVIEWED
    assert review.status == Review.Status.PUBLISHED and review.published_at is not None
    assert sorted(ItemReview.objects.values_list("item__score", flat=True)) == [
        Decimal("56.67"),
        Decimal("100.00"),
    ]


def test_publishing_queues_the_feedback_email_for_the_candidate(coach, candidate, session):
    services.review_claim(coach=coach, session_id=session.pk)

    _save(coach, session, publish=True)

    email = OutboxEmail.objects.get(kind="feedback_published")
    assert email.to_email == candidate.email
    assert email.user == candidate
    assert "Overall score: 52.2 / 100" in email.body_text
    assert "Recommendation: Hire" in email.body_text
    assert "Sound basics." in email.body_text
    assert f"/interviews/{session.pk}/results/" in email.body_text


def test_publish_is_all_or_nothing(coach, session, monkeypatch):
    services.review_claim(coach=coach, session_id=session.pk)
    _save(coach, session, items=[{"position": 1, "scores": {"accuracy": 2}, "comment": "draft"}])
    before = _snapshot(session)

    def broken(**kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(services, "email_user", broken)
    with pytest.raises(RuntimeError):
        _save(coach, session, publish=True)

    assert _snapshot(session) == before


def test_publishing_with_missing_scores_lists_them_and_changes_nothing(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    _save(coach, session, items=[{"position": 1, "scores": FULL, "comment": ""}], recommendation="")
    before = _snapshot(session)

    with pytest.raises(ApplicationError) as error:
        _save(
            coach,
            session,
            items=[{"position": 2, "scores": {"accuracy": 3}, "comment": "x"}],
            recommendation="",
            publish=True,
        )

    assert error.value.code == "incomplete" and error.value.status_code == 400
    assert error.value.extra["missing"] == [
        {"position": 2, "criteria": ["Depth of understanding", "Practical judgement", "Communication"]},
        {"field": "recommendation"},
    ]
    assert _snapshot(session) == before


def test_an_incomplete_publish_with_keep_draft_saves_the_draft_and_publishes_nothing(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    with pytest.raises(ApplicationError) as error:
        services.review_save(
            coach=coach,
            session_id=session.pk,
            items=[{"position": 2, "scores": {"accuracy": 3}, "comment": "Kept."}],
            recommendation="",
            publish=True,
            keep_draft=True,
        )

    assert error.value.code == "incomplete"
    row = ItemReview.objects.get(review__session=session)
    assert (row.item.position, row.scores, row.comment) == (2, {"accuracy": 3}, "Kept.")
    session.refresh_from_db()
    assert session.status == Status.IN_REVIEW and session.score is None
    assert Review.objects.get(session=session).status == Review.Status.DRAFT
    assert not OutboxEmail.objects.filter(kind="feedback_published").exists()


def test_publishing_twice_is_refused(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    _save(coach, session, publish=True)
    before = _snapshot(session)

    with pytest.raises(ApplicationError) as error:
        _save(coach, session, recommendation="strong_hire", publish=True)

    assert (error.value.code, error.value.status_code) == ("already_published", 409)
    assert _snapshot(session) == before
    assert OutboxEmail.objects.filter(kind="feedback_published").count() == 1


@pytest.mark.parametrize(
    "items",
    [
        [{"position": 1, "scores": {"accuracy": 0}}],
        [{"position": 1, "scores": {"accuracy": 5}}],
        [{"position": 1, "scores": {"accuracy": 2.5}}],
        [{"position": 1, "scores": {"accuracy": "3"}}],
        [{"position": 1, "scores": {"charisma": 3}}],
        [{"position": 3, "scores": {"accuracy": 3}}],
        [{"position": 9, "scores": {"accuracy": 3}}],
        [{"position": 1, "scores": {"accuracy": 3}}, {"position": 1, "scores": {"depth": 3}}],
    ],
    ids=[
        "zero",
        "five",
        "fraction",
        "string",
        "unknown-criterion",
        "auto-graded-item",
        "no-such-item",
        "twice",
    ],
)
def test_it_refuses_bad_scores_and_changes_nothing(coach, session, items):
    services.review_claim(coach=coach, session_id=session.pk)
    _save(coach, session, items=[{"position": 1, "scores": {"accuracy": 1}, "comment": "kept"}])
    before = _snapshot(session)

    with pytest.raises(ApplicationError) as error:
        _save(coach, session, items=items)

    assert error.value.status_code == 400
    assert _snapshot(session) == before


def test_an_item_of_another_session_cannot_be_scored(coach, session, other_session):
    """Positions are looked up in the claimed session only: another session's item is not reachable."""
    services.review_claim(coach=coach, session_id=session.pk)
    before = _snapshot(other_session)

    with pytest.raises(ApplicationError):
        _save(coach, session, items=[{"position": 4, "scores": {"accuracy": 3}}])

    assert _snapshot(other_session) == before


def test_reviewing_without_a_claim_is_refused(coach, other_coach, session):
    with pytest.raises(ApplicationError) as error:
        _save(coach, session)
    assert error.value.code == "not_claimed"

    services.review_claim(coach=other_coach, session_id=session.pk)
    with pytest.raises(ApplicationError) as error:
        _save(coach, session)
    assert error.value.code == "not_claimed"
    assert not ItemReview.objects.exists()


# --- self-assessment -------------------------------------------------------------------------------


def test_a_candidate_can_self_assess_and_change_it_until_published(coach, session):
    services.self_assess(session=session, position=1, scores=dict.fromkeys(FULL, 4))
    assessment = services.self_assess(session=session, position=1, scores=FULL)

    assert SelfAssessment.objects.get().scores == FULL
    assert assessment.score == Decimal("56.67")

    services.review_claim(coach=coach, session_id=session.pk)
    _save(coach, session, publish=True)
    with pytest.raises(ApplicationError) as error:
        services.self_assess(session=session, position=1, scores=dict.fromkeys(FULL, 1))
    assert error.value.code == "already_published"
    assert SelfAssessment.objects.get().scores == FULL


@pytest.mark.parametrize(
    ("position", "scores"),
    [(1, {"accuracy": 4}), (1, {**FULL, "accuracy": 5}), (3, FULL), (1, {**FULL, "charm": 2})],
    ids=["incomplete", "out-of-range", "auto-graded", "unknown"],
)
def test_a_bad_self_assessment_is_refused(session, position, scores):
    with pytest.raises(ApplicationError) as error:
        services.self_assess(session=session, position=position, scores=scores)

    assert error.value.status_code == 400
    assert not SelfAssessment.objects.exists()
