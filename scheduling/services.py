"""Writes for live mock interviews: slots, bookings, reminders, and the periodic e-mails.

Every e-mail is written to the outbox (notifications.services.email_enqueue) in the transaction of the
change that causes it; the outbox sends it after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, Role, User
from interviewnode.errors import ApplicationError
from notifications.models import OutboxEmail
from notifications.services import email_enqueue, email_user
from questions.models import Company
from questions.models import Role as QuestionRole

from .invites import invite_attachment
from .models import Booking, CoachProfile, EmailPreference, Reminder, Slot

MIN_SLOT = timedelta(minutes=15)
MAX_SLOT = timedelta(hours=4)
MAX_WEEKS = 26
REMINDERS = {Reminder.Kind.DAY_BEFORE: timedelta(hours=24), Reminder.Kind.HOUR_BEFORE: timedelta(hours=1)}
PRACTICE_WINDOW_DAYS = 21
REMINDER_BATCH = 500
# The e-mails a candidate may turn off: EmailPreference's fields, and the ``kind`` of unsubscribe links.
OPTIONAL_EMAILS = ("weekly_digest", "practice_reminders")

Kind = OutboxEmail.Kind


# --- slots ------------------------------------------------------------------------------------------


def _check_slot(*, start: datetime, end: datetime, now: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ApplicationError("Give the start and end with a UTC offset.")
    if end <= start:
        raise ApplicationError("A slot must end after it starts.")
    if end - start > MAX_SLOT:
        raise ApplicationError("A slot lasts at most 4 hours.")
    if end - start < MIN_SLOT:
        raise ApplicationError("A slot lasts at least 15 minutes.")
    if start <= now:
        raise ApplicationError("A slot must start in the future.")
    if start > horizon_end(now):
        raise ApplicationError(
            f"A slot starts at most {settings.SLOT_HORIZON_DAYS} days ahead.", code="slot_too_far"
        )


def horizon_end(now: datetime) -> datetime:
    """The latest start of a slot on offer: SLOT_HORIZON_DAYS ahead."""
    return now + timedelta(days=settings.SLOT_HORIZON_DAYS)


def _overlap_refusal(start: datetime) -> ApplicationError:
    return ApplicationError(
        f"You already have a slot overlapping {start:%Y-%m-%d %H:%M} UTC.",
        code="slot_overlap",
        status_code=409,
    )


def _slots_insert(*, coach: User, spans: list[tuple[datetime, datetime]]) -> list[Slot]:
    """Insert the coach's slots in the caller's transaction, refusing any overlap (409 slot_overlap)."""
    # Serialise one coach's slot writes, so the overlap check below sees every committed slot (the
    # exclusion constraint does it on PostgreSQL anyway; SQLite relies on this).
    User.objects.select_for_update().filter(pk=coach.pk).first()
    for i, (start, end) in enumerate(spans):
        if any(s < end and start < e for s, e in spans[:i]):
            raise _overlap_refusal(start)
        if Slot.objects.filter(coach=coach, status=Slot.Status.OPEN, start__lt=end, end__gt=start).exists():
            raise _overlap_refusal(start)
    try:
        with transaction.atomic():
            slots = [Slot.objects.create(coach=coach, start=start, end=end) for start, end in spans]
    except IntegrityError as error:
        raise _overlap_refusal(spans[0][0]) from error
    CoachProfile.objects.get_or_create(user=coach)
    return slots


def coach_profile_update(
    *, coach: User, bio: str, roles: Iterable[QuestionRole], companies: Iterable[Company], is_listed: bool
) -> CoachProfile:
    """What candidates see of a coach in the directory: a bio, the roles and companies they cover."""
    if not coach.has_role(Role.COACH):
        raise ApplicationError("Only coaches have a coach profile.", code="forbidden", status_code=403)
    with transaction.atomic():
        profile, _ = CoachProfile.objects.select_for_update().get_or_create(user=coach)
        profile.bio = bio.strip()
        profile.is_active = is_listed
        profile.save(update_fields=["bio", "is_active"])
        profile.roles.set(roles)
        profile.companies.set(companies)
    return profile


def slot_create(*, coach: User, start: datetime, end: datetime) -> Slot:
    """Publish one slot: in the future, at most 4 hours, not overlapping the coach's open slots."""
    if not coach.has_role(Role.COACH):
        raise ApplicationError("Only coaches publish slots.", code="forbidden", status_code=403)
    _check_slot(start=start, end=end, now=timezone.now())
    with transaction.atomic():
        [slot] = _slots_insert(coach=coach, spans=[(start.astimezone(UTC), end.astimezone(UTC))])
    return slot


