from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone

from questions.models import Company, Role

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
DURATIONS = [(30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"), (90, "1 hour 30"), (120, "2 hours")]


class SlotForm(forms.Form):
    """A one-off slot: a date and time on the coach's own clock."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration = forms.TypedChoiceField(choices=DURATIONS, coerce=int, initial=60)

    def clean_date(self):
        day = self.cleaned_data["date"]
        # Far enough out for any time zone, so that span() stays within what a datetime holds; the
        # exact horizon is the slot service's to check.
        if day > timezone.now().date() + timedelta(days=settings.SLOT_HORIZON_DAYS + 2):
            raise forms.ValidationError(f"Pick a day at most {settings.SLOT_HORIZON_DAYS} days ahead.")
        if day < timezone.now().date() - timedelta(days=2):
            raise forms.ValidationError("A slot must start in the future.")
        return day

    def span(self, tz: str) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        start = datetime.combine(data["date"], data["time"], tzinfo=ZoneInfo(tz))
        return start, start + timedelta(minutes=data["duration"])


class WeeklySlotsForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int)
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}))
    duration = forms.TypedChoiceField(choices=DURATIONS, coerce=int, initial=60)
    weeks = forms.IntegerField(min_value=1, max_value=26, initial=4)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CoachProfileForm(forms.Form):
    bio = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What candidates read before they book: your background and how you run a mock.",
    )
    roles = forms.ModelMultipleChoiceField(
        Role.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Roles you coach for"
    )
    companies = forms.ModelMultipleChoiceField(
        Company.objects.all(), required=False, widget=forms.CheckboxSelectMultiple, label="Companies you know"
    )
    is_listed = forms.BooleanField(required=False, label="List me in the coach directory")
