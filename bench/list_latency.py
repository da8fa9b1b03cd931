"""Latency of the question list and search API on 100,000 questions, next to a one-row baseline.

    .venv/bin/python bench/list_latency.py            # see bench/README.md for the options

1. (Re)creates the PostgreSQL database ``in_bench`` (or the one in DATABASE_URL), migrates it, loads the
   shipped taxonomy and generates published questions with realistic words in titles and prompts.
2. Starts gunicorn on the loopback with BENCHMARK_ENDPOINTS=1, which adds GET /api/v1/bench/baseline/<pk>/:
   the same middleware, token authentication and throttling, but one row read by primary key.
3. Warms up, then times each request a fixed number of times from a few client threads, in rounds that
   alternate between the requests so that a slow moment on the machine hits all of them alike.
4. Prints p50/p95 per request and each list p95 ÷ baseline p95 against the 3× target, and writes the
   same figures as JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import sys
import threading
import time

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

TARGET_RATIO = 3.0
REQUESTS = {
    "list": "/api/v1/questions/",
    "category+level": "/api/v1/questions/?category=ml-system-design&level=senior",
    "company+difficulty": "/api/v1/questions/?company=google,meta&difficulty=hard",
    "search": "/api/v1/questions/?q=gradient+boosting",
    "search+role+page": "/api/v1/questions/?q=attention&role=nlp-engineer&page=3",
}

# --- generated content ------------------------------------------------------------------------------
# Each question is about one main subject (in its title and prompt) and mentions a few others in the
# prompt, so a search term matches a few percent of the bank, as it would in a real one.
SUBJECTS = [
    "gradient boosting", "random forests", "logistic regression", "linear regression", "decision trees",
    "self-attention", "multi-head attention", "transformers", "attention mechanisms", "recurrent networks",
    "convolutional networks", "batch normalization", "dropout", "weight decay", "learning rate schedules",
    "the bias-variance trade-off", "cross-validation", "feature engineering", "embeddings", "word2vec",
    "retrieval-augmented generation", "vector search", "approximate nearest neighbours", "two-tower models",
    "collaborative filtering", "learning to rank", "click-through prediction", "calibration",
    "class imbalance", "precision and recall", "ROC curves", "A/B testing", "sequential testing",
    "variance reduction", "causal inference", "propensity scores", "Bayesian optimization", "k-means",
    "principal component analysis", "anomaly detection", "time series forecasting", "tokenization",
    "beam search", "knowledge distillation", "quantization", "mixed precision training",
    "distributed data parallel training", "model serving", "feature stores", "online learning",
    "data drift", "label noise", "active learning", "contrastive learning", "diffusion models",
    "reinforcement learning from human feedback", "fine-tuning large language models", "LoRA adapters",
    "object detection", "image segmentation", "speech recognition", "graph neural networks",
]  # fmt: skip
TITLE_TEMPLATES = [
    "Explain {s} to a product manager",
    "When does {s} fail, and how would you notice?",
    "Debugging a model that relies on {s}",
    "Design a system around {s} for {a}",
    "Trade-offs of {s} at scale",
    "Implement {s} from scratch",
    "Compare {s} with {t}",
    "Evaluating {s} offline and online",
    "{S} under a tight latency budget",
    "A production incident involving {s}",
]
APPLICATIONS = [
    "a news feed", "ads ranking", "fraud detection", "search autocomplete", "a video platform",
    "a marketplace", "a ride-hailing app", "an e-mail spam filter", "a music service", "a mobile keyboard",
    "customer support", "a payments company", "an online store", "a social network", "medical triage",
]  # fmt: skip
PROMPT_SENTENCES = [
    "You are working on {a} and the team wants to use {s}.",
    "Walk through how {s} works and which assumptions it makes.",
    "How would you compare it with {t} on the same data?",
    "What would you monitor after launch, and which metric would you report to leadership?",
    "The training data has about {n} million rows and the labels arrive with a delay of a week.",
    "Sketch the offline evaluation, then explain how {t} changes your plan.",
    "Interviewers expect you to state the failure modes of {s} and how to detect them.",
    "Assume a latency budget of {m} milliseconds at the 99th percentile.",
    "Discuss what changes when the traffic grows tenfold.",
]
DIFFICULTIES = ["easy", "medium", "hard"]
KINDS = [("written", 70), ("multiple_choice", 15), ("code", 15)]


def _pick(rng: random.Random, items: list, low: int, high: int) -> list:
    return rng.sample(items, rng.randint(low, high))


def _text(rng: random.Random) -> tuple[str, str]:
    subject, other = rng.sample(SUBJECTS, 2)
    values = {"s": subject, "S": subject[0].upper() + subject[1:], "t": other, "a": rng.choice(APPLICATIONS)}
    title = rng.choice(TITLE_TEMPLATES).format(**values)
    values.update(n=rng.randint(2, 900), m=rng.choice([10, 20, 50, 100, 200]))
    prompt = " ".join(s.format(**values) for s in rng.sample(PROMPT_SENTENCES, rng.randint(3, 5)))
    return title[:200], prompt


# --- database ----------------------------------------------------------------------------------------


def database_fill(count: int, seed: int) -> str:
    """Migrate, load the taxonomy, generate ``count`` published questions; return an API token."""
    import yaml
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Role as UserRole
    from accounts.models import User
    from accounts.services import user_setup
    from questions.bank import DATA_DIR, taxonomy_load
    from questions.models import Category, Company, Level, Question, Role, Topic

    call_command("migrate", verbosity=0, interactive=False)
    taxonomy_load(
        yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text()),
        yaml.safe_load((DATA_DIR / "companies.yaml").read_text())["companies"],
    )
    rng = random.Random(seed)
    categories = list(Category.objects.all())
    roles, levels = list(Role.objects.all()), list(Level.objects.all())
    companies = list(Company.objects.all())
    topics = Topic.objects.bulk_create(
        Topic(slug=s.lower().replace(" ", "-").replace("/", "-")[:60], name=s) for s in SUBJECTS
    )
    now = timezone.now()
    started = time.monotonic()
    batch = 5000
    for start in range(0, count, batch):
        with transaction.atomic():
            questions = []
            for number in range(start, min(start + batch, count)):
                title, prompt = _text(rng)
                kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
                questions.append(
                    Question(
                        slug=f"bench-{number}",
                        title=title,
                        prompt=prompt,
                        kind=kind,
                        language="python" if kind == "code" else "",
                        category=rng.choice(categories),
                        difficulty=rng.choice(DIFFICULTIES),
                        time_budget_seconds=rng.choice([10, 15, 20, 30, 45]) * 60,
                        reference_answer="A generated reference answer.",
                        status=Question.Status.PUBLISHED,
                        status_changed_at=now,
                    )
                )
            # The BEFORE INSERT trigger fills search_vector for each row.
            questions = Question.objects.bulk_create(questions, batch_size=1000)
            for field, column, pool, low, high in (
                ("roles", "role_id", roles, 1, 3),
                ("levels", "level_id", levels, 1, 2),
                ("companies", "company_id", companies, 0, 3),
                ("topics", "topic_id", topics, 1, 3),
            ):
                through = getattr(Question, field).through
                through.objects.bulk_create(
                    (
                        through(question_id=q.pk, **{column: item.pk})
                        for q in questions
                        for item in _pick(rng, pool, low, high)
                    ),
                    batch_size=10000,
                )
        done = min(start + batch, count)
        print(f"\r  {done:,} questions ({time.monotonic() - started:.0f} s)", end="", flush=True)
    print()
    user = User.objects.create_user("bench@example.com", password=None)
    user_setup(user=user, role=UserRole.CANDIDATE)
    token = Token.objects.create(user=user).key
    with connection.cursor() as cursor:  # what autovacuum would have done by the time users arrive
        cursor.execute("VACUUM ANALYZE")
    return token


def database_token() -> str:
    """The token of an existing bench database (with --reuse)."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("migrate", verbosity=0, interactive=False)
    return Token.objects.get(user__email="bench@example.com").key