def weekly_starts(*, weekday: int, at: time, tz: str, weeks: int, after: datetime) -> list[datetime]:
    """The next ``weeks`` occurrences of ``weekday`` (0 = Monday) at local time ``at`` in ``tz``, in UTC.

    Each occurrence is placed on the local calendar, so a DST change moves the UTC hour, not the local one.
    """
    zone = ZoneInfo(tz)
    local_after = after.astimezone(zone)
    day = local_after.date() + timedelta(days=(weekday - local_after.weekday()) % 7)
    if datetime.combine(day, at, tzinfo=zone) <= after:
        day += timedelta(days=7)
    return [
        datetime.combine(day + timedelta(weeks=week), at, tzinfo=zone).astimezone(UTC)
        for week in range(weeks)
    ]


def slots_create_weekly(
    *,
    coach: User,
    weekday: int,
    at: time,
    duration: timedelta,
    weeks: int,
    tz: str | None = None,
) -> list[Slot]:
    """Publish a weekly pattern for the next ``weeks`` weeks, in the coach's time zone (or ``tz``)."""
    if not coach.has_role(Role.COACH):
        raise ApplicationError("Only coaches publish slots.", code="forbidden", status_code=403)
    if not 0 <= weekday <= 6:
        raise ApplicationError("Pick a weekday.")
    if not 1 <= weeks <= MAX_WEEKS:
        raise ApplicationError(f"Publish 1 to {MAX_WEEKS} weeks at a time.")
    now = timezone.now()
    starts = weekly_starts(weekday=weekday, at=at, tz=tz or coach.timezone, weeks=weeks, after=now)
    spans = [(start, start + duration) for start in starts]
    for start, end in spans:
        _check_slot(start=start, end=end, now=now)
    with transaction.atomic():
        return _slots_insert(coach=coach, spans=spans)


def slot_withdraw(*, coach: User, slot_id: int) -> Slot:
    """Withdraw one of the coach's own open slots; a booked one must be cancelled first (with a reason)."""
    from .selectors import slot_for_coach

    with transaction.atomic():
        slot = slot_for_coach(coach=coach, slot_id=slot_id, lock=True)
        if slot.bookings.filter(status=Booking.Status.BOOKED).exists():
            raise ApplicationError(
                "This slot is booked: cancel the booking with a reason first.",
                code="slot_booked",
                status_code=409,
            )
        if slot.status != Slot.Status.WITHDRAWN:
            slot.status = Slot.Status.WITHDRAWN
            slot.save(update_fields=["status"])
    return slot


# --- bookings ---------------------------------------------------------------------------------------


def _slot_for_booking(slot_id: int, *, now: datetime) -> Slot:
    slot = Slot.objects.select_for_update().select_related("coach").filter(pk=slot_id).first()
    if slot is None:
        raise ApplicationError("No such slot.", code="not_found", status_code=404)
    # A slot past the horizon (stored before it was set, or written by hand) is not on offer either.
    if slot.status != Slot.Status.OPEN or not now < slot.start <= horizon_end(now):
        raise ApplicationError("This slot is no longer available.", code="slot_unavailable", status_code=409)
    return slot


def _slot_taken() -> ApplicationError:
    return ApplicationError("Sorry, this slot was just taken.", code="slot_taken", status_code=409)


def _reminders_plan(booking: Booking, *, now: datetime) -> None:
    """Replace the booking's unsent reminders with ones for its (new) start; past-due ones are skipped."""
    booking.reminders.filter(sent_at__isnull=True).delete()
    Reminder.objects.bulk_create(
        Reminder(booking=booking, kind=kind, due_at=booking.slot.start - before)
        for kind, before in REMINDERS.items()
        if booking.slot.start - before > now
    )


