"""EmailPreference, until now scheduling's (its migration 0003), joins the e-mails: the model takes over
the table scheduling_emailpreference as it is, and its content type (with its permissions and the admin
log) goes along."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import notifications.models


def content_type_to(app_label):
    def move(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.filter(model="emailpreference")
        # After a migration back and forth, Django may have created the other one already: keep it.
        if not content_types.filter(app_label=app_label).exists():
            content_types.exclude(app_label=app_label).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_outbox_account_kinds"),
        ("scheduling", "0003_emailpreference_to_notifications"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EmailPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("weekly_digest", models.BooleanField(default=True)),
                        ("practice_reminders", models.BooleanField(default=True)),
                        (
                            "token",
                            models.CharField(
                                default=notifications.models.unsubscribe_token,
                                editable=False,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="email_preference",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "scheduling_emailpreference"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to("notifications"), content_type_to("scheduling")),
    ]
