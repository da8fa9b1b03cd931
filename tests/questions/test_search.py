"""Full-text search (``q``) on PostgreSQL: stemming, ranking, websearch syntax and the stored vector.

These tests need PostgreSQL. On any other database they fail with a message instead of skipping:
a suite that silently skips its search tests would say the search works when nothing checked it.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection

from questions.models import Question
from tests.factories import QuestionFactory, category

pytestmark = pytest.mark.django_db

LIST = "/api/v1/questions/"


@pytest.fixture(autouse=True)
def _requires_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.fail(
            f"The search tests need PostgreSQL but the database is {connection.vendor}: "
            "set DATABASE_URL=postgres://… (see the README's test command).",
            pytrace=False,
        )


def search(api, text: str, **filters) -> list[str]:
    response = api.get(LIST, {"q": text, "page_size": 100, **filters})
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_search_matches_titles_and_prompts(candidate_api, taxonomy):
    QuestionFactory(title="Dropout in deep networks", prompt="Explain the idea.")
    QuestionFactory(title="A question about nets", prompt="When does dropout hurt a small network?")
    QuestionFactory(title="Batch normalisation", prompt="Why does it speed up training?")

    assert sorted(search(candidate_api, "dropout")) == ["A question about nets", "Dropout in deep networks"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("regularize", "L2 regularization"),
        ("regularized", "L2 regularization"),
        ("boosted", "Gradient boosting"),
        ("trees", "Gradient boosting"),  # in the prompt: "tree"
        ("Regularization", "L2 regularization"),
    ],
)
def test_search_matches_other_forms_of_a_word(candidate_api, taxonomy, query, title):
    QuestionFactory(title="L2 regularization", prompt="What does the penalty do to the weights?")
    QuestionFactory(title="Gradient boosting", prompt="How does each tree correct the last one?")
    QuestionFactory(title="Unrelated", prompt="Explain the bias of an estimator.")

    assert search(candidate_api, query) == [title]


def test_a_title_match_ranks_above_a_prompt_only_match(candidate_api, taxonomy):
    # Alphabetical order (the list's default) would put the prompt-only match first.
    QuestionFactory(title="Aaa ensembles", prompt="Compare bagging with boosting.")
    QuestionFactory(title="Zzz boosting explained", prompt="Walk through the algorithm.")

    assert search(candidate_api, "boosting") == ["Zzz boosting explained", "Aaa ensembles"]


def test_a_word_with_a_minus_excludes_questions_that_contain_it(candidate_api, taxonomy):
    QuestionFactory(title="Gradient boosting", prompt="Compare with XGBoost.")
    QuestionFactory(title="Boosting from scratch", prompt="Implement AdaBoost.")

    assert search(candidate_api, "boosting -xgboost") == ["Boosting from scratch"]


def test_a_quoted_phrase_matches_only_those_words_in_that_order(candidate_api, taxonomy):
    QuestionFactory(title="Gradient boosting machines", prompt="Explain them.")
    QuestionFactory(title="Boosting and the gradient", prompt="How are they related?")
    QuestionFactory(title="Gradient descent", prompt="Why does boosting not use it directly?")

    assert sorted(search(candidate_api, "gradient boosting")) == [
        "Boosting and the gradient",
        "Gradient boosting machines",
        "Gradient descent",
    ]
    assert search(candidate_api, '"gradient boosting"') == ["Gradient boosting machines"]


def test_all_words_must_match(candidate_api, taxonomy):
    QuestionFactory(title="Attention in transformers", prompt="Explain self-attention.")
    QuestionFactory(title="Transformers for vision", prompt="Explain patches.")

    assert search(candidate_api, "transformer attention") == ["Attention in transformers"]


def test_an_unbalanced_or_odd_query_is_not_an_error(candidate_api, taxonomy):
    QuestionFactory(title="Precision and recall")

    for text in ['"precision', "-", "recall OR", "&|!():*", "'"]:
        response = candidate_api.get(LIST, {"q": text})
        assert response.status_code == 200, text


def test_search_combines_with_filters(candidate_api, taxonomy):
    QuestionFactory(title="Bias and variance", companies=["google"])
    QuestionFactory(title="Bias in data", companies=["meta"])
    QuestionFactory(title="Variance of estimators", companies=["google"], category=category("statistics"))

    assert search(candidate_api, "bias", company="google") == ["Bias and variance"]
    assert search(candidate_api, "variance", category="statistics") == ["Variance of estimators"]


def test_the_search_vector_follows_an_edit_of_the_title(candidate_api, taxonomy):
    question = QuestionFactory(title="Precision at k", prompt="Define it.")
    assert search(candidate_api, "precision") == ["Precision at k"]

    question.title = "Calibration of classifiers"
    question.save()

    assert search(candidate_api, "precision") == []
    assert search(candidate_api, "calibrated") == ["Calibration of classifiers"]


def test_the_search_vector_follows_a_bulk_update_of_the_title_and_prompt(candidate_api, taxonomy):
    question = QuestionFactory(title="Precision at k", prompt="Define it.")

    Question.objects.filter(pk=question.pk).update(title="Recall at k", prompt="Relate it to embeddings.")

    assert search(candidate_api, "precision") == []
    assert search(candidate_api, "recall") == ["Recall at k"]
    assert search(candidate_api, "embedding") == ["Recall at k"]


def test_an_edit_through_the_curator_api_is_searchable(curator_api, candidate_api, taxonomy):
    question = QuestionFactory(title="Precision at k")

    response = curator_api.patch(f"{LIST}{question.id}/", {"title": "Mean reciprocal rank"}, format="json")

    assert response.status_code == 200
    assert search(candidate_api, "reciprocal") == ["Mean reciprocal rank"]
    assert search(candidate_api, "precision") == []


def test_search_never_finds_a_word_only_in_a_reference_answer(candidate_api, taxonomy):
    QuestionFactory(
        title="Dropout", prompt="Explain dropout.", reference_answer="It is like a kangaroo ensemble."
    )
    mc = QuestionFactory(title="Pick one", choices=[("Yes", True), ("No", False)])
    Question.objects.filter(pk=mc.pk).update(explanation="Because of the kangaroo.")

    assert search(candidate_api, "kangaroo") == []
    assert search(candidate_api, "dropout") == ["Dropout"]


def test_search_never_finds_an_unpublished_question(candidate_api, taxonomy):
    QuestionFactory(title="Published quantization")
    for status in ("draft", "in_review", "retired"):
        QuestionFactory(title=f"Quantization {status}", status=status)

    assert search(candidate_api, "quantization") == ["Published quantization"]


# --- the page's search box -------------------------------------------------------------------------


def page_titles(client, **params) -> list[str]:
    response = client.get("/questions/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return [unescape(t) for t in re.findall(r"question-row[^>]*>.*?<strong>(.*?)</strong>", html, re.S)]


def test_the_search_box_on_the_page_searches_with_stemming_and_ranking(candidate_client, taxonomy):
    QuestionFactory(title="Aaa ensembles", prompt="Compare bagging with boosting.")
    QuestionFactory(title="Zzz boosting explained", prompt="Walk through it.")
    QuestionFactory(title="Unrelated", prompt="Nothing here.")

    assert page_titles(candidate_client, q="boosted") == ["Zzz boosting explained", "Aaa ensembles"]


def test_the_page_search_never_finds_a_reference_answer_or_a_draft(candidate_client, taxonomy):
    QuestionFactory(title="Dropout", reference_answer="It is like a kangaroo ensemble.")
    QuestionFactory(title="Kangaroo draft", status="draft")

    response = candidate_client.get("/questions/", {"q": "kangaroo"})

    assert page_titles(candidate_client, q="kangaroo") == []
    assert "0 questions" in response.content.decode()
