"""Reminders every minute, the weekly digest on Mondays at 08:00 UTC, practice reminders daily at 09:00 UTC."""

from django.db import migrations

from interviewnode.db import SchedulePeriodicTask


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        SchedulePeriodicTask(
            name="Send due booking reminders",
            task="scheduling.tasks.send_due_reminders",
            every=(1, "minutes"),
            description="Sends the 24 h and 1 h reminders of live mocks that are due.",
        ),
        SchedulePeriodicTask(
            name="Send the weekly progress digest",
            task="scheduling.tasks.send_weekly_digest",
            crontab={"minute": "0", "hour": "8", "day_of_week": "1"},
            description="Queues each candidate's weekly progress digest (unless they opted out).",
        ),
        SchedulePeriodicTask(
            name="Send practice reminders",
            task="scheduling.tasks.send_practice_reminders",
            crontab={"minute": "0", "hour": "9"},
            description="Queues practice reminders for candidates whose interview date is near.",
        ),
    ]
