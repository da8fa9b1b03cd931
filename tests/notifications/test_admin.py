"""Admins see every e-mail in the outbox, read only, and can re-queue a failed one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import OutboxEmail
from notifications.services import email_send
from tests.factories import outbox_email

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

LIST = "/admin/notifications/outboxemail/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def failed_email(candidate, smtp_sink, settings):
    settings.EMAIL_MAX_ATTEMPTS = 1
    smtp_sink.reject_with = "550 5.1.1 No such user here"
    email = outbox_email(candidate, to_email="nobody@example.com", key="session_submitted:session:5:user:9")
    email_send(email_id=email.pk)
    smtp_sink.reject_with = None
    email.refresh_from_db()
    assert email.state == "failed"
    return email


@pytest.fixture
def sent_email(candidate, smtp_sink):
    email = outbox_email(candidate, key="session_submitted:session:6:user:9")
    email_send(email_id=email.pk)
    return email


def test_admin_sees_each_email_with_its_kind_state_attempts_and_error(admin_client, failed_email, sent_email):
    page = admin_client.get(LIST).content.decode()

    assert "nobody@example.com" in page and sent_email.to_email in page
    assert "Session submitted" in page
    assert "Failed" in page and "Sent" in page
    assert "No such user here" in page

    failed_only = admin_client.get(LIST, {"state__exact": "failed"}).content.decode()
    assert "nobody@example.com" in failed_only and sent_email.to_email not in failed_only
    by_key = admin_client.get(LIST, {"q": "session:6:"}).content.decode()
    assert sent_email.to_email in by_key and "nobody@example.com" not in by_key


def test_admin_requeues_a_failed_email_from_the_list(
    admin_client, failed_email, sent_email, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            LIST, {"action": "requeue", "_selected_action": [failed_email.pk, sent_email.pk]}, follow=True
        )

    page = response.content.decode()
    assert "1 e-mail(s) re-queued." in page
    assert "1 e-mail(s) left alone: only failed ones are re-queued." in page
    [message] = smtp_sink.wait_for(2)[1:]  # the sent one, then the re-queued one
    assert message["To"] == "nobody@example.com"
    failed_email.refresh_from_db()
    assert (failed_email.state, failed_email.attempts) == ("sent", 1)


def test_the_outbox_is_read_only_in_the_admin(admin_client, sent_email):
    detail = f"{LIST}{sent_email.pk}/change/"

    page = admin_client.get(detail).content.decode()
    assert "3 of 4 right" in page  # the body, shown read only
    assert admin_client.post(detail, {"to_email": "changed@example.com"}).status_code == 403
    assert admin_client.get(f"{LIST}add/").status_code == 403
    assert admin_client.post(f"{LIST}{sent_email.pk}/delete/", {"post": "yes"}).status_code == 403
    sent_email.refresh_from_db()
    assert sent_email.to_email != "changed@example.com"
    assert OutboxEmail.objects.count() == 1


def test_a_curator_cannot_see_the_outbox(client, curator, sent_email):
    client.force_login(curator)

    assert client.get(LIST).status_code == 403


def test_the_outbox_list_makes_as_many_queries_for_many_emails_as_for_one(admin_client, candidate):
    outbox_email(candidate)
    admin_client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(LIST).status_code == 200
    for _ in range(20):
        outbox_email(candidate)
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(LIST).content.decode()

    assert page.count(candidate.email) >= 21
    assert len(many) == len(one)
