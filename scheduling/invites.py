"""iCalendar (.ics) invites for bookings: one UID per booking, SEQUENCE bumped on every change."""

from __future__ import annotations

from datetime import UTC

import icalendar
from django.utils import timezone

from .models import Booking

PRODID = "-//InterviewNode//Live mock interviews//EN"


def _address(user, *, role: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = icalendar.vText(user.display_name)
    if role == "attendee":
        address.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
        address.params["PARTSTAT"] = icalendar.vText("ACCEPTED")
    return address


def invite_ics(booking: Booking, *, method: str) -> str:
    """The calendar text: METHOD REQUEST for a new or moved booking, CANCEL for a cancelled one."""
    slot = booking.slot
    coach, candidate = slot.coach, booking.candidate
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", slot.start.astimezone(UTC))
    event.add("dtend", slot.end.astimezone(UTC))
    event.add(
        "summary",
        f"Live mock interview: {candidate.display_name} with {coach.display_name}",
    )
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _address(coach, role="organizer"))
    event.add("attendee", _address(candidate, role="attendee"))
    calendar.add_component(event)
    return calendar.to_ical().decode()


def invite_attachment(booking: Booking, *, method: str) -> dict[str, str]:
    return {
        "filename": "invite.ics",
        "content_type": f"text/calendar; method={method}",
        "content": invite_ics(booking, method=method),
    }
