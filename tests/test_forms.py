"""The forms' own rules that no page is needed to see, and that each form has its own fields.

The history's filters (``CaseFilterForm``) only validate and hand ``CaseQuerySet.matching``
the valid filters. Each form has its own fields: changing or rendering one form reaches no
other.

Django copies every field, with its widget, for each form. That matters here because crispy
writes into the widget of the form it renders (a layout's classes, ``is-invalid`` on a
refused answer): nothing one page renders may reach the next form or the form's class.
"""

import json
from datetime import date

import pytest
from django import forms
from django.template import Context, Template

from guidance.forms import (
    FIRST_DAY,
    LAST_DAY,
    CaseFilterForm,
    CaseForm,
    LoginForm,
    PathologyForm,
    TumourForm,
)
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


# --- The history's filters ---------------------------------------------------------------

NO_FILTERS = dict.fromkeys(
    ("site", "extent", "grade", "saved_from", "saved_to", "reference_contains")
)


def test_the_filter_form_only_validates_and_gives_the_valid_filters():
    form = CaseFilterForm(
        {"site": "mars", "extent": "localised", "grade": "unknown", "date_to": "2025-03-01",
         "date_from": "2025-04-01", "q": " MDT "}
    )  # fmt: skip

    assert form.filters() == {
        "site": None,  # refused
        "extent": "localised",
        "grade": "",  # saved without a grade
        "saved_from": date(2025, 4, 1),
        "saved_to": None,  # before the start: refused
        "reference_contains": "MDT",
    }
    assert sorted(form.errors) == ["date_to", "site"]
    nothing = dict.fromkeys(
        ("site", "extent", "grade", "saved_from", "saved_to", "reference_contains")
    )
    assert CaseFilterForm({}).filters() == CaseFilterForm().filters() == nothing


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ({"site": "rectum"}, {"site": "rectum"}),
        ({"extent": "distant_metastases"}, {"extent": "distant_metastases"}),
        ({"grade": "G1"}, {"grade": "G1"}),
        ({"grade": "G3"}, {"grade": "G3"}),
        ({"grade": "unknown"}, {"grade": ""}),
        ({"date_from": "2025-03-01"}, {"saved_from": date(2025, 3, 1)}),
        ({"date_to": "2025-03-31"}, {"saved_to": date(2025, 3, 31)}),
        ({"q": "MDT-14"}, {"reference_contains": "MDT-14"}),
        ({"site": "", "extent": "", "grade": "", "q": "  "}, {}),
    ],
)
def test_each_filter_is_handed_on_alone_and_any_means_none(query, filters):
    form = CaseFilterForm(query)

    assert form.filters() == {**NO_FILTERS, **filters}
    assert not form.errors


def test_the_first_and_last_plausible_days_are_filters_and_a_day_beyond_is_an_error():
    inside = CaseFilterForm({"date_from": str(FIRST_DAY), "date_to": str(LAST_DAY)})
    before = CaseFilterForm({"date_from": "1999-12-31"})
    after = CaseFilterForm({"date_to": "2999-12-31"})

    assert inside.filters() == {**NO_FILTERS, "saved_from": FIRST_DAY, "saved_to": LAST_DAY}
    assert not inside.errors
    for form, field in ((before, "date_from"), (after, "date_to")):
        assert form.filters() == NO_FILTERS
        assert form.errors == {field: ["Enter a date between 01/01/2000 and 30/12/2999."]}
    assert (date(2000, 1, 1), date(2999, 12, 30)) == (FIRST_DAY, LAST_DAY)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {"date_from": "2025-03-12", "date_to": "2025-03-10"},
            {"date_to": ["The end date is before the start date."]},
        ),
        ({"date_from": "2025-03-10", "date_to": "2025-03-10"}, {}),
        ({"date_from": "2025-03-12"}, {}),
        ({"date_to": "2025-03-10"}, {}),
    ],
)
def test_only_an_end_date_before_the_start_date_is_refused(query, errors):
    form = CaseFilterForm(query)
    form.filters()

    assert form.errors == errors


def test_the_filter_form_is_kept_rendered_by_what_each_field_was_given_and_whether_bound():
    given = {"site": "rectum", "extent": "", "q": "NET-1"}
    assert json.loads(CaseFilterForm(given).rendering_key()) == [
        True,
        ["rectum", "", None, None, None, "NET-1"],
    ]
    keys = [
        CaseFilterForm().rendering_key(),
        CaseFilterForm({}).rendering_key(),
        CaseFilterForm({"site": "colon"}).rendering_key(),
        CaseFilterForm({"site": "rectum"}).rendering_key(),
        CaseFilterForm({"site": "rectum", "date_to": "01/01/2020"}).rendering_key(),
    ]
    assert len(set(keys)) == len(keys)
    # A form with a prefix reads its own fields' values, and only those.
    prefixed = CaseFilterForm({"f-site": "colon", "site": "rectum"}, prefix="f")
    assert json.loads(prefixed.rendering_key())[1][0] == "colon"
