"""A candidate's bookings of coaches' slots: book, cancel, reschedule, each e-mailed to both sides."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from interviewnode.errors import ApplicationError
from notifications.models import OutboxEmail
from scheduling.models import Booking, Slot
from scheduling.selectors import booking_for_user, upcoming_bookings_count

from .emails import booking_email
from .reminders import reminders_plan
from .slots import horizon_end

Kind = OutboxEmail.Kind


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


def _check_booking_limit(candidate: User) -> None:
    """At most MAX_UPCOMING_BOOKINGS live future bookings per candidate, so one cannot take every slot.

    Locks the candidate's row first: two bookings at once (two tabs) are counted one after the other.
    """
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
        reminders_plan(booking, now=now)
        booking_email(booking, kind=Kind.BOOKING_CONFIRMED, invite="REQUEST")
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
        booking_email(booking, kind=Kind.BOOKING_CANCELLED, invite="CANCEL")
    return booking


def booking_reschedule(*, booking_id: int, user: User, new_slot_id: int) -> Booking:
    """Move a candidate's booking to another open slot of the same coach (up to the cut-off).

    The invite keeps its UID and gets a higher SEQUENCE, so calendars move the event instead of adding one.
    """
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
        reminders_plan(booking, now=now)
        booking_email(booking, kind=Kind.BOOKING_UPDATED, invite="REQUEST")
    return booking
