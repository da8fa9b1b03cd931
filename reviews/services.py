"""Writes of coach reviews: claim, release, reassign, save/publish, and candidates' self-assessments.

Every write locks the session row first (``select_for_update``), so a claim, a save and a publish on
one session run one after the other; the one-to-one Review row makes a second claim impossible in
the database as well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from interviewnode.errors import ApplicationError, invalid_field
from interviewnode.links import absolute_url
from interviews.models import InterviewSession, SessionItem
from interviews.scoring import answer_score, criteria_check, criteria_missing, session_score
from interviews.selectors import answers_withheld, item_at
from notifications.models import OutboxEmail
from notifications.services import email_user
from questions.models import Category

from .models import ItemReview, Recommendation, Review, SelfAssessment
from .selectors import claim_cutoff, is_rubric_item, needs_review

Status = InterviewSession.Status
MAX_COMMENT = 20_000
SUMMARY_FIELDS = ("strengths", "improvements", "next_steps")


def _not_found() -> ApplicationError:
    return ApplicationError("No such session.", code="not_found", status_code=404)


def _already_published() -> ApplicationError:
    return ApplicationError(
        "This review is published; it can no longer change.", code="already_published", status_code=409
    )


def _not_claimed() -> ApplicationError:
    return ApplicationError(
        "You do not hold the claim on this session; claim it from the review queue first.",
        code="not_claimed",
        status_code=409,
    )


def review_refuse_own(*, coach: User, session: InterviewSession) -> None:
    """The rule that a coach never reviews their own session: 403 ``own_session``.

    Every claim, save, publish and reassignment checks it, and so does the review page.
    """
    if session.candidate_id == coach.pk:
        raise ApplicationError(
            "Coaches never review their own sessions; another coach will review this one.",
            code="own_session",
            status_code=403,
        )


def _locked_reviewable_session(session_id: int) -> InterviewSession:
    """The session, locked, if it is one coaches review (submitted or in review, with a written or
    code answer); 404 otherwise."""
    session = (
        InterviewSession.objects.select_for_update(of=("self",))
        .filter(
            needs_review(), pk=session_id, status__in=[Status.SUBMITTED, Status.IN_REVIEW, Status.REVIEWED]
        )
        .first()
    )
    if session is None:
        raise _not_found()
    return session


def _claim_expired(review: Review, now: datetime) -> bool:
    return review.last_worked_at is not None and review.last_worked_at < claim_cutoff(now)


def _take(review: Review, *, coach: User, now: datetime) -> None:
    review.coach = coach
    review.claimed_at = review.last_worked_at = now
    review.save(update_fields=["coach", "claimed_at", "last_worked_at"])


def _set_status(session: InterviewSession, status: str) -> None:
    if session.status != status:
        session.status = status
        session.save(update_fields=["status"])


def review_claim(*, coach: User, session_id: int) -> Review:
    """Claim a session for review: exclusive while the claim is worked on.

    Claiming again one's own claim renews it. Another coach's claim refuses with 409 ``claimed``
    unless it has not been worked on for REVIEW_CLAIM_TTL_HOURS, in which case it is taken over.
    """
    now = timezone.now()
    with transaction.atomic():
        session = _locked_reviewable_session(session_id)
        review_refuse_own(coach=coach, session=session)
        review = Review.objects.filter(session=session).first()
        if session.status == Status.REVIEWED or (review and review.status == Review.Status.PUBLISHED):
            raise _already_published()
        if review is None:
            review = Review.objects.create(session=session, coach=coach, claimed_at=now, last_worked_at=now)
        elif review.coach_id in (None, coach.pk) or _claim_expired(review, now):
            _take(review, coach=coach, now=now)
        else:
            raise ApplicationError("Another coach has claimed this session.", code="claimed", status_code=409)
        _set_status(session, Status.IN_REVIEW)
    return review


def _release(review: Review, session: InterviewSession) -> None:
    review.coach = None
    review.claimed_at = review.last_worked_at = None
    review.save(update_fields=["coach", "claimed_at", "last_worked_at"])
    _set_status(session, Status.SUBMITTED)


def review_release(*, user: User, session_id: int) -> Review:
    """Give a claim back to the queue (its coach, or an admin); the draft stays for the next coach."""
    with transaction.atomic():
        session = _locked_reviewable_session(session_id)
        review = Review.objects.filter(session=session).first()
        if review is not None and review.status == Review.Status.PUBLISHED:
            raise _already_published()
        if review is None or review.coach_id is None:
            raise _not_claimed()
        if review.coach_id != user.pk and not user.is_admin:
            raise _not_claimed()
        _release(review, session)
    return review


def review_reassign(*, admin: User, session_id: int, coach: User) -> Review:
    """An admin gives a session (claimed or not) to a coach."""
    if not admin.is_admin:
        raise ApplicationError("Only admins reassign reviews.", code="forbidden", status_code=403)
    if not coach.has_role(Role.COACH):
        raise invalid_field(f"{coach} is not a coach.", field="coach")
    now = timezone.now()
    with transaction.atomic():
        session = _locked_reviewable_session(session_id)
        review_refuse_own(coach=coach, session=session)
        review, _ = Review.objects.get_or_create(
            session=session, defaults={"coach": coach, "claimed_at": now, "last_worked_at": now}
        )
        if review.status == Review.Status.PUBLISHED:
            raise _already_published()
        _take(review, coach=coach, now=now)
        _set_status(session, Status.IN_REVIEW)
    return review


def review_claims_expire() -> int:
    """Put claims not worked on for REVIEW_CLAIM_TTL_HOURS back in the queue; how many were."""
    expired = 0
    for review_id, session_id in Review.objects.filter(
        status=Review.Status.DRAFT, coach__isnull=False, last_worked_at__lt=claim_cutoff()
    ).values_list("pk", "session_id"):
        with transaction.atomic():
            session = InterviewSession.objects.select_for_update().get(pk=session_id)
            review = Review.objects.get(pk=review_id)
            # Re-checked under the lock: the coach may have saved (or someone claimed) meanwhile.
            if (
                review.status == Review.Status.DRAFT
                and review.coach_id
                and _claim_expired(review, timezone.now())
            ):
                _release(review, session)
                expired += 1
    return expired


# --- saving and publishing -------------------------------------------------------------------------


def _items_input(
    items: Sequence[Mapping], *, by_position: dict[int, SessionItem]
) -> list[tuple[SessionItem, Mapping]]:
    checked, seen = [], set()
    for number, entry in enumerate(items, 1):
        field = f"items[{number}]"
        if not isinstance(entry, Mapping):
            raise invalid_field("Each item is an object with position, scores and comment.", field=field)
        position = entry.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or position not in by_position:
            raise invalid_field(f"This session has no question at position {position!r}.", field=field)
        if position in seen:
            raise invalid_field(f"Position {position} appears twice.", field=field)
        seen.add(position)
        item = by_position[position]
        if not is_rubric_item(item):
            raise invalid_field(f"Question {position} is graded automatically, not on a rubric.", field=field)
        scores = entry.get("scores", {})
        if not isinstance(scores, Mapping):
            raise invalid_field("scores maps criterion keys to 1..4.", field=field)
        try:
            criteria_check(scores, item.revision.content["rubric"], complete=False)
        except ApplicationError as error:
            raise invalid_field(f"Question {position}: {error.detail}", field=field) from None
        comment = entry.get("comment")
        if comment is not None and (not isinstance(comment, str) or len(comment) > MAX_COMMENT):
            raise invalid_field(f"A comment is text of at most {MAX_COMMENT} characters.", field=field)
        checked.append((item, entry))
    return checked


def review_save(
    *,
    coach: User,
    session_id: int,
    items: Sequence[Mapping] = (),
    summary: Mapping[str, str] | None = None,
    recommendation: str | None = None,
    publish: bool = False,
    keep_draft: bool = False,
) -> Review:
    """Save the claiming coach's draft and, with ``publish``, publish it — all or nothing.

    ``items`` are ``{position, scores, comment}``: the scores given replace the item's draft scores,
    a comment given replaces its comment; items not sent keep their draft. ``summary`` is
    ``{strengths, improvements, next_steps}`` (keys sent replace). Publishing needs every criterion of
    every rubric-scored answer and a recommendation; otherwise 400 ``incomplete`` lists what is
    missing and nothing is saved — except with ``keep_draft`` (the review page, where a coach's typing
    is never lost): then the draft is saved and only the publishing is refused.
    """
    now = timezone.now()
    missing: list[dict] = []
    with transaction.atomic():
        session = _locked_reviewable_session(session_id)
        review_refuse_own(coach=coach, session=session)
        review = Review.objects.filter(session=session).first()
        if review is not None and review.status == Review.Status.PUBLISHED:
            raise _already_published()
        if review is None or review.coach_id != coach.pk:
            raise _not_claimed()
        session_items = list(
            SessionItem.objects.filter(session=session).select_related("revision").order_by("position")
        )
        checked = _items_input(items, by_position={item.position: item for item in session_items})
        existing = {row.item_id: row for row in ItemReview.objects.filter(review=review)}
        for item, entry in checked:
            row = existing.get(item.pk) or ItemReview(review=review, item=item)
            if "scores" in entry:
                row.scores = dict(entry["scores"])
            if entry.get("comment") is not None:
                row.comment = entry["comment"]
            row.save()
            existing[item.pk] = row
        if summary is not None:
            if not isinstance(summary, Mapping) or set(summary) - set(SUMMARY_FIELDS):
                raise invalid_field("summary is {strengths, improvements, next_steps}.", field="summary")
            for key, text in summary.items():
                if not isinstance(text, str) or len(text) > MAX_COMMENT:
                    raise invalid_field(
                        f"summary.{key} is text of at most {MAX_COMMENT} characters.", field="summary"
                    )
                setattr(review, f"summary_{key}", text)
        if recommendation is not None:
            if recommendation not in ("", *Recommendation.values):
                raise invalid_field(
                    f"recommendation is one of {', '.join(Recommendation.values)}.", field="recommendation"
                )
            review.recommendation = recommendation
        review.last_worked_at = now
        review.save()
        if publish:
            missing = review_missing(review=review, items=session_items)
            if not missing:
                _publish(review=review, session=session, items=session_items, rows=existing, now=now)
            elif not keep_draft:
                raise _incomplete(missing)  # rolls the draft back too
    if missing:
        raise _incomplete(missing)  # after the draft was saved
    return review


def review_missing(*, review: Review | None, items: Sequence[SessionItem]) -> list[dict]:
    """What publishing still needs: ``[{position, criteria}]`` and/or ``{"field": "recommendation"}``."""
    rows = {row.item_id: row for row in review.items.all()} if review else {}
    missing: list[dict] = []
    for item in items:
        if is_rubric_item(item):
            row = rows.get(item.pk)
            criteria = criteria_missing(row.scores if row else {}, item.revision.content["rubric"])
            if criteria:
                missing.append({"position": item.position, "criteria": criteria})
    if review is None or not review.recommendation:
        missing.append({"field": "recommendation"})
    return missing


def _incomplete(missing: list[dict]) -> ApplicationError:
    return ApplicationError(
        "Score every criterion of every answer and choose a recommendation before publishing.",
        code="incomplete",
        extra={"missing": missing},
    )


def _publish(
    *,
    review: Review,
    session: InterviewSession,
    items: list[SessionItem],
    rows: dict[int, ItemReview],
    now: datetime,
) -> None:
    scored_items = []
    for item in items:
        if not is_rubric_item(item):
            continue
        item.score = answer_score(rows[item.pk].scores, item.revision.content["rubric"])
        scored_items.append(item)
    SessionItem.objects.bulk_update(scored_items, ["score"])
    session.score = session_score(items)
    session.status = Status.REVIEWED
    session.save(update_fields=["score", "status"])
    review.status = Review.Status.PUBLISHED
    review.published_at = now
    review.save(update_fields=["status", "published_at"])
    _email_feedback_published(review=review, session=session, items=items)


def _email_feedback_published(*, review: Review, session: InterviewSession, items: list[SessionItem]) -> None:
    """Queue the "feedback published" e-mail in the publishing transaction (the outbox sends it)."""
    candidate = session.candidate
    # Questions of a timed session the candidate still has open: their scores wait, as on the results page.
    withheld = answers_withheld(user=candidate)
    results_withheld = not withheld.isdisjoint(item.question_id for item in items)
    by_category: dict[str, list[Decimal]] = defaultdict(list)
    for item in items:
        if item.score is not None and item.question_id not in withheld:
            by_category[item.revision.content.get("category", "")].append(Decimal(item.score))
    names = dict(Category.objects.filter(slug__in=by_category).values_list("slug", "name"))
    summary = "\n\n".join(
        f"{title}:\n{text}"
        for title, text in (
            ("Strengths", review.summary_strengths),
            ("Areas to improve", review.summary_improvements),
            ("Next steps", review.summary_next_steps),
        )
        if text.strip()
    )
    email_user(
        user=candidate,
        kind=OutboxEmail.Kind.FEEDBACK_PUBLISHED,
        about=f"session:{session.pk}",
        context={
            "session_title": session.title,
            "coach_name": review.coach.get_full_name(),
            "score": None if results_withheld else session.score,
            "results_withheld": results_withheld,
            "recommendation": review.get_recommendation_display(),
            "categories": [
                {"name": names.get(slug, slug), "score": sum(scores) / len(scores)}
                for slug, scores in sorted(by_category.items())
            ],
            "summary": summary,
            "url": absolute_url("interviews:results", session.pk),
        },
    )


# --- self-assessment -------------------------------------------------------------------------------


def self_assess(*, session: InterviewSession, position: int, scores: Mapping[str, int]) -> SelfAssessment:
    """The candidate scores their own answer on its rubric (every criterion), after submitting and
    until a coach publishes; sending again replaces it."""
    with transaction.atomic():
        session = InterviewSession.objects.select_for_update().get(pk=session.pk)
        if session.status == Status.IN_PROGRESS:
            raise ApplicationError(
                "Submit the session before assessing your answers.", code="session_open", status_code=409
            )
        if session.status == Status.REVIEWED:
            raise ApplicationError(
                "Your coach has published the review; your self-assessment is kept as it was.",
                code="already_published",
                status_code=409,
            )
        item = item_at(session=session, position=position)
        if not is_rubric_item(item):
            raise invalid_field("This question is graded automatically, not on a rubric.", field="position")
        if not isinstance(scores, Mapping):
            raise invalid_field("scores maps criterion keys to 1..4.", field="scores")
        try:
            score = answer_score(scores, item.revision.content["rubric"])
        except ApplicationError as error:
            raise invalid_field(error.detail, field="scores") from None
        assessment, _ = SelfAssessment.objects.update_or_create(
            item=item, defaults={"scores": dict(scores), "score": score}
        )
    return assessment
