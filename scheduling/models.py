"""Live mock interviews: coaches publish slots, candidates book them, reminders go out before the start."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class CoachProfile(models.Model):
    """What candidates see of a coach before booking: a bio and the roles and companies they cover."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_profile"
    )
    bio = models.TextField(blank=True)
    roles = models.ManyToManyField("questions.Role", blank=True, related_name="+")
    companies = models.ManyToManyField("questions.Company", blank=True, related_name="+")
    is_active = models.BooleanField(default=True, help_text="Listed for candidates")

    class Meta:
        ordering = ["user__first_name", "user__email"]

    def __str__(self) -> str:
        return f"Coach {self.user}"


class SlotStatus(models.TextChoices):
    OPEN = "open", "Open"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Slot(models.Model):
    """An hour (or so) a coach offers for a live mock, stored in UTC.

    On PostgreSQL an exclusion constraint (migration 0001) keeps one coach's open slots from overlapping.
    """

    Status = SlotStatus

    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="slot_end_after_start"),
            models.CheckConstraint(condition=Q(status__in=SlotStatus.values), name="slot_status_valid"),
        ]
        indexes = [
            # The coach's open future slots, and the overlap check.
            models.Index(fields=["coach", "status", "start"], name="slot_coach_status_start"),
            models.Index(fields=["status", "start"], name="slot_status_start"),
        ]

    def __str__(self) -> str:
        return f"Slot {self.pk} of {self.coach_id} at {self.start:%Y-%m-%d %H:%M} UTC"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"


def booking_uid() -> str:
    return f"{uuid.uuid4()}@interviewnode"


class Booking(models.Model):
    """A candidate's booking of a slot; ``uid`` and ``sequence`` are its iCalendar UID and SEQUENCE."""

    Status = BookingStatus

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    sequence = models.PositiveIntegerField(default=0)
    uid = models.CharField(max_length=100, unique=True, default=booking_uid, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live booking per slot: a race between two candidates gives one booking, one refusal.
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status=BookingStatus.BOOKED), name="booking_one_live_per_slot"
            ),
            models.CheckConstraint(condition=Q(status__in=BookingStatus.values), name="booking_status_valid"),
            models.CheckConstraint(
                condition=Q(status=BookingStatus.BOOKED, cancelled_at__isnull=True)
                | Q(status=BookingStatus.CANCELLED, cancelled_at__isnull=False),
                name="booking_cancelled_at_iff_cancelled",
            ),
        ]
        indexes = [models.Index(fields=["candidate", "status"], name="booking_candidate_status")]

    def __str__(self) -> str:
        return f"Booking {self.pk} of slot {self.slot_id} by {self.candidate_id}"

    @property
    def is_live(self) -> bool:
        return self.status == BookingStatus.BOOKED


class Reminder(models.Model):
    """An e-mail reminder due at a time; the periodic task sends the due ones and sets ``sent_at``."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", "24 hours before"
        HOUR_BEFORE = "1h", "1 hour before"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["24h", "1h"]), name="reminder_kind_valid")
        ]
        # The periodic task's scan: unsent reminders that are due.
        indexes = [
            models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="reminder_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder of booking {self.booking_id}"
