"""The e-mails about a booking: each goes to both its candidate and its coach, naming the other."""

from __future__ import annotations

from accounts.models import User
from interviewnode.links import absolute_url
from notifications.services import email_user
from scheduling.invites import invite_attachment
from scheduling.models import Booking, Reminder


def booking_email(
    booking: Booking, *, kind: str, invite: str | None = None, reminder: Reminder | None = None
) -> None:
    """E-mail the booking's candidate and coach (one outbox row each), in the caller's transaction.

    A change to the booking attaches one .ics invite (``invite`` is its method, ``REQUEST`` or ``CANCEL``),
    same UID and SEQUENCE for both; it is keyed ``<kind>:booking:<id>:seq:<sequence>:user:<id>``, so each
    change is sent once. A ``reminder`` is keyed ``<kind>:reminder:<id>:user:<id>``. Rows already written
    under these keys are not sent again: keep the formats when changing this function.
    """
    slot = booking.slot
    about = f"reminder:{reminder.pk}" if reminder else f"booking:{booking.pk}:seq:{booking.sequence}"
    attachments = [invite_attachment(booking, method=invite)] if invite else []
    context = {"start": slot.start, "end": slot.end, "reason": booking.cancel_reason}
    if reminder:
        context["when"] = reminder.get_kind_display()
    for recipient, other in ((booking.candidate, slot.coach), (slot.coach, booking.candidate)):
        email_user(
            user=recipient,
            kind=kind,
            about=about,
            context={
                **context,
                "other": other.display_name,
                "is_coach": recipient.pk == slot.coach_id,
                "url": _bookings_page(recipient, booking),
            },
            attachments=attachments,
        )


def _bookings_page(user: User, booking: Booking) -> str:
    return absolute_url(
        "scheduling:coach-slots" if booking.slot.coach_id == user.pk else "scheduling:bookings"
    )