# --- server and clients ------------------------------------------------------------------------------


def server_env(args) -> dict[str, str]:
    env = {}
    if args.redis_url:
        # The production shape: one cache for all workers. A prefix of its own per run, so that nothing
        # cached by an earlier run (on another fill of the database) is read back.
        env.update(REDIS_URL=args.redis_url, CACHE_KEY_PREFIX=f"in_bench_{time.time_ns()}")
    if args.no_cache:
        env.update(QUESTION_LIST_CACHE_SECONDS="0")  # a timeout of 0 caches nothing
    return env


def get(port: int, path: str, token: str) -> tuple[float, int, bytes]:
    """One request on a new connection (gunicorn's sync workers close it anyway); seconds, status, body."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return time.perf_counter() - started, response.status, body


def run_batch(port: int, paths: list[str], token: str, clients: int) -> list[float]:
    """Send every path once from ``clients`` threads; the latencies in seconds."""
    timings: list[float] = []
    errors: list[str] = []
    queue = iter(paths)
    lock = threading.Lock()

    def client():
        while True:
            with lock:
                path = next(queue, None)
            if path is None:
                return
            seconds, status, body = get(port, path, token)
            with lock:
                timings.append(seconds)
                if status != 200:
                    errors.append(f"{path}: HTTP {status} {body[:200]!r}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        sys.exit("Requests failed:\n" + "\n".join(errors[:5]))
    return timings


def measure(port: int, token: str, args, max_pk: int) -> dict:
    rng = random.Random(args.seed)
    requests = {"baseline": None, **REQUESTS}

    def paths(name: str, n: int) -> list[str]:
        if name == "baseline":  # a different row each time, as the list requests read different pages
            return [f"/api/v1/bench/baseline/{rng.randint(1, max_pk)}/" for _ in range(n)]
        return [requests[name]] * n

    results = {}
    for name in requests:
        _, status, body = get(port, paths(name, 1)[0], token)
        results[name] = {"path": requests[name] or "/api/v1/bench/baseline/<pk>/", "timings": []}
        if name != "baseline":
            results[name]["results"] = json.loads(body)["count"]
            if not results[name]["results"]:
                sys.exit(f"{name} matched nothing: the generated data does not exercise it.")
    print(f"  warming up ({args.warmup} requests each)")
    for name in requests:
        run_batch(port, paths(name, args.warmup), token, args.clients)
    per_round = -(-args.requests // args.rounds)
    for number in range(args.rounds):
        print(f"  round {number + 1}/{args.rounds} ({per_round} requests each, {args.clients} clients)")
        for name in requests:
            count = min(per_round, args.requests - len(results[name]["timings"]))
            results[name]["timings"] += run_batch(port, paths(name, count), token, args.clients)
    baseline_p95 = percentile(results["baseline"]["timings"], 95)
    for name, result in results.items():
        timings = result.pop("timings")
        result.update(
            requests=len(timings), p50_ms=ms(percentile(timings, 50)), p95_ms=ms(percentile(timings, 95))
        )
        if name != "baseline":
            result["p95_ratio"] = round(percentile(timings, 95) / baseline_p95, 2)
    return results


def report(results: dict) -> str:
    header = ("request", "p50 ms", "p95 ms", "p95/baseline", "target", "rows", "path")
    rows = [header]
    for name, r in results.items():
        if "p95_ratio" in r:
            ratio = f"{r['p95_ratio']:.2f}x"
            target = f"<={TARGET_RATIO:g}x " + ("ok" if r["p95_ratio"] <= TARGET_RATIO else "OVER")
            count = f"{r['results']:,}"
        else:
            ratio, target, count = "-", "", "1"
        rows.append((name, f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}", ratio, target, count, r["path"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    align = "<>>>><<"
    lines = ["  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=40, help="untimed requests per endpoint first")
    parser.add_argument("--rounds", type=int, default=10, help="alternate the endpoints this many times")
    parser.add_argument("--clients", type=int, default=2, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/15",
        help="the server's cache, as in production; empty for a local-memory cache per worker",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="count and rank the matches on every request (the cold case)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep a filled database (still migrates it)")
    args = parser.parse_args()

    url = database_url()
    started = time.monotonic()
    if args.reuse:
        print(f"Reusing {database_name(url)}")
        django_setup(url)
        token = database_token()
    else:
        print(f"Creating {database_name(url)} with {args.questions:,} questions")
        database_recreate(url)
        django_setup(url)
        token = database_fill(args.questions, args.seed)
    from questions.models import Question

    max_pk = Question.objects.order_by("-pk").values_list("pk", flat=True).first()
    questions = Question.objects.filter(status=Question.Status.PUBLISHED).count()
    print(f"  database ready in {time.monotonic() - started:.0f} s: {questions:,} published questions")

    server, port = gunicorn_start(url, workers=args.workers, env=server_env(args))
    load_before = os.getloadavg()
    try:
        results = measure(port, token, args, max_pk)
    finally:
        stop(server)
    # Other work on the machine moves the milliseconds: keep the load next to them.
    load = {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)}

    table = report(results)
    print(f"\n(1-minute load average {load['before']} before the measurement, {load['after']} after)")
    print(table)
    over = [name for name, r in results.items() if r.get("p95_ratio", 0) > TARGET_RATIO]
    print(
        f"\n{'All list/search requests within' if not over else 'Over'} {TARGET_RATIO:g}× the baseline p95"
        + (f": {', '.join(over)}" if over else ".")
    )
    output = results_write(
        "list_latency",
        {
            "questions": questions,
            "settings": {k: v for k, v in vars(args).items() if k != "reuse"},
            "target_ratio": TARGET_RATIO,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "system": platform.platform(),
                "load_average_1m": load,
            },
            "results": results,
        },
    )
    print(f"Written to {output}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
