"""Outbox throughput and delivery under failure: 10,000 e-mails, 2 Celery workers, a local SMTP sink.

Run from the repository root (PostgreSQL on 127.0.0.1 must be up; the database ``in_bench_outbox``, or
DATABASE_URL's name + ``_outbox``, is dropped and made again, see bench/_harness.py; redis-server must be
on PATH, a private one is started on a free port):

    .venv/bin/python bench/outbox_throughput.py                   # 10,000 e-mails
    .venv/bin/python bench/outbox_throughput.py --emails 2000     # a quick look

1. Recreates its database and migrates it.
2. Starts a private ``redis-server`` (no persistence) on a free port, and an SMTP sink (aiosmtpd, in this
   process) on a free port that records the ``X-Outbox-Key`` header of every message it accepts.
3. Starts --workers Celery worker processes (``celery -A interviewnode worker -c 1``) on that Redis,
   sending to the sink, and runs ``outbox_sweep`` every --sweep-every seconds in a thread (as beat would,
   more often).
4. Queues --emails ``session_submitted`` e-mails through ``email_enqueue``, --batch per transaction.
5. Meanwhile: once 30% are sent it kills worker w1 with SIGKILL (its whole process group, so the pool
   child dies mid-task) and starts a replacement; once 50% are sent it kills Redis with SIGKILL (losing
   every queued task: no persistence), waits 2 s and starts it again on the same port.
6. Waits until every row is sent (or failed), at most --timeout seconds.
7. Reports e-mails/s (sent rows over the wall time from the first enqueue to the last row sent),
   lost (keys queued, never received at the sink), duplicates (receipts beyond the first per key) and
   the outbox state counts; writes bench/results/outbox-<timestamp>.json; stops every process.

The workers and the sweep use OUTBOX_STALE_SECONDS=--stale-seconds (default 15 instead of 300) so the
row the killed worker left "sending" is taken over within the run; that is safe here because a send to
the local sink takes milliseconds, far below the stale time.
"""

from __future__ import annotations

import argparse
import collections
import email.parser
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from _harness import ROOT, database_name, database_recreate, database_url, free_port, results_write, stop


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100, help="e-mails enqueued per transaction")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (-c 1 each)")
    parser.add_argument("--sweep-every", type=float, default=5.0, help="seconds between outbox sweeps")
    parser.add_argument("--stale-seconds", type=int, default=15, help="OUTBOX_STALE_SECONDS for the run")
    parser.add_argument("--timeout", type=float, default=600.0, help="bound on the whole wait, seconds")
    parser.add_argument("--no-chaos", action="store_true", help="neither kill a worker nor restart Redis")
    return parser.parse_args()


# --- processes --------------------------------------------------------------------------------------


