from __future__ import annotations

from django import forms

from questions.models import Category, Company, Level, Role

from .models import MAX_DURATION, MAX_QUESTIONS, MIN_DURATION, MIN_QUESTIONS, SessionMode


class CustomSessionForm(forms.Form):
    """A mock interview of the candidate's own mix."""

    mode = forms.ChoiceField(choices=SessionMode.choices, initial=SessionMode.TIMED, widget=forms.RadioSelect)
    role = forms.ModelChoiceField(Role.objects.all(), to_field_name="slug", empty_label=None)
    level = forms.ModelChoiceField(Level.objects.all(), to_field_name="slug", empty_label=None)
    company = forms.ModelChoiceField(
        Company.objects.all(), to_field_name="slug", required=False, empty_label="Any company"
    )
    categories = forms.ModelMultipleChoiceField(
        Category.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every category.",
    )
    question_count = forms.IntegerField(min_value=MIN_QUESTIONS, max_value=MAX_QUESTIONS, initial=3)
    duration_minutes = forms.IntegerField(
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        initial=45,
        required=False,
        help_text="Timed mode only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("role", "level", "company"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("question_count", "duration_minutes"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        if data.get("mode") == SessionMode.TIMED and not data.get("duration_minutes"):
            self.add_error("duration_minutes", "A timed interview needs a duration.")
        return data
