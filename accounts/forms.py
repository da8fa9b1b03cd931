from __future__ import annotations

import zoneinfo

from django import forms

from questions.models import Company, Level, Role

TIMEZONES = sorted(zoneinfo.available_timezones() - {"localtime"})


class ProfileForm(forms.Form):
    target_role = forms.ModelChoiceField(Role.objects.all(), required=False, empty_label="— any role —")
    target_level = forms.ModelChoiceField(Level.objects.all(), required=False, empty_label="— any level —")
    target_companies = forms.ModelMultipleChoiceField(
        Company.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    interview_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When your real interview is",
    )
    timezone = forms.ChoiceField(choices=[(tz, tz) for tz in TIMEZONES], initial="UTC")
