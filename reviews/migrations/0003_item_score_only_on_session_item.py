"""An answer's score lives in one place, its item (``SessionItem.score``): ``ItemReview.score``, which
publishing wrote as well, goes. A score only the review row holds is first copied to its item, so no
data is lost; going back copies the published items' scores to their review rows again."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def copy_scores_to_items(apps, schema_editor):
    ItemReview = apps.get_model("reviews", "ItemReview")
    SessionItem = apps.get_model("interviews", "SessionItem")
    scored = ItemReview.objects.filter(item=OuterRef("pk"), score__isnull=False).values("score")[:1]
    SessionItem.objects.filter(Exists(scored), score__isnull=True).update(score=Subquery(scored))


def copy_scores_to_reviews(apps, schema_editor):
    ItemReview = apps.get_model("reviews", "ItemReview")
    SessionItem = apps.get_model("interviews", "SessionItem")
    item_score = SessionItem.objects.filter(pk=OuterRef("item_id")).values("score")[:1]
    ItemReview.objects.filter(review__status="published").update(score=Subquery(item_score))


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0002_close_overdue_sessions_schedule"),
        ("reviews", "0002_expire_claims_schedule"),
    ]

    operations = [
        migrations.RunPython(copy_scores_to_items, copy_scores_to_reviews, elidable=True),
        migrations.RemoveConstraint(model_name="itemreview", name="item_review_score_range"),
        migrations.RemoveField(model_name="itemreview", name="score"),
    ]
