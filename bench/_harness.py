"""What the benches share: the database they recreate, free ports, the gunicorn they start and stop, and
the one percentile their figures are computed with.

Each bench drops and recreates a database of its own: the one DATABASE_URL names (default: ``in_bench``
on postgres@127.0.0.1:5432), with ``_autosave`` or ``_outbox`` appended for those benches, so that one
DATABASE_URL serves all three and none wipes another's. Only a name containing "bench" is recreated:
DATABASE_URL is also the app's own setting, and a development database must never be dropped by mistake.
The servers listen on the loopback only.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


# --- database ----------------------------------------------------------------------------------------


def database_url(suffix: str = "") -> str:
    """DATABASE_URL (default: in_bench on the local PostgreSQL) with ``suffix`` appended to its name."""
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/in_bench"
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://… (or leave it unset).")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def database_recreate(url: str) -> None:
    """Drop the database ``url`` names (connections and all) and create it empty."""
    import psycopg2

    name = database_name(url)
    if "bench" not in name or not name.replace("_", "").isalnum():
        sys.exit(f"Refusing to recreate a database named {name!r}: a bench's name contains 'bench'.")
    admin = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()


def django_setup(url: str) -> None:
    """Django in this process, on ``url`` and a local-memory cache (REDIS_URL is dropped)."""
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewnode.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- processes ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the process's group (it was started with start_new_session), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def gunicorn_start(
    url: str, *, workers: int, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free loopback port, as production runs the app; returns once it answers.

    BENCHMARK_ENDPOINTS=1 adds GET /api/v1/bench/baseline/<pk>/ (one row through the same middleware,
    token authentication and throttling); the per-user throttle is raised so that it never answers 429
    (it still runs). No REDIS_URL unless ``env`` gives one: a local-memory cache per worker.
    """
    port = free_port()
    server_env = {
        key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CACHE_KEY_PREFIX")
    }
    server_env.update(
        DJANGO_SETTINGS_MODULE="interviewnode.settings",
        DATABASE_URL=url,
        BENCHMARK_ENDPOINTS="1",
        DEBUG="0",
        CONN_MAX_AGE="60",  # persistent connections, as production settings have them
        API_USER_RATE="1000000/min",
        LOG_LEVEL="WARNING",
        **(env or {}),
    )
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "interviewnode.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--backlog",
        "4096",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=server_env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited before it answered; see its output above.")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/taxonomy/")
            if connection.getresponse().status == 200:
                connection.close()
                return server, port
            connection.close()
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not answer within 60 s.")


# --- figures -----------------------------------------------------------------------------------------


def percentile(values: list[float], percent: int) -> float | None:
    """The nearest-rank percentile: the smallest value that ``percent`` % of the values are at most."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, -(-percent * len(ordered) // 100) - 1)]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def results_write(name: str, data: dict) -> Path:
    """bench/results/<name>-<UTC time>.json; the path, relative to the repository."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    path = RESULTS / f"{name}-{stamp}.json"
    path.write_text(json.dumps({"run_at": stamp, **data}, indent=2, default=str) + "\n")
    return path.relative_to(ROOT)
