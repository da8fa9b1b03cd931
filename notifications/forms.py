from __future__ import annotations

from django import forms


class PreferenceForm(forms.Form):
    weekly_digest = forms.BooleanField(required=False, label="Weekly progress digest")
    practice_reminders = forms.BooleanField(required=False, label="Practice reminders before my interview")