class Processes:
    """Every child process of the run, each in its own process group, stopped in ``stop_all``."""

    def __init__(self, logdir: Path):
        self.logdir = logdir
        self.redis: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}

    def start_redis(self, port: int) -> None:
        log = open(self.logdir / "redis.log", "ab")  # noqa: SIM115 (closed with the process)
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--daemonize", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if self.redis.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.logdir / 'redis.log'}")
            time.sleep(0.1)
        raise RuntimeError("redis-server did not answer within 15 s")

    def kill_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            os.killpg(self.redis.pid, signal.SIGKILL)
            self.redis.wait()

    def start_worker(self, name: str, env: dict[str, str]) -> None:
        log = open(self.logdir / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.workers[name] = subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "interviewnode", "worker", "-c", "1", "-n", f"{name}@%h"]
            + ["--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker's whole process group: the main process and its pool child, mid-task."""
        worker = self.workers[name]
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()

    def stop_all(self) -> None:
        for worker in self.workers.values():
            stop(worker)
        if self.redis is not None:
            stop(self.redis)


# --- SMTP sink --------------------------------------------------------------------------------------


class Sink:
    """Counts every message accepted, by its X-Outbox-Key header."""

    def __init__(self):
        self.received: collections.Counter[str] = collections.Counter()
        self.without_key = 0
        self.lock = threading.Lock()
        self.parser = email.parser.BytesHeaderParser()

    async def handle_DATA(self, server, session, envelope):
        key = self.parser.parsebytes(envelope.content).get("X-Outbox-Key")
        with self.lock:
            if key:
                self.received[str(key)] += 1
            else:
                self.without_key += 1
        return "250 Message accepted"

    def total(self) -> int:
        with self.lock:
            return sum(self.received.values()) + self.without_key


class PublishFailures(logging.Handler):
    """Counts the sends email_enqueue could not hand to Celery (Redis down): the sweep sends them."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        if "Could not hand e-mail" in record.getMessage():
            self.count += 1


# --- the run ----------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    from django.db.models import Count

    from notifications.models import OutboxEmail

    rows = OutboxEmail.objects.values("state").annotate(n=Count("pk")).order_by()
    return {row["state"]: row["n"] for row in rows}


def wait_for_workers(app, expected: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1)) >= expected:
            return
    raise RuntimeError(f"{expected} Celery worker(s) did not answer a ping within {timeout} s")


def main() -> int:
    args = parse_args()
    run = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    logdir = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    redis_port, smtp_port = free_port(), free_port()
    url = database_url("_outbox")
    database_recreate(url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "interviewnode.settings",
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_KEY_PREFIX": database_name(url),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "OUTBOX_STALE_SECONDS": str(args.stale_seconds),
        "DEBUG": "0",
        "CONN_MAX_AGE": "60",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    processes = Processes(logdir)
    processes.start_redis(redis_port)

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import connection, transaction

    from interviewnode.celery import app
    from notifications.models import OutboxEmail
    from notifications.services import email_enqueue, outbox_sweep

    call_command("migrate", verbosity=0)
    failures = PublishFailures()
    logging.getLogger("notifications.services").addHandler(failures)
    logging.getLogger("notifications.services").propagate = False  # one line per failure would flood
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    events: list[dict] = []
    started = time.monotonic()

    def event(what: str) -> None:
        events.append({"at_s": round(time.monotonic() - started, 2), "event": what})
        print(f"  {events[-1]['at_s']:7.2f}s  {what}", flush=True)

    done = threading.Event()
    sweeps = {"runs": 0, "scheduled": 0, "errors": 0}

    def sweeper() -> None:
        while not done.wait(args.sweep_every):
            try:
                sweeps["scheduled"] += outbox_sweep()
                sweeps["runs"] += 1
            except Exception as exc:  # the database is fine; keep sweeping
                sweeps["errors"] += 1
                print(f"  sweep failed: {exc!r}", flush=True)
        connection.close()

    def sent_so_far() -> int:
        return OutboxEmail.objects.filter(state=OutboxEmail.State.SENT).count()

    def chaos() -> None:
        try:
            while not done.is_set() and sent_so_far() < args.emails * 0.3:
                time.sleep(0.2)
            if done.is_set():
                return
            processes.kill_worker("w1")
            event("SIGKILL worker w1 (process group)")
            processes.start_worker(f"w{args.workers + 1}", env)
            event(f"started replacement worker w{args.workers + 1}")
            while not done.is_set() and sent_so_far() < args.emails * 0.5:
                time.sleep(0.2)
            if done.is_set():
                return
            processes.kill_redis()
            event("SIGKILL redis-server (its queue is lost: no persistence)")
            time.sleep(2)
            processes.start_redis(redis_port)
            event("redis-server started again on the same port")
        finally:
            connection.close()

    timeline: list[tuple[float, int]] = []
    try:
        for number in range(1, args.workers + 1):
            processes.start_worker(f"w{number}", env)
        wait_for_workers(app, args.workers)
        print(f"{args.workers} workers up; logs in {logdir}", flush=True)

        started = time.monotonic()
        threads = [threading.Thread(target=sweeper, daemon=True)]
        if not args.no_chaos:
            threads.append(threading.Thread(target=chaos, daemon=True))
        for thread in threads:
            thread.start()
        context = {
            "name": "Ada",
            "session_title": "ML Engineer · Mid — timed interview",
            "submitted_at": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
            "auto_graded": {"correct": 3, "total": 4},
            "awaiting_review": 2,
            "score": None,
            "url": "http://127.0.0.1/sessions/42/",
        }
        keys = [f"session_submitted:session:{n}:bench:{run}" for n in range(args.emails)]
        for first in range(0, args.emails, args.batch):
            with transaction.atomic():
                for n in range(first, min(first + args.batch, args.emails)):
                    email_enqueue(
                        kind=OutboxEmail.Kind.SESSION_SUBMITTED,
                        key=keys[n],
                        to_email=f"candidate{n % 500}@example.com",
                        template="session_submitted",
                        context=context,
                    )
        event(f"{args.emails} e-mails enqueued")

        deadline = started + args.timeout
        finished = None
        while time.monotonic() < deadline:
            state = counts()
            timeline.append((round(time.monotonic() - started, 2), state.get("sent", 0)))
            if state.get("sent", 0) + state.get("failed", 0) >= args.emails:
                finished = time.monotonic()
                break
            time.sleep(0.5)
        wall = (finished or time.monotonic()) - started
        event("every row sent or failed" if finished else f"timed out after {args.timeout} s")
        time.sleep(1)  # anything still in flight reaches the sink
    finally:
        done.set()
        processes.stop_all()
        controller.stop()

    state = counts()
    received = sink.received
    lost = [key for key in keys if key not in received]
    duplicates = {key: n for key, n in received.items() if n > 1}
    best = 0.0
    for i, (at, sent) in enumerate(timeline):  # the best 10-second stretch, for the steady rate
        for at2, sent2 in timeline[i + 1 :]:
            if at2 - at >= 10:
                best = max(best, (sent2 - sent) / (at2 - at))
                break
    stuck = list(
        OutboxEmail.objects.exclude(state=OutboxEmail.State.SENT).values(
            "key", "state", "attempts", "last_error"
        )[:20]
    )
    output = {
        "database": database_name(url),
        "cpus": os.cpu_count(),
        "emails": args.emails,
        "batch": args.batch,
        "workers": args.workers,
        "sweep_every_s": args.sweep_every,
        "stale_seconds": args.stale_seconds,
        "chaos": not args.no_chaos,
        "finished": finished is not None,
        "wall_s": round(wall, 2),
        "emails_per_s": round(state.get("sent", 0) / wall, 1),
        "best_10s_emails_per_s": round(best, 1),
        "received_at_sink": sink.total(),
        "lost": len(lost),
        "duplicates": sum(n - 1 for n in duplicates.values()),
        "duplicate_keys": duplicates,
        "lost_keys": lost[:20],
        "outbox_states": state,
        "not_sent_rows": stuck,
        "rows_sent_on_a_later_attempt": OutboxEmail.objects.filter(attempts__gt=1).count(),
        "publish_failures": failures.count,
        "sweeps": sweeps,
        "events": events,
        "worker_logs": str(logdir),
    }
    path = results_write("outbox", output)
    print(
        f"\n{output['emails_per_s']} e-mails/s over {output['wall_s']} s "
        f"(best 10 s: {output['best_10s_emails_per_s']}/s); lost {output['lost']}, "
        f"duplicates {output['duplicates']}; states {state}; publish failures {failures.count}; "
        f"sweeps {sweeps}"
    )
    print(f"results: {path}")
    return 0 if finished and not lost and not duplicates else 1


if __name__ == "__main__":
    sys.exit(main())
