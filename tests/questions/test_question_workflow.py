"""The curation workflow (draft → in review → published → retired) and question revisions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import Role
from interviewnode.errors import ApplicationError
from questions import bank
from questions.models import Question, QuestionRevision, StatusChange
from questions.services import question_transition, questions_transition, revision_record
from tests.factories import QuestionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

Status = Question.Status
MONDAY = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def draft(taxonomy):
    return QuestionFactory(status=Status.DRAFT, title="Explain dropout")


def test_a_question_moves_from_draft_to_retired_recording_who_and_when(draft, curator):
    reviewer = UserFactory(role=Role.CURATOR)
    steps = [
        (Status.IN_REVIEW, curator, MONDAY),
        (Status.PUBLISHED, reviewer, MONDAY + dt.timedelta(hours=2)),
        (Status.RETIRED, curator, MONDAY + dt.timedelta(days=30)),
    ]
    for to_status, user, when in steps:
        with time_machine.travel(when, tick=False):
            question_transition(question=draft, to_status=to_status, user=user)
        draft.refresh_from_db()
        assert (draft.status, draft.status_changed_by, draft.status_changed_at) == (to_status, user, when)

    history = list(
        draft.status_changes.order_by("changed_at").values_list(
            "from_status", "to_status", "changed_by", "changed_at"
        )
    )
    assert history == [
        (Status.DRAFT, Status.IN_REVIEW, curator.pk, MONDAY),
        (Status.IN_REVIEW, Status.PUBLISHED, reviewer.pk, MONDAY + dt.timedelta(hours=2)),
        (Status.PUBLISHED, Status.RETIRED, curator.pk, MONDAY + dt.timedelta(days=30)),
    ]


def test_it_refuses_to_send_a_published_question_back_to_review(taxonomy, curator):
    with time_machine.travel(MONDAY, tick=False):
        question = QuestionFactory(status=Status.DRAFT)
        question_transition(question=question, to_status=Status.PUBLISHED, user=curator)
    question.refresh_from_db()
    before = (question.status, question.status_changed_at, question.status_changed_by, question.updated_at)

    with pytest.raises(ApplicationError) as refused:
        question_transition(
            question=question, to_status=Status.IN_REVIEW, user=UserFactory(role=Role.CURATOR)
        )

    assert refused.value.code == "invalid_transition"
    assert refused.value.detail == "A published question cannot become in review."
    question.refresh_from_db()
    assert (
        question.status,
        question.status_changed_at,
        question.status_changed_by,
        question.updated_at,
    ) == before
    assert StatusChange.objects.filter(question=question).count() == 1


@pytest.mark.parametrize(
    ("start", "target"),
    [(Status.DRAFT, Status.RETIRED), (Status.IN_REVIEW, Status.RETIRED), (Status.PUBLISHED, Status.DRAFT)],
)
def test_it_refuses_moves_the_workflow_does_not_allow(taxonomy, curator, start, target):
    question = QuestionFactory(status=start)
    with pytest.raises(ApplicationError):
        question_transition(question=question, to_status=target, user=curator)
    question.refresh_from_db()
    assert question.status == start
    assert not question.status_changes.exists()


def test_moving_a_question_to_the_status_it_has_records_nothing(taxonomy, curator):
    question = QuestionFactory(status=Status.PUBLISHED)
    question_transition(question=question, to_status=Status.PUBLISHED, user=curator)
    question.refresh_from_db()
    assert question.status_changed_by is None
    assert not question.status_changes.exists()


def test_a_transition_reads_the_current_status_not_a_stale_copy(draft, curator):
    stale = Question.objects.get(pk=draft.pk)
    question_transition(question=draft, to_status=Status.PUBLISHED, user=curator)
    question_transition(question=stale, to_status=Status.RETIRED, user=curator)  # stale still says draft
    draft.refresh_from_db()
    assert draft.status == Status.RETIRED
    assert list(draft.status_changes.order_by("id").values_list("from_status", flat=True)) == [
        Status.DRAFT,
        Status.PUBLISHED,
    ]


def test_bulk_transition_moves_what_it_may_and_explains_the_rest(taxonomy, curator):
    published = QuestionFactory(status=Status.PUBLISHED, title="Live one")
    draft = QuestionFactory(status=Status.DRAFT, title="Unfinished one")

    moved, refused = questions_transition(
        questions=Question.objects.filter(pk__in=[published.pk, draft.pk]),
        to_status=Status.RETIRED,
        user=curator,
    )

    assert moved == 1
    assert refused == ["Unfinished one: A draft question cannot become retired."]
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == (Status.RETIRED, Status.DRAFT)


# --- revisions -------------------------------------------------------------------------------------


def test_revision_record_keeps_a_new_revision_only_when_the_content_changes(taxonomy, curator):
    question = QuestionFactory(prompt="What is dropout?")  # the factory records revision 1
    first = question.revisions.get()
    assert first.number == 1
    assert first.content["prompt"] == "What is dropout?"

    assert revision_record(question=question, user=curator) is None
    question.difficulty = Question.Difficulty.MEDIUM  # unchanged value
    question.save()
    assert revision_record(question=question, user=curator) is None
    assert question.revisions.count() == 1

    question.prompt = "What is dropout, and why does it regularise?"
    question.save()
    second = revision_record(question=question, user=curator)

    assert (second.number, second.created_by) == (2, curator)
    assert second.content["prompt"] == "What is dropout, and why does it regularise?"
    first.refresh_from_db()
    assert first.content["prompt"] == "What is dropout?"


def test_a_status_change_alone_is_not_a_new_revision(draft, curator):
    question_transition(question=draft, to_status=Status.PUBLISHED, user=curator)
    assert revision_record(question=draft, user=curator) is None
    assert draft.revisions.count() == 1


def test_the_first_revision_of_a_question_without_one_is_number_1(taxonomy, curator):
    question = QuestionFactory()
    question.revisions.all().delete()
    assert revision_record(question=question, user=curator).number == 1


def test_a_revision_keeps_the_rubric_the_question_was_scored_on(taxonomy, curator):
    question = QuestionFactory()
    default = question.category.default_rubric
    assert question.revisions.get().content["rubric"] == default

    own = [{"key": "depth", "name": "Depth", "description": "Goes beyond the basics.", "weight": 1}]
    question.rubric = own
    question.save()
    revision_record(question=question, user=curator)

    assert [r.content["rubric"] for r in question.revisions.order_by("number")] == [default, own]


def test_editing_choice_text_by_import_keeps_the_choice_ids_and_the_old_revision(taxonomy, curator):
    question = QuestionFactory(
        slug="mc-dropout",
        choices=[
            ("It averages an ensemble of thinned networks", True),
            ("It speeds up training", False),
            ("Neither", False),
        ],
    )
    ids_before = list(question.choices.values_list("id", flat=True))
    row = bank.export_row(question)
    row["choices"][1]["text"] = "It always speeds up convergence"
    row["choices"][2]["correct"] = False

    report = bank.import_rows([bank.Row("edit.json", 1, row)], user=curator)

    assert report.updated == ["mc-dropout"]
    question.refresh_from_db()
    assert list(question.choices.values_list("id", "text")) == [
        (ids_before[0], "It averages an ensemble of thinned networks"),
        (ids_before[1], "It always speeds up convergence"),
        (ids_before[2], "Neither"),
    ]
    first, second = question.revisions.order_by("number")
    assert [c["text"] for c in first.content["choices"]][1] == "It speeds up training"
    assert [c["text"] for c in second.content["choices"]][1] == "It always speeds up convergence"
    assert (
        [c["id"] for c in second.content["choices"]]
        == ids_before
        == [c["id"] for c in first.content["choices"]]
    )
    assert second.created_by == curator


def test_importing_an_unchanged_row_keeps_the_revision_and_timestamps(taxonomy, curator):
    question = QuestionFactory(slug="steady", choices=[("Yes", True), ("No", False), ("Maybe", False)])
    question.refresh_from_db()
    updated_at = question.updated_at

    report = bank.import_rows([bank.Row("same.json", 1, bank.export_row(question))], user=curator)

    assert (report.unchanged, report.updated) == (["steady"], [])
    question.refresh_from_db()
    assert question.updated_at == updated_at
    assert QuestionRevision.objects.filter(question=question).count() == 1


def test_removing_and_adding_choices_by_import_keeps_the_ids_of_those_kept(taxonomy, curator):
    question = QuestionFactory(
        slug="mc-shrink", choices=[("A", True), ("B", False), ("C", False), ("D", False)]
    )
    ids = list(question.choices.values_list("id", flat=True))
    row = bank.export_row(question)
    row["choices"] = row["choices"][:3]

    bank.import_rows([bank.Row("edit.json", 1, row)], user=curator)

    assert list(question.choices.values_list("id", flat=True)) == ids[:3]
    assert question.revisions.count() == 2


def test_reloading_the_shipped_bank_keeps_a_retired_question_retired(taxonomy):
    bank.load_shipped_bank()
    question = Question.objects.filter(status=Question.Status.PUBLISHED).first()
    question_transition(question=question, to_status=Question.Status.RETIRED, user=None)

    report = bank.load_shipped_bank()

    question.refresh_from_db()
    assert question.status == Question.Status.RETIRED
    assert question.slug in report.unchanged
