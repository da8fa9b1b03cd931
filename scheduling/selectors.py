"""Reads for live mock interviews, and the scoped lookups every view goes through."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User

from .models import Booking, CoachProfile, Slot


def open_slots(*, coach_id: int | None = None) -> QuerySet[Slot]:
    """Open slots that nobody has booked, from now to the horizon (SLOT_HORIZON_DAYS), earliest first."""
    now = timezone.now()
    slots = Slot.objects.filter(
        status=Slot.Status.OPEN, start__gt=now, start__lte=now + timedelta(days=settings.SLOT_HORIZON_DAYS)
    ).exclude(bookings__status=Booking.Status.BOOKED)
    if coach_id is not None:
        slots = slots.filter(coach_id=coach_id)
    return slots.order_by("start", "id")


def coach_list(*, with_slots: bool = False) -> QuerySet[CoachProfile]:
    """Listed coaches with their roles and companies (and their open slots as ``user.open_slots``)."""
    profiles = (
        CoachProfile.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("roles", "companies")
        .order_by("user__first_name", "user__email")
    )
    if with_slots:
        profiles = profiles.prefetch_related(Prefetch("user__slots", open_slots(), to_attr="open_slots"))
    return profiles


def coach_get(*, coach_id: int) -> CoachProfile:
    profile = coach_list().filter(user_id=coach_id).first()
    if profile is None:
        raise Http404("No such coach.")
    return profile


def slot_for_coach(*, coach: User, slot_id: int, lock: bool = False) -> Slot:
    """The coach's own slot; anybody else's answers 404."""
    slots = Slot.objects.filter(coach=coach)
    if lock:
        slots = slots.select_for_update()
    slot = slots.filter(pk=slot_id).first()
    if slot is None:
        raise Http404("No such slot.")
    return slot


def booking_for_user(*, user: User, booking_id: int, lock: bool = False) -> Booking:
    """A booking the user is the candidate or the coach of; anybody else's answers 404."""
    bookings = Booking.objects.select_related("slot__coach", "candidate")
    if lock:
        bookings = bookings.select_for_update(of=("self",))
    booking = bookings.filter(Q(candidate=user) | Q(slot__coach=user), pk=booking_id).first()
    if booking is None:
        raise Http404("No such booking.")
    return booking


def bookings_of_candidate(*, user: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(candidate=user).select_related("slot__coach").order_by("-slot__start", "-id")
    )


def upcoming_bookings_count(*, candidate: User) -> int:
    """The candidate's live bookings still to come (what MAX_UPCOMING_BOOKINGS limits)."""
    return Booking.objects.filter(
        candidate=candidate, status=Booking.Status.BOOKED, slot__start__gt=timezone.now()
    ).count()


def bookings_of_coach(*, coach: User) -> QuerySet[Booking]:
    """The coach's upcoming live bookings, soonest first."""
    return (
        Booking.objects.filter(slot__coach=coach, status=Booking.Status.BOOKED)
        .filter(slot__start__gt=timezone.now())
        .select_related("slot", "candidate")
        .order_by("slot__start", "id")
    )


def coach_slots(*, coach: User) -> QuerySet[Slot]:
    """The coach's upcoming open slots, with the live booking if any (``live_bookings``)."""
    return (
        Slot.objects.filter(coach=coach, status=Slot.Status.OPEN, start__gt=timezone.now())
        .prefetch_related(
            Prefetch(
                "bookings",
                Booking.objects.filter(status=Booking.Status.BOOKED).select_related("candidate"),
                to_attr="live_bookings",
            )
        )
        .order_by("start", "id")
    )
