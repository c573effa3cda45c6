"""The case forms' fields are copied for each form without copying their constants.

Django deep-copies every field for each form; ``guidance.forms`` copies fields more
cheaply and shares the choices (constants) to save time. These tests pin what must still
hold: each form gets its own field and widget objects, and changing one form's field never
reaches another.
"""

import pytest
from django import forms

from guidance.forms import CaseFilterForm, CaseForm, PathologyForm, TumourForm

CHOICE_FORMS = [CaseForm, TumourForm, CaseFilterForm]


def choice_fields(form_class):
    names = [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ChoiceField)
    ]
    assert names, f"{form_class.__name__} has no choice fields"
    return names


@pytest.mark.parametrize("form_class", [CaseForm, TumourForm, PathologyForm])
def test_every_field_is_copied_with_its_own_widget_messages_and_validators(form_class):
    first, second = form_class(), form_class()
    for name, field in form_class.base_fields.items():
        copied = first.fields[name]
        assert type(copied) is type(field)
        assert copied is not field and copied is not second.fields[name]
        assert copied.widget is not field.widget
        assert copied.widget.attrs == field.widget.attrs
        assert copied.widget.attrs is not field.widget.attrs
        assert copied.error_messages == field.error_messages
        assert copied.error_messages is not field.error_messages
        assert copied.validators == field.validators
        assert copied.validators is not field.validators
        assert copied.required == field.required and copied.label == field.label


def test_a_copied_number_field_keeps_its_limits_and_they_stay_its_own():
    first, second = PathologyForm(), PathologyForm()
    first.fields["ki67_percent"].validators.clear()
    first.fields["ki67_percent"].widget.attrs["max"] = "5"

    assert second.fields["ki67_percent"].validators
    assert second.fields["ki67_percent"].widget.attrs["max"] == 100
    assert not PathologyForm(
        data={"pathology-differentiation": "well", "pathology-ki67_percent": "101"}
    ).is_valid()


@pytest.mark.parametrize("form_class", CHOICE_FORMS)
def test_each_form_has_its_own_fields_and_widgets(form_class):
    first, second = form_class(), form_class()
    for name in choice_fields(form_class):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name] is not form_class.base_fields[name]
        assert first.fields[name].widget is not second.fields[name].widget
        assert first.fields[name].widget.attrs is not second.fields[name].widget.attrs
        assert first.fields[name].error_messages is not second.fields[name].error_messages
        assert first.fields[name].validators is not second.fields[name].validators
        # The constant choices themselves are shared: that is the saving.
        assert first.fields[name].choices is second.fields[name].choices
        assert first.fields[name].widget.choices == list(first.fields[name].choices)


@pytest.mark.parametrize("form_class", CHOICE_FORMS)
def test_changing_one_forms_field_leaves_the_others_alone(form_class):
    name = choice_fields(form_class)[0]
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


def test_a_copied_choice_field_still_validates_against_its_choices():
    form = TumourForm(data={"site": "liver", "tumour_type": "insulinoma"})
    assert not form.is_valid()
    assert "site" in form.errors
    assert "hormonal_symptoms" in form.errors
    good = TumourForm(
        data={"site": "pancreas", "tumour_type": "insulinoma", "hormonal_symptoms": "yes"}
    )
    assert good.is_valid(), good.errors
    assert good.cleaned_data["hormonal_symptoms"] is True
