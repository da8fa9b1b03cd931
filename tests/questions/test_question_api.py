"""GET /api/v1/questions/ and /api/v1/questions/{id}/, and the curators' POST/PATCH."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from questions.models import Question, QuestionRevision, StatusChange
from tests.factories import QuestionFactory, category, questions_bulk_create

pytestmark = pytest.mark.django_db

LIST = "/api/v1/questions/"

# For each filter: factory arguments that give a question the value x, the value y or neither,
# and the slugs x and y. None of them is a QuestionFactory default, so "neither" really is neither.
FILTERS = {
    "role": (
        {"roles": ["research-scientist"]}, {"roles": ["data-scientist"]}, {"roles": ["nlp-engineer"]},
        "research-scientist", "data-scientist",
    ),
    "level": ({"levels": ["entry"]}, {"levels": ["senior"]}, {"levels": ["staff"]}, "entry", "senior"),
    "company": (
        {"companies": ["google"]}, {"companies": ["meta"]}, {"companies": ["apple"]}, "google", "meta",
    ),
    "category": (
        {"category": "coding"}, {"category": "statistics"}, {"category": "behavioral"},
        "coding", "statistics",
    ),
    "difficulty": ({"difficulty": "easy"}, {"difficulty": "hard"}, {"difficulty": "medium"}, "easy", "hard"),
    "kind": (
        {"kind": "code", "language": "python"}, {"choices": [("Yes", True), ("No", False)]},
        {"kind": "written"}, "code", "multiple_choice",
    ),
    "topic": (
        {"topics": ["regularization"]}, {"topics": ["transformers"]}, {"topics": ["bagging"]},
        "regularization", "transformers",
    ),
}  # fmt: skip


def make(**kwargs) -> Question:
    if isinstance(kwargs.get("category"), str):
        kwargs["category"] = category(kwargs["category"])
    return QuestionFactory(**kwargs)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def filter_bank(taxonomy):
    """Per filter: a published x, a published y, a published neither, and unpublished x's."""
    bank = {}
    for name, (x, y, neither, _, _) in FILTERS.items():
        bank[name] = {
            "x": make(title=f"{name} x", **x),
            "y": make(title=f"{name} y", **y),
            "neither": make(title=f"{name} neither", **neither),
            "hidden": [
                make(title=f"{name} x {status}", status=status, **x)
                for status in (Question.Status.DRAFT, Question.Status.IN_REVIEW, Question.Status.RETIRED)
            ],
        }
    return bank


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_returns_exactly_the_matching_published_questions(candidate_api, filter_bank, name):
    value_x = FILTERS[name][3]
    expected = {q.id for group in filter_bank.values() for q in (group["x"], group["y"], group["neither"])
                if _matches(q, name, [value_x])}  # fmt: skip

    response = candidate_api.get(LIST, {name: value_x, "page_size": 100})

    assert filter_bank[name]["x"].id in expected
    assert set(ids(response)) == expected
    assert response.json()["count"] == len(expected)
    assert not {q.id for q in filter_bank[name]["hidden"]} & set(ids(response))


@pytest.mark.parametrize("name", FILTERS)
def test_comma_separated_values_give_the_union(candidate_api, filter_bank, name):
    value_x, value_y = FILTERS[name][3:]
    expected = {q.id for group in filter_bank.values() for q in (group["x"], group["y"], group["neither"])
                if _matches(q, name, [value_x, value_y])}  # fmt: skip

    response = candidate_api.get(LIST, {name: f"{value_x},{value_y}", "page_size": 100})

    assert {filter_bank[name]["x"].id, filter_bank[name]["y"].id} <= expected
    assert filter_bank[name]["neither"].id not in expected
    assert set(ids(response)) == expected


def _matches(question: Question, name: str, values: list[str]) -> bool:
    question.refresh_from_db()
    if name in ("role", "level", "company", "topic"):
        related = {"role": "roles", "level": "levels", "company": "companies", "topic": "topics"}[name]
        return getattr(question, related).filter(slug__in=values).exists()
    if name == "category":
        return question.category.slug in values
    return getattr(question, name) in values


def test_combined_filters_intersect(candidate_api, taxonomy):
    both = make(roles=["data-scientist"], levels=["senior"], companies=["meta"], difficulty="hard")
    make(roles=["data-scientist"], levels=["entry"], companies=["meta"], difficulty="hard")
    make(roles=["ml-engineer"], levels=["senior"], companies=["meta"], difficulty="hard")
    make(roles=["data-scientist"], levels=["senior"], companies=["google"], difficulty="hard")
    make(roles=["data-scientist"], levels=["senior"], companies=["meta"], difficulty="easy")

    response = candidate_api.get(
        LIST, {"role": "data-scientist", "level": "senior", "company": "meta", "difficulty": "hard"}
    )

    assert ids(response) == [both.id]


