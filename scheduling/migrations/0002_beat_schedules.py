"""Schedule scheduling.tasks on Celery beat (database scheduler): reminders every minute, the weekly
digest on Mondays at 08:00 UTC, practice reminders daily at 09:00 UTC."""

from django.db import migrations
from django.utils import timezone

REMINDERS = ("Send due booking reminders", "scheduling.tasks.send_due_reminders")
DIGEST = ("Send the weekly progress digest", "scheduling.tasks.send_weekly_digest")
PRACTICE = ("Send practice reminders", "scheduling.tasks.send_practice_reminders")


def _crontab(CrontabSchedule, *, minute, hour, day_of_week):
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "UTC",
    }
    crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
    return crontab or CrontabSchedule.objects.create(**fields)


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_minute = IntervalSchedule.objects.filter(every=1, period="minutes").order_by("pk").first()
    if every_minute is None:
        every_minute = IntervalSchedule.objects.create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=REMINDERS[0],
        defaults={
            "task": REMINDERS[1],
            "interval": every_minute,
            "enabled": True,
            "description": "Sends the 24 h and 1 h reminders of live mocks that are due.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=DIGEST[0],
        defaults={
            "task": DIGEST[1],
            "crontab": _crontab(CrontabSchedule, minute="0", hour="8", day_of_week="1"),
            "enabled": True,
            "description": "Queues each candidate's weekly progress digest (unless they opted out).",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=PRACTICE[0],
        defaults={
            "task": PRACTICE[1],
            "crontab": _crontab(CrontabSchedule, minute="0", hour="9", day_of_week="*"),
            "enabled": True,
            "description": "Queues practice reminders for candidates whose interview date is near.",
        },
    )
    # The beat scheduler reloads its schedule when this timestamp moves (signals do not run here).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    names = [REMINDERS[0], DIGEST[0], PRACTICE[0]]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
