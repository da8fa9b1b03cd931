"""The bank's list and detail, page and API, run a fixed number of SQL queries whatever the data.

Each count is asserted exactly, then shown to be the same for a small and a large bank (10 and 500
questions, each with several roles, levels, companies and topics) and for 2 and 5 choices. A list's
first request after a change to the bank reads the taxonomy index and counts; the next ones read both
from the cache.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from questions.models import Choice, Question
from tests.factories import QuestionFactory, questions_bulk_create

pytestmark = pytest.mark.django_db

TAGS = {
    "roles": ("ml-engineer", "applied-scientist", "data-scientist"),
    "levels": ("mid", "senior"),
    "companies": ("google", "meta", "amazon"),
    "topics": ("regularization", "transformers", "optimization"),
}
FILTERS = {
    "role": "ml-engineer,data-scientist",
    "level": "senior",
    "company": "google,meta",
    "topic": "transformers",
}

# Token + user; the page's rows, with their tags' ids.
API_LIST = 1 + 1
# After a change to the bank, also: the taxonomy index (categories, roles, levels, companies, topics)
# and the COUNT. Filters cost nothing more: their slugs are checked against the index.
API_LIST_AFTER_CHANGE = API_LIST + 5 + 1
# Session + user; the user's roles (the nav's "Review queue" link for coaches); the page's rows.
PAGE_LIST = 2 + 1 + 1
# After a change, also the taxonomy index (the form's choices, the filters' slugs, the tags' names)
# and the COUNT.
PAGE_LIST_AFTER_CHANGE = PAGE_LIST + 5 + 1
# Token + user; the question (category joined); roles, levels, companies, topics, choices.
API_DETAIL = 1 + 1 + 5
# Session + user; the question; roles, levels, companies, topics, choices; the user's roles (for
# the "Practice" button, which only candidates get).
PAGE_DETAIL = 2 + 1 + 5 + 1


@pytest.fixture
def token_api(candidate):
    """A client that signs in the way API clients do, so the count includes the token lookup."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=candidate).key}")
    return client


def queries(client, path: str, params: dict | None = None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content[:500]
    return len(context.captured_queries), response


def bank(count: int, prefix: str) -> None:
    questions_bulk_create(count, prefix=prefix, **TAGS)


# --- exact counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, FILTERS, {"q": "prompt"}], ids=["all", "filtered", "search"])
def test_the_list_api_runs_a_fixed_number_of_queries(token_api, taxonomy, params):
    bank(30, "q")

    first, response = queries(token_api, "/api/v1/questions/", params)
    again, response_again = queries(token_api, "/api/v1/questions/", params)

    assert (first, again) == (API_LIST_AFTER_CHANGE, API_LIST)
    assert response.json()["count"] == response_again.json()["count"] == 30
    assert response.json()["results"] == response_again.json()["results"]
    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("params", [{}, FILTERS, {"q": "prompt"}], ids=["all", "filtered", "search"])
def test_the_list_page_runs_a_fixed_number_of_queries(candidate_client, taxonomy, params):
    bank(30, "q")

    first, response = queries(candidate_client, "/questions/", params)
    again, _ = queries(candidate_client, "/questions/", params)

    assert (first, again) == (PAGE_LIST_AFTER_CHANGE, PAGE_LIST)
    assert "30 questions" in response.content.decode()
    assert response.content.decode().count("question-row") == 20


def test_the_detail_api_runs_a_fixed_number_of_queries(token_api, taxonomy, django_assert_num_queries):
    question = QuestionFactory(choices=[("a", True), ("b", False), ("c", False)], **TAGS)

    with django_assert_num_queries(API_DETAIL):
        response = token_api.get(f"/api/v1/questions/{question.id}/")

    assert len(response.json()["choices"]) == 3


def test_the_detail_page_runs_a_fixed_number_of_queries(
    candidate_client, taxonomy, django_assert_num_queries
):
    QuestionFactory(slug="detail", choices=[("a", True), ("b", False), ("c", False)], **TAGS)

    with django_assert_num_queries(PAGE_DETAIL):
        response = candidate_client.get("/questions/detail/")

    assert response.status_code == 200


# --- the counts do not grow with the data ----------------------------------------------------------


@pytest.mark.parametrize("params", [{}, FILTERS, {"page_size": 100}, {"q": "prompt"}])
def test_the_list_api_query_count_is_the_same_for_10_and_500_questions(token_api, taxonomy, params):
    bank(10, "small")
    small, small_response = queries(token_api, "/api/v1/questions/", params)
    bank(490, "large")
    large, large_response = queries(token_api, "/api/v1/questions/", params)

    assert (small_response.json()["count"], large_response.json()["count"]) == (10, 500)
    assert len(large_response.json()["results"]) > len(small_response.json()["results"])
    assert small == large == API_LIST_AFTER_CHANGE


@pytest.mark.parametrize("params", [{}, FILTERS, {"page": 3}, {"q": "prompt"}])
def test_the_list_page_query_count_is_the_same_for_10_and_500_questions(candidate_client, taxonomy, params):
    bank(10, "small")
    # Page 3 of a 10-question bank does not exist: measure page 1 there, page 3 of the large bank.
    small, small_response = queries(candidate_client, "/questions/", {**params, "page": 1})
    bank(490, "large")
    large, large_response = queries(candidate_client, "/questions/", params)

    assert "10 questions" in small_response.content.decode()
    assert "500 questions" in large_response.content.decode()
    assert large_response.content.decode().count("question-row") == 20
    assert small == large == PAGE_LIST_AFTER_CHANGE


def _with_choices(count: int) -> Question:
    question = QuestionFactory(choices=[(f"choice {n}", n == 0) for n in range(count)], **TAGS)
    assert Choice.objects.filter(question=question).count() == count
    return question


def test_the_detail_api_query_count_is_the_same_for_2_and_5_choices(token_api, taxonomy):
    two, five = _with_choices(2), _with_choices(5)

    small, small_response = queries(token_api, f"/api/v1/questions/{two.id}/")
    large, large_response = queries(token_api, f"/api/v1/questions/{five.id}/")

    assert (len(small_response.json()["choices"]), len(large_response.json()["choices"])) == (2, 5)
    assert small == large == API_DETAIL


def test_the_detail_page_query_count_is_the_same_for_2_and_5_choices(candidate_client, taxonomy):
    two, five = _with_choices(2), _with_choices(5)

    small, small_response = queries(candidate_client, f"/questions/{two.slug}/")
    large, large_response = queries(candidate_client, f"/questions/{five.slug}/")

    assert "choice 1" in small_response.content.decode() and "choice 4" not in small_response.content.decode()
    assert "choice 4" in large_response.content.decode()
    assert small == large == PAGE_DETAIL


def test_the_detail_page_query_count_is_the_same_with_one_or_many_tags(candidate_client, taxonomy):
    few = QuestionFactory(slug="few", roles=["ml-engineer"], levels=["mid"])
    many = QuestionFactory(
        slug="many",
        roles=["ml-engineer", "data-scientist", "applied-scientist", "nlp-engineer"],
        levels=["entry", "mid", "senior", "staff"],
        companies=["google", "meta", "amazon", "apple", "netflix"],
        topics=["a", "b", "c", "d"],
    )

    small, _ = queries(candidate_client, f"/questions/{few.slug}/")
    large, _ = queries(candidate_client, f"/questions/{many.slug}/")

    assert small == large == PAGE_DETAIL
