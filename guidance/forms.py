"""Validation of case facts, shared by the wizard and the JSON API; the app's form layouts.

Each wizard step is one of the step forms below. ``CaseForm`` is all of them at once
with the cross-field rules, and is what both the API and the wizard's final submit
validate against, so the two can never disagree.

Every form a page shows has a ``helper``: its django-crispy-forms layout, rendered with
``{% crispy form %}``. Each form makes its own helper, as crispy advises: its buttons and
hidden inputs render their context into themselves, so a helper shared by every form would
carry one page's values into the next.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Hidden, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from guidance import engine

YES_NO = (("yes", "Yes"), ("no", "No"))

# crispy shows the errors of the form as a whole above its fields, but not those of its
# hidden fields, which Django's own rendering lists with them: every layout starts with them.
HIDDEN_FIELD_ERRORS = HTML('{% include "guidance/includes/hidden_field_errors.html" %}')


def form_helper(*fields: Any) -> FormHelper:
    """A crispy helper of the app's: ``fields`` laid out after the errors of the hidden fields.

    A hidden field the layout does not name is rendered too, after the layout.
    """
    helper = FormHelper()
    helper.layout = Layout(HIDDEN_FIELD_ERRORS, *fields)
    helper.render_hidden_fields = True
    return helper


class _Strict:
    """Refuses "1_5": Python reads it as 15, a clinician typed something else."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "_" in value:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DecimalField(_Strict, forms.DecimalField):
    pass


class IntegerField(_Strict, forms.IntegerField):
    pass


def _yes(value: str) -> bool:
    return value == "yes"


class WizardStep(forms.Form):
    """A step of the case wizard: its fields, in order, inside the wizard's own ``<form>``.

    That ``<form>`` (``guidance/wizard.html``) carries the CSRF token and formtools'
    management form; a radio group is a fieldset whose legend is the question.
    """

    title: str

    @property
    def helper(self) -> FormHelper:
        helper = form_helper(*self.fields)
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


class TumourForm(WizardStep):
    title = "The tumour"

    site = forms.ChoiceField(
        choices=engine.SITES,
        widget=forms.RadioSelect,
        label="Primary site",
        error_messages={"invalid_choice": "Choose one of the listed sites."},
    )
    tumour_type = forms.ChoiceField(
        choices=engine.TUMOUR_TYPES,
        widget=forms.RadioSelect,
        label="Tumour type",
        error_messages={"invalid_choice": "Choose one of the listed tumour types."},
    )
    hormonal_symptoms = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=_yes,
        widget=forms.RadioSelect,
        label="Hormonal symptoms",
        help_text="Symptoms of hormone secretion, e.g. hypoglycaemia, flushing, diarrhoea.",
        error_messages={"invalid_choice": "Answer yes or no."},
    )


class PancreasForm(WizardStep):
    title = "Pancreatic region"

    pancreas_region = forms.ChoiceField(
        choices=engine.PANCREAS_REGIONS,
        widget=forms.RadioSelect,
        label="Region of the pancreas",
        error_messages={
            "required": "Choose the region of the pancreas.",
            "invalid_choice": "Choose one of the listed regions.",
        },
    )


class GastricForm(WizardStep):
    title = "Gastric NET type"

    gastric_type = forms.ChoiceField(
        choices=engine.GASTRIC_TYPES,
        initial="unknown",
        widget=forms.RadioSelect,
        label="Type of gastric NET",
        help_text="Type 1 arises in chronic atrophic gastritis and type 2 with a gastrinoma "
        "(Zollinger–Ellison syndrome, usually in MEN1), both with a high gastrin; type 3 is "
        "sporadic, with a normal gastrin.",
        error_messages={
            "required": "Choose the type of the gastric NET, or not known.",
            "invalid_choice": "Choose one of the listed types.",
        },
    )


class PathologyForm(WizardStep):
    title = "Pathology"

    differentiation = forms.ChoiceField(
        choices=engine.DIFFERENTIATIONS,
        widget=forms.RadioSelect,
        label="Differentiation",
        error_messages={"invalid_choice": "Choose well, poor or not known."},
    )
    ki67_percent = DecimalField(
        required=False,
        min_value=0,
        max_value=engine.KI67_MAX,
        max_digits=4,
        decimal_places=1,
        label="Ki-67 index (%)",
        help_text="0 to 100, one decimal place. Leave empty if not reported.",
        error_messages={
            "min_value": "Ki-67 must be between 0 and 100 per cent.",
            "max_value": "Ki-67 must be between 0 and 100 per cent.",
            "invalid": "Enter Ki-67 as a number, e.g. 2.5.",
        },
    )
    mitoses_per_10hpf = IntegerField(
        required=False,
        min_value=0,
        max_value=engine.MITOSES_MAX,
        label="Mitoses per 10 HPF",
        help_text="A whole number, 0 to 500 (10 HPF ≈ 2 mm²). Leave empty if not reported.",
        error_messages={
            "min_value": "The mitotic count must be between 0 and 500.",
            "max_value": "The mitotic count must be between 0 and 500.",
            "invalid": "Enter the mitotic count as a whole number.",
        },
    )


