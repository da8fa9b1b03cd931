"""Writes to mock interviews: start, autosave, submit (SPEC.md, "Mock interview sessions").

Concurrency, in short: ``session_submit`` locks the session row and, in the same transaction, marks
every answer ``locked``; ``answer_save`` is one conditional UPDATE on the answer row alone
(``version`` and ``locked`` are checked on the row being written, so PostgreSQL re-checks them after
waiting for a submit's lock). A save therefore lands before the submit reads the answers, or is refused.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from interviewnode.errors import ApplicationError, invalid_field
from interviewnode.links import absolute_url
from notifications.models import OutboxEmail
from notifications.services import email_user
from questions.models import Category, Company, Level, Question, QuestionRevision, Role
from questions.services import revision_record

from .models import (
    MAX_DURATION,
    MAX_QUESTIONS,
    MIN_DURATION,
    MIN_QUESTIONS,
    Answer,
    InterviewSession,
    InterviewTemplate,
    SessionItem,
)
from .scoring import choice_score, session_score
from .selectors import accepting_answers, answers_withheld, item_at

Mode = InterviewSession.Mode
Status = InterviewSession.Status
ClosedBy = InterviewSession.ClosedBy

MAX_ANSWER_BYTES = 64 * 1024
_random = random.SystemRandom()


# --- starting a session ----------------------------------------------------------------------------


def _matching(
    *, role: Role, level: Level, company: Company | None, categories: Sequence[Category]
) -> QuerySet[Question]:
    queryset = Question.objects.filter(status=Question.Status.PUBLISHED, roles=role, levels=level)
    if company is not None:
        queryset = queryset.filter(companies=company)
    if categories:
        queryset = queryset.filter(category__in=categories)
    return queryset


def _not_enough(
    *, available: int, requested: int, role: Role, level: Level, company, categories
) -> ApplicationError:
    """The refusal, with how many match and what widening the choice would give."""
    widen = []
    options = []
    if company is not None:
        options.append(("company", {"company": None, "categories": categories}))
    if categories:
        options.append(("categories", {"company": company, "categories": []}))
    if company is not None and categories:
        options.append(("company,categories", {"company": None, "categories": []}))
    for name, filters in options:
        count = _matching(role=role, level=level, **filters).count()
        if count > available:
            widen.append({"filters": name.split(","), "available": count})
    return ApplicationError(
        f"Only {available} published question(s) match this choice, and {requested} were asked for. "
        "Ask for fewer questions or widen the choice.",
        code="not_enough_questions",
        extra={"available": available, "requested": requested, "widen": widen},
    )


def _draw(candidates: list[tuple[int, int]], *, count: int, seen: set[int]) -> list[int]:
    """Pick ``count`` question ids spread evenly over the categories, unseen questions first.

    Each category is a queue (its unseen questions, then the seen ones, each in random order); rounds
    take one from every queue, queues whose next question is unseen first, until enough are picked.
    """
    by_category: dict[int, list[int]] = defaultdict(list)
    for question_id, category_id in candidates:
        by_category[category_id].append(question_id)
    queues = []
    for ids in by_category.values():
        unseen = [q for q in ids if q not in seen]
        again = [q for q in ids if q in seen]
        _random.shuffle(unseen)
        _random.shuffle(again)
        queues.append(unseen + again)
    picked: list[int] = []
    while len(picked) < count:
        queues = [q for q in queues if q]
        _random.shuffle(queues)
        queues.sort(key=lambda queue: queue[0] in seen)
        for queue in queues[: count - len(picked)]:
            picked.append(queue.pop(0))
    return picked


def _revisions(question_ids: list[int]) -> dict[int, QuestionRevision]:
    """The latest revision of each question; one is recorded for a question that has none yet."""
    latest = QuestionRevision.objects.filter(question=OuterRef("pk")).order_by("-number").values("pk")[:1]
    latest_ids = dict(
        Question.objects.filter(pk__in=question_ids)
        .annotate(latest=Subquery(latest))
        .values_list("pk", "latest")
    )
    revisions = {r.question_id: r for r in QuestionRevision.objects.filter(pk__in=latest_ids.values())}
    for question in Question.objects.filter(pk__in=set(question_ids) - set(revisions)).select_related(
        "category"
    ):
        revisions[question.pk] = revision_record(question=question, user=None)
    return revisions


def _session_create(
    *,
    candidate: User,
    mode: str,
    question_ids: list[int],
    duration_minutes: int | None,
    template: InterviewTemplate | None = None,
    role: Role | None = None,
    level: Level | None = None,
    company: Company | None = None,
) -> InterviewSession:
    now = timezone.now()
    with transaction.atomic():
        revisions = _revisions(question_ids)
        session = InterviewSession.objects.create(
            candidate=candidate,
            mode=mode,
            template=template,
            role=role,
            level=level,
            company=company,
            started_at=now,
            deadline=now + timedelta(minutes=duration_minutes) if mode == Mode.TIMED else None,
        )
        items = SessionItem.objects.bulk_create(
            SessionItem(session=session, position=position, question_id=qid, revision=revisions[qid])
            for position, qid in enumerate(question_ids, 1)
        )
        Answer.objects.bulk_create(Answer(item=item) for item in items)
    return session


def _in_open_timed_session(detail: str) -> ApplicationError:
    return ApplicationError(detail, code="question_in_open_timed_session", status_code=409)


def _check_shape(*, mode: str, question_count: int, duration_minutes: int | None) -> None:
    if mode not in Mode.values:
        raise invalid_field(f"Mode must be one of {', '.join(Mode.values)}.", field="mode")
    if not MIN_QUESTIONS <= question_count <= MAX_QUESTIONS:
        raise invalid_field(f"Ask for {MIN_QUESTIONS} to {MAX_QUESTIONS} questions.", field="question_count")
    if mode == Mode.TIMED and (
        duration_minutes is None or not MIN_DURATION <= duration_minutes <= MAX_DURATION
    ):
        raise invalid_field(
            f"A timed session lasts {MIN_DURATION} to {MAX_DURATION} minutes.", field="duration_minutes"
        )


def session_start(
    *,
    candidate: User,
    template: InterviewTemplate | None = None,
    mode: str,
    role: Role,
    level: Level,
    company: Company | None = None,
    categories: Sequence[Category] = (),
    question_count: int,
    duration_minutes: int | None,
) -> InterviewSession:
    """Start a session of ``question_count`` published questions matching the choice.

    ``categories`` empty means every category. Timed sessions get ``deadline = started_at + duration``;
    practice sessions have no deadline (``duration_minutes`` is ignored).
    """
    _check_shape(mode=mode, question_count=question_count, duration_minutes=duration_minutes)
    categories = list(categories)
    candidates = list(
        _matching(role=role, level=level, company=company, categories=categories).values_list(
            "pk", "category_id"
        )
    )
    if len(candidates) < question_count:
        raise _not_enough(
            available=len(candidates),
            requested=question_count,
            role=role,
            level=level,
            company=company,
            categories=categories,
        )
    # Questions of an open timed session are never drawn: their answers would show in this one.
    withheld = answers_withheld(user=candidate)
    drawable = [row for row in candidates if row[0] not in withheld]
    if len(drawable) < question_count:
        raise _in_open_timed_session(
            f"{len(candidates) - len(drawable)} of the {len(candidates)} questions matching this choice "
            f"are in your timed interview that is still open, so fewer than {question_count} are left. "
            "Finish that interview first, or ask for fewer questions."
        )
    candidates = drawable
    seen = set(
        SessionItem.objects.filter(
            session__candidate=candidate, question_id__in=[pk for pk, _ in candidates]
        ).values_list("question_id", flat=True)
    )
    return _session_create(
        candidate=candidate,
        mode=mode,
        question_ids=_draw(candidates, count=question_count, seen=seen),
        duration_minutes=duration_minutes,
        template=template,
        role=role,
        level=level,
        company=company,
    )


def session_start_from_template(
    *, candidate: User, template: InterviewTemplate, mode: str = Mode.TIMED
) -> InterviewSession:
    return session_start(
        candidate=candidate,
        template=template,
        mode=mode,
        role=template.role,
        level=template.level,
        company=template.company,
        categories=list(template.categories.all()),
        question_count=template.question_count,
        duration_minutes=template.duration_minutes,
    )


def session_start_with_questions(
    *,
    candidate: User,
    questions: Sequence[Question],
    mode: str = Mode.PRACTICE,
    duration_minutes: int | None = None,
) -> InterviewSession:
    """A session on chosen published questions, in that order (a question page's "Practice" button)."""
    _check_shape(mode=mode, question_count=len(questions), duration_minutes=duration_minutes)
    if any(q.status != Question.Status.PUBLISHED for q in questions):
        raise invalid_field("Only published questions can be asked.", field="questions")
    if len({q.pk for q in questions}) != len(questions):
        raise invalid_field("A question can be asked only once in a session.", field="questions")
    if not answers_withheld(user=candidate).isdisjoint(q.pk for q in questions):
        raise _in_open_timed_session(
            "This question is in your timed interview that is still open. Finish that interview first; "
            "you can practise the question afterwards."
        )
    return _session_create(
        candidate=candidate,
        mode=mode,
        question_ids=[q.pk for q in questions],
        duration_minutes=duration_minutes,
    )


# --- autosave --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedAnswer:
    version: int
    saved_at: datetime


def _answer_values(item: SessionItem, *, content: str | None, choice_ids: list[int] | None) -> dict:
    """Check an answer against the question as asked; the fields to store."""
    asked = item.revision.content
    if asked["kind"] == Question.Kind.MULTIPLE_CHOICE:
        if content is not None:
            raise invalid_field("A multiple-choice question is answered with choice_ids.", field="content")
        if choice_ids is None:
            raise invalid_field("Send the chosen choice_ids.", field="choice_ids")
        valid = {choice["id"] for choice in asked["choices"]}
        if any(isinstance(i, bool) or not isinstance(i, int) or i not in valid for i in choice_ids):
            raise invalid_field("These are not choices of this question.", field="choice_ids")
        chosen = sorted(set(choice_ids))
        if len(chosen) > 1 and not item.allows_multiple_choices:
            raise invalid_field("Pick one choice: this question has a single answer.", field="choice_ids")
        return {"choice_ids": chosen}
    if choice_ids is not None:
        raise invalid_field(
            "Only multiple-choice questions take choice_ids; send content.", field="choice_ids"
        )
    if content is None:
        raise invalid_field("Send the answer as content.", field="content")
    return {"content": content}  # its size was checked first thing by answer_save


def _session_closed() -> ApplicationError:
    return ApplicationError(
        "This session no longer accepts answers; everything saved before it closed is kept.",
        code="session_closed",
        status_code=409,
    )


def answer_save(
    *,
    session: InterviewSession,
    position: int,
    content: str | None = None,
    choice_ids: list[int] | None = None,
    version: int,
) -> SavedAnswer:
    """Save one answer if ``version`` is still the stored one and the session still accepts answers.

    One conditional UPDATE does it; when it matches no row, the reason is read back: ``session_closed``
    (submitted, or past ``deadline + SESSION_GRACE_SECONDS``) or ``stale_version`` with the stored answer.
    """
    # The one size check, before anything is read: whatever the question, 64 KiB is the limit.
    if content is not None and len(content.encode("utf-8")) > MAX_ANSWER_BYTES:
        raise invalid_field("An answer can be at most 64 KiB.", field="content")
    item = item_at(session=session, position=position)
    values = _answer_values(item, content=content, choice_ids=choice_ids)

    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.SESSION_GRACE_SECONDS)
    accepting = InterviewSession.objects.filter(accepting_answers(now), pk=item.session_id)
    # Filter on the answer row's own columns only (no join): a join would move version/locked into a
    # subquery that PostgreSQL does not re-check after waiting for a concurrent submit's row lock.
    updated = (
        Answer.objects.filter(item_id=item.pk, version=version, locked=False)
        .filter(Exists(accepting))
        .update(**values, version=F("version") + 1, saved_at=now)
    )
    if updated:
        return SavedAnswer(version=version + 1, saved_at=now)

    answer = Answer.objects.select_related("item__session").get(item_id=item.pk)
    current = answer.item.session
    if (
        answer.locked
        or current.status != Status.IN_PROGRESS
        or (current.deadline is not None and current.deadline < cutoff)
    ):
        raise _session_closed()
    raise ApplicationError(
        "This answer was saved elsewhere (another tab?) since you loaded it; here is the stored answer.",
        code="stale_version",
        status_code=409,
        extra={
            "answer": {
                "content": answer.content,
                "choice_ids": answer.choice_ids,
                "version": answer.version,
                "saved_at": answer.saved_at,  # a datetime: the API renders it like every other one
            }
        },
    )


