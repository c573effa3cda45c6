"""Each form has its own fields: changing or rendering one form reaches no other.

Django copies every field, with its widget, for each form. That matters here because crispy
writes into the widget of the form it renders (a layout's classes, ``is-invalid`` on a
refused answer): nothing one page renders may reach the next form or the form's class.
"""

import pytest
from django import forms
from django.template import Context, Template

from guidance.forms import CaseFilterForm, CaseForm, LoginForm, PathologyForm, TumourForm
from guidance.wizard import ReviewForm

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")

# (a form with an answer it refuses, the same form with none)
REFUSING = [
    (lambda: CaseFilterForm({"site": "liver"}), lambda: CaseFilterForm({})),
    (lambda: PathologyForm({"ki67_percent": "200"}), PathologyForm),
    (lambda: TumourForm({"site": "liver"}), TumourForm),
    (lambda: ReviewForm({"reference": "943 476 5919"}), ReviewForm),
    (lambda: LoginForm(data={"password": "x"}), LoginForm),
]


def widget_attrs(form_class) -> dict[str, dict]:
    return {name: dict(field.widget.attrs) for name, field in form_class.base_fields.items()}


@pytest.mark.parametrize(
    ("refusing", "fresh"), REFUSING, ids=["filters", "pathology", "tumour", "review", "login"]
)
def test_rendering_a_refused_answer_marks_no_other_form_and_not_the_class(refusing, fresh):
    form = refusing()
    before = widget_attrs(type(form))

    assert "is-invalid" in CRISPY.render(Context({"form": form}))

    assert "is-invalid" not in CRISPY.render(Context({"form": fresh()}))
    assert widget_attrs(type(form)) == before


@pytest.mark.parametrize("form_class", [CaseForm, TumourForm, CaseFilterForm])
def test_changing_one_forms_field_leaves_the_others_alone(form_class):
    name = next(
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ChoiceField)
    )
    original = list(form_class.base_fields[name].choices)
    changed = form_class()
    changed.fields[name].choices = [("only", "Only")]
    changed.fields[name].widget.attrs["data-x"] = "1"
    changed.fields[name].error_messages["invalid_choice"] = "Changed."

    other = form_class()
    assert list(other.fields[name].choices) == original
    assert list(other.fields[name].widget.choices) == original
    assert "data-x" not in other.fields[name].widget.attrs
    assert other.fields[name].error_messages["invalid_choice"] != "Changed."
    assert list(form_class.base_fields[name].choices) == original
    assert list(changed.fields[name].widget.choices) == [("only", "Only")]


def test_a_number_fields_limits_stay_each_forms_own():
    first, second = PathologyForm(), PathologyForm()
    first.fields["ki67_percent"].validators.clear()
    first.fields["ki67_percent"].widget.attrs["max"] = "5"

    assert second.fields["ki67_percent"].validators
    assert second.fields["ki67_percent"].widget.attrs["max"] == 100
    refused = PathologyForm(
        data={"pathology-differentiation": "well", "pathology-ki67_percent": "101"},
        prefix="pathology",
    )
    assert list(refused.errors) == ["ki67_percent"]


def test_a_choice_field_validates_against_its_choices():
    form = TumourForm(data={"site": "liver", "tumour_type": "insulinoma"})
    assert not form.is_valid()
    assert "site" in form.errors
    assert "hormonal_symptoms" in form.errors
    good = TumourForm(
        data={"site": "pancreas", "tumour_type": "insulinoma", "hormonal_symptoms": "yes"}
    )
    assert good.is_valid(), good.errors
    assert good.cleaned_data["hormonal_symptoms"] is True
