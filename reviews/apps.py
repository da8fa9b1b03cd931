from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self):
        # Reviews build on interviews, never the reverse: interviews asks these hooks for coaches'
        # access to sessions and for the review on a session's results. Imported here because models
        # may only be imported once every app is loaded.
        from interviews.hooks import session_hooks

        from . import selectors

        session_hooks.readers = selectors.coach_readers
        session_hooks.published_review = selectors.published_review
        session_hooks.results_feedback = selectors.results_feedback
