"""The candidate's pages: /questions/ (browse, filter, paginate) and /questions/<slug>/."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from questions.models import Question
from tests.factories import QuestionFactory, category, questions_bulk_create

pytestmark = pytest.mark.django_db

LIST = "/questions/"


def titles(response) -> list[str]:
    """The question titles listed on a bank page, in order."""
    assert response.status_code == 200
    return [
        unescape(title)
        for title in re.findall(
            r'class="[^"]*question-row[^"]*"[^>]*>.*?<strong>(.*?)</strong>', _html(response), re.S
        )
    ]


def result_count(response) -> str:
    match = re.search(r'id="result-count">(.*?)<', _html(response))
    assert match, "the page shows no result count"
    return match.group(1).strip()


def _html(response) -> str:
    return response.content.decode()


# --- sign-in ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, "/questions/some-question/"])
def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, taxonomy, path):
    QuestionFactory(slug="some-question", title="Hidden from visitors")

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "Hidden from visitors" not in _html(response)


# --- filters ---------------------------------------------------------------------------------------


@pytest.fixture
def small_bank(taxonomy):
    return {
        "google-senior": QuestionFactory(title="Google senior", companies=["google"], levels=["senior"]),
        "google-mid": QuestionFactory(title="Google mid", companies=["google"], levels=["mid"]),
        "meta-senior": QuestionFactory(title="Meta senior", companies=["meta"], levels=["senior"]),
        "stats-hard": QuestionFactory(
            title="Hard statistics", category=category("statistics"), difficulty="hard", topics=["ab-testing"]
        ),
        "mc": QuestionFactory(title="A choice", choices=[("Yes", True), ("No", False)]),
        "draft": QuestionFactory(title="Google senior draft", companies=["google"], levels=["senior"],
                                 status=Question.Status.DRAFT),
    }  # fmt: skip


def test_the_bank_lists_published_questions_with_their_count(candidate_client, small_bank):
    response = candidate_client.get(LIST)

    assert sorted(titles(response)) == sorted(
        ["Google senior", "Google mid", "Meta senior", "Hard statistics", "A choice"]
    )
    assert result_count(response) == "5 questions"
    assert "Google senior draft" not in _html(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"company": "google"}, ["Google mid", "Google senior"]),
        ({"company": "google", "level": "senior"}, ["Google senior"]),
        ({"level": "senior"}, ["Google senior", "Meta senior"]),
        ({"category": "statistics"}, ["Hard statistics"]),
        ({"difficulty": "hard"}, ["Hard statistics"]),
        ({"kind": "multiple_choice"}, ["A choice"]),
        ({"topic": "ab-testing"}, ["Hard statistics"]),
        ({"role": "ml-engineer", "company": "meta"}, ["Meta senior"]),
        ({"company": "google,meta", "level": "senior"}, ["Google senior", "Meta senior"]),
        ({"company": "google", "level": "senior", "role": "", "q": ""}, ["Google senior"]),
    ],
)
def test_the_filter_form_narrows_the_list_and_shows_the_count(candidate_client, small_bank, query, expected):
    response = candidate_client.get(LIST, query)

    assert sorted(titles(response)) == expected
    count = len(expected)
    assert result_count(response) == f"{count} question{'s' if count != 1 else ''}"


def test_the_form_keeps_the_chosen_filters_selected(candidate_client, small_bank):
    response = candidate_client.get(LIST, {"company": "google", "difficulty": "medium"})

    html = _html(response)
    assert re.search(r'<option value="google"\s*selected>', html)
    assert re.search(r'<option value="medium"\s*selected>', html)


def test_a_filter_that_matches_nothing_says_so(candidate_client, small_bank):
    response = candidate_client.get(LIST, {"company": "netflix"})

    assert titles(response) == []
    assert result_count(response) == "0 questions"
    assert "No question matches these filters" in _html(response)


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("company", ["google", "meta", "netflix", "deepmind"]),
        ("level", ["entry", "mid", "senior", "staff"]),
        ("difficulty", ["easy", "medium", "hard"]),
        ("kind", ["written", "multiple_choice", "code"]),
        ("role", ["ml-engineer", "research-scientist"]),
    ],
)
def test_an_unknown_filter_value_gives_a_400_page_naming_the_allowed_values(
    candidate_client, small_bank, name, allowed
):
    response = candidate_client.get(LIST, {name: "initech"})

    assert response.status_code == 400
    html = unescape(_html(response))
    assert "These filters could not be applied" in html
    assert "initech" in html
    for value in allowed:
        assert value in html
    assert "Google senior" not in html  # no list of results beside the error


# --- pagination ------------------------------------------------------------------------------------


@pytest.fixture
def big_bank(taxonomy):
    questions_bulk_create(45, prefix="paged")  # titles "Paged question 0000" … "0044"
    questions_bulk_create(3, prefix="other", companies=("netflix",))


def test_pages_of_twenty_link_to_each_other(candidate_client, big_bank):
    first = candidate_client.get(LIST, {"company": "google"})
    second = candidate_client.get(LIST, {"company": "google", "page": 2})
    third = candidate_client.get(LIST, {"company": "google", "page": 3})

    assert titles(first) == [f"Paged question {n:04d}" for n in range(20)]
    assert titles(second) == [f"Paged question {n:04d}" for n in range(20, 40)]
    assert titles(third) == [f"Paged question {n:04d}" for n in range(40, 45)]
    assert result_count(first) == "45 questions"
    assert "Page 1 of 3" in _html(first)
    # The links keep the filters and move one page.
    assert 'href="?company=google&amp;page=2">Next' in _html(first)
    assert "Previous" not in _html(first)
    assert 'href="?company=google&amp;page=1">Previous' in _html(second)
    assert 'href="?company=google&amp;page=3">Next' in _html(second)
    assert ">Next<" not in _html(third)


@pytest.mark.parametrize("page", ["4", "1000", "0", "abc"])
def test_a_page_past_the_end_is_not_found(candidate_client, big_bank, page):
    response = candidate_client.get(LIST, {"company": "google", "page": page})

    assert response.status_code == 404


def test_one_page_of_results_has_no_pagination(candidate_client, small_bank):
    response = candidate_client.get(LIST)

    assert 'aria-label="Pages"' not in _html(response)


# --- detail ----------------------------------------------------------------------------------------

PROMPT = """\
Implement **logistic regression** with an [L2 penalty](https://example.com/l2).

```python
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
```

- mind numerical stability
- vectorise
"""


def test_the_detail_page_renders_the_question(candidate_client, taxonomy):
    question = QuestionFactory(
        slug="logistic-regression",
        title="Logistic regression from scratch",
        prompt=PROMPT,
        category=category("ml-coding"),
        difficulty="hard",
        kind="code",
        language="python",
        levels=["senior", "staff"],
        companies=["google", "openai"],
        roles=["ml-engineer", "applied-scientist"],
        topics=["regularization", "optimization"],
        time_budget_seconds=25 * 60,
        provenance="In the style of a Google ML coding round",
    )

    response = candidate_client.get("/questions/logistic-regression/")

    assert response.status_code == 200
    html = _html(response)
    assert '<h1 class="h3">Logistic regression from scratch</h1>' in html
    # Markdown rendered, code highlighted by Pygments.
    assert "<strong>logistic regression</strong>" in html
    assert "<li>mind numerical stability</li>" in html
    assert re.search(r'<a href="https://example.com/l2"[^>]*>L2 penalty</a>', html)
    assert re.search(r'<div class="highlight">\s*<pre>', html)
    assert '<span class="k">def</span>' in html
    assert "```" not in html
    # Tags and suggested time.
    for tag in ("ML coding", "Hard", "Code", "Senior", "Staff", "Google", "OpenAI", "ML Engineer",
                "Applied Scientist", "regularization", "optimization"):  # fmt: skip
        assert tag in html, tag
    assert "25 minutes" in html
    assert "In the style of a Google ML coding round" in html
    # The rubric's criteria names (the category's default rubric).
    for criterion in question.effective_rubric:
        assert unescape(criterion["name"]) in unescape(html)
    assert "Strong hire" in html


def test_the_detail_page_shows_the_question_own_rubric(candidate_client, taxonomy):
    QuestionFactory(
        slug="own-rubric",
        rubric=[{"key": "clarity_of_thought", "name": "Clarity of thought", "description": "Reasons aloud."}],
    )

    html = _html(candidate_client.get("/questions/own-rubric/"))

    assert "Clarity of thought" in html
    assert "Reasons aloud." in html


def test_the_detail_page_links_topics_to_the_filtered_list(candidate_client, taxonomy):
    QuestionFactory(slug="tagged", topics=["transformers"])

    html = _html(candidate_client.get("/questions/tagged/"))

    assert 'href="/questions/?topic=transformers"' in html


@pytest.mark.parametrize("status", ["draft", "in_review", "retired"])
def test_an_unpublished_question_page_is_not_found(candidate_client, taxonomy, status):
    QuestionFactory(slug="not-yet", title="Not yet published", status=status)

    response = candidate_client.get("/questions/not-yet/")

    assert response.status_code == 404
    assert "Not yet published" not in _html(response)


def test_a_missing_question_page_is_not_found(candidate_client, taxonomy):
    response = candidate_client.get("/questions/no-such-question/")

    assert response.status_code == 404


# --- never leak ------------------------------------------------------------------------------------


@pytest.fixture
def secret_questions(taxonomy):
    written = QuestionFactory(
        slug="written", title="Written one", reference_answer="The zanzibar-reference-answer is here."
    )
    multiple = QuestionFactory(
        slug="multiple",
        title="Choice one",
        choices=[("Right answer", True), ("Wrong answer", False), ("Also wrong", False)],
    )
    Question.objects.filter(pk=multiple.pk).update(explanation="Because quokka-explanation.")
    return written, multiple


def test_the_list_page_never_shows_answers_or_explanations(candidate_client, secret_questions):
    html = _html(candidate_client.get(LIST))

    assert "Written one" in html and "Choice one" in html
    assert "zanzibar-reference-answer" not in html
    assert "quokka-explanation" not in html


def test_the_detail_page_never_shows_the_reference_answer(candidate_client, secret_questions):
    html = _html(candidate_client.get("/questions/written/"))

    assert "Written one" in html
    assert "zanzibar-reference-answer" not in html


def test_the_detail_page_never_shows_which_choice_is_correct(candidate_client, secret_questions):
    html = _html(candidate_client.get("/questions/multiple/"))

    choices = re.findall(r"<li>(Right answer|Wrong answer|Also wrong)</li>", html)
    assert choices == ["Right answer", "Wrong answer", "Also wrong"]
    # Each choice is rendered the same way: nothing marks the right one.
    right = re.search(r"<li[^>]*>Right answer", html).group(0)
    wrong = re.search(r"<li[^>]*>Wrong answer", html).group(0)
    assert right.replace("Right", "") == wrong.replace("Wrong", "")
    assert "quokka-explanation" not in html
    assert "is_correct" not in html
    assert "correct" not in html.lower().replace("incorrect", "")
