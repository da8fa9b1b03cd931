"""What coaches offer: slots (one, or a weekly pattern), withdrawals, and their directory profile."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from interviewnode.errors import ApplicationError
from questions.models import Company
from questions.models import Role as QuestionRole
from scheduling.models import Booking, CoachProfile, Slot
from scheduling.selectors import slot_for_coach

MIN_SLOT = timedelta(minutes=15)
MAX_SLOT = timedelta(hours=4)
MAX_WEEKS = 26


def horizon_end(now: datetime) -> datetime:
    """The latest start of a slot on offer: SLOT_HORIZON_DAYS ahead."""
    return now + timedelta(days=settings.SLOT_HORIZON_DAYS)


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
