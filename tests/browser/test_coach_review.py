"""The coach journey: claim the oldest submitted session, score it, save a draft, publish; then the
candidate reads the feedback."""

from __future__ import annotations

import pytest

from accounts.models import User
from interviewnode.management.commands.seed_demo import DEMO_PASSWORD
from interviews.models import InterviewSession
from questions.models import Question
from reviews.models import Review
from tests.factories import submitted_session

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign In").click()


def test_coach_reviews_and_candidate_reads_the_feedback(demo_site, page, screenshot_dir):
    candidate = User.objects.get(email="candidate@example.com")
    written = list(
        Question.objects.filter(
            status=Question.Status.PUBLISHED, kind=Question.Kind.WRITTEN, category__slug="ml-theory"
        )
        .exclude(category__default_rubric=None)
        .order_by("pk")[:3]
    )
    oldest = submitted_session(candidate, written[:2], answers={1: "Regularisation **shrinks** weights."})
    newer = submitted_session(candidate, written[2:])

    _log_in(page, "coach@example.com")
    with page.expect_navigation():
        page.get_by_role("link", name="Review queue").click()
    rows = page.locator("#queue tbody tr")
    assert rows.first.get_attribute("data-session") == str(oldest.pk)  # oldest first
    assert page.locator(f'#queue tr[data-session="{newer.pk}"]').count() == 1
    with page.expect_navigation():
        rows.first.get_by_role("button", name="Claim").click()
    assert page.url.endswith(f"/reviews/{oldest.pk}/")
    assert page.locator("#question-1 strong").get_by_text("shrinks").is_visible()  # Markdown rendered

    # Score question 1 only, and save a draft.
    for radio in page.locator('#question-1 input[type=radio][value="3"]').all():
        radio.check()
    page.fill("#comment-1", "Good grasp of the mechanism.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert page.get_by_text("Draft saved.").is_visible()
    assert page.locator("#missing").get_by_text("Question 2:").is_visible()
    assert page.locator('#question-1 input[type=radio][value="3"]').first.is_checked()

    # Come back, finish, publish.
    page.goto(f"/reviews/{oldest.pk}/")
    for radio in page.locator('#question-2 input[type=radio][value="4"]').all():
        radio.check()
    page.fill("#comment-2", "Excellent structure.")
    page.fill("#summary_strengths", "Clear explanations.")
    page.fill("#summary_next_steps", "Practise system design.")
    page.select_option("#recommendation", "hire")
    page.screenshot(path=screenshot_dir / "coach_review_page.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert page.get_by_text("Published").first.is_visible()
    assert Review.objects.get(session=oldest).status == Review.Status.PUBLISHED
    assert InterviewSession.objects.get(pk=oldest.pk).status == InterviewSession.Status.REVIEWED

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    _log_in(page, "candidate@example.com")
    page.goto(f"/interviews/{oldest.pk}/results/")
    feedback = page.locator("#coach-feedback")
    assert feedback.get_by_text("Clear explanations.").is_visible()
    assert page.locator("#recommendation").inner_text() == "Hire"
    assert page.get_by_text("Good grasp of the mechanism.").is_visible()
    assert page.get_by_text("Excellent structure.").is_visible()
    # 3 on every criterion → 66.67, 4 everywhere → 100: the session score is their weighted mean.
    score = InterviewSession.objects.get(pk=oldest.pk).score
    assert page.locator("#session-score").inner_text().startswith(f"{score:.0f}")
    page.screenshot(path=screenshot_dir / "candidate_feedback.png", full_page=True)
