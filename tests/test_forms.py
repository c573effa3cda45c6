"""The case forms' choice fields share their constant choices between form instances.

Django deep-copies every field for each form; ``guidance.forms`` skips copying the
choices (constants) to save time. These tests pin what must still hold: each form gets
its own field and widget objects, and changing one form's field never reaches another.
"""

import pytest
from django import forms

from guidance.forms import CaseFilterForm, CaseForm, TumourForm

CHOICE_FORMS = [CaseForm, TumourForm, CaseFilterForm]


def choice_fields(form_class):
    names = [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ChoiceField)
    ]
    assert names, f"{form_class.__name__} has no choice fields"
    return names


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
