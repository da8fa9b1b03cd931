"""Starting a mock interview: from a template, a custom choice or one question (POST /api/v1/sessions/)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from interviews.models import Answer, InterviewSession, SessionItem
from interviews.services import session_start, session_submit
from questions.models import Category, Choice, Level, QuestionRevision
from questions.models import Role as JobRole
from questions.services import revision_record
from tests.factories import InterviewTemplateFactory, QuestionFactory, category, questions_bulk_create

SESSIONS = "/api/v1/sessions/"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def make(n: int, *, category_slug: str = "ml-theory", **kwargs):
    return [QuestionFactory(category=category(category_slug), **kwargs) for _ in range(n)]


def item_categories(body) -> Counter:
    return Counter(item["question"]["category"] for item in body["items"])


def test_candidate_starts_a_timed_session_from_a_template(taxonomy, candidate_api, candidate):
    theory, stats = make(2), make(2, category_slug="statistics")
    template = InterviewTemplateFactory(categories=["ml-theory", "statistics"], question_count=2)

    with time_machine.travel(NOW, tick=False):
        response = candidate_api.post(SESSIONS, {"template": template.slug}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mode"] == "timed"
    assert body["status"] == "in_progress"
    assert body["closed_by"] == ""
    assert at(body["started_at"]) == NOW
    assert at(body["deadline"]) == NOW + timedelta(minutes=30)
    assert at(body["server_time"]) == NOW
    assert body["submitted_at"] is None and body["score"] is None and body["review"] is None
    assert [item["position"] for item in body["items"]] == [1, 2]
    assert item_categories(body) == {"ml-theory": 1, "statistics": 1}
    assert {item["question"]["id"] for item in body["items"]} <= {q.id for q in theory + stats}
    for item in body["items"]:
        assert item["answer"] == {"content": "", "choice_ids": [], "version": 0, "saved_at": None}
        assert item["score"] is None
    session = InterviewSession.objects.get(pk=body["id"])
    assert session.candidate == candidate and session.template == template
    assert Answer.objects.filter(item__session=session).count() == 2


def test_a_template_can_be_taken_untimed_as_practice(taxonomy, candidate_api):
    make(2)
    template = InterviewTemplateFactory(question_count=2)

    response = candidate_api.post(SESSIONS, {"template": template.slug, "mode": "practice"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["mode"] == "practice"
    assert response.json()["deadline"] is None


def test_an_inactive_or_unknown_template_is_refused(taxonomy, candidate_api):
    make(2)
    inactive = InterviewTemplateFactory(is_active=False)

    for value in (inactive.slug, "no-such-template"):
        response = candidate_api.post(SESSIONS, {"template": value}, format="json")
        assert response.status_code == 400
        assert "template" in response.json()["errors"]
    assert not InterviewSession.objects.exists()


def test_candidate_starts_a_custom_session_with_only_matching_questions(taxonomy, candidate_api):
    wanted = make(3, category_slug="coding", companies=["google"])
    make(1, category_slug="coding")  # no company
    make(1, category_slug="statistics", companies=["google"])  # other category
    make(1, category_slug="coding", companies=["google"], levels=["senior"])  # other level
    make(1, category_slug="coding", companies=["google"], roles=["data-scientist"])  # other role
    make(1, category_slug="coding", companies=["google"], status="draft")  # not published

    with time_machine.travel(NOW, tick=False):
        response = candidate_api.post(
            SESSIONS,
            {"mode": "timed", "role": "ml-engineer", "level": "mid", "company": "google",
             "categories": ["coding"], "question_count": 3, "duration_minutes": 20},
            format="json",
        )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert {item["question"]["id"] for item in body["items"]} == {q.id for q in wanted}
    assert at(body["deadline"]) == NOW + timedelta(minutes=20)


def test_a_custom_practice_session_has_no_deadline(taxonomy, candidate_api):
    make(1)

    response = candidate_api.post(
        SESSIONS,
        {"mode": "practice", "role": "ml-engineer", "level": "mid", "question_count": 1},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["deadline"] is None
    assert InterviewSession.objects.get().deadline is None


def test_practice_on_one_question_starts_an_untimed_session_with_it(taxonomy, candidate_api):
    question = make(1, levels=["staff"])[0]

    response = candidate_api.post(SESSIONS, {"question": question.id}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mode"] == "practice" and body["deadline"] is None
    assert [item["question"]["id"] for item in body["items"]] == [question.id]


def test_practice_on_an_unpublished_question_is_refused(taxonomy, candidate_api):
    draft = make(1, status="draft")[0]

    response = candidate_api.post(SESSIONS, {"question": draft.id}, format="json")

    assert response.status_code == 400
    assert not InterviewSession.objects.exists()


def test_too_few_matching_questions_is_a_400_with_the_counts_and_what_to_widen(taxonomy, candidate_api):
    make(2, category_slug="coding", companies=["google"])
    make(3, category_slug="coding")
    make(4, category_slug="statistics", companies=["google"])

    response = candidate_api.post(
        SESSIONS,
        {"mode": "timed", "role": "ml-engineer", "level": "mid", "company": "google",
         "categories": ["coding"], "question_count": 4, "duration_minutes": 30},
        format="json",
    )  # fmt: skip

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "not_enough_questions"
    assert body["available"] == 2 and body["requested"] == 4
    assert "Only 2" in body["detail"]
    assert body["widen"] == [
        {"filters": ["company"], "available": 5},
        {"filters": ["categories"], "available": 6},
        {"filters": ["company", "categories"], "available": 9},
    ]
    assert not InterviewSession.objects.exists()
    assert not SessionItem.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"question_count": 0}, "question_count"),
        ({"question_count": 21}, "question_count"),
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 181}, "duration_minutes"),
        ({"duration_minutes": None}, "duration_minutes"),
        ({"mode": "exam"}, "mode"),
        ({"role": "astronaut"}, "role"),
        ({"level": None}, "level"),
        ({"categories": ["juggling"]}, "categories"),
    ],
)
def test_a_custom_session_with_bad_input_is_refused(taxonomy, candidate_api, change, field):
    make(3)
    data = {
        "mode": "timed",
        "role": "ml-engineer",
        "level": "mid",
        "question_count": 2,
        "duration_minutes": 30,
    }

    response = candidate_api.post(SESSIONS, {**data, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not InterviewSession.objects.exists()


def test_only_candidates_start_sessions(taxonomy, api_client, coach):
    make(1)
    api_client.force_authenticate(coach)

    response = api_client.post(
        SESSIONS,
        {"mode": "practice", "role": "ml-engineer", "level": "mid", "question_count": 1},
        format="json",
    )

    assert response.status_code == 403
    assert not InterviewSession.objects.exists()


def test_anonymous_callers_get_401(taxonomy, api_client):
    assert api_client.get(SESSIONS).status_code == 401
    assert api_client.post(SESSIONS, {}, format="json").status_code == 401


def test_client_sent_deadline_score_status_and_owner_are_ignored(
    taxonomy, candidate_api, candidate, other_candidate
):
    make(1)

    with time_machine.travel(NOW, tick=False):
        response = candidate_api.post(
            SESSIONS,
            {"mode": "timed", "role": "ml-engineer", "level": "mid", "question_count": 1,
             "duration_minutes": 10, "deadline": "2030-01-01T00:00:00Z",
             "started_at": "2020-01-01T00:00:00Z", "score": 100, "status": "reviewed",
             "candidate": other_candidate.id, "submitted_at": "2026-11-22T10:00:00Z"},
            format="json",
        )  # fmt: skip

    assert response.status_code == 201, response.content
    session = InterviewSession.objects.get()
    assert session.candidate == candidate
    assert session.started_at == NOW
    assert session.deadline == NOW + timedelta(minutes=10)
    assert session.score is None and session.submitted_at is None
    assert session.status == "in_progress"


def _start(candidate, *, count: int, categories=()):
    return session_start(
        candidate=candidate,
        mode="timed",
        role=JobRole.objects.get(slug="ml-engineer"),
        level=Level.objects.get(slug="mid"),
        categories=list(Category.objects.filter(slug__in=categories)),
        question_count=count,
        duration_minutes=30,
    )


def _question_ids(session) -> set[int]:
    return set(session.items.values_list("question_id", flat=True))


def test_questions_the_candidate_has_not_had_come_first(taxonomy, candidate):
    questions = make(10)
    first = _question_ids(_start(candidate, count=9))

    second = _question_ids(_start(candidate, count=1))

    assert second == {q.id for q in questions} - first


def test_when_every_question_was_seen_they_are_asked_again(taxonomy, candidate):
    make(2)
    first = _start(candidate, count=2)
    session_submit(session_id=first.pk, user=candidate, closed_by=InterviewSession.ClosedBy.CANDIDATE)

    assert len(_question_ids(_start(candidate, count=2))) == 2


def test_another_candidates_history_does_not_count_as_seen(taxonomy, candidate, other_candidate):
    questions = make(2)
    _start(other_candidate, count=2)
    mine = _question_ids(_start(candidate, count=1))
    # The unseen-first rule only applies to the candidate's own history: whatever was drawn, the
    # second draw for this candidate must be the other question.
    assert _question_ids(_start(candidate, count=1)) == {q.id for q in questions} - mine


def test_questions_are_spread_across_the_chosen_categories(taxonomy, candidate):
    make(5)
    make(5, category_slug="statistics")
    make(5, category_slug="coding")

    session = _start(candidate, count=4, categories=["ml-theory", "statistics"])

    counts = Counter(session.items.values_list("revision__content__category", flat=True))
    assert counts == {"ml-theory": 2, "statistics": 2}


def test_spread_still_prefers_unseen_questions_within_each_category(taxonomy, candidate):
    theory, stats = make(2), make(2, category_slug="statistics")
    first = _question_ids(_start(candidate, count=2, categories=["ml-theory", "statistics"]))

    second = _question_ids(_start(candidate, count=2, categories=["ml-theory", "statistics"]))

    assert second == {q.id for q in theory + stats} - first


def test_a_session_is_asked_from_the_latest_revision(taxonomy, candidate):
    question = make(1)[0]
    question.title = "Revised title"
    question.save()
    revision_record(question=question, user=None)

    item = _start(candidate, count=1).items.get()

    assert item.revision == question.revisions.order_by("-number").first()
    assert item.revision.content["title"] == "Revised title"


def test_a_question_without_a_revision_gets_one_when_first_asked(taxonomy, candidate):
    question = questions_bulk_create(1, roles=("ml-engineer",), levels=("mid",))[0]
    assert not QuestionRevision.objects.filter(question=question).exists()

    item = _start(candidate, count=1).items.get()

    assert item.revision.question == question
    assert item.revision.content["title"] == question.title


def test_editing_a_question_after_the_start_does_not_change_the_session(taxonomy, candidate_api):
    question = QuestionFactory(
        title="Original title",
        prompt="Original **prompt**",
        choices=[("Original right", True), ("Wrong", False)],
    )
    session_id = candidate_api.post(SESSIONS, {"question": question.id}, format="json").json()["id"]
    before = candidate_api.get(f"{SESSIONS}{session_id}/").json()

    question.title, question.prompt = "Edited title", "Edited prompt"
    question.save()
    Choice.objects.filter(question=question, position=1).update(text="Edited choice", is_correct=False)
    Choice.objects.filter(question=question, position=2).update(is_correct=True)
    revision_record(question=question, user=None)

    after = candidate_api.get(f"{SESSIONS}{session_id}/").json()
    asked = after["items"][0]["question"]
    assert asked["title"] == "Original title"
    assert asked["prompt"] == "Original **prompt**"
    assert "<strong>prompt</strong>" in asked["prompt_html"]
    assert [c["text"] for c in asked["choices"]] == ["Original right", "Wrong"]
    assert asked == before["items"][0]["question"]
    assert "Edited" not in str(after)


def test_the_session_list_shows_only_my_sessions_newest_first(
    taxonomy, candidate_api, candidate, other_candidate
):
    make(2)
    template = InterviewTemplateFactory(name="Meta E5 ML system design round, 45 min", question_count=1)
    with time_machine.travel(NOW, tick=False):
        older = _start(candidate, count=2)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        newer = candidate_api.post(SESSIONS, {"template": template.slug}, format="json").json()
    _start(other_candidate, count=1)

    response = candidate_api.get(SESSIONS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer["id"], older.id]
    assert body["results"][0]["title"] == "Meta E5 ML system design round, 45 min"
    assert body["results"][0]["question_count"] == 1
    assert body["results"][1]["question_count"] == 2
    assert body["results"][1]["status"] == "in_progress"
