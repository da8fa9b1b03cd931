from __future__ import annotations

from django import forms

from .bank import FORMATS
from .models import Question
from .rubric import validate_rubric


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "title", "slug", "kind", "category", "difficulty", "time_budget_seconds", "weight", "prompt",
            "reference_answer", "explanation", "language", "starter_code", "rubric", "roles", "levels",
            "companies", "topics", "provenance",
        ]  # fmt: skip

    def clean_rubric(self):
        rubric = self.cleaned_data.get("rubric")
        if rubric in (None, []):
            return None
        stored, errors = validate_rubric(rubric)
        if errors:
            raise forms.ValidationError(errors)
        return stored

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Question.Kind.CODE and not data.get("language"):
            self.add_error("language", "A code question needs a language.")
        if kind != Question.Kind.CODE and (data.get("language") or data.get("starter_code")):
            self.add_error("language", "Only code questions have a language and starter code.")
        if kind == Question.Kind.MULTIPLE_CHOICE and not data.get("explanation"):
            self.add_error("explanation", "A multiple-choice question needs an explanation.")
        if kind in (Question.Kind.WRITTEN, Question.Kind.CODE) and not data.get("reference_answer"):
            self.add_error("reference_answer", "Written and code questions need a reference answer.")
        return data


class ChoiceFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if self.instance.kind == Question.Kind.MULTIPLE_CHOICE:
            if not 2 <= len(kept) <= 6:
                raise forms.ValidationError("A multiple-choice question needs 2 to 6 choices.")
            if not any(c.get("is_correct") for c in kept):
                raise forms.ValidationError("Mark at least one choice as correct.")
        elif kept:
            raise forms.ValidationError("Only multiple-choice questions have choices.")


class BankImportForm(forms.Form):
    file = forms.FileField(help_text="A .json, .csv or .yaml file in the bank format (max 5 MB).")

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        fmt = upload.name.rsplit(".", 1)[-1].lower().replace("yml", "yaml")
        if fmt not in FORMATS:
            raise forms.ValidationError(f"Use a .json, .csv or .yaml file (got {upload.name}).")
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        return {"name": upload.name, "format": fmt, "text": text}
