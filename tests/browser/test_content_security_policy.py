"""Every key page works in Chromium under the Content-Security-Policy, and the policy refuses nothing.

The ``page`` fixture (conftest.py) fails any test during which Chromium reported a violation, so each
test here loads a page, checks that what its script does still happens, and leaves the rest to it.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from questions.models import Question
from reviews import services
from tests.factories import QuestionFactory, coach_slot, interview_session, submitted_session

pytestmark = pytest.mark.browser


def _log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def _open(page, path: str):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    return response


@pytest.fixture
def questions(taxonomy):
    written = QuestionFactory(
        title="Explain dropout",
        slug="explain-dropout",
        prompt="Why does **dropout** help?\n\n```python\nmodel.train()\n```",
    )
    code = QuestionFactory(
        title="Sum the first ten integers",
        kind=Question.Kind.CODE,
        language="python",
        starter_code="# write your solution here",
    )
    return [written, code]


def test_the_public_pages(page, live_server, taxonomy):
    _open(page, "/")
    expect(page.locator("nav")).to_contain_text("InterviewNode")
    _open(page, "/accounts/login/")
    expect(page.locator("form input[type=password]")).to_be_visible()
    _open(page, "/accounts/signup/")
    expect(page.locator("form input[type=password]").first).to_be_visible()


def test_the_bank_and_a_question_page(page, live_server, candidate, questions):
    _log_in(page, live_server, candidate)

    _open(page, "/questions/")
    expect(page.get_by_text("Explain dropout")).to_be_visible()
    _open(page, "/questions/explain-dropout/")
    expect(page.locator("#prompt strong")).to_have_text("dropout")
    # The highlighted code is styled by the static stylesheet: Pygments' colours apply.
    expect(page.locator("#prompt .highlight")).to_be_visible()


def test_the_session_page_with_a_code_editor(page, live_server, candidate, questions):
    session = interview_session(candidate, questions, mode="practice")
    _log_in(page, live_server, candidate)

    _open(page, f"/interviews/{session.pk}/")
    page.locator("[data-question-link='2']").click()
    editor = page.locator("[data-question-panel='2'] .cm-editor")
    expect(editor).to_be_visible()
    # CodeMirror's own styles were let in by the nonce: its gutter sits beside the text, not above.
    gutter_box = editor.locator(".cm-gutters").bounding_box()
    content_box = editor.locator(".cm-content").bounding_box()
    assert gutter_box["x"] + gutter_box["width"] <= content_box["x"] + 1
    editor.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nanswer = sum(range(10))")
    expect(editor.locator(".cm-content")).to_contain_text("answer = sum(range(10))")
    expect(page.locator("[data-question-panel='2'] [data-save-status]")).to_have_text(
        re.compile(r"^Saved"), timeout=10_000
    )
    session.items.get(position=2).answer.refresh_from_db()
    assert "answer = sum(range(10))" in session.items.get(position=2).answer.content


def test_the_results_and_review_pages(page, live_server, candidate, coach, questions):
    session = submitted_session(candidate, questions, answers={1: "Dropout **zeroes** units.", 2: "x = 1"})
    _log_in(page, live_server, candidate)
    _open(page, f"/interviews/{session.pk}/results/")
    expect(page.locator("#question-1")).to_contain_text("zeroes")

    services.review_claim(coach=coach, session_id=session.pk)
    page.context.clear_cookies()
    _log_in(page, live_server, coach)
    _open(page, f"/reviews/{session.pk}/")
    expect(page.locator("#question-1")).to_contain_text("zeroes")
    _open(page, "/reviews/")


def test_the_coach_directory(page, live_server, candidate, coach):
    coach_slot(coach)
    _log_in(page, live_server, candidate)

    _open(page, "/coaches/")
    expect(page.locator("main form").first).to_be_visible()


def test_the_api_docs(page, live_server, candidate):
    _log_in(page, live_server, candidate)

    _open(page, "/api/docs/")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.locator(".swagger-ui .opblock").count() > 10
    # The operations open, with the schema Swagger UI fetched from this site.
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()


def test_the_admin(page, live_server, admin_user, questions):
    _log_in(page, live_server, admin_user)

    _open(page, "/admin/")
    _open(page, "/admin/questions/question/")
    expect(page.locator("#result_list")).to_contain_text("Explain dropout")


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("candidate", ["/interviews/", "/interviews/new/", "/bookings/", "/profile/"]),
        ("coach", ["/coach/slots/", "/coach/profile/", "/reviews/"]),
    ],
)
def test_the_other_pages(page, live_server, request, taxonomy, role, paths):
    _log_in(page, live_server, request.getfixturevalue(role))

    for path in paths:
        _open(page, path)
        expect(page.locator("main h1, main h2").first).to_be_visible()
