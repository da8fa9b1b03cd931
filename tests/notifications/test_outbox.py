"""The outbox services on PostgreSQL: the row belongs to the caller's transaction, sends are idempotent,
failures are retried with backoff up to a limit, and the sweep picks up what was dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from interviewnode.celery import app as celery_app
from notifications import services
from notifications.models import OutboxEmail
from notifications.services import email_requeue, email_send, outbox_sweep
from notifications.tasks import send_email_task
from tests.factories import outbox_email, session_submitted_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("celery_eager")]

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
REJECT = "451 4.3.0 Mailbox busy, try again later"


class Rollback(Exception):
    pass


def dropped_email(user, **fields) -> OutboxEmail:
    """An e-mail whose send task never ran: written in the test's transaction, which never commits."""
    return outbox_email(user, **fields)


def die_mid_send(monkeypatch, email: OutboxEmail) -> None:
    """A worker claims the e-mail, then its process is killed while talking to the SMTP server."""

    def killed(self, fail_silently=False):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", killed)
        with pytest.raises(SystemExit):
            email_send(email_id=email.pk)


def test_enqueue_writes_the_row_in_the_callers_transaction_and_sends_after_commit(
    candidate, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            email = outbox_email(candidate, key="session_submitted:session:42:user:7")
            assert OutboxEmail.objects.get(pk=email.pk).state == "pending"
        assert mailoutbox == []  # nothing leaves before the commit

    [message] = mailoutbox
    assert message.to == [candidate.email]
    assert message.subject == "[InterviewNode] Submitted: ML Engineer · Mid — timed interview"
    assert message.extra_headers["X-Outbox-Key"] == "session_submitted:session:42:user:7"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.kind) == ("sent", 1, "session_submitted")
    assert email.sent_at is not None and email.user == candidate


def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(
    candidate, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        outbox_email(candidate, key="session_submitted:session:1:user:1")
        raise Rollback

    assert callbacks == []
    assert not OutboxEmail.objects.exists()
    assert mailoutbox == []


def test_the_same_key_twice_gives_one_row_and_one_email(
    candidate, django_capture_on_commit_callbacks, mailoutbox
):
    key = f"session_submitted:session:9:user:{candidate.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_email(candidate, key=key)
        second = outbox_email(candidate, key=key, context=session_submitted_context(name="Someone else"))
    with django_capture_on_commit_callbacks(execute=True):
        third = outbox_email(candidate, key=key)

    assert first.pk == second.pk == third.pk
    assert OutboxEmail.objects.count() == 1
    [message] = mailoutbox
    assert message.body.startswith("Hello Ada,")


def test_sending_a_sent_email_again_does_nothing(candidate, mailoutbox):
    email = dropped_email(candidate)

    assert email_send(email_id=email.pk) is True
    email.refresh_from_db()
    sent_at = email.sent_at
    assert email_send(email_id=email.pk) is False
    assert send_email_task.delay(email.pk).get() is False

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts, email.sent_at) == ("sent", 1, sent_at)


def test_an_email_another_worker_is_sending_is_left_to_it_until_it_is_stale(
    candidate, mailoutbox, monkeypatch, settings
):
    settings.OUTBOX_STALE_SECONDS = 300
    with time_machine.travel(NOW, tick=False):
        email = dropped_email(candidate)
        die_mid_send(monkeypatch, email)

    with time_machine.travel(NOW + timedelta(seconds=299), tick=False):
        assert email_send(email_id=email.pk) is False
    assert mailoutbox == []

    with time_machine.travel(NOW + timedelta(seconds=301), tick=False):
        assert email_send(email_id=email.pk) is True
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 2)


def test_an_smtp_failure_is_retried_with_backoff_then_the_email_is_failed(candidate, smtp_sink, settings):
    settings.EMAIL_MAX_ATTEMPTS = 3
    smtp_sink.reject_with = REJECT
    email = dropped_email(candidate)

    with time_machine.travel(NOW, tick=False):
        assert email_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("pending", 1)
    assert email.next_attempt_at == NOW + timedelta(minutes=1)
    assert "451" in email.last_error and "Mailbox busy" in email.last_error

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        email_send(email_id=email.pk)
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("pending", 2)
    assert email.next_attempt_at == NOW + timedelta(minutes=1 + 2)

    with time_machine.travel(NOW + timedelta(minutes=3), tick=False):
        email_send(email_id=email.pk)
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("failed", 3)

    smtp_sink.reject_with = None
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert email_send(email_id=email.pk) is False
        assert outbox_sweep() == 0
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("failed", 3)
    assert smtp_sink.messages == []


