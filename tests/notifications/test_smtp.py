"""What Django's SMTP backend delivers to a real SMTP server (aiosmtpd) in the test process."""

from __future__ import annotations

import icalendar
import pytest

from tests.factories import outbox_email

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

INVITE = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//InterviewNode//Tests//EN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        "UID:booking-7@interviewnode.local",
        "DTSTAMP:20261122T100000Z",
        "DTSTART:20261125T140000Z",
        "DTEND:20261125T150000Z",
        "SUMMARY:Mock interview with Grace",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


def test_an_email_arrives_with_its_text_html_and_calendar_attachment(
    candidate, smtp_sink, django_capture_on_commit_callbacks
):
    attachment = {
        "filename": "invite.ics",
        "content_type": "text/calendar; method=REQUEST",
        "content": INVITE,
    }
    with django_capture_on_commit_callbacks(execute=True):
        email = outbox_email(candidate, attachments=[attachment])

    [message] = smtp_sink.wait_for(1)
    assert message["To"] == candidate.email
    assert message["From"] == "InterviewNode <noreply@interviewnode.local>"
    # Django folds a long non-ASCII subject after "Subject:"; unfolding leaves a space clients ignore.
    assert message["Subject"].strip() == "[InterviewNode] Submitted: ML Engineer · Mid — timed interview"
    assert message["X-Outbox-Key"] == email.key
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "3 of 4 right" in text and "See your answers and results: http://testserver/sessions/42/" in text
    assert '<a href="http://testserver/sessions/42/">' in html
    [invite] = message.iter_attachments()
    assert invite.get_filename() == "invite.ics"
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    event = icalendar.Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert str(event["UID"]) == "booking-7@interviewnode.local"
    email.refresh_from_db()
    assert email.state == "sent"
