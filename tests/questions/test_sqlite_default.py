"""`make run` serves the demo on SQLite: the bank's list, filters and search work there too.

The rest of the suite runs on PostgreSQL; this runs the demo's own commands in a subprocess on a fresh
SQLite file, then lists the bank through the API as a signed-in candidate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LIST_THE_BANK = """
import json, django
django.setup()
from rest_framework.test import APIClient
from accounts.models import User
client = APIClient()
client.force_login(User.objects.get(email="candidate@example.com"))
pages = {
    name: client.get("/api/v1/questions/", params).json()
    for name, params in {
        "all": {},
        "filtered": {"category": "ml-theory", "level": "entry,mid", "company": "google"},
        "search": {"q": "gradient"},
    }.items()
}
pages["html"] = client.get("/questions/", {"q": "gradient"}).status_code
print(json.dumps(pages))
"""


def test_the_demo_on_sqlite_lists_filters_and_searches_the_bank(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DATABASE_URL", "CACHE_KEY_PREFIX", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="interviewnode.settings",
        ALLOWED_HOSTS="testserver",
    )

    def run(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py and script, with this interpreter
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    run(sys.executable, "manage.py", "migrate", "--no-input")
    run(sys.executable, "manage.py", "seed_demo")
    pages = json.loads(run(sys.executable, "-c", LIST_THE_BANK).strip().splitlines()[-1])

    assert pages["all"]["count"] == 299
    first = pages["all"]["results"][0]
    assert set(first) == {
        "id", "slug", "title", "kind", "category", "difficulty", "roles", "levels", "companies", "topics",
        "time_budget_seconds",
    }  # fmt: skip
    assert first["roles"] and all(isinstance(slug, str) for slug in first["roles"])
    filtered = pages["filtered"]["results"]
    assert filtered, "the demo bank has entry/mid ML theory questions in the style of Google"
    for row in filtered:
        assert row["category"] == "ml-theory" and "google" in row["companies"]
        assert {"entry", "mid"} & set(row["levels"])
        assert row["levels"] == sorted(row["levels"], key=["entry", "mid", "senior", "staff"].index)
    assert 0 < pages["search"]["count"] < 299
    assert pages["html"] == 200
