"""Reviews reveal no answers of a question in the reader's open timed session: the review page of a
coach taking one, and the "feedback published" e-mail of a candidate who is."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import Role
from accounts.roles import role_grant
from notifications.models import OutboxEmail
from reviews import services
from tests.factories import interview_session, submitted_session

from .helpers import full_review

REFERENCE = "The secret reference answer."


def test_a_coach_with_an_open_timed_session_sees_no_reference_of_its_questions(
    client, coach, session, questions
):
    role_grant(user=coach, role=Role.CANDIDATE)
    interview_session(coach, questions[:1] + questions[2:])  # timed, open: questions 1 and 3
    services.review_claim(coach=coach, session_id=session.pk)
    client.force_login(coach)

    page = client.get(reverse("reviews:review", args=[session.pk])).content.decode()

    assert page.count(REFERENCE) == 1  # question 2's only
    assert "reference-withheld" in page
    assert "Graded automatically (shown once your own timed interview closes)" in page
    assert "incorrect" not in page


def test_the_feedback_email_gives_no_score_while_a_question_is_in_an_open_timed_session(
    coach, candidate, questions, django_capture_on_commit_callbacks
):
    practice = submitted_session(candidate, questions[:2])
    interview_session(candidate, questions[:1])  # timed, open
    services.review_claim(coach=coach, session_id=practice.pk)
    body = full_review(publish=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.review_save(
            coach=coach,
            session_id=practice.pk,
            items=body["items"],
            summary=body["summary"],
            recommendation=body["recommendation"],
            publish=True,
        )

    email = OutboxEmail.objects.get(kind=OutboxEmail.Kind.FEEDBACK_PUBLISHED)
    assert "Overall score" not in email.body_text and "Overall score" not in email.body_html
    assert "timed interview that is still open" in email.body_text
    assert "ML theory: 100 / 100" in email.body_text  # question 2 only (all 4s); question 1 waits
