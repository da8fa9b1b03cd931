"""A candidate takes a timed mock interview in Chromium: answers, reloads, submits, runs out of time.

The page script is frontend/src/session.js (static/dist/session.js); the server is live_server on the
test database, so every check on the page is matched against the rows behind it.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from interviews.models import Answer, InterviewSession
from interviews.services import session_submit
from questions.models import Question

from ..factories import PASSWORD, InterviewTemplateFactory, QuestionFactory, interview_session

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Saved \S")
WRITTEN_TEXT = "Bias is error from wrong assumptions; variance is error from sensitivity to the sample."
CODE_TEXT = "answer = sum(range(10))"
RIGHT_CHOICE, WRONG_CHOICE = "Cross-entropy", "Mean squared error of the logits"
EXPLANATION = "Why the right choice is right."
WRITTEN_REFERENCE = "Reference: bias comes from the model family, variance from the sample."
CODE_REFERENCE = "Reference: use the built-in sum over a range."
SAVE_DELAY_SECONDS = 2  # session.js saves this long after typing stops
# Tolerance between the countdown and the server's remaining time: page load and polling, not drift.
SLACK_SECONDS = 5


@pytest.fixture
def three_questions(taxonomy):
    """A written, a code and a multiple-choice question: the only published ones a template can draw."""
    written = QuestionFactory(title="Explain the bias-variance trade-off", reference_answer=WRITTEN_REFERENCE)
    code = QuestionFactory(
        title="Sum the first ten integers",
        kind=Question.Kind.CODE,
        language="python",
        starter_code="# write your solution here",
        reference_answer=CODE_REFERENCE,
    )
    choice = QuestionFactory(
        title="Which loss trains a classifier",
        choices=[(RIGHT_CHOICE, True), (WRONG_CHOICE, False)],
    )
    return {"written": written, "code": code, "multiple_choice": choice}


def _log_in(page, live_server, user) -> None:
    """Sign the browser in as ``user`` with a Django session cookie (the first test uses the form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def _remaining_seconds(session: InterviewSession) -> float:
    session.refresh_from_db()
    return (session.deadline - timezone.now()).total_seconds()


def _timer_seconds(page) -> int:
    text = page.locator("[data-timer]").inner_text()
    match = re.fullmatch(r"(\d+):(\d\d)", text)
    assert match, f"the timer shows {text!r}"
    return int(match.group(1)) * 60 + int(match.group(2))


def _expect_timer_near(page, session: InterviewSession) -> None:
    expect(page.locator("[data-timer]")).to_have_text(re.compile(r"^\d+:\d\d$"))
    shown = _timer_seconds(page)
    assert abs(shown - _remaining_seconds(session)) <= SLACK_SECONDS


def _panel(page, question: Question):
    return page.locator("[data-question-panel]").filter(has=page.get_by_role("heading", name=question.title))


def _open(page, question: Question):
    page.locator("[data-question-link]").filter(has_text=question.title).click()
    panel = _panel(page, question)
    expect(panel).to_be_visible()
    return panel


def test_candidate_answers_reloads_and_submits_a_timed_interview(page, candidate, three_questions):
    template = InterviewTemplateFactory(name="Mixed ML screen, 30 min", question_count=3, duration_minutes=30)
    written, code, choice = (three_questions[k] for k in ("written", "code", "multiple_choice"))

    page.goto("/accounts/login/")
    page.fill("input[name=login]", candidate.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/questions/$"))

    page.goto("/interviews/new/")
    card = page.locator(".card").filter(has=page.get_by_role("heading", name=template.name))
    with page.expect_navigation():
        card.get_by_role("button", name="Start timed").click()
    session = InterviewSession.objects.get(candidate=candidate)
    assert page.url.endswith(f"/interviews/{session.pk}/")
    assert session.mode == InterviewSession.Mode.TIMED and session.template == template
    assert set(session.items.values_list("question_id", flat=True)) == {written.pk, code.pk, choice.pk}
    _expect_timer_near(page, session)

    panel = _open(page, written)
    panel.locator("textarea").fill(WRITTEN_TEXT)
    expect(panel.locator("[data-save-status]")).to_have_text(SAVED)

    panel = _open(page, code)
    expect(panel.locator("textarea")).to_be_hidden()  # CodeMirror replaced it
    editor = panel.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(CODE_TEXT)
    expect(panel.locator("[data-save-status]")).to_have_text(SAVED)

    panel = _open(page, choice)
    panel.get_by_label(RIGHT_CHOICE).check()
    expect(panel.locator("[data-save-status]")).to_have_text(SAVED)

    stored = {
        a.item.question_id: a for a in Answer.objects.filter(item__session=session).select_related("item")
    }
    assert stored[written.pk].content == WRITTEN_TEXT
    assert stored[code.pk].content == CODE_TEXT
    right_id = choice.choices.get(text=RIGHT_CHOICE).pk
    assert stored[choice.pk].choice_ids == [right_id]
    assert all(a.version == 1 for a in stored.values())

    # A deadline the page could not have guessed: after the reload the countdown must come from it.
    InterviewSession.objects.filter(pk=session.pk).update(
        deadline=timezone.now() + timedelta(minutes=12, seconds=34)
    )
    page.reload()
    _expect_timer_near(page, session)
    first = _timer_seconds(page)
    expect(page.locator("[data-timer]")).not_to_have_text(page.locator("[data-timer]").inner_text())
    assert _timer_seconds(page) < first  # still counting down

    panel = _open(page, written)
    expect(panel.locator("textarea")).to_have_value(WRITTEN_TEXT)
    expect(panel.locator("[data-save-status]")).to_have_text("Saved")
    panel = _open(page, code)
    expect(panel.locator(".cm-content")).to_have_text(CODE_TEXT)
    panel = _open(page, choice)
    expect(panel.get_by_label(RIGHT_CHOICE)).to_be_checked()
    expect(panel.get_by_label(WRONG_CHOICE)).not_to_be_checked()

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation(url=re.compile(rf"/interviews/{session.pk}/results/$")):
        page.get_by_role("button", name="Submit answers").click()

    session.refresh_from_db()
    assert session.status == InterviewSession.Status.SUBMITTED
    assert session.closed_by == InterviewSession.ClosedBy.CANDIDATE
    result = page.get_by_role("region", name=re.compile(r"^Question \d$"))
    choice_result = result.filter(has=page.get_by_role("heading", name=choice.title))
    expect(choice_result.get_by_text("Correct · 100")).to_be_visible()
    expect(choice_result.get_by_text(EXPLANATION)).to_be_visible()
    expect(choice_result.locator("li", has_text=RIGHT_CHOICE)).to_contain_text("(your choice)")
    for question, reference, mine in (
        (written, WRITTEN_REFERENCE, WRITTEN_TEXT),
        (code, CODE_REFERENCE, CODE_TEXT),
    ):
        section = result.filter(has=page.get_by_role("heading", name=question.title))
        expect(section.get_by_text("Awaiting review")).to_be_visible()
        expect(section.get_by_text(mine)).to_be_visible()
        section.get_by_text("Reference answer").click()
        expect(section.get_by_text(reference)).to_be_visible()


def test_a_session_that_runs_out_is_submitted_by_the_page(page, live_server, candidate, three_questions):
    session = interview_session(candidate, [three_questions["written"]], duration_minutes=5)
    InterviewSession.objects.filter(pk=session.pk).update(deadline=timezone.now() + timedelta(seconds=8))
    _log_in(page, live_server, candidate)

    page.goto(f"/interviews/{session.pk}/")
    expect(page.locator("[data-timer]")).to_have_text(re.compile(r"^00:0\d$"))
    page.locator("textarea").fill("Written just before time ran out.")  # unsaved: submit saves it first

    page.wait_for_url(re.compile(rf"/interviews/{session.pk}/results/$"), timeout=30_000)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_text("Written just before time ran out.")).to_be_visible()

    session.refresh_from_db()
    assert session.status == InterviewSession.Status.SUBMITTED
    # The page submitted at zero: time ran out, so the session was closed by the deadline.
    assert session.closed_by == InterviewSession.ClosedBy.DEADLINE
    expect(page.get_by_text("submitted automatically when time ran out")).to_be_visible()
    assert Answer.objects.get(item__session=session).content == "Written just before time ran out."


def test_a_second_tab_with_a_stale_answer_is_refused_and_shown_the_stored_one(
    page, live_server, candidate, three_questions
):
    written = three_questions["written"]
    session = interview_session(candidate, [written])
    _log_in(page, live_server, candidate)
    tab_a = page
    tab_b = page.context.new_page()
    for tab in (tab_a, tab_b):
        tab.goto(f"/interviews/{session.pk}/")
        expect(tab.locator("[data-answer]")).to_have_attribute("data-version", "0")

    tab_a.locator("textarea").fill("Tab A's answer.")
    expect(tab_a.locator("[data-save-status]")).to_have_text(SAVED)

    tab_b.locator("textarea").fill("Tab B's answer, typed on the old version.")
    tab_b.locator("textarea").blur()
    conflict = tab_b.locator("[data-conflict]")
    expect(conflict).to_be_visible()
    expect(tab_b.locator("textarea")).to_have_value("Tab A's answer.")
    expect(conflict.locator("[data-yours]")).to_have_text("Tab B's answer, typed on the old version.")
    expect(tab_b.locator("[data-save-status]")).to_have_text("Not saved — changed in another tab")

    answer = Answer.objects.get(item__session=session)
    assert (answer.content, answer.version) == ("Tab A's answer.", 1)


def test_the_countdown_ignores_a_device_clock_two_hours_ahead(page, live_server, candidate, three_questions):
    session = interview_session(candidate, [three_questions["written"]], duration_minutes=30)
    _log_in(page, live_server, candidate)
    page.add_init_script(
        """(() => {
          const shift = 2 * 60 * 60 * 1000;
          const RealDate = Date;
          class ShiftedDate extends RealDate {
            constructor(...args) { args.length ? super(...args) : super(RealDate.now() + shift); }
            static now() { return RealDate.now() + shift; }
          }
          window.Date = ShiftedDate;
        })();"""
    )

    page.goto(f"/interviews/{session.pk}/")
    device_ahead = page.evaluate("Date.now() - (performance.timeOrigin + performance.now())") / 1000
    assert abs(device_ahead - 7200) < 60  # the device clock is off (the page's own, not the test's)
    _expect_timer_near(page, session)
    assert 25 * 60 < _timer_seconds(page) <= 30 * 60


def test_the_countdown_counts_from_when_the_page_arrived_not_when_its_script_ran(
    page, live_server, candidate, three_questions
):
    """On a slow connection the editor bundle arrives seconds after the page: time passed meanwhile."""
    session = interview_session(candidate, [three_questions["written"]], duration_minutes=30)
    _log_in(page, live_server, candidate)
    script = Path(settings.BASE_DIR) / "static" / "dist" / "session.js"

    def slow_script(route):
        time.sleep(SLACK_SECONDS + 4)
        route.fulfill(path=script, content_type="text/javascript")

    page.route("**/static/dist/session.js", slow_script)
    page.goto(f"/interviews/{session.pk}/")
    _expect_timer_near(page, session)


def test_the_code_editor_loads_only_for_code_and_takes_over_what_was_typed(
    page, live_server, candidate, three_questions
):
    chunks = []
    page.on("response", lambda response: "/static/dist/chunks/" in response.url and chunks.append(response))
    _log_in(page, live_server, candidate)

    written_only = interview_session(candidate, [three_questions["written"]], duration_minutes=30)
    page.goto(f"/interviews/{written_only.pk}/")
    page.locator("textarea").fill("No code here.")
    expect(page.locator("[data-save-status]")).to_have_text(SAVED)
    assert chunks == []  # a session without code never downloads the editor

    # Hold the editor back, as a slow connection would: the code answer is a plain textarea meanwhile.
    held = []
    page.route("**/static/dist/chunks/editor-*.js", lambda route: held.append(route))
    with_code = interview_session(candidate, [three_questions["code"]], duration_minutes=30)
    page.goto(f"/interviews/{with_code.pk}/")
    fallback = page.locator("textarea[data-field]")
    expect(fallback).to_be_visible()
    fallback.fill("typed before the editor arrived = 1")
    for _ in range(600):  # only bounds a failing test: the request comes within milliseconds
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page never asked for the editor"
    held[0].continue_()

    editor = page.locator(".cm-content")
    expect(editor).to_have_text("typed before the editor arrived = 1")
    expect(editor).to_have_attribute("data-language", "python")  # highlighting arrived too
    expect(fallback).to_be_hidden()
    assert all(response.ok for response in chunks)
    editor.press("End")
    editor.type("0")
    expect(page.locator("[data-save-status]")).to_have_text(SAVED)
    assert Answer.objects.get(item__session=with_code).content == "typed before the editor arrived = 10"


def test_once_the_session_is_submitted_elsewhere_the_code_editor_takes_no_typing(
    page, live_server, candidate, three_questions
):
    """Submitted in another tab: the page learns it from its next save, and its editor turns read-only
    (CodeMirror's own read-only state, so neither typing nor its keyboard commands change the code)."""
    session = interview_session(candidate, [three_questions["code"]], duration_minutes=30)
    _log_in(page, live_server, candidate)
    saves = []
    page.on("request", lambda request: "/answer/" in request.url and saves.append(request))
    page.goto(f"/interviews/{session.pk}/")
    editor = page.locator(".cm-content")
    expect(editor).to_have_attribute("contenteditable", "true")

    session_submit(session_id=session.pk, user=candidate, closed_by=InterviewSession.ClosedBy.CANDIDATE)
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nlate = 1")
    page.get_by_role("heading", level=1).click()  # leaving the editor saves, and the save is refused

    expect(page.locator("[data-save-status]")).to_have_text("Not saved — the session is closed")
    expect(page.locator("[data-banner]")).to_contain_text("no longer accepts answers")
    expect(editor).to_have_attribute("aria-readonly", "true")
    expect(editor).to_have_attribute("contenteditable", "false")
    shown = editor.inner_text()
    assert shown.endswith("late = 1")
    saves_before = len(saves)

    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("more = 2")
    for key in ("Enter", "Backspace", "Control+a", "Delete", "Tab"):
        page.keyboard.press(key)
    # Text dragged onto the editor: CodeMirror inserts it itself, unless its state is read-only.
    dragged = page.evaluate_handle(
        "() => { const data = new DataTransfer(); data.setData('text/plain', 'dropped = 3'); return data; }"
    )
    editor.dispatch_event("drop", {"dataTransfer": dragged})
    page.wait_for_timeout(SAVE_DELAY_SECONDS * 1000 + 500)  # longer than a save waits after typing

    assert editor.inner_text() == shown
    assert len(saves) == saves_before
    assert Answer.objects.get(item__session=session).version == 0


def test_a_refused_submit_is_shown_and_not_retried(page, live_server, candidate, three_questions):
    session = interview_session(candidate, [three_questions["written"]], duration_minutes=30)
    _log_in(page, live_server, candidate)
    page.goto(f"/interviews/{session.pk}/")
    submits = []
    page.on("request", lambda request: "/submit/" in request.url and submits.append(request))

    page.context.clear_cookies()  # signed out in another tab: the API now refuses with 403
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit answers").click()

    banner = page.locator("[data-banner]")
    expect(banner).to_contain_text("Not submitted:")
    expect(banner).not_to_contain_text("retrying")
    page.wait_for_timeout(2500)  # longer than the first retry delay: no second attempt came
    assert len(submits) == 1
    session.refresh_from_db()
    assert session.status == InterviewSession.Status.IN_PROGRESS
