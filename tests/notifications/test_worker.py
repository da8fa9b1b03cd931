"""The outbox with a real Celery worker on Redis and a real SMTP server: e-mails arrive exactly once,
and a broker outage at enqueue time only delays them. These tests fail (never skip) without REDIS_URL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import time_machine
from django.db import transaction

from notifications.models import OutboxEmail
from notifications.services import email_send, outbox_sweep
from notifications.tasks import send_email_task
from tests.factories import outbox_email

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def wait_until_sent(email: OutboxEmail, timeout: float = 60) -> None:
    """The timeout only bounds a failing test."""
    deadline = time.monotonic() + timeout
    while OutboxEmail.objects.get(pk=email.pk).state != "sent":
        assert time.monotonic() < deadline, f"e-mail {email.key} was not marked sent"
        time.sleep(0.05)


def queued(app) -> int:
    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen(app.conf.task_default_queue)


def keys(messages) -> list[str]:
    return [message["X-Outbox-Key"] for message in messages]


def test_a_worker_sends_an_email_enqueued_in_a_transaction_exactly_once(real_celery, smtp_sink, candidate):
    with real_celery.worker():
        with transaction.atomic():
            candidate.first_name = "Ada"
            candidate.save()
            email = outbox_email(candidate)
        smtp_sink.wait_for(1)
        wait_until_sent(email)

        send_email_task.delay(email.pk)  # the broker delivers the task a second time
        fence = outbox_email(candidate)  # queued behind it: once it arrives, the duplicate was handled
        messages = smtp_sink.wait_for(2)
        wait_until_sent(fence)

    assert keys(messages) == [email.key, fence.key]
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 1)


def test_the_send_is_published_only_once_the_transaction_commits(real_celery, candidate):
    with real_celery.app() as app:  # no worker: what is published stays in the queue
        with transaction.atomic():
            email = outbox_email(candidate)
            assert queued(app) == 0
        assert queued(app) == 1

    email.refresh_from_db()
    assert email.state == "pending"


def test_a_broker_outage_at_enqueue_time_only_delays_the_email(real_celery, smtp_sink, candidate, caplog):
    with real_celery.app(DEAD_BROKER), transaction.atomic():
        candidate.first_name = "Ada"
        candidate.save()
        email = outbox_email(candidate)

    candidate.refresh_from_db()
    assert candidate.first_name == "Ada"  # the change committed
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("pending", 0)
    assert f"Could not hand e-mail {email.pk} to Celery" in caplog.text
    assert smtp_sink.messages == []

    with real_celery.worker():  # Redis is back
        with time_machine.travel(email.next_attempt_at):
            assert outbox_sweep() == 1
        smtp_sink.wait_for(1)
        wait_until_sent(email)
        with time_machine.travel(email.next_attempt_at + timedelta(hours=1)):
            assert outbox_sweep() == 0
        fence = outbox_email(candidate)
        messages = smtp_sink.wait_for(2)
        wait_until_sent(fence)

    assert keys(messages) == [email.key, fence.key]


def test_a_second_worker_leaves_an_email_that_is_being_sent_alone(real_celery, smtp_sink, candidate):
    with real_celery.app():  # queued, but no worker runs: the row waits
        email = outbox_email(candidate)
    smtp_sink.hold = threading.Event()
    first = threading.Thread(target=email_send, kwargs={"email_id": email.pk})
    first.start()
    deadline = time.monotonic() + 60
    while OutboxEmail.objects.get(pk=email.pk).state != "sending":
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert email_send(email_id=email.pk) is False  # while the first is mid-conversation with the server
    smtp_sink.hold.set()
    first.join(timeout=60)

    assert keys(smtp_sink.wait_for(1)) == [email.key]
    email.refresh_from_db()
    assert (email.state, email.attempts) == ("sent", 1)
