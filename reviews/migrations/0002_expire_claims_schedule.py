"""Expire stale review claims every 10 minutes on Celery beat."""

from django.db import migrations

from interviewnode.db import SchedulePeriodicTask


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        SchedulePeriodicTask(
            name="Expire stale review claims",
            task="reviews.tasks.expire_review_claims",
            every=(10, "minutes"),
            description="Claims not worked on for REVIEW_CLAIM_TTL_HOURS go back to the review queue.",
        ),
    ]
