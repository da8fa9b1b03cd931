"""Migration operations for what only PostgreSQL has; the SQLite default simply goes without."""

from __future__ import annotations

from django.db import migrations
from django.utils import timezone


def _is_postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexOnPostgres(migrations.AddIndex):
    """An index (GIN, say) created on PostgreSQL only; the model state records it everywhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class RunSQLOnPostgres(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgres(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _is_postgres(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class SchedulePeriodicTask(migrations.RunPython):
    """Put a Celery task on beat's database schedule (django-celery-beat), once.

    ``every`` is an interval such as ``(30, "seconds")``; ``crontab`` a dict of crontab fields in UTC
    (``minute``, ``hour``, ``day_of_week``). Re-running leaves a schedule an admin has edited alone.
    """

    reversible = True

    def __init__(self, *, name: str, task: str, description: str, every=None, crontab=None):
        if (every is None) == (crontab is None):
            raise ValueError("Give either every or crontab.")
        self.name, self.task, self.description = name, task, description
        self.every, self.crontab = every, crontab
        super().__init__(self._schedule, self._unschedule)

    def _schedule(self, apps, schema_editor):
        beat = "django_celery_beat"
        when = {}
        if self.every is not None:
            every, period = self.every
            interval = apps.get_model(beat, "IntervalSchedule").objects
            when["interval"] = interval.filter(every=every, period=period).order_by(
                "pk"
            ).first() or interval.create(every=every, period=period)
        else:
            fields = {"day_of_week": "*", "day_of_month": "*", "month_of_year": "*", "timezone": "UTC"}
            fields.update(self.crontab)
            crontab = apps.get_model(beat, "CrontabSchedule").objects
            when["crontab"] = crontab.filter(**fields).order_by("pk").first() or crontab.create(**fields)
        apps.get_model(beat, "PeriodicTask").objects.get_or_create(
            name=self.name,
            defaults={"task": self.task, "enabled": True, "description": self.description, **when},
        )
        # Beat reloads its schedule when this timestamp moves (model signals do not run in migrations).
        apps.get_model(beat, "PeriodicTasks").objects.update_or_create(
            ident=1, defaults={"last_update": timezone.now()}
        )

    def _unschedule(self, apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=self.name).delete()

    def describe(self):
        return f"Schedule the periodic task {self.name!r}"
