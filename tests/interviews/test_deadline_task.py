"""The Celery beat task that closes sessions whose candidate has gone, and its schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from interviews.models import Answer, InterviewSession
from interviews.services import answer_save
from interviews.tasks import close_overdue_sessions
from tests.factories import QuestionFactory, interview_session

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture(autouse=True)
def _grace(settings):
    settings.SESSION_GRACE_SECONDS = 30


@pytest.fixture
def abandoned(taxonomy, candidate):
    """A 10-minute session started at NOW, one written answer saved, one multiple choice answered right."""
    mc = QuestionFactory(choices=[("Right", True), ("Wrong", False)])
    with time_machine.travel(NOW, tick=False):
        session = interview_session(candidate, [QuestionFactory(), mc], duration_minutes=10)
        answer_save(session=session, position=1, content="Saved before leaving", version=0)
        answer_save(session=session, position=2, choice_ids=[mc.choices.get(is_correct=True).id], version=0)
    return session


def test_it_closes_a_session_left_open_past_deadline_and_grace(abandoned):
    with time_machine.travel(NOW + timedelta(minutes=10, seconds=31), tick=False):
        close_overdue_sessions.apply().get()

    abandoned.refresh_from_db()
    assert abandoned.status == "submitted"
    assert abandoned.closed_by == "deadline"
    assert abandoned.submitted_at == NOW + timedelta(minutes=10, seconds=31)
    written, mc = Answer.objects.filter(item__session=abandoned).order_by("item__position")
    assert written.content == "Saved before leaving" and written.locked
    assert mc.is_correct is True


def test_running_it_twice_changes_nothing_more(abandoned):
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        close_overdue_sessions()
    abandoned.refresh_from_db()
    first = (abandoned.status, abandoned.closed_by, abandoned.submitted_at, abandoned.score)

    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):
        looked_at = close_overdue_sessions()

    abandoned.refresh_from_db()
    assert looked_at == 0
    assert (abandoned.status, abandoned.closed_by, abandoned.submitted_at, abandoned.score) == first
    assert first[:3] == ("submitted", "deadline", NOW + timedelta(minutes=11))


def test_it_leaves_a_session_within_its_grace_period_open(abandoned):
    with time_machine.travel(NOW + timedelta(minutes=10, seconds=30), tick=False):
        close_overdue_sessions()

    abandoned.refresh_from_db()
    assert abandoned.status == "in_progress"


def test_it_leaves_practice_sessions_and_submitted_sessions_alone(taxonomy, candidate, candidate_api):
    with time_machine.travel(NOW, tick=False):
        practice = interview_session(candidate, [QuestionFactory()], mode="practice")
        submitted = interview_session(candidate, [QuestionFactory()], duration_minutes=10)
        candidate_api.post(f"/api/v1/sessions/{submitted.id}/submit/")

    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        close_overdue_sessions()

    practice.refresh_from_db()
    submitted.refresh_from_db()
    assert practice.status == "in_progress"
    assert (submitted.closed_by, submitted.submitted_at) == ("candidate", NOW)


def test_one_broken_session_does_not_keep_the_others_open(abandoned, taxonomy, candidate, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        other = interview_session(candidate, [QuestionFactory()], duration_minutes=10)
    from interviews import tasks

    real_submit = tasks.session_submit

    def failing_for_the_first(*, session_id, **kwargs):
        if session_id == abandoned.id:
            raise RuntimeError("broken row")
        return real_submit(session_id=session_id, **kwargs)

    monkeypatch.setattr(tasks, "session_submit", failing_for_the_first)
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        close_overdue_sessions()

    assert InterviewSession.objects.get(pk=other.id).status == "submitted"
    assert InterviewSession.objects.get(pk=abandoned.id).status == "in_progress"


def test_the_task_is_scheduled_every_30_seconds_after_migrate():
    periodic = PeriodicTask.objects.select_related("interval").get(task=close_overdue_sessions.name)

    assert periodic.task == "interviews.tasks.close_overdue_sessions"
    assert periodic.enabled
    assert (periodic.interval.every, periodic.interval.period) == (30, "seconds")


def test_the_schedule_migration_can_run_again_without_a_second_row():
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    migration = import_module("interviews.migrations.0002_close_overdue_sessions_schedule").Migration
    (schedule,) = migration.operations
    schedule.code(apps, connection.schema_editor())

    assert PeriodicTask.objects.filter(task=close_overdue_sessions.name).count() == 1