def _check_booking_limit(candidate: User) -> None:
    """At most MAX_UPCOMING_BOOKINGS live future bookings per candidate, so one cannot take every slot.

    Locks the candidate's row first: two bookings at once (two tabs) are counted one after the other.
    """
    from .selectors import upcoming_bookings_count

    User.objects.select_for_update().filter(pk=candidate.pk).first()
    limit = settings.MAX_UPCOMING_BOOKINGS
    upcoming = upcoming_bookings_count(candidate=candidate)
    if upcoming >= limit:
        raise ApplicationError(
            f"You already have {upcoming} upcoming live mock{'s' if upcoming != 1 else ''}, the most "
            f"you can book at a time ({limit}). Cancel one or wait until it has taken place to book another.",
            code="booking_limit",
            status_code=409,
        )


def booking_create(*, candidate: User, slot_id: int) -> Booking:
    """Book an open future slot; a slot already booked (even a moment ago) answers 409 ``slot_taken``,
    a candidate with MAX_UPCOMING_BOOKINGS upcoming bookings 409 ``booking_limit``."""
    if not candidate.has_role(Role.CANDIDATE):
        raise ApplicationError("Only candidates book live mocks.", code="forbidden", status_code=403)
    now = timezone.now()
    with transaction.atomic():
        _check_booking_limit(candidate)
        # The row lock orders a booking against a withdrawal; the partial unique index decides races.
        slot = _slot_for_booking(slot_id, now=now)
        if slot.coach_id == candidate.pk:
            raise ApplicationError("You cannot book your own slot.")
        try:
            with transaction.atomic():
                booking = Booking.objects.create(slot=slot, candidate=candidate)
        except IntegrityError as error:
            raise _slot_taken() from error
        booking.slot = slot
        _reminders_plan(booking, now=now)
        _email_both(booking, kind=Kind.BOOKING_CONFIRMED, method="REQUEST")
    return booking


def _cancel_cutoff() -> timedelta:
    return timedelta(hours=settings.BOOKING_CANCEL_CUTOFF_HOURS)


def _check_candidate_cutoff(booking: Booking, *, now: datetime, action: str) -> None:
    if booking.slot.start - now < _cancel_cutoff():
        raise ApplicationError(
            f"Live mocks can be {action} up to {settings.BOOKING_CANCEL_CUTOFF_HOURS} h before the start.",
            code="too_late",
            status_code=409,
        )


def booking_cancel(*, booking_id: int, user: User, reason: str = "") -> Booking:
    """Cancel a booking: its candidate up to the cut-off, its coach (with a reason) until it starts.

    A coach's cancellation also withdraws the slot (they cannot make it); a candidate's frees it for others.
    """
    from .selectors import booking_for_user

    now = timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        booking = booking_for_user(user=user, booking_id=booking_id, lock=True)
        if not booking.is_live:
            raise ApplicationError("This booking is already cancelled.", code="not_booked", status_code=409)
        by_coach = booking.slot.coach_id == user.pk
        if booking.slot.start <= now:
            raise ApplicationError("This live mock has already started.", code="too_late", status_code=409)
        if by_coach and not reason:
            raise ApplicationError("Tell the candidate why you cancel.", code="reason_required")
        if not by_coach:
            _check_candidate_cutoff(booking, now=now, action="cancelled")
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = user
        booking.cancel_reason = reason
        booking.sequence += 1
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "sequence"])
        booking.reminders.filter(sent_at__isnull=True).delete()
        if by_coach:
            Slot.objects.filter(pk=booking.slot_id).update(status=Slot.Status.WITHDRAWN)
        _email_both(booking, kind=Kind.BOOKING_CANCELLED, method="CANCEL")
    return booking


def booking_reschedule(*, booking_id: int, user: User, new_slot_id: int) -> Booking:
    """Move a candidate's booking to another open slot of the same coach (up to the cut-off).

    The invite keeps its UID and gets a higher SEQUENCE, so calendars move the event instead of adding one.
    """
    from .selectors import booking_for_user

    now = timezone.now()
    with transaction.atomic():
        booking = booking_for_user(user=user, booking_id=booking_id, lock=True)
        if booking.candidate_id != user.pk:
            raise ApplicationError(
                "Only the candidate reschedules a booking.", code="forbidden", status_code=403
            )
        if not booking.is_live:
            raise ApplicationError("This booking is cancelled.", code="not_booked", status_code=409)
        _check_candidate_cutoff(booking, now=now, action="rescheduled")
        new_slot = _slot_for_booking(new_slot_id, now=now)
        if new_slot.pk == booking.slot_id:
            return booking
        if new_slot.coach_id != booking.slot.coach_id:
            raise ApplicationError("Pick another slot of the same coach.")
        booking.slot = new_slot
        booking.sequence += 1
        try:
            with transaction.atomic():
                booking.save(update_fields=["slot", "sequence"])
        except IntegrityError as error:
            raise _slot_taken() from error
        _reminders_plan(booking, now=now)
        _email_both(booking, kind=Kind.BOOKING_UPDATED, method="REQUEST")
    return booking


