from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
import yaml
from aiosmtpd.controller import Controller
from celery import Celery, _state, current_app
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from questions.bank import DATA_DIR, taxonomy_load

from . import clock
from .factories import PASSWORD, UserFactory


def pytest_addoption(parser):
    parser.addoption(
        "--clock-shift-days",
        type=int,
        default=int(os.environ.get("TEST_CLOCK_SHIFT_DAYS", "0")),
        help="Run the whole suite with the clock moved this many days (negative: back); the clock "
        "keeps ticking. Proves no test depends on today's date. Default: $TEST_CLOCK_SHIFT_DAYS or 0.",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "clock(at): freeze the clock at this aware datetime for the whole test"
    )
    if days := config.getoption("--clock-shift-days"):
        clock.shift_start(days)


def pytest_unconfigure(config):
    clock.shift_stop()


def pytest_report_header(config):
    days = config.getoption("--clock-shift-days")
    return f"clock moved {days:+d} days: now is {datetime.now(UTC):%Y-%m-%d %H:%M} UTC" if days else None


@pytest.fixture(autouse=True)
def _clock(request):
    """``@pytest.mark.clock(at)``: every call in the test, fixtures included, runs at ``at``.

    Tests that build data at a fixed date freeze the clock for the whole test instead of only around
    some calls, so nothing in them reads the real date. ``with time_machine.travel(...)`` inside
    still moves the clock for a step and comes back to ``at``.
    """
    marker = request.node.get_closest_marker("clock")
    if marker is None:
        yield
        return
    with time_machine.travel(marker.args[0], tick=False):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit and lockout counters live in the cache (Redis in CI): no test sees another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def taxonomy(db):
    """The shipped taxonomy (levels, categories with rubrics, roles, companies)."""
    taxonomy_load(
        yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text()),
        yaml.safe_load((DATA_DIR / "companies.yaml").read_text())["companies"],
    )


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def candidate(db):
    return UserFactory(role=Role.CANDIDATE)


@pytest.fixture
def coach(db):
    return UserFactory(role=Role.COACH)


@pytest.fixture
def curator(db):
    return UserFactory(role=Role.CURATOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def candidate_api(candidate):
    client = APIClient()
    client.force_authenticate(candidate)
    return client


@pytest.fixture
def curator_api(curator):
    client = APIClient()
    client.force_authenticate(curator)
    return client


@pytest.fixture
def candidate_client(client, candidate):
    """The Django test client signed in as a candidate, for the server-rendered pages."""
    client.force_login(candidate)
    return client


@pytest.fixture
def fast_password_hasher(settings):
    """A cheap hasher for tests that log in many times; PBKDF2 stays to check older hashes."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def other_candidate(db):
    return UserFactory(role=Role.CANDIDATE)


@pytest.fixture(autouse=True)
def celery_eager(request):
    """Tasks run in-process, as with REDIS_URL unset, instead of going to a Redis queue others share.

    Only tests that ask for ``real_celery`` (a worker on Redis) publish to a broker.
    """
    if "real_celery" in request.fixturenames:
        yield
        return
    conf = current_app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


class SmtpSink:
    """What a real SMTP server (aiosmtpd, in the test process on 127.0.0.1) received, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.reject_with: str | None = None  # an SMTP reply such as "451 4.3.0 Try again later"
        self.hold: threading.Event | None = None  # when set, DATA waits until the event is set
        self.holding = threading.Event()  # set once a DATA is waiting on ``hold`` (a send is mid-way)
        self._received = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.hold is not None:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait)
        if self.reject_with:
            return self.reject_with
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._received:
            self.messages.append(message)
            self._received.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 60) -> list[email.message.EmailMessage]:
        """The messages, once at least ``count`` have arrived; the timeout only bounds a failing test."""
        with self._received:
            if not self._received.wait_for(lambda: len(self.messages) >= count, timeout):
                came = len(self.messages)
                raise AssertionError(f"{count} e-mail(s) expected at the SMTP server, {came} came")
            return list(self.messages)


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on a free local port; Django's SMTP backend sends to it for this test."""
    sink = SmtpSink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield sink
    if sink.hold is not None:
        sink.hold.set()
    controller.stop()


class RealCelery:
    """Real Celery on Redis for one test, isolated from other test runs sharing the Redis server.

    ``with real_celery.app(broker_url)`` makes a dedicated app current in the test thread: tasks are
    published (not run eagerly) to a queue of its own. ``with real_celery.worker()`` also runs a
    worker thread consuming that queue from the real Redis; it reads the test database (committed
    data only, so use it from a ``transactional_db`` test).
    """

    def __init__(self, redis_url: str):
        self.redis_url = redis_url

    @contextmanager
    def app(self, broker_url: str | None = None):
        app = Celery("interviewnode-tests", set_as_current=False)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.update(
            broker_url=broker_url or self.redis_url,
            task_always_eager=False,
            task_default_queue=f"tests-{uuid.uuid4().hex}",
            worker_enable_remote_control=False,
            worker_hijack_root_logger=False,
        )
        before = (current_app._get_current_object(), _state.default_app)
        app.set_current()
        try:
            yield app
        finally:
            before[0].set_current()
            _state.set_default_app(before[1])
            if broker_url is None:  # drop what no worker took (a dead broker has nothing to clean)
                with app.connection_for_write() as connection:
                    connection.default_channel.queue_delete(app.conf.task_default_queue)
            app.close()

    @contextmanager
    def worker(self):
        root = logging.getLogger()
        logging_before = (root.level, root.handlers[:])
        with self.app() as app:
            try:
                with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
                    yield app
            finally:
                # The embedded worker sets up logging for a worker process; give pytest its own back.
                root.setLevel(logging_before[0])
                root.handlers[:] = logging_before[1]
                logging.captureWarnings(False)


@pytest.fixture
def real_celery(transactional_db):
    if not django_settings.REDIS_URL:
        pytest.fail(
            "REDIS_URL is unset: this test needs a real Celery worker on Redis "
            "(run scripts/ensure-services and set REDIS_URL=redis://127.0.0.1:6379/0)."
        )
    return RealCelery(django_settings.REDIS_URL)


@pytest.fixture
def other_coach(db):
    return UserFactory(role=Role.COACH)


def _api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def coach_api(coach):
    return _api_for(coach)


@pytest.fixture
def other_coach_api(other_coach):
    return _api_for(other_coach)


@pytest.fixture
def admin_api(admin_user):
    return _api_for(admin_user)
