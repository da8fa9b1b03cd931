"""Schemathesis against a live server: the OpenAPI schema is what the API does.

The demo data (``seed_demo``) plus a closed practice session with a written answer, then every
operation of /api/schema/, signed in in turn as the demo candidate, coach and curator, with every
check: no server error, and every status code, content type, header and body as the schema says.
Bounded (a few examples per operation) and derandomized, so a run takes minutes and fails the same
way twice. ``pytest -m fuzz`` (``make fuzz``); the figures per role are printed.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
from django.core.management import call_command
from rest_framework import throttling

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import User
from interviews import services
from interviews.models import InterviewSession
from interviews.selectors import template_list
from reviews.selectors import RUBRIC_KINDS

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.engine import events, from_schema  # noqa: E402

pytestmark = [pytest.mark.fuzz]

ROLES = ("candidate", "coach", "curator")
MAX_EXAMPLES = 8
SEED = 20261205


@dataclass
class Figures:
    operations: set[str] = field(default_factory=set)
    requests: int = 0
    failures: Counter = field(default_factory=Counter)  # check name → count
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # one per check and operation

    @property
    def server_errors(self) -> int:
        return self.failures["not_a_server_error"]

    @property
    def schema_violations(self) -> int:
        return sum(count for name, count in self.failures.items() if name != "not_a_server_error")


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    candidate = User.objects.get(email="candidate@example.com")
    # A closed session with a written answer: its answer's is_correct is null, not a boolean.
    template = template_list().first()
    session = services.session_start_from_template(
        candidate=candidate, template=template, mode=InterviewSession.Mode.PRACTICE
    )
    written = next(item for item in session.items.all() if item.revision.content["kind"] in RUBRIC_KINDS)
    services.answer_save(session=session, position=written.position, content="A written answer.", version=0)
    services.session_submit(
        session_id=session.pk, user=candidate, closed_by=InterviewSession.ClosedBy.CANDIDATE
    )
    services.session_start_from_template(
        candidate=candidate, template=template, mode=InterviewSession.Mode.PRACTICE
    )


def _fuzz(base_url: str, token: str) -> Figures:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Token {token}"},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": True},
            "base-url": base_url,
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json", config=config)
    # Revoking the token the run signs in with would turn the rest of the run into 401s.
    schema = schema.exclude(method="DELETE", path="/api/v1/auth/token/")
    figures = Figures()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            figures.operations.add(event.recorder.label)
            figures.requests += len(event.recorder.interactions)
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.failure_info is None:
                        continue
                    figures.failures[node.name] += 1
                    failure = node.failure_info.failure
                    key = (node.name, event.recorder.label)
                    if key not in figures.examples:
                        figures.examples[key] = (
                            f"{failure.title}: {failure.message}\n{node.failure_info.code_sample}"
                        )
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.NonFatalError):
            figures.failures["error"] += 1
            figures.examples[("error", event.label)] = repr(event.value)
    return figures


@pytest.fixture
def no_rate_limits(monkeypatch):
    # The fuzzer is one client sending thousands of requests; the limits are tested on their own.
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})


def test_the_api_does_what_its_schema_says(transactional_db, live_server, no_rate_limits, capsys):
    _seed()
    started = time.monotonic()
    results = {}
    for role in ROLES:
        response = requests.post(
            f"{live_server.url}/api/v1/auth/token/",
            json={"email": f"{role}@example.com", "password": DEMO_PASSWORD},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        results[role] = _fuzz(live_server.url, response.json()["token"])

    with capsys.disabled():
        print(f"\nschema fuzz ({time.monotonic() - started:.0f} s, seed {SEED}, {MAX_EXAMPLES} examples):")
        print(
            f"{'role':<10} {'operations':>10} {'requests':>9} {'server errors':>14} {'schema violations':>18}"
        )
        for role, figures in results.items():
            print(
                f"{role:<10} {len(figures.operations):>10} {figures.requests:>9} "
                f"{figures.server_errors:>14} {figures.schema_violations:>18}"
            )
        for role, figures in results.items():
            if figures.failures:
                print(f"\n{role}: {dict(figures.failures)}")
                for (check, operation), example in figures.examples.items():
                    print(f"- {check} on {operation}: {example}")
    assert all(not figures.failures for figures in results.values())
