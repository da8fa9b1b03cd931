"""Pages for live mocks: the coach directory, my bookings, a coach's slots and profile."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from interviewnode.errors import ApplicationError
from interviewnode.params import MAX_PK, parse_int

from .forms import CancelForm, CoachProfileForm, SlotForm, WeeklySlotsForm
from .models import Booking, CoachProfile
from .selectors import (
    bookings_of_candidate,
    bookings_of_coach,
    coach_list,
    open_slots,
    upcoming_bookings_count,
)
from .selectors import (
    coach_slots as coach_slot_list,
)
from .services import bookings, slots


def _coach_only(request) -> None:
    if not request.user.has_role(Role.COACH):
        raise Http404("This page is for coaches.")


@login_required
def coach_directory(request):
    """Coaches with their open slots, shown in the viewer's time zone."""
    limit = settings.MAX_UPCOMING_BOOKINGS
    context = {
        "coaches": coach_list(with_slots=True),
        "booking_limit": limit,
        "at_booking_limit": upcoming_bookings_count(candidate=request.user) >= limit,
    }
    return render(request, "scheduling/coaches.html", context)


@login_required
@require_POST
def booking_book(request, slot_id: int):
    try:
        bookings.booking_create(candidate=request.user, slot_id=slot_id)
    except ApplicationError as error:
        messages.error(request, error.detail)
        return redirect("scheduling:coaches")
    messages.success(request, "Booked: the confirmation and calendar invite are on their way by e-mail.")
    return redirect("scheduling:bookings")


@login_required
def booking_mine(request):
    mine = list(bookings_of_candidate(user=request.user))
    # Other open slots of each coach with a live booking, to reschedule to.
    coach_ids = {b.slot.coach_id for b in mine if b.is_live}
    alternatives: dict[int, list] = {}
    for slot in open_slots().filter(coach_id__in=coach_ids):
        alternatives.setdefault(slot.coach_id, []).append(slot)
    for booking in mine:
        booking.alternatives = alternatives.get(booking.slot.coach_id, []) if booking.is_live else []
    context = {"bookings": mine, "cutoff_hours": settings.BOOKING_CANCEL_CUTOFF_HOURS}
    return render(request, "scheduling/bookings.html", context)


def _back(request, booking: Booking | None = None):
    if request.user.has_role(Role.COACH) and (booking is None or booking.slot.coach_id == request.user.pk):
        return redirect("scheduling:coach-slots")
    return redirect("scheduling:bookings")


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        booking = bookings.booking_cancel(booking_id=booking_id, user=request.user, reason=reason)
    except ApplicationError as error:
        messages.error(request, error.detail)
        return _back(request)
    messages.success(request, "Cancelled: both of you get an e-mail with the calendar update.")
    return _back(request, booking)


@login_required
@require_POST
def booking_reschedule(request, booking_id: int):
    slot_id = parse_int(request.POST.get("slot"), min_value=1, max_value=MAX_PK)
    if slot_id is None:
        messages.error(request, "Pick a new time.")
        return redirect("scheduling:bookings")
    try:
        bookings.booking_reschedule(booking_id=booking_id, user=request.user, new_slot_id=slot_id)
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, "Moved: the updated invite is on its way by e-mail.")
    return redirect("scheduling:bookings")


@login_required
def coach_profile(request):
    """The coach's own entry in the directory."""
    _coach_only(request)
    profile = CoachProfile.objects.filter(user=request.user).first()
    if request.method == "POST":
        form = CoachProfileForm(request.POST)
        if form.is_valid():
            slots.coach_profile_update(coach=request.user, **form.cleaned_data)
            messages.success(request, "Profile saved: this is what candidates see in the directory.")
            return redirect("scheduling:coach-profile")
        status = 400
    else:
        initial = {"is_listed": True}
        if profile is not None:
            initial = {
                "bio": profile.bio,
                "roles": profile.roles.all(),
                "companies": profile.companies.all(),
                "is_listed": profile.is_active,
            }
        form, status = CoachProfileForm(initial=initial), 200
    return render(request, "scheduling/coach_profile.html", {"form": form}, status=status)


def _coach_page(request, *, form=None, weekly_form=None, status=200):
    context = {
        "slots": coach_slot_list(coach=request.user),
        "bookings": bookings_of_coach(coach=request.user),
        "form": form or SlotForm(),
        "weekly_form": weekly_form or WeeklySlotsForm(auto_id="id_weekly_%s"),
    }
    return render(request, "scheduling/coach_slots.html", context, status=status)


@login_required
def coach_slots(request):
    """A coach's slots and upcoming bookings; POST publishes one slot on the coach's own clock."""
    _coach_only(request)
    if request.method != "POST":
        return _coach_page(request)
    form = SlotForm(request.POST)
    if form.is_valid():
        start, end = form.span(request.user.timezone)
        try:
            slots.slot_create(coach=request.user, start=start, end=end)
        except ApplicationError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, "Slot published.")
            return redirect("scheduling:coach-slots")
    return _coach_page(request, form=form, status=400)


@login_required
@require_POST
def coach_slots_weekly(request):
    _coach_only(request)
    form = WeeklySlotsForm(request.POST, auto_id="id_weekly_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            published = slots.slots_create_weekly(
                coach=request.user,
                weekday=data["weekday"],
                at=data["time"],
                duration=timedelta(minutes=data["duration"]),
                weeks=data["weeks"],
            )
        except ApplicationError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, f"{len(published)} weekly slots published.")
            return redirect("scheduling:coach-slots")
    return _coach_page(request, weekly_form=form, status=400)


@login_required
@require_POST
def coach_slot_withdraw(request, slot_id: int):
    _coach_only(request)
    try:
        slots.slot_withdraw(coach=request.user, slot_id=slot_id)
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, "Slot withdrawn.")
    return redirect("scheduling:coach-slots")