def _booking_url(user: User, booking: Booking) -> str:
    name = "scheduling:coach-slots" if booking.slot.coach_id == user.pk else "scheduling:bookings"
    return settings.SITE_URL + reverse(name)


def _email_both(booking: Booking, *, kind: str, method: str) -> None:
    """E-mail the candidate and the coach, each with the invite (same UID and SEQUENCE for both)."""
    slot = booking.slot
    attachment = invite_attachment(booking, method=method)
    for recipient, other in ((booking.candidate, slot.coach), (slot.coach, booking.candidate)):
        email_user(
            user=recipient,
            kind=kind,
            about=f"booking:{booking.pk}:seq:{booking.sequence}",
            context={
                "other": other.display_name,
                "is_coach": recipient.pk == slot.coach_id,
                "start": slot.start,
                "end": slot.end,
                "reason": booking.cancel_reason,
                "url": _booking_url(recipient, booking),
            },
            attachments=[attachment],
        )


# --- reminders --------------------------------------------------------------------------------------


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Send the reminders that are due; returns how many this run claimed.

    Safe to run twice at once: each reminder is claimed by a conditional UPDATE (``sent_at`` still
    empty) in the transaction that writes its e-mails, so only one run sends it.
    """
    now = now or timezone.now()
    due = list(
        Reminder.objects.filter(
            sent_at__isnull=True,
            due_at__lte=now,
            booking__status=Booking.Status.BOOKED,
            booking__slot__start__gt=now,
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:REMINDER_BATCH]
    )
    claimed = 0
    for reminder_id in due:
        with transaction.atomic():
            if not Reminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(sent_at=now):
                continue  # another run took it
            claimed += 1
            reminder = Reminder.objects.select_related("booking__candidate", "booking__slot__coach").get(
                pk=reminder_id
            )
            _email_reminder(reminder)
    return claimed


def _email_reminder(reminder: Reminder) -> None:
    booking = reminder.booking
    slot = booking.slot
    for recipient, other in ((booking.candidate, slot.coach), (slot.coach, booking.candidate)):
        email_user(
            user=recipient,
            kind=Kind.BOOKING_REMINDER,
            about=f"reminder:{reminder.pk}",
            context={
                "other": other.display_name,
                "is_coach": recipient.pk == slot.coach_id,
                "when": reminder.get_kind_display(),
                "start": slot.start,
                "end": slot.end,
                "url": _booking_url(recipient, booking),
            },
        )


# --- optional e-mails: digest and practice reminders ------------------------------------------------


def preferences_for(users: list[User]) -> dict[int, EmailPreference]:
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


def _week_key(local_day: date) -> str:
    year, week, _ = local_day.isocalendar()
    return f"{year}-W{week:02d}"


def _candidates(opted_in_field: str):
    return (
        User.objects.filter(groups__name=Role.CANDIDATE, is_active=True)
        .exclude(**{f"email_preference__{opted_in_field}": False})
        .order_by("pk")
    )


def _unsubscribe_url(preference: EmailPreference, *, kind: str) -> str:
    return settings.SITE_URL + reverse("scheduling:unsubscribe", args=[preference.token]) + f"?kind={kind}"


def _unsubscribe_headers(preference: EmailPreference, *, kind: str) -> dict[str, str]:
    """List-Unsubscribe with one-click (RFC 8058): the mail client's own "Unsubscribe" button works."""
    url = settings.SITE_URL + reverse("scheduling:unsubscribe-one-click", args=[preference.token, kind])
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _category_scores(user: User, *, since: datetime | None = None) -> list[dict]:
    from interviews.models import InterviewSession, SessionItem

    items = SessionItem.objects.filter(
        session__candidate=user, score__isnull=False, session__submitted_at__isnull=False
    ).exclude(session__status=InterviewSession.Status.IN_PROGRESS)
    if since is not None:
        items = items.filter(session__submitted_at__gte=since)
    rows = items.values("question__category__name").annotate(average=Avg("score"), answers=Count("pk"))
    return sorted(
        (
            {"category": r["question__category__name"], "average": r["average"], "answers": r["answers"]}
            for r in rows
        ),
        key=lambda r: (r["average"], r["category"]),
    )


