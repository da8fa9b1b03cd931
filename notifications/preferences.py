"""Which optional e-mails a user gets (EmailPreference; no row: all of them), and the unsubscribe links,
identified by the row's token, that turn one off without signing in (the pages: views.py)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from interviewnode.errors import ApplicationError
from interviewnode.links import absolute_url

from .models import EmailPreference

# The e-mails a candidate may turn off: EmailPreference's fields, and the ``kind`` of unsubscribe links.
OPTIONAL_EMAILS = ("weekly_digest", "practice_reminders")


def preferences_for(users: list[AbstractBaseUser]) -> dict[int, EmailPreference]:
    """Each user's preferences, creating the missing rows (with defaults) so every link has a token."""
    EmailPreference.objects.bulk_create(
        [EmailPreference(user=user) for user in users], ignore_conflicts=True, batch_size=500
    )
    return {p.user_id: p for p in EmailPreference.objects.filter(user__in=users)}


def preference_update(*, token: str, weekly_digest: bool, practice_reminders: bool) -> EmailPreference:
    preference = _preference_by_token(token)
    preference.weekly_digest = weekly_digest
    preference.practice_reminders = practice_reminders
    preference.save(update_fields=["weekly_digest", "practice_reminders"])
    return preference


def preference_opt_out(*, token: str, kind: str) -> EmailPreference:
    """Turn one kind of optional e-mail off (``weekly_digest`` or ``practice_reminders``)."""
    if kind not in OPTIONAL_EMAILS:
        raise ApplicationError("There is no such e-mail to turn off.", code="not_found", status_code=404)
    preference = _preference_by_token(token)
    setattr(preference, kind, False)
    preference.save(update_fields=[kind])
    return preference


def _preference_by_token(token: str) -> EmailPreference:
    preference = EmailPreference.objects.filter(token=token).first()
    if preference is None:
        raise ApplicationError("This unsubscribe link is not valid.", code="not_found", status_code=404)
    return preference


def unsubscribe_url(preference: EmailPreference, *, kind: str) -> str:
    """The preferences page, with ``kind`` (one of OPTIONAL_EMAILS) unticked."""
    return absolute_url("notifications:unsubscribe", preference.token) + f"?kind={kind}"


def unsubscribe_headers(preference: EmailPreference, *, kind: str) -> dict[str, str]:
    """List-Unsubscribe with one-click (RFC 8058): the mail client's own "Unsubscribe" button works."""
    url = absolute_url("notifications:unsubscribe-one-click", preference.token, kind)
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
