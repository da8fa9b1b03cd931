"""Sweep the e-mail outbox every minute on Celery beat."""

from django.db import migrations

from interviewnode.db import SchedulePeriodicTask


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        SchedulePeriodicTask(
            name="Sweep the e-mail outbox",
            task="notifications.tasks.sweep_outbox",
            every=(1, "minutes"),
            description="Sends again the e-mails a dead broker or worker dropped, and the retries that are due.",
        ),
    ]
