"""Writes to the question bank: revisions and the draft → in review → published → retired workflow."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interviewnode.errors import ApplicationError

from .models import Question, QuestionRevision, StatusChange

Status = Question.Status

# Allowed moves; publishing straight from draft is allowed so an imported batch can go live at once.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.IN_REVIEW, Status.PUBLISHED},
    Status.IN_REVIEW: {Status.DRAFT, Status.PUBLISHED},
    Status.PUBLISHED: {Status.RETIRED},
    Status.RETIRED: {Status.DRAFT, Status.PUBLISHED},
}


def question_content(question: Question) -> dict:
    """What a candidate is asked, as a plain dict: the unit of a revision."""
    return {
        "title": question.title,
        "prompt": question.prompt,
        "kind": question.kind,
        "category": question.category.slug,
        "difficulty": question.difficulty,
        "time_budget_seconds": question.time_budget_seconds,
        "weight": question.weight,
        "language": question.language,
        "starter_code": question.starter_code,
        "reference_answer": question.reference_answer,
        "explanation": question.explanation,
        "rubric": question.rubric or question.category.default_rubric,
        "choices": [
            {"id": c.id, "text": c.text, "is_correct": c.is_correct}
            for c in question.choices.order_by("position", "id")
        ],
    }


def revision_record(*, question: Question, user: AbstractBaseUser | None) -> QuestionRevision | None:
    """Keep the question's current content as a new revision unless it equals the latest one."""
    content = question_content(question)
    latest = question.revisions.order_by("-number").first()
    if latest is not None and latest.content == content:
        return None
    return QuestionRevision.objects.create(
        question=question,
        number=(latest.number + 1) if latest else 1,
        content=content,
        created_by=user,
    )


@transaction.atomic
def question_transition(*, question: Question, to_status: str, user: AbstractBaseUser | None) -> Question:
    """Move one question to ``to_status``, recording who and when."""
    if to_status not in Status.values:
        allowed = ", ".join(Status.values)
        raise ApplicationError(
            f"Unknown status {to_status!r}.", extra={"errors": {"status": [f"Allowed: {allowed}."]}}
        )
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status == to_status:
        return question
    if to_status not in TRANSITIONS.get(question.status, set()):
        raise ApplicationError(
            f"A {question.get_status_display().lower()} question cannot become "
            f"{Status(to_status).label.lower()}.",
            code="invalid_transition",
        )
    StatusChange.objects.create(
        question=question, from_status=question.status, to_status=to_status, changed_by=user
    )
    question.status = to_status
    question.status_changed_at = timezone.now()
    question.status_changed_by = user
    question.save(update_fields=["status", "status_changed_at", "status_changed_by", "updated_at"])
    return question


def questions_transition(
    *, questions, to_status: str, user: AbstractBaseUser | None
) -> tuple[int, list[str]]:
    """Bulk move; returns how many moved and why the others did not."""
    moved, refused = 0, []
    for question in questions:
        try:
            before = question.status
            question_transition(question=question, to_status=to_status, user=user)
            moved += before != to_status
        except ApplicationError as error:
            refused.append(f"{question.title}: {error.detail}")
    return moved, refused