# --- submitting ------------------------------------------------------------------------------------


def session_submit(*, session_id: int, user: User | None, closed_by: str) -> InterviewSession:
    """Close a session: lock its answers, grade multiple choice, and score it if nothing awaits review.

    Idempotent: a session that is no longer in progress is returned unchanged, so a double click, a
    second tab and the deadline task all end in exactly one transition. ``user`` (when given) must be
    the candidate; the deadline task passes None.
    """
    if closed_by not in (ClosedBy.CANDIDATE, ClosedBy.DEADLINE):
        raise ValueError(f"closed_by must be candidate or deadline, not {closed_by!r}")
    with transaction.atomic():
        queryset = (
            InterviewSession.objects.select_for_update(of=("self",))
            .select_related("candidate", "template", "role", "level", "company")
            .filter(pk=session_id)
        )
        if user is not None:
            queryset = queryset.filter(candidate=user)
        session = queryset.first()
        if session is None:
            raise ApplicationError("No such session.", code="not_found", status_code=404)
        if session.status != Status.IN_PROGRESS:
            return session

        now = timezone.now()
        if session.deadline is not None and now >= session.deadline:
            # Time ran out: the page's own submit at zero and the beat task both count as the deadline.
            closed_by = ClosedBy.DEADLINE
        Answer.objects.filter(item__session=session).update(locked=True)
        items = list(
            SessionItem.objects.filter(session=session)
            .select_related("revision", "answer")
            .order_by("position")
        )
        graded_items, graded_answers = [], []
        for item in items:
            asked = item.revision.content
            if asked["kind"] != Question.Kind.MULTIPLE_CHOICE:
                continue
            correct = {choice["id"] for choice in asked["choices"] if choice["is_correct"]}
            answer = item.answer
            answer.is_correct = set(answer.choice_ids) == correct
            item.score = choice_score(is_correct=answer.is_correct)
            graded_items.append(item)
            graded_answers.append(answer)
        SessionItem.objects.bulk_update(graded_items, ["score"])
        Answer.objects.bulk_update(graded_answers, ["is_correct"])

        session.status = Status.SUBMITTED
        session.submitted_at = now
        session.closed_by = closed_by
        session.score = session_score(items)
        session.save(update_fields=["status", "submitted_at", "closed_by", "score"])
        _email_session_submitted(session, items)
    return session


