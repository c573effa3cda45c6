"""The forms of the editors' admin: reasons for changes, publishing, discarding, reference
cases and accounts."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserChangeForm
from django.forms.fields import InvalidJSONInput

from guidance.forms import CaseForm, form_data
from guidance.models import GuidelineVersion, ReferenceCase, Section, WarningText


class ReasonForm(forms.ModelForm):
    """Every change of guideline text or of a reference case says why, into the history."""

    change_reason = forms.CharField(
        max_length=100,
        label="Reason for this change",
        help_text="Recorded in the audit trail with your name and the time.",
    )


class PublishForm(forms.Form):
    label = forms.CharField(max_length=50, help_text="The version as it will be cited, e.g. 2.")
    change_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    accept_failures_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Publish despite failing or changed reference cases, because",
        help_text=(
            "Only if a reference case fails, or one that gated the draft when it was started "
            "was deactivated, edited or deleted since. Recorded with the version. No reason "
            "publishes a draft whose logic fails the exhaustive check."
        ),
    )


class ImportForm(forms.Form):
    """A guideline file to make a draft from (docs/guideline-format.md)."""

    max_size = 1_000_000  # bytes: version 1's file is about 30 kB

    file = forms.FileField(
        label="Guideline file",
        help_text="A JSON file as “Download as a guideline file” writes it. Every problem in it "
        "is listed at once; on any, nothing is created.",
    )
    reason = forms.CharField(
        max_length=100,
        label="Reason for this draft",
        help_text="Recorded in the audit trail with your name and the time.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_size:
            raise forms.ValidationError(
                "The file is too large: at most %(limit)s bytes.",
                code="too_large",
                params={"limit": self.max_size},
            )
        return upload


class DiscardForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Discard this draft, because",
        help_text="Recorded with the draft, which stays as a read-only record.",
    )


def nesting_depth(value: object) -> int:
    """How many lists and objects deep ``value`` goes (0 for a number or a string).

    Counted with a stack of its own, not by recursion, whatever the depth.
    """
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in item)
    return deepest


class ShallowJSONField(forms.JSONField):
    """JSON no deeper than ``max_depth``: anything deeper is a field error.

    Python's json module parses and writes nesting by recursion: thousands of levels
    raised RecursionError, and a value just short of the interpreter's limit was parsed
    but then failed when the page wrote it back into the form.
    """

    max_depth = 20  # a reference case's fields are one level deep
    default_error_messages = {
        "too_deep": "This JSON is too deeply nested: at most %(max_depth)s levels.",
    }

    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError:
            converted = None
            too_deep = True
        else:
            too_deep = nesting_depth(converted) > self.max_depth
        if too_deep:
            raise forms.ValidationError(
                self.error_messages["too_deep"],
                code="too_deep",
                params={"max_depth": self.max_depth},
            )
        return converted

    def bound_data(self, data, initial):
        # What the page writes back into the form: too deep to parse or to write out again,
        # it is given back as the text that was typed.
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        if nesting_depth(value) > self.max_depth:
            return InvalidJSONInput(data)
        return value


class ReferenceCaseForm(ReasonForm):
    class Meta:
        model = ReferenceCase
        fields = [
            "title", "facts", "expected_grade", "expected_sections", "expected_warnings",
            "expected_phrases", "notes", "is_active",
        ]
        field_classes = dict.fromkeys(
            ["facts", "expected_sections", "expected_warnings", "expected_phrases"],
            ShallowJSONField,
        )

    def clean_facts(self):
        facts = self.cleaned_data["facts"]
        if not isinstance(facts, dict):
            raise forms.ValidationError("Give the case facts as a JSON object.")
        form = CaseForm(data=form_data(facts))
        if not form.is_valid():
            raise forms.ValidationError(
                [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
            )
        return facts

    def _names(self, field: str, model: type, key: str) -> list[str]:
        """The names given, each a section's slug (or a warning's code) of the published
        version or of the draft: the versions a reference case is run against."""
        names = self.cleaned_data[field]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise forms.ValidationError("Give a JSON list of strings.")
        run_against = [GuidelineVersion.Status.PUBLISHED, GuidelineVersion.Status.DRAFT]
        allowed = set(
            model.objects.filter(version__status__in=run_against).values_list(key, flat=True)
        )
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise forms.ValidationError(f"Unknown: {', '.join(unknown)}.")
        return names

    def clean_expected_sections(self):
        return self._names("expected_sections", Section, "slug")

    def clean_expected_warnings(self):
        return self._names("expected_warnings", WarningText, "code")

    def clean_expected_phrases(self):
        phrases = self.cleaned_data["expected_phrases"]
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise forms.ValidationError("Give a JSON list of strings.")
        return phrases


class AccountChangeForm(UserChangeForm):
    """Renaming an account, like creating one, refuses a name that differs only in case."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        others = self._meta.model.objects.exclude(pk=self.instance.pk)
        if others.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                self.instance.unique_error_message(self._meta.model, ["username"])
            )
        return username
