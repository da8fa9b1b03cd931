"""The optional e-mails about a candidate's progress: the weekly digest and practice reminders.

Each goes at most once per candidate and ISO week of their own calendar, unless they opted out
(notifications.preferences); Celery beat runs them (tasks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Profile, Role, User
from interviewnode.links import absolute_url
from interviews.models import InterviewSession
from notifications.models import OutboxEmail
from notifications.preferences import preferences_for, unsubscribe_headers, unsubscribe_url
from notifications.services import email_enqueue
from scheduling.models import Booking

from .selectors import category_scores, practise_next

PRACTICE_WINDOW_DAYS = 21

Kind = OutboxEmail.Kind


def weekly_digest_send(*, now: datetime | None = None) -> int:
    """Queue this week's progress digest for every candidate who has not opted out; returns how many.

    Keyed per user and (local) ISO week, so a second run in the same week queues nothing.
    """
    now = now or timezone.now()
    since = now - timedelta(days=7)
    return _weekly_emails_send(
        kind=Kind.WEEKLY_DIGEST,
        preference="weekly_digest",
        recipients=((user, _local_day(user, now)) for user in _candidates("weekly_digest")),
        context=lambda user: _digest_context(user, since=since, now=now),
        url=absolute_url("interviews:mine"),
        now=now,
    )


def practice_reminders_send(*, now: datetime | None = None) -> int:
    """Remind candidates whose interview date is within three weeks (in their own calendar) to practise.

    At most one a week per candidate (keyed per user and local ISO week); returns how many were queued.
    """
    now = now or timezone.now()
    # A generous UTC window first; each user's own calendar day decides below.
    today_utc = now.date()
    profiles = (
        Profile.objects.filter(
            user__in=_candidates("practice_reminders"),
            interview_date__gte=today_utc - timedelta(days=1),
            interview_date__lte=today_utc + timedelta(days=PRACTICE_WINDOW_DAYS + 1),
        )
        .select_related("user")
        .order_by("user_id")
    )
    recipients, contexts = [], {}
    for profile in profiles:
        local_today = _local_day(profile.user, now)
        days_left = (profile.interview_date - local_today).days
        if 0 <= days_left <= PRACTICE_WINDOW_DAYS:
            recipients.append((profile.user, local_today))
            contexts[profile.user_id] = {"interview_date": profile.interview_date, "days_left": days_left}
    return _weekly_emails_send(
        kind=Kind.PRACTICE_REMINDER,
        preference="practice_reminders",
        recipients=recipients,
        context=lambda user: contexts[user.pk],
        url=absolute_url("interviews:new"),
        now=now,
    )


def _weekly_emails_send(
    *,
    kind: str,
    preference: str,
    recipients: Iterable[tuple[User, date]],
    context: Callable[[User], Mapping[str, Any]],
    url: str,
    now: datetime,
) -> int:
    """Queue the ``kind`` e-mail (its template too) to each (user, their local day) not yet sent it that
    week; returns how many. ``preference`` is the opt-out its unsubscribe links turn off.

    The outbox key is ``<kind>:user:<id>:week:<ISO year>-W<week>``: rows written under it, by this
    code or an earlier one, are not sent again. Keep the format when changing this function.
    """
    due = [(user, f"{kind}:user:{user.pk}:week:{_week_key(day)}") for user, day in recipients]
    due = [(user, key) for user, key in due if not OutboxEmail.objects.filter(key=key).exists()]
    preferences = preferences_for([user for user, _ in due])
    for user, key in due:
        with transaction.atomic():
            email_enqueue(
                kind=kind,
                key=key,
                to_email=user.email,
                user=user,
                template=kind,
                context={
                    "name": user.first_name,
                    **context(user),
                    "practise_next": practise_next(candidate=user, now=now),
                    "url": url,
                    "unsubscribe_url": unsubscribe_url(preferences[user.pk], kind=preference),
                },
                headers=unsubscribe_headers(preferences[user.pk], kind=preference),
            )
    return len(due)


def _digest_context(user: User, *, since: datetime, now: datetime) -> dict[str, Any]:
    sessions = (
        InterviewSession.objects.filter(candidate=user, submitted_at__gte=since, submitted_at__lte=now)
        .exclude(status=InterviewSession.Status.IN_PROGRESS)
        .select_related("template", "role", "level", "company")
        .order_by("submitted_at")
    )
    upcoming = (
        Booking.objects.filter(candidate=user, status=Booking.Status.BOOKED, slot__start__gt=now)
        .select_related("slot__coach")
        .order_by("slot__start")[:5]
    )
    return {
        "week_start": since,
        "week_end": now,
        "sessions": [{"title": s.title, "submitted_at": s.submitted_at, "score": s.score} for s in sessions],
        "scores": category_scores(candidate=user, since=since),
        "upcoming": [{"start": b.slot.start, "coach": b.slot.coach.display_name} for b in upcoming],
    }


def _candidates(opted_in: str) -> QuerySet[User]:
    """Active candidates who have not turned off ``opted_in`` (one of OPTIONAL_EMAILS)."""
    return (
        User.objects.filter(groups__name=Role.CANDIDATE, is_active=True)
        .exclude(**{f"email_preference__{opted_in}": False})
        .order_by("pk")
    )


def _local_day(user: User, now: datetime) -> date:
    return now.astimezone(ZoneInfo(user.timezone)).date()


def _week_key(local_day: date) -> str:
    year, week, _ = local_day.isocalendar()
    return f"{year}-W{week:02d}"
