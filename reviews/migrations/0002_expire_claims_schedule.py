"""Schedule reviews.tasks.expire_review_claims every 10 minutes on Celery beat (database scheduler)."""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "Expire stale review claims"
TASK = "reviews.tasks.expire_review_claims"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every = IntervalSchedule.objects.filter(every=10, period="minutes").order_by("pk").first()
    if every is None:
        every = IntervalSchedule.objects.create(every=10, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": TASK,
            "interval": every,
            "enabled": True,
            "description": "Claims not worked on for REVIEW_CLAIM_TTL_HOURS go back to the review queue.",
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