def _practise_next(user: User, *, now: datetime) -> list[str]:
    """The two weakest categories over the last four weeks, or the first ones of the bank."""
    from questions.models import Category

    scores = _category_scores(user, since=now - timedelta(weeks=4))
    if scores:
        return [row["category"] for row in scores[:2]]
    return list(Category.objects.order_by("order", "slug").values_list("name", flat=True)[:2])


def weekly_digest_send(*, now: datetime | None = None) -> int:
    """Queue this week's progress digest for every candidate who has not opted out; returns how many.

    Keyed per user and (local) ISO week, so a second run in the same week queues nothing.
    """
    from interviews.models import InterviewSession

    now = now or timezone.now()
    since = now - timedelta(days=7)
    users = list(_candidates("weekly_digest"))
    preferences = preferences_for(users)
    queued = 0
    for user in users:
        local_now = now.astimezone(ZoneInfo(user.timezone))
        key = f"weekly_digest:user:{user.pk}:week:{_week_key(local_now.date())}"
        if OutboxEmail.objects.filter(key=key).exists():
            continue
        sessions = list(
            InterviewSession.objects.filter(candidate=user, submitted_at__gte=since, submitted_at__lte=now)
            .exclude(status=InterviewSession.Status.IN_PROGRESS)
            .select_related("template", "role", "level", "company")
            .order_by("submitted_at")
        )
        upcoming = list(
            Booking.objects.filter(candidate=user, status=Booking.Status.BOOKED, slot__start__gt=now)
            .select_related("slot__coach")
            .order_by("slot__start")[:5]
        )
        with transaction.atomic():
            email_enqueue(
                kind=Kind.WEEKLY_DIGEST,
                key=key,
                to_email=user.email,
                user=user,
                template="weekly_digest",
                context={
                    "name": user.first_name,
                    "week_start": since,
                    "week_end": now,
                    "sessions": [
                        {"title": s.title, "submitted_at": s.submitted_at, "score": s.score} for s in sessions
                    ],
                    "scores": _category_scores(user, since=since),
                    "practise_next": _practise_next(user, now=now),
                    "upcoming": [
                        {"start": b.slot.start, "coach": b.slot.coach.display_name} for b in upcoming
                    ],
                    "url": settings.SITE_URL + reverse("interviews:mine"),
                    "unsubscribe_url": _unsubscribe_url(preferences[user.pk], kind="weekly_digest"),
                },
                headers=_unsubscribe_headers(preferences[user.pk], kind="weekly_digest"),
            )
        queued += 1
    return queued


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
    due = []
    for profile in profiles:
        local_today = now.astimezone(ZoneInfo(profile.user.timezone)).date()
        days_left = (profile.interview_date - local_today).days
        key = f"practice_reminder:user:{profile.user_id}:week:{_week_key(local_today)}"
        if 0 <= days_left <= PRACTICE_WINDOW_DAYS and not OutboxEmail.objects.filter(key=key).exists():
            due.append((profile, key, days_left))
    preferences = preferences_for([profile.user for profile, _, _ in due])
    for profile, key, days_left in due:
        user = profile.user
        with transaction.atomic():
            email_enqueue(
                kind=Kind.PRACTICE_REMINDER,
                key=key,
                to_email=user.email,
                user=user,
                template="practice_reminder",
                context={
                    "name": user.first_name,
                    "interview_date": profile.interview_date,
                    "days_left": days_left,
                    "practise_next": _practise_next(user, now=now),
                    "url": settings.SITE_URL + reverse("interviews:new"),
                    "unsubscribe_url": _unsubscribe_url(preferences[user.pk], kind="practice_reminders"),
                },
                headers=_unsubscribe_headers(preferences[user.pk], kind="practice_reminders"),
            )
    return len(due)