def test_the_sweep_retries_a_failed_attempt_once_its_backoff_is_over(
    candidate, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.reject_with = REJECT
    email = dropped_email(candidate)
    with time_machine.travel(NOW, tick=False):
        email_send(email_id=email.pk)
    smtp_sink.reject_with = None

    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        assert outbox_sweep() == 0
    with time_machine.travel(NOW + timedelta(seconds=60)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 1

    [message] = smtp_sink.wait_for(1)
    assert message["X-Outbox-Key"] == email.key
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 2)
    assert "Mailbox busy" in email.last_error  # kept: the admin sees it took a retry


def test_an_admin_requeue_sends_a_failed_email_again(
    candidate, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_MAX_ATTEMPTS = 1
    smtp_sink.reject_with = REJECT
    email = dropped_email(candidate)
    email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.state == "failed"
    smtp_sink.reject_with = None

    with django_capture_on_commit_callbacks(execute=True):
        assert email_requeue(email_id=email.pk) is True

    smtp_sink.wait_for(1)
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 1)
    assert email_requeue(email_id=email.pk) is False  # only a failed e-mail is re-queued
    email.refresh_from_db()
    assert email.state == "sent"


def test_the_sweep_sends_an_email_the_broker_dropped_once_it_is_due(
    candidate, mailoutbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        email = dropped_email(candidate)

    with time_machine.travel(NOW + timedelta(seconds=30)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 0  # the send scheduled at commit still has its chance
    assert mailoutbox == []

    with time_machine.travel(NOW + timedelta(seconds=61)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 1
    with time_machine.travel(NOW + timedelta(days=1)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 0

    assert [m.extra_headers["X-Outbox-Key"] for m in mailoutbox] == [email.key]
    email.refresh_from_db()
    assert email.state == "sent"


def test_the_sweep_sends_again_an_email_a_dead_worker_left_sending(
    candidate, mailoutbox, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STALE_SECONDS = 300
    with time_machine.travel(NOW, tick=False):
        email = dropped_email(candidate)
        die_mid_send(monkeypatch, email)
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sending", 1)

    with time_machine.travel(NOW + timedelta(minutes=4)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 0  # the worker may still be sending it
    with time_machine.travel(NOW + timedelta(minutes=6)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 1

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 2)


def test_a_worker_dying_in_the_last_attempt_leaves_the_email_failed_for_an_admin(
    candidate, mailoutbox, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_MAX_ATTEMPTS = 1
    with time_machine.travel(NOW, tick=False):
        email = dropped_email(candidate)
        die_mid_send(monkeypatch, email)

    with time_machine.travel(NOW + timedelta(minutes=6)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 0

    email.refresh_from_db()
    assert (email.state, email.attempts) == ("failed", 1)
    assert email.last_error == "The worker stopped during the last attempt."
    assert mailoutbox == []


def test_the_sweep_takes_a_bounded_batch_oldest_first(
    candidate, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "SWEEP_BATCH", 2)
    emails = []
    for minute in (2, 0, 1):
        with time_machine.travel(NOW + timedelta(minutes=minute), tick=False):
            emails.append(dropped_email(candidate))
    newest, oldest, middle = emails

    with time_machine.travel(NOW + timedelta(minutes=10)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 2
    assert [m.extra_headers["X-Outbox-Key"] for m in mailoutbox] == [oldest.key, middle.key]

    with time_machine.travel(NOW + timedelta(minutes=11)), django_capture_on_commit_callbacks(execute=True):
        assert outbox_sweep() == 1
    assert mailoutbox[-1].extra_headers["X-Outbox-Key"] == newest.key
    assert set(OutboxEmail.objects.values_list("state", flat=True)) == {"sent"}


def test_the_sweep_runs_every_minute_on_celery_beat():
    task = PeriodicTask.objects.get(task="notifications.tasks.sweep_outbox")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert "notifications.tasks.sweep_outbox" in celery_app.tasks


def test_enqueue_refuses_an_unknown_kind_a_binary_attachment_or_a_header_with_a_line_break(candidate):
    with pytest.raises(ValueError, match="kind"):
        outbox_email(candidate, kind="newsletter")
    with pytest.raises(TypeError, match="text"):
        pdf = {"filename": "a.pdf", "content_type": "application/pdf", "content": b"%PDF"}
        outbox_email(candidate, attachments=[pdf])
    with pytest.raises(ValueError, match="one line"):
        outbox_email(candidate, headers={"List-Unsubscribe": "<https://x.example/>\r\nBcc: all@example.com"})
    assert not OutboxEmail.objects.exists()
