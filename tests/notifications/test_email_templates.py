"""The e-mails the sessions and reviews code will send: plain text and HTML rendered from templates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from notifications.services import email_send
from tests.factories import UserFactory, outbox_email, session_submitted_context

pytestmark = pytest.mark.django_db


def sent(email, mailoutbox):
    email_send(email_id=email.pk)
    [message] = mailoutbox
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message, html


def feedback_context(**overrides):
    return {
        "name": "Ada",
        "session_title": "ML Engineer · Mid — timed interview",
        "coach_name": "Grace Hopper",
        "score": Decimal("72.50"),
        "recommendation": "Lean hire",
        "categories": [{"name": "ML theory", "score": Decimal("80.00")}, {"name": "Coding", "score": 65}],
        "summary": "Clear reasoning on regularisation.\nPractise system design.",
        "url": "http://testserver/sessions/42/feedback/",
        **overrides,
    }


def test_session_submitted_shows_the_auto_graded_part_and_a_link_in_the_users_time_zone(mailoutbox):
    paris = UserFactory(role=Role.CANDIDATE, timezone="Europe/Paris")
    email = outbox_email(paris)  # submitted 22 November 2026, 10:00 UTC

    message, html = sent(email, mailoutbox)

    assert (
        'You submitted "ML Engineer · Mid — timed interview" on 22 November 2026, 11:00 CET.' in message.body
    )
    assert "graded automatically: 3 of 4 right." in message.body
    assert "2 written answers await a coach's review" in message.body
    assert "See your answers and results: http://testserver/sessions/42/" in message.body
    assert "<strong>3 of 4</strong> right" in html
    assert '<a href="http://testserver/sessions/42/">' in html
    assert "22 November 2026, 11:00 CET" in html


def test_session_submitted_gives_the_score_when_nothing_awaits_review(candidate, mailoutbox):
    context = session_submitted_context(name="", awaiting_review=0, score=Decimal("66.67"), auto_graded=None)
    email = outbox_email(candidate, context=context)

    message, html = sent(email, mailoutbox)

    assert message.body.startswith("Hello,\n")
    assert "Your score: 66.7 / 100." in message.body
    assert "graded automatically" not in message.body and "review" not in message.body
    assert "<strong>66.7 / 100</strong>" in html


def test_feedback_published_summarises_the_scores_with_a_link(candidate, mailoutbox):
    email = outbox_email(
        candidate, kind="feedback_published", template="feedback_published", context=feedback_context()
    )

    message, html = sent(email, mailoutbox)

    assert message.subject == "[InterviewNode] Feedback ready: ML Engineer · Mid — timed interview"
    assert "Grace Hopper has reviewed" in message.body
    assert "Overall score: 72.5 / 100\nRecommendation: Lean hire\n" in message.body
    assert "- ML theory: 80 / 100\n- Coding: 65 / 100\n" in message.body
    assert "Clear reasoning on regularisation.\nPractise system design." in message.body
    assert "Read the full feedback: http://testserver/sessions/42/feedback/" in message.body
    assert '<td style="padding: 2px 12px 2px 0;">ML theory</td>' in html
    assert '<a href="http://testserver/sessions/42/feedback/">' in html


def test_the_html_part_escapes_what_people_wrote_and_the_text_part_keeps_it(candidate, mailoutbox):
    context = feedback_context(
        session_title="Q&A <practice>", summary="<script>alert(1)</script> & more", coach_name=""
    )
    email = outbox_email(candidate, kind="feedback_published", template="feedback_published", context=context)

    message, html = sent(email, mailoutbox)

    assert message.subject == "[InterviewNode] Feedback ready: Q&A <practice>"
    assert 'Your coach has reviewed "Q&A <practice>".' in message.body
    assert "<script>alert(1)</script> & more" in message.body
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<strong>Q&amp;A &lt;practice&gt;</strong>" in html
