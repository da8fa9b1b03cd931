"""A Celery worker PROCESS killed (SIGKILL) in the middle of an SMTP conversation: after recovery the
e-mail arrives exactly once. Needs REDIS_URL and PostgreSQL; fails (never skips) without REDIS_URL.

To see what the worker processes do, set WORKER_LOG=/tmp/worker.log (and WORKER_LOGLEVEL=INFO)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import time_machine
from django.conf import settings
from django.utils import timezone

from notifications.models import OutboxEmail
from notifications.services import outbox_sweep
from tests.clock import at_test_clock
from tests.factories import outbox_email

ROOT = Path(__file__).resolve().parents[2]
LOG = Path(os.environ["WORKER_LOG"]) if os.environ.get("WORKER_LOG") else None
BROKER_DB = 13  # a Redis database no cache uses; the queue name is unique to the test run as well
STALE_SECONDS = 2  # OUTBOX_STALE_SECONDS for this test, in the test process and in the workers


def database_url() -> str:
    """The test database (pytest-django's), for the worker process."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def broker_url(redis_url: str) -> str:
    """The same Redis server on another database number than the cache's.

    Every test run clears its cache (FLUSHDB) around each test; other runs sharing the cache database
    would wipe this test's queue while the worker process starts.
    """
    parts = urlsplit(redis_url)
    cache_db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{BROKER_DB if cache_db != BROKER_DB else BROKER_DB - 1}"))


def start_worker(queue: str, redis_url: str, smtp_port: int) -> subprocess.Popen:
    """``celery -A interviewnode worker -c 1`` consuming only this test's queue, in its own process group."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "interviewnode.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "OUTBOX_STALE_SECONDS": str(STALE_SECONDS),
    }
    command = [str(ROOT / ".venv/bin/celery"), "-A", "interviewnode", "worker", "-c", "1", "-Q", queue]
    command += ["-n", f"killed-test-{uuid.uuid4().hex[:8]}@%h", "--without-mingle", "--without-gossip"]
    return subprocess.Popen(  # noqa: S603 - our own venv's celery, on this test's queue
        at_test_clock(command + ["--loglevel", os.environ.get("WORKER_LOGLEVEL", "WARNING")]),
        cwd=ROOT,
        env=env,
        stdout=LOG.open("ab") if LOG else subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(worker: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the worker's whole process group (the main process and its pool child)."""
    if worker.poll() is None:
        try:
            os.killpg(worker.pid, sig)
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        except ProcessLookupError:
            pass


def wait_for_state(email: OutboxEmail, state: str, timeout: float = 60) -> OutboxEmail:
    """The timeout only bounds a failing test."""
    deadline = time.monotonic() + timeout
    while (row := OutboxEmail.objects.get(pk=email.pk)).state != state:
        assert time.monotonic() < deadline, f"e-mail {email.key} is {row.state!r}, never {state!r}"
        time.sleep(0.05)
    return row


def keys(messages) -> list[str]:
    return [message["X-Outbox-Key"] for message in messages]


def test_an_email_whose_worker_process_is_killed_mid_send_arrives_exactly_once(
    real_celery, smtp_sink, candidate, settings
):
    settings.OUTBOX_STALE_SECONDS = STALE_SECONDS
    broker = broker_url(real_celery.redis_url)
    held = smtp_sink.hold = threading.Event()
    workers: list[subprocess.Popen] = []
    try:
        with real_celery.app(broker) as app:
            queue = app.conf.task_default_queue
            workers.append(start_worker(queue, broker, settings.EMAIL_PORT))
            email = outbox_email(candidate)  # autocommit: published at once

            # The worker has claimed the row and is in the middle of DATA; the server has not answered.
            assert smtp_sink.holding.wait(timeout=90), "the worker never reached the SMTP DATA step"
            row = wait_for_state(email, "sending")
            kill(workers[0])
            assert workers[0].returncode == -signal.SIGKILL

            smtp_sink.hold = None  # the next conversations go through; the dead one stays cut off
            assert smtp_sink.messages == []
            assert (row.state, row.attempts) == ("sending", 1)

            # Recovery: a new worker, and the sweep once the claim is older than OUTBOX_STALE_SECONDS.
            workers.append(start_worker(queue, broker, settings.EMAIL_PORT))
            time.sleep(max(0.0, (row.claimed_at - timezone.now()).total_seconds() + STALE_SECONDS + 0.5))
            with time_machine.travel(row.next_attempt_at, tick=True):
                assert outbox_sweep() == 1
            assert keys(smtp_sink.wait_for(1, timeout=90)) == [email.key]
            sent = wait_for_state(email, "sent")

            # Nothing else sends it: the sweep finds nothing, and an e-mail queued behind comes alone.
            with time_machine.travel(sent.next_attempt_at + timedelta(hours=1)):
                assert outbox_sweep() == 0
            fence = outbox_email(candidate)
            messages = smtp_sink.wait_for(2, timeout=90)
            wait_for_state(fence, "sent")
            with app.connection_for_write() as connection:  # app() leaves it when given a broker URL
                connection.default_channel.queue_delete(queue)
    finally:
        held.set()
        for worker in workers:
            kill(worker, signal.SIGTERM)

    assert keys(messages) == [email.key, fence.key]
    assert (sent.state, sent.attempts) == ("sent", 2)
