"""The demo candidate's first visit: log in, narrow the bank down, search, open a question."""

from __future__ import annotations

import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q

from interviewnode.management.commands.seed_demo import DEMO_PASSWORD
from questions.models import Company, Level, Question

pytestmark = pytest.mark.browser

COMPANY, LEVEL, TERM = "meta", "senior", "calibration"
# Bootstrap's .bg-dark: if the stylesheet did not load, the navbar has no background at all.
BOOTSTRAP_DARK = "rgb(33, 37, 41)"


def _count_on_page(page) -> int:
    return int(re.match(r"(\d+) question", page.locator("#result-count").inner_text()).group(1))


def _plain_fragments(markdown: str) -> list[str]:
    """Runs of plain words long enough to be unmistakable, which render verbatim whatever the markup."""
    return [run.strip() for run in re.findall(r"[A-Za-z ,]{40,}", markdown)]


def _expected_titles() -> set[str]:
    """The bank's answer, read straight from the rows (not through the filters under test)."""
    questions = Question.objects.filter(
        status=Question.Status.PUBLISHED, companies__slug=COMPANY, levels__slug=LEVEL
    )
    if connection.vendor == "postgresql":
        questions = questions.filter(search_vector=SearchQuery(TERM, config="english"))
    else:
        questions = questions.filter(Q(title__icontains=TERM) | Q(prompt__icontains=TERM))
    return set(questions.values_list("title", flat=True).distinct())


def test_demo_candidate_filters_searches_and_opens_a_question(demo_site, page, screenshot_dir):
    company = Company.objects.get(slug=COMPANY).name
    level = Level.objects.get(slug=LEVEL).name
    static = {}  # file name → HTTP status of every static file the pages loaded

    def record(response):
        if "/static/" in response.url:
            static[response.url.rsplit("/", 1)[-1]] = response.status

    page.on("response", record)

    page.goto("/accounts/login/")
    assert static.get("bootstrap.min.css") == 200
    assert static.get("app.js") == 200
    assert page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor") == BOOTSTRAP_DARK

    page.fill("input[name=login]", "candidate@example.com")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/questions/")
    assert page.locator("nav").get_by_text("candidate@example.com").is_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Question bank").click()
    assert page.get_by_role("heading", name="Question bank").is_visible()
    everything = _count_on_page(page)
    # Titles in the body colour, not Bootstrap's grey for action rows (the same rgb as .bg-dark).
    title = page.locator(".question-row strong").first
    assert title.evaluate("e => getComputedStyle(e).color") == BOOTSTRAP_DARK

    # The selects submit the form on change (static/dist/app.js); no button is pressed.
    with page.expect_navigation():
        page.select_option("#company", COMPANY)
    assert f"company={COMPANY}" in page.url
    at_company = _count_on_page(page)

    with page.expect_navigation():
        page.select_option("#level", LEVEL)
    assert f"level={LEVEL}" in page.url and f"company={COMPANY}" in page.url
    assert page.locator("#company").input_value() == COMPANY
    at_company_and_level = _count_on_page(page)

    page.fill("#q", TERM)
    with page.expect_navigation():
        page.press("#q", "Enter")
    assert f"q={TERM}" in page.url

    expected = _expected_titles()
    rows = page.locator(".question-row")
    shown = [rows.nth(i).locator("strong").inner_text() for i in range(rows.count())]
    assert _count_on_page(page) == len(expected)
    assert set(shown) == expected
    assert everything > at_company > at_company_and_level > len(expected) >= 1
    for i in range(rows.count()):
        tags = rows.nth(i).locator(".tag").all_inner_texts()
        assert company in tags and level in tags
    page.screenshot(path=screenshot_dir / "candidate_browse_results.png", full_page=True)

    title = shown[0]
    with page.expect_navigation():
        rows.first.click()
    question = Question.objects.select_related("category").get(title=title)

    assert page.get_by_role("heading", level=1).inner_text() == title
    prompt = page.locator("#prompt").inner_text()
    assert _plain_fragments(question.prompt)
    assert all(fragment in prompt for fragment in _plain_fragments(question.prompt))
    tags = page.locator("article .tag").all_inner_texts()
    assert {question.category.name, question.get_difficulty_display(), company, level} <= set(tags)
    suggested = page.locator("dt:has-text('Suggested time') + dd").inner_text()
    assert suggested == f"{question.time_minutes} minutes"
    rubric = page.locator("#rubric")
    assert rubric.get_by_role("heading", name="How answers are scored").is_visible()
    for criterion in question.effective_rubric:
        assert criterion["name"] in rubric.inner_text()

    body = page.locator("body").inner_text()
    secrets = _plain_fragments(question.reference_answer)
    assert secrets, "the reference answer should have text this check can look for"
    assert not [fragment for fragment in secrets if fragment in body]

    page.screenshot(path=screenshot_dir / "candidate_browse_question.png", full_page=True)
