"""Schedule interviews.tasks.close_overdue_sessions every 30 seconds on Celery beat (database scheduler)."""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Close overdue interview sessions"
TASK = "interviews.tasks.close_overdue_sessions"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_30s = IntervalSchedule.objects.filter(every=30, period="seconds").order_by("pk").first()
    if every_30s is None:
        every_30s = IntervalSchedule.objects.create(every=30, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every_30s,
            "enabled": True,
            "description": "Submits timed sessions left open past their deadline plus the grace period.",
        },
    )
    # The beat scheduler reloads its schedule when this timestamp moves (signals do not run here).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