class ExtentForm(WizardStep):
    title = "Size and extent"

    size_mm = DecimalField(
        max_value=engine.SIZE_MAX_MM,
        max_digits=4,
        decimal_places=1,
        label="Size of the primary tumour (mm)",
        help_text="Greater than 0 and at most 300 mm, one decimal place.",
        error_messages={
            "max_value": "Size must be greater than 0 and at most 300 mm.",
            "invalid": "Enter the size in millimetres, e.g. 15 or 15.5.",
        },
    )
    extent = forms.ChoiceField(
        choices=engine.EXTENTS,
        widget=forms.RadioSelect,
        label="Extent of disease",
        error_messages={"invalid_choice": "Choose one of the listed extents."},
    )
    ssr_imaging = forms.ChoiceField(
        choices=engine.SSR_IMAGING,
        initial="not_done",
        widget=forms.RadioSelect,
        label="Somatostatin-receptor imaging",
        error_messages={"invalid_choice": "Choose positive, negative or not done."},
    )

    def clean_size_mm(self) -> Decimal:
        size = self.cleaned_data["size_mm"]
        if size <= 0:
            raise forms.ValidationError("Size must be greater than 0 and at most 300 mm.")
        return size


class MetastasesForm(WizardStep):
    title = "Metastases"

    metastases_resectable = forms.ChoiceField(
        choices=engine.RESECTABILITY,
        initial="unknown",
        widget=forms.RadioSelect,
        label="Are the metastases resectable?",
        error_messages={"invalid_choice": "Choose resectable, not resectable or not yet assessed."},
    )