def _email_session_submitted(session: InterviewSession, items: list[SessionItem]) -> None:
    """Queue the "session submitted" e-mail in the submitting transaction (the outbox sends it)."""
    graded = [item for item in items if item.revision.content["kind"] == Question.Kind.MULTIPLE_CHOICE]
    candidate = session.candidate
    # Questions of another timed session still open: no grades yet, as on the results page.
    results_withheld = not answers_withheld(user=candidate).isdisjoint(item.question_id for item in items)
    email_user(
        user=candidate,
        kind=OutboxEmail.Kind.SESSION_SUBMITTED,
        about=f"session:{session.pk}",
        context={
            "session_title": session.title,
            "submitted_at": session.submitted_at,
            "auto_graded": (
                {"correct": sum(1 for item in graded if item.answer.is_correct), "total": len(graded)}
                if graded and not results_withheld
                else None
            ),
            "awaiting_review": len(items) - len(graded),
            "score": None if results_withheld else session.score,
            "results_withheld": results_withheld,
            "url": absolute_url("interviews:results", session.pk),
        },
    )


# --- templates -------------------------------------------------------------------------------------

DEMO_TEMPLATES_FILE = Path(__file__).resolve().parent / "data" / "demo_templates.yaml"


def demo_templates(path: Path = DEMO_TEMPLATES_FILE) -> list[dict]:
    """The demo templates as the data file lists them (slugs for role, level, company, categories)."""
    return yaml.safe_load(path.read_text())["templates"]


@transaction.atomic
def templates_seed() -> list[InterviewTemplate]:
    """Create the demo templates (``data/demo_templates.yaml``) that do not exist yet, matching on slug;
    safe to run any number of times. A template that exists is left as curators made it.
    """
    templates = []
    for order, data in enumerate(demo_templates()):
        template, created = InterviewTemplate.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": data["name"],
                "description": data["description"],
                "role": Role.objects.get(slug=data["role"]),
                "level": Level.objects.get(slug=data["level"]),
                "company": Company.objects.get(slug=data["company"]) if data["company"] else None,
                "question_count": data["question_count"],
                "duration_minutes": data["duration_minutes"],
                "order": order,
            },
        )
        if created:
            template.categories.set(Category.objects.filter(slug__in=data["categories"]))
        templates.append(template)
    return templates
