"""Close overdue sessions every 30 seconds on Celery beat."""

from django.db import migrations

from interviewnode.db import SchedulePeriodicTask


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        SchedulePeriodicTask(
            name="Close overdue interview sessions",
            task="interviews.tasks.close_overdue_sessions",
            every=(30, "seconds"),
            description="Submits timed sessions left open past their deadline plus the grace period.",
        ),
    ]