class CaseForm(TumourForm, PancreasForm, GastricForm, PathologyForm, ExtentForm, MetastasesForm):
    """The whole case at once, with the rules that span steps."""

    pancreas_region = forms.ChoiceField(
        choices=engine.PANCREAS_REGIONS,
        required=False,
        label=PancreasForm.base_fields["pancreas_region"].label,
        error_messages={"invalid_choice": "Choose one of the listed regions."},
    )
    gastric_type = forms.ChoiceField(
        choices=engine.GASTRIC_TYPES,
        required=False,
        label=GastricForm.base_fields["gastric_type"].label,
        error_messages={"invalid_choice": "Choose type_1, type_2, type_3 or unknown."},
    )
    metastases_resectable = forms.ChoiceField(
        choices=engine.RESECTABILITY,
        required=False,
        label=MetastasesForm.base_fields["metastases_resectable"].label,
        error_messages={"invalid_choice": "Choose yes, no or unknown."},
    )
    ssr_imaging = forms.ChoiceField(
        choices=engine.SSR_IMAGING,
        required=False,
        label=ExtentForm.base_fields["ssr_imaging"].label,
        error_messages={"invalid_choice": "Choose positive, negative or not_done."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        site = cleaned.get("site")
        region = cleaned.get("pancreas_region")
        if site == "pancreas" and not region and "pancreas_region" not in self.errors:
            self.add_error("pancreas_region", "Give the region of the pancreas.")
        if site and site != "pancreas" and region:
            self.add_error(
                "pancreas_region", "A pancreatic region applies only to tumours of the pancreas."
            )
        gastric = cleaned.get("gastric_type")
        if site and site != "stomach" and gastric:
            self.add_error(
                "gastric_type", "A gastric NET type applies only to tumours of the stomach."
            )
        elif site == "stomach" and "gastric_type" not in self.errors:
            cleaned["gastric_type"] = gastric or "unknown"
        extent = cleaned.get("extent")
        resectable = cleaned.get("metastases_resectable")
        if extent and extent != "distant_metastases" and resectable in ("yes", "no"):
            self.add_error(
                "metastases_resectable",
                "Resectability of metastases applies only when there are distant metastases.",
            )
        cleaned["metastases_resectable"] = cleaned.get("metastases_resectable") or "unknown"
        cleaned["ssr_imaging"] = cleaned.get("ssr_imaging") or "not_done"
        return cleaned

    def facts(self) -> engine.CaseFacts:
        """The validated case. Call only after ``is_valid()``."""
        data = self.cleaned_data
        return engine.CaseFacts(
            site=data["site"],
            pancreas_region=data["pancreas_region"] or None,
            gastric_type=data["gastric_type"] or None,
            tumour_type=data["tumour_type"],
            hormonal_symptoms=data["hormonal_symptoms"],
            size_mm=data["size_mm"],
            differentiation=data["differentiation"],
            ki67_percent=data["ki67_percent"],
            mitoses_per_10hpf=data["mitoses_per_10hpf"],
            extent=data["extent"],
            metastases_resectable=data["metastases_resectable"],
            ssr_imaging=data["ssr_imaging"],
        )


FACT_FIELDS = tuple(field.name for field in dataclasses.fields(engine.CaseFacts))


def form_data(values: dict[str, Any]) -> dict[str, str]:
    """Case facts (as Python or JSON values) in the string form a form posts."""
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        else:
            data[name] = str(value)
    return data


# Dates the history can hold: anything outside is a typing slip (and would overflow).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 30)


class CaseFilterForm(forms.Form):
    """The history's filters: what ``CaseQuerySet.matching`` narrows the cases by."""

    GRADE_UNKNOWN = "unknown"
    GRADES = (
        ("", "Any grade"),
        ("G1", "G1"),
        ("G2", "G2"),
        ("G3", "G3"),
        (GRADE_UNKNOWN, "Unknown"),
    )

    site = forms.ChoiceField(choices=(("", "Any site"), *engine.SITES), required=False)
    extent = forms.ChoiceField(choices=(("", "Any extent"), *engine.EXTENTS), required=False)
    grade = forms.ChoiceField(choices=GRADES, required=False)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(required=False, max_length=40, label="Reference contains")

    @property
    def helper(self) -> FormHelper:
        """The filters in a row of small fields; a GET form, so the filters are in the URL."""
        helper = form_helper(
            *(
                Column(
                    Field(
                        name,
                        css_class="form-select-sm"
                        if isinstance(field.widget, forms.Select)
                        else "form-control-sm",
                    ),
                    css_class="col-6 col-md-4 col-lg-2",
                )
                for name, field in self.fields.items()
            ),
            Div(
                # No name: the button would add itself to the filters in the URL.
                StrictButton("Filter", type="submit", css_class="btn-outline-primary btn-sm"),
                HTML(
                    '<a class="btn btn-link btn-sm" href="{% url "guidance:case-list" %}">Clear</a>'
                ),
                css_class="col-12 d-flex gap-2",
            ),
        )
        helper.form_method = "get"
        helper.form_class = "case-filters row g-2 align-items-end mb-3"
        helper.attrs = {"aria-label": "Filter cases"}
        helper.label_class = "small mb-1"
        return helper

    def rendering_key(self) -> str:
        """What the form's rendering depends on, as one string: the history caches it by this.

        That is each field's submitted value as its widget reads it (a value left out apart
        from an empty one, which selects "Any ..."), and whether the form is bound; its errors
        follow from those values. Nothing else of the request, and nothing of the clinician.
        """
        values = [
            field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        ]
        return json.dumps([self.is_bound, values])

    def _plausible(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(
                f"Enter a date between {FIRST_DAY:%d/%m/%Y} and {LAST_DAY:%d/%m/%Y}."
            )
        return day

    def clean_date_from(self) -> date | None:
        return self._plausible("date_from")

    def clean_date_to(self) -> date | None:
        return self._plausible("date_to")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters, as ``CaseQuerySet.matching`` takes them: None for any.

        A filter with an error is left out, so the others still apply.
        """
        self.is_valid()  # cleaned_data then holds the fields without errors
        data = getattr(self, "cleaned_data", {})  # an unbound form filters nothing
        grade = data.get("grade") or None
        return {
            "site": data.get("site") or None,
            "extent": data.get("extent") or None,
            # A case whose grade is unknown is saved without one.
            "grade": "" if grade == self.GRADE_UNKNOWN else grade,
            "saved_from": data.get("date_from"),
            "saved_to": data.get("date_to"),
            "reference_contains": data.get("q") or None,
        }


class LoginForm(AuthenticationForm):
    """Django's login form, laid out for the login page."""

    @property
    def helper(self) -> FormHelper:
        helper = form_helper(
            "username",
            "password",
            # Where to go after logging in, as LoginView gives it to the page.
            Hidden("next", "{{ next }}"),
            StrictButton("Log in", type="submit", css_class="btn-primary"),
        )
        helper.attrs = {"novalidate": True}
        return helper
