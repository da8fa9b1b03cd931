"""Autosave under load: N simulated candidates saving every 5 s against gunicorn on PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1 must be up; the database ``in_bench_autosave``, or
DATABASE_URL's name + ``_autosave``, is dropped and made again; see bench/_harness.py):

    .venv/bin/python bench/autosave_load.py                       # 50, 100, 200, 400, … clients
    .venv/bin/python bench/autosave_load.py --steps 50,100 --paced-seconds 10   # a quick look

For each step N it runs, against the same gunicorn:

1. paced: N clients, one timed session each, every client PUTs an answer every 5 s (the page's rhythm)
   with the version from its previous 200, for --paced-seconds. Latency percentiles come from here.
2. capacity, closed loop with the same concurrency N for --closed-seconds each: the baseline endpoint
   (GET /api/v1/bench/baseline/<pk>/, one row through the same stack) and then autosave PUTs sent
   back to back. ratio = autosave req/s / baseline req/s (target >= 0.5).

It stops after the first step whose paced p95 passes --p95-limit-ms, or at the last step. Then it checks
that every save acknowledged with a 200 is in the database: for every answer, the last acknowledged
content and version equal the stored ones (lost must be 0). Loopback only; every loop is time-bounded.
Percentiles are nearest-rank, as in every bench (bench/_harness.py). Results go to
bench/results/autosave-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass, field

import httpx
from _harness import (
    database_name,
    database_recreate,
    database_url,
    django_setup,
    gunicorn_start,
    ms,
    percentile,
    results_write,
    stop,
)

SAVE_EVERY = 5.0  # seconds between a candidate's autosaves, as the page does while typing
POSITIONS = 3  # questions per session; clients rotate over them
PADDING = "The model overfits because the training set is small; regularise and get more data. " * 12


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--steps", default="50,100,200,400,800,1600", help="client counts, comma-separated")
    parser.add_argument("--paced-seconds", type=float, default=30.0)
    parser.add_argument("--closed-seconds", type=float, default=10.0)
    parser.add_argument("--p95-limit-ms", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
    return parser.parse_args()


# --- database ---------------------------------------------------------------------------------------


def prepare(url: str, clients: int) -> dict:
    """Migrate, load the bank, and make ``clients`` candidates with a token and a 3-hour session each."""
    django_setup(url)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Django's logging config would print every request
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, User
    from accounts.services import user_setup
    from interviews.services import session_start_with_questions
    from questions.bank import load_shipped_bank
    from questions.models import Question

    call_command("migrate", verbosity=0)
    report = load_shipped_bank()
    questions = list(
        Question.objects.filter(status=Question.Status.PUBLISHED, kind=Question.Kind.WRITTEN).order_by("pk")[
            :POSITIONS
        ]
    )
    assert len(questions) == POSITIONS, "the shipped bank should have written questions"
    users = User.objects.bulk_create(User(email=f"bench{i}@example.com") for i in range(clients))
    for user in users:  # unusable passwords: hashing thousands of real ones would dominate set-up
        user_setup(user=user, role=Role.CANDIDATE)
    tokens = Token.objects.bulk_create(Token(key=secrets.token_hex(20), user=user) for user in users)
    sessions = [
        session_start_with_questions(candidate=user, questions=questions, mode="timed", duration_minutes=180)
        for user in users
    ]
    baseline_pk = Question.objects.order_by("pk").values_list("pk", flat=True).first()
    return {
        "bank": str(report)[:200],
        "clients": [{"token": t.key, "session": s.pk} for t, s in zip(tokens, sessions, strict=True)],
        "baseline_pk": baseline_pk,
    }


def stored_answers(session_ids: list[int]) -> dict[tuple[int, int], tuple[str, int]]:
    from interviews.models import Answer

    rows = Answer.objects.filter(item__session_id__in=session_ids).values_list(
        "item__session_id", "item__position", "content", "version"
    )
    return {(s, p): (c, v) for s, p, c, v in rows}


# --- clients ----------------------------------------------------------------------------------------


@dataclass
class Candidate:
    token: str
    session: int
    versions: dict[int, int] = field(default_factory=lambda: dict.fromkeys(range(1, POSITIONS + 1), 0))
    acked: dict[int, tuple[str, int]] = field(default_factory=dict)  # last 200: content, version
    sent: int = 0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def autosave(http: httpx.AsyncClient, candidate: Candidate, tally: Tally) -> None:
    position = candidate.sent % POSITIONS + 1
    candidate.sent += 1
    content = f"session {candidate.session} save {candidate.sent}: {PADDING}"
    version = candidate.versions[position]
    started = time.perf_counter()
    try:
        response = await http.put(
            f"/api/v1/sessions/{candidate.session}/items/{position}/answer/",
            json={"content": content, "version": version},
            headers={"Authorization": f"Token {candidate.token}"},
        )
    except httpx.HTTPError as error:
        tally.error(type(error).__name__)
        return
    tally.latencies.append(time.perf_counter() - started)
    if response.status_code == 200:
        tally.ok += 1
        saved = response.json()["version"]
        candidate.versions[position] = saved
        candidate.acked[position] = (content, saved)
        return
    tally.error(str(response.status_code))
    if response.status_code == 409 and response.json().get("code") == "stale_version":
        # A timed-out earlier save did land after all: carry on from the stored version, like the page.
        candidate.versions[position] = response.json()["answer"]["version"]


async def paced(http: httpx.AsyncClient, candidates: list[Candidate], seconds: float) -> Tally:
    tally = Tally()
    start = time.perf_counter()
    end = start + seconds

    async def one(index: int, candidate: Candidate) -> None:
        # Spread the first saves over the 5 s window, then keep each candidate's own 5 s rhythm.
        due = start + SAVE_EVERY * index / len(candidates)
        while due < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await autosave(http, candidate, tally)
            due += SAVE_EVERY

    await asyncio.gather(*(one(i, c) for i, c in enumerate(candidates)))
    tally.elapsed = time.perf_counter() - start
    return tally


async def closed_loop(http: httpx.AsyncClient, candidates: list[Candidate], seconds: float, action) -> Tally:
    tally = Tally()
    start = time.perf_counter()
    end = start + seconds

    async def one(candidate: Candidate) -> None:
        while time.perf_counter() < end:
            await action(http, candidate, tally)

    await asyncio.gather(*(one(c) for c in candidates))
    tally.elapsed = time.perf_counter() - start
    return tally


def baseline_action(pk: int):
    async def action(http: httpx.AsyncClient, candidate: Candidate, tally: Tally) -> None:
        started = time.perf_counter()
        try:
            response = await http.get(
                f"/api/v1/bench/baseline/{pk}/", headers={"Authorization": f"Token {candidate.token}"}
            )
        except httpx.HTTPError as error:
            tally.error(type(error).__name__)
            return
        tally.latencies.append(time.perf_counter() - started)
        if response.status_code == 200:
            tally.ok += 1
        else:
            tally.error(str(response.status_code))

    return action


def summary(tally: Tally) -> dict:
    return {
        "requests_ok": tally.ok,
        "errors": sum(tally.errors.values()),
        "error_kinds": tally.errors,
        "seconds": round(tally.elapsed, 2),
        "ok_per_second": round(tally.ok / tally.elapsed, 1),
        "p50_ms": ms(percentile(tally.latencies, 50)),
        "p95_ms": ms(percentile(tally.latencies, 95)),
        "p99_ms": ms(percentile(tally.latencies, 99)),
    }


async def run_step(base_url: str, candidates: list[Candidate], args, baseline_pk: int) -> dict:
    n = len(candidates)
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=args.timeout) as http:
        steady = await paced(http, candidates, args.paced_seconds)
        baseline = await closed_loop(http, candidates, args.closed_seconds, baseline_action(baseline_pk))
        capacity = await closed_loop(http, candidates, args.closed_seconds, autosave)
    ratio = capacity.ok / capacity.elapsed / (baseline.ok / baseline.elapsed) if baseline.ok else None
    return {
        "clients": n,
        "offered_autosaves_per_second": round(n / SAVE_EVERY, 1),
        "paced": summary(steady),
        "baseline_closed_loop": summary(baseline),
        "autosave_closed_loop": summary(capacity),
        "ratio_autosave_to_baseline": None if ratio is None else round(ratio, 2),
    }


def verify(candidates: list[Candidate]) -> dict:
    stored = stored_answers([c.session for c in candidates])
    lost, checked, later = 0, 0, 0
    for candidate in candidates:
        for position, (content, version) in candidate.acked.items():
            checked += 1
            now_content, now_version = stored[(candidate.session, position)]
            if (now_content, now_version) == (content, version):
                continue
            if now_version > version:
                later += 1  # a save whose 200 the client never saw (timed out) landed after it
            else:
                lost += 1
    return {"answers_checked": checked, "lost": lost, "superseded_by_unacknowledged_save": later}


def print_table(steps: list[dict]) -> None:
    header = (
        f"{'N':>5} {'offered/s':>9} {'saves/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f" | {'base/s':>7} {'save/s':>7} {'ratio':>5}"
    )
    print(header)
    print("-" * len(header))
    for s in steps:
        p, base, cap = s["paced"], s["baseline_closed_loop"], s["autosave_closed_loop"]
        print(
            f"{s['clients']:>5} {s['offered_autosaves_per_second']:>9} {p['ok_per_second']:>8}"
            f" {p['p50_ms']:>7} {p['p95_ms']:>7} {p['p99_ms']:>7} {p['errors']:>6}"
            f" | {base['ok_per_second']:>7} {cap['ok_per_second']:>7} {s['ratio_autosave_to_baseline']:>5}"
        )


def main() -> int:
    args = parse_args()
    steps = [int(n) for n in args.steps.split(",")]
    url = database_url("_autosave")
    print(f"recreating {database_name(url)} and preparing {max(steps)} candidates…", flush=True)
    database_recreate(url)
    prepared = prepare(url, max(steps))
    everyone = [Candidate(token=c["token"], session=c["session"]) for c in prepared["clients"]]
    server, port = gunicorn_start(url, workers=args.workers)
    results = []
    try:
        for n in steps:
            print(f"step: {n} clients", flush=True)
            step = asyncio.run(
                run_step(f"http://127.0.0.1:{port}", everyone[:n], args, prepared["baseline_pk"])
            )
            results.append(step)
            print(json.dumps(step), flush=True)
            if step["paced"]["p95_ms"] is not None and step["paced"]["p95_ms"] > args.p95_limit_ms:
                print(f"p95 passed {args.p95_limit_ms} ms at {n} clients: stopping", flush=True)
                break
    finally:
        stop(server)
    check = verify(everyone)
    path = results_write(
        "autosave",
        {
            "database": database_name(url),
            "gunicorn_workers": args.workers,
            "cpus": os.cpu_count(),
            "paced_seconds": args.paced_seconds,
            "closed_seconds": args.closed_seconds,
            "save_every_seconds": SAVE_EVERY,
            "answer_bytes": len(f"session 1 save 1: {PADDING}".encode()),
            "p95_limit_ms": args.p95_limit_ms,
            "steps": results,
            "verification": check,
        },
    )
    print()
    print_table(results)
    print(f"\nverification: {check}")
    print(f"results: {path}")
    return 0 if check["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
