"""EmailPreference moves to the notifications app (its migration 0005): only Django's idea of the models
changes here; the table, scheduling_emailpreference, stays as it is and becomes notifications'."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0002_beat_schedules"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="EmailPreference")],
            database_operations=[],
        ),
    ]
