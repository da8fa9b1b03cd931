"""Schemathesis against a live server: the OpenAPI schema is what the API does.

The demo data (``seed_demo``) plus a closed practice session with a written answer, then every
operation of /api/schema/, signed in in turn as the demo candidate, coach and curator, with every
check: no server error, every status code, content type, header and body as the schema says, valid
data accepted and invalid data refused. Every phase runs (examples, coverage, fuzzing, stateful), with
a few examples per operation, derandomized: a run takes a few minutes and fails the same way twice.
``pytest -m fuzz`` (``make fuzz``); the figures per role are printed.
"""

from __future__ import annotations

import io
import socket
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests
from django.core.management import call_command
from rest_framework import throttling

from accounts.models import User
from interviewnode.management.commands.seed_demo import DEMO_PASSWORD
from interviews import services
from interviews.models import InterviewSession
from interviews.selectors import template_list
from reviews.selectors import RUBRIC_KINDS

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.engine import events, from_schema  # noqa: E402
from schemathesis.engine.run import PhaseName  # noqa: E402

pytestmark = [pytest.mark.fuzz]

ROLES = ("candidate", "coach", "curator")
MAX_EXAMPLES = 8
SEED = 20261205

# Operations whose valid input depends on stored rows, the caller's role or the clock, which a schema
# cannot say: for them a schema-valid body may rightly be refused with a 400 (documented, with the
# one error shape); every other check still applies to them.
BUSINESS_RULES = {
    # The template, question, role, level, company and categories named must exist.
    "POST /api/v1/sessions/",
    # content or choice_ids as the question at that position asks, and only its own choices.
    "PUT /api/v1/sessions/{session_id}/items/{position}/answer/",
    # A score for every criterion of that question's rubric.
    "PUT /api/v1/sessions/{session_id}/items/{position}/self-assessment/",
    # The session's positions and the criteria of each one's rubric; publishing needs them all.
    "PUT /api/v1/sessions/{session_id}/review/",
    # A start in the future and within SLOT_HORIZON_DAYS, 15 minutes to 4 hours long.
    "POST /api/v1/slots/",
    # The coach of a booking gives a reason; its candidate need not.
    "POST /api/v1/bookings/{booking_id}/cancel/",
    # Category and tag slugs that exist, and what the question's kind needs (choices and an
    # explanation, a reference answer, a language).
    "POST /api/v1/questions/",
    "PATCH /api/v1/questions/{id}/",
}
# Schemathesis' default for positive_data_acceptance, plus 400.
ACCEPTED_OR_REFUSED_BY_RULE = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]


@dataclass
class Figures:
    selected: int = 0  # operations in the schema, less the one left out
    operations: set[str] = field(default_factory=set)  # those tried
    requests: int = 0
    successes: int = 0  # 2xx responses: the run got past authentication and validation
    seconds: float = 0.0
    failures: Counter = field(default_factory=Counter)  # check name → count
    examples: dict[tuple[str, str], str] = field(default_factory=dict)  # one per check and operation

    @property
    def server_errors(self) -> int:
        return self.failures["not_a_server_error"]

    @property
    def check_failures(self) -> int:
        """Failed checks other than a server error (schema violations), and requests that failed."""
        return sum(self.failures.values()) - self.server_errors


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


def _config(base_url: str, token: str) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": base_url,
            "headers": {"Authorization": f"Token {token}"},
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # PostgreSQL stores no NUL character, so the API refuses one anywhere with a 400: in a
                # JSON body (interviewnode.parsers, keys included) and in a query (Django's forms).
                # OpenAPI 3.0 cannot say that of an object's keys.
                "allow-x00": False,
            },
            "checks": {"enabled": True},
            "operations": [
                {
                    "include-name": name,
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": ACCEPTED_OR_REFUSED_BY_RULE}
                    },
                }
                for name in sorted(BUSINESS_RULES)
            ],
        }
    )


def _fuzz(base_url: str, token: str) -> Figures:
    schema = schemathesis.openapi.from_url(
        f"{base_url}/api/schema/?format=json", config=_config(base_url, token)
    )
    # Revoking the token the run signs in with would turn the rest of the run into 401s.
    schema = schema.exclude(method="DELETE", path="/api/v1/auth/token/")
    figures = Figures(selected=schema.statistic.operations.selected)
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.phase != PhaseName.STATEFUL_TESTING:  # its label is "Stateful tests"
                figures.operations.add(event.recorder.label)
            for interaction in event.recorder.interactions.values():
                figures.requests += 1
                if interaction.response is not None and 200 <= interaction.response.status_code < 300:
                    figures.successes += 1
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
            figures.examples[("error", event.label)] = f"{event.value!r}\n{event.info.code_sample or ''}"
    figures.seconds = time.monotonic() - started
    return figures


@pytest.fixture
def no_rate_limits(monkeypatch):
    # The fuzzer is one client sending thousands of requests; the limits are tested on their own.
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})


@pytest.fixture
def server_url(live_server) -> str:
    # Replies without Nagle's algorithm (accepted sockets inherit the option on Linux): wsgiref sends
    # a response's headers and body in two writes, and the body waited for the client's delayed ACK
    # of the headers, 40 ms a request, two thirds of the run's time.
    live_server.thread.httpd.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return live_server.url


def test_the_api_does_what_its_schema_says(transactional_db, server_url, no_rate_limits, capsys):
    _seed()
    results = {}
    for role in ROLES:
        response = requests.post(
            f"{server_url}/api/v1/auth/token/",
            json={"email": f"{role}@example.com", "password": DEMO_PASSWORD},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        results[role] = _fuzz(server_url, response.json()["token"])

    with capsys.disabled():
        print(f"\nschema fuzz (seed {SEED}, {MAX_EXAMPLES} examples per operation and phase):")
        print(f"{'role':<10} {'operations':>10} {'requests':>9} {'server errors':>14} ", end="")
        print(f"{'check failures':>15} {'s':>4}")
        for role, figures in results.items():
            print(
                f"{role:<10} {len(figures.operations):>10} {figures.requests:>9} "
                f"{figures.server_errors:>14} {figures.check_failures:>15} {figures.seconds:>4.0f}"
            )
        for role, figures in results.items():
            if figures.failures:
                print(f"\n{role}: {dict(figures.failures)}")
                for (check, operation), example in figures.examples.items():
                    print(f"- {check} on {operation}: {example}")

    for role, figures in results.items():
        # Every operation was tried, and some requests went all the way (not all refused).
        assert len(figures.operations) == figures.selected and figures.successes, (role, figures)
        assert (figures.server_errors, figures.check_failures) == (0, 0), (role, dict(figures.failures))
