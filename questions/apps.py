from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


def forget_lists(action: str = "", **kwargs):
    from .selectors import bank_changed

    if not action.startswith("pre_"):  # m2m_changed sends pre_ and post_ for each change: once is enough
        bank_changed()


class QuestionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "questions"

    def ready(self):
        # Cache invalidation, not a workflow: whatever writes the bank (services, the admin, imports,
        # the shell), what the lists cached from it must go. A bulk write that sends no signal
        # (bulk_create, QuerySet.update) has to call selectors.bank_changed() itself.
        from .models import Category, Company, Level, Question, Role, Topic

        for model in (Question, Category, Role, Level, Company, Topic):
            for signal in (post_save, post_delete):
                signal.connect(forget_lists, sender=model, dispatch_uid=f"bank-lists-{model.__name__}")
        for name in ("roles", "levels", "companies", "topics"):
            through = getattr(Question, name).through
            m2m_changed.connect(forget_lists, sender=through, dispatch_uid=f"bank-lists-{name}")