def test_a_question_matching_several_slugs_is_listed_once(candidate_api, taxonomy):
    question = make(
        roles=["ml-engineer", "data-scientist"],
        levels=["mid", "senior"],
        companies=["google", "meta"],
        topics=["regularization", "transformers"],
    )

    response = candidate_api.get(
        LIST,
        {
            "role": "ml-engineer,data-scientist",
            "level": "mid,senior",
            "company": "google,meta",
            "topic": "regularization,transformers",
        },
    )

    assert ids(response) == [question.id]
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("role", ["ml-engineer", "data-scientist", "ai-product-manager"]),
        ("level", ["entry", "mid", "senior", "staff"]),
        ("company", ["google", "meta", "deepmind", "ibm"]),
        ("category", ["coding", "ml-coding", "ml-theory", "statistics", "ml-system-design", "behavioral"]),
        ("difficulty", ["easy", "medium", "hard"]),
        ("kind", ["written", "multiple_choice", "code"]),
        ("topic", ["regularization"]),
    ],
)
def test_an_unknown_filter_value_is_refused_with_the_allowed_values(candidate_api, taxonomy, name, allowed):
    make(topics=["regularization"])

    response = candidate_api.get(LIST, {name: "no-such-value"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [name]
    [message] = body["errors"][name]
    assert "no-such-value" in message
    for value in allowed:
        assert value in message


def test_one_unknown_value_among_known_ones_is_refused(candidate_api, taxonomy):
    response = candidate_api.get(LIST, {"company": "google,initech"})

    assert response.status_code == 400
    assert "initech" in response.json()["errors"]["company"][0]


def test_the_list_has_the_paginated_shape(candidate_api, taxonomy):
    question = make(
        title="Bias and variance",
        roles=["ml-engineer"],
        levels=["mid"],
        companies=["google"],
        topics=["regularization"],
        category="ml-theory",
        difficulty="easy",
    )

    body = candidate_api.get(LIST).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert body["results"] == [
        {
            "id": question.id,
            "slug": question.slug,
            "title": "Bias and variance",
            "kind": "written",
            "category": "ml-theory",
            "difficulty": "easy",
            "roles": ["ml-engineer"],
            "levels": ["mid"],
            "companies": ["google"],
            "topics": ["regularization"],
            "time_budget_seconds": question.time_budget_seconds,
        }
    ]


def test_pages_link_to_each_other(candidate_api, taxonomy):
    questions_bulk_create(25)

    first = candidate_api.get(LIST, {"page_size": 10}).json()
    last = candidate_api.get(LIST, {"page_size": 10, "page": 3}).json()

    assert first["count"] == 25
    assert len(first["results"]) == 10
    assert first["previous"] is None
    assert "page=2" in first["next"] and "page_size=10" in first["next"]
    assert len(last["results"]) == 5
    assert last["next"] is None
    assert "page=2" in last["previous"]


@pytest.mark.parametrize("page", ["4", "999", "0", "abc"])
def test_a_page_past_the_end_is_not_found(candidate_api, taxonomy, page):
    questions_bulk_create(25)

    response = candidate_api.get(LIST, {"page_size": 10, "page": page})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("page_size", ["101", "0", "abc", "-1", "1.5"])
def test_a_page_size_outside_1_to_100_is_refused(candidate_api, taxonomy, page_size):
    response = candidate_api.get(LIST, {"page_size": page_size})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert "100" in body["errors"]["page_size"][0]


def test_a_page_size_of_100_is_served(candidate_api, taxonomy):
    questions_bulk_create(101)

    body = candidate_api.get(LIST, {"page_size": 100}).json()

    assert body["count"] == 101
    assert len(body["results"]) == 100
    assert body["next"] is not None


def test_the_list_requires_sign_in(api_client, taxonomy):
    make()

    response = api_client.get(LIST)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_malformed_token_is_refused(api_client, taxonomy):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    response = api_client.get(LIST)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_from_the_token_endpoint_reads_the_list(api_client, candidate, password, taxonomy):
    question = make()
    token = api_client.post("/api/v1/auth/token/", {"email": candidate.email, "password": password}).json()[
        "token"
    ]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert ids(api_client.get(LIST)) == [question.id]


# --- detail ----------------------------------------------------------------------------------------


def test_the_detail_has_the_fields_of_the_spec(candidate_api, taxonomy):
    question = make(
        prompt="Explain **L2** regularization.",
        category="ml-theory",
        choices=[("Shrinks weights", True), ("Adds features", False)],
    )

    response = candidate_api.get(f"{LIST}{question.id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == question.id
    assert body["title"] == question.title
    assert body["prompt"] == "Explain **L2** regularization."
    assert "<strong>L2</strong>" in body["prompt_html"]
    choices = list(question.choices.order_by("position"))
    assert body["choices"] == [{"id": c.id, "text": c.text} for c in choices]
    default = category("ml-theory").default_rubric
    assert [c["key"] for c in body["rubric"]] == [c["key"] for c in default]
    for criterion, stored in zip(body["rubric"], default, strict=True):
        assert set(criterion) == {"key", "name", "description", "weight", "anchors"}
        assert criterion["name"] == stored["name"]
        assert criterion["weight"] == stored["weight"]
        assert [(a["score"], a["label"]) for a in criterion["anchors"]] == [
            (1, "Strong no hire"),
            (2, "Lean no hire"),
            (3, "Lean hire"),
            (4, "Strong hire"),
        ]


def test_a_question_with_its_own_rubric_serves_that_rubric(candidate_api, taxonomy):
    question = make(
        rubric=[
            {
                "key": "intuition",
                "name": "Intuition",
                "description": "Explains why.",
                "weight": 2,
                "anchors": {"1": "None", "2": "Some", "3": "Good", "4": "Deep"},
            }
        ]
    )

    rubric = candidate_api.get(f"{LIST}{question.id}/").json()["rubric"]

    assert rubric == [
        {
            "key": "intuition",
            "name": "Intuition",
            "description": "Explains why.",
            "weight": 2,
            "anchors": [
                {"score": 1, "label": "Strong no hire", "description": "None"},
                {"score": 2, "label": "Lean no hire", "description": "Some"},
                {"score": 3, "label": "Lean hire", "description": "Good"},
                {"score": 4, "label": "Strong hire", "description": "Deep"},
            ],
        }
    ]


@pytest.mark.parametrize("status", ["draft", "in_review", "retired"])
def test_an_unpublished_question_is_not_found(candidate_api, taxonomy, status):
    question = make(status=status, title="Unpublished title")

    response = candidate_api.get(f"{LIST}{question.id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Unpublished title" not in response.content.decode()


def test_a_missing_id_is_not_found(candidate_api, taxonomy):
    question = make()

    response = candidate_api.get(f"{LIST}{question.id + 1000}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_detail_requires_sign_in(api_client, taxonomy):
    question = make()

    response = api_client.get(f"{LIST}{question.id}/")

    assert response.status_code == 401
    assert question.title not in response.content.decode()


# --- never leak ------------------------------------------------------------------------------------

SECRETS = ("zanzibar-reference-answer", "quokka-explanation", "is_correct", "reference_answer", "explanation")


@pytest.fixture
def secret_questions(taxonomy):
    written = make(title="Written one", reference_answer="The zanzibar-reference-answer is here.")
    multiple = make(
        title="Choice one",
        reference_answer="Also zanzibar-reference-answer.",
        choices=[("Right answer", True), ("Wrong answer", False)],
    )
    Question.objects.filter(pk=multiple.pk).update(explanation="Because quokka-explanation.")
    draft = make(title="Draft zanzibar", status="draft")
    return written, multiple, draft


def test_the_list_never_shows_answers_explanations_or_drafts(candidate_api, secret_questions):
    written, multiple, draft = secret_questions

    response = candidate_api.get(LIST)

    assert set(ids(response)) == {written.id, multiple.id}
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text
    assert "Draft zanzibar" not in text


@pytest.mark.parametrize("which", [0, 1])
def test_the_detail_never_shows_the_answer_or_which_choice_is_correct(candidate_api, secret_questions, which):
    question = secret_questions[which]

    response = candidate_api.get(f"{LIST}{question.id}/")

    assert response.status_code == 200
    text = response.content.decode()
    assert question.title in text
    for secret in SECRETS:
        assert secret not in text
    for choice in response.json()["choices"]:
        assert set(choice) == {"id", "text"}


# --- curator writes --------------------------------------------------------------------------------


def new_question(**overrides) -> dict:
    return {
        "slug": "curated-question",
        "title": "Curated question",
        "kind": "written",
        "category": "ml-theory",
        "difficulty": "medium",
        "status": "published",
        "roles": ["ml-engineer"],
        "levels": ["mid"],
        "companies": ["google"],
        "topics": ["regularization"],
        "prompt": "Explain dropout.",
        "reference_answer": "Randomly zeroes activations.",
        **overrides,
    }


def test_a_curator_creates_a_question(curator_api, curator, taxonomy):
    response = curator_api.post(LIST, new_question(), format="json")

    assert response.status_code == 201, response.content
    question = Question.objects.get(slug="curated-question")
    assert response.json()["id"] == question.id
    assert question.title == "Curated question"
    assert question.author == curator
    assert [r.slug for r in question.roles.all()] == ["ml-engineer"]
    assert question.revisions.count() == 1


def test_a_candidate_cannot_create_a_question(candidate_api, taxonomy):
    response = candidate_api.post(LIST, new_question(), format="json")

    assert response.status_code == 403
    assert not Question.objects.exists()


def test_a_question_with_an_unknown_role_is_refused_and_nothing_is_created(curator_api, taxonomy):
    response = curator_api.post(LIST, new_question(roles=["ml-engineer", "wizard"]), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any("unknown roles: wizard" in error for error in body["errors"])
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("rubric", "problem"),
    [
        ([{"key": "Bad Key", "name": "Depth", "weight": 1}], "snake_case"),
        ([{"key": "depth", "name": "Depth", "weight": 0}], "weight"),
        ([{"key": "depth", "name": "Depth", "anchors": {"1": "a", "2": "b"}}], "anchors"),
        ([{"key": "depth", "name": "Depth"}, {"key": "depth", "name": "Again"}], "repeats the key"),
        ([{"key": "depth", "name": "Depth", "colour": "red"}], "unknown fields: colour"),
    ],
)
def test_a_question_with_an_invalid_rubric_is_refused_and_nothing_is_created(
    curator_api, taxonomy, rubric, problem
):
    response = curator_api.post(LIST, new_question(rubric=rubric), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any("rubric" in error and problem in error for error in body["errors"]), body
    assert not Question.objects.exists()
    assert not QuestionRevision.objects.exists()


def test_a_duplicate_slug_is_a_conflict_and_changes_nothing(curator_api, taxonomy):
    existing = make(slug="curated-question", title="The original")

    response = curator_api.post(LIST, new_question(title="The copy"), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "curated-question" in response.json()["detail"]
    existing.refresh_from_db()
    assert existing.title == "The original"
    assert Question.objects.count() == 1


def test_patch_changes_the_title_and_records_a_revision(curator_api, curator, taxonomy):
    question = make(title="Old title", companies=["google"])
    before = list(question.revisions.values_list("number", flat=True))

    response = curator_api.patch(f"{LIST}{question.id}/", {"title": "New title"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "New title"
    question.refresh_from_db()
    assert question.title == "New title"
    assert [c.slug for c in question.companies.all()] == ["google"]  # fields not sent are kept
    revisions = list(QuestionRevision.objects.filter(question=question).order_by("number"))
    assert [r.number for r in revisions] == [*before, len(before) + 1]
    assert revisions[-1].content["title"] == "New title"
    assert revisions[-1].created_by == curator
    assert revisions[-2].content["title"] == "Old title"


def test_patch_with_an_unknown_role_changes_nothing(curator_api, taxonomy):
    question = make(title="Old title")
    revisions = question.revisions.count()

    response = curator_api.patch(
        f"{LIST}{question.id}/", {"title": "New title", "roles": ["wizard"]}, format="json"
    )

    assert response.status_code == 400
    question.refresh_from_db()
    assert question.title == "Old title"
    assert question.revisions.count() == revisions


ALLOWED = "draft, in_review, published, retired."


def test_patch_moves_the_status_only_along_the_workflow(curator_api, curator, taxonomy):
    question = make(title="Old title")  # published
    url = f"{LIST}{question.id}/"

    back = curator_api.patch(url, {"title": "New title", "status": "in_review"}, format="json")
    unknown = curator_api.patch(url, {"status": "deleted"}, format="json")

    assert (back.status_code, back.json()["code"]) == (400, "invalid_transition")
    assert (unknown.status_code, unknown.json()["errors"]["status"]) == (400, ["Allowed: " + ALLOWED])
    question.refresh_from_db()
    assert (question.status, question.title) == ("published", "Old title")  # nothing of it was saved

    retired = curator_api.patch(url, {"status": "retired"}, format="json")

    assert (retired.status_code, retired.json()["status"]) == (200, "retired")
    change = StatusChange.objects.filter(question=question).latest("pk")
    assert (change.from_status, change.to_status, change.changed_by) == ("published", "retired", curator)


def test_a_candidate_cannot_patch_a_question(candidate_api, taxonomy):
    question = make(title="Old title")

    response = candidate_api.patch(f"{LIST}{question.id}/", {"title": "New title"}, format="json")

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.title == "Old title"


def test_an_anonymous_client_cannot_write(taxonomy):
    response = APIClient().post(LIST, new_question(), format="json")

    assert response.status_code == 401
    assert not Question.objects.exists()
