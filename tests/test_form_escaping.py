"""Every value a form shows is escaped: typed values, choices, labels, errors and the page to
go to after logging in, however hostile.
"""

from __future__ import annotations

import pytest
from django import forms

from guidance.forms import CaseFilterForm, LoginForm, TumourForm
from tests.form_markup import (
    HOSTILE,
    assert_no_markup_from,
    check,
    checked_values,
    radio_group,
    render,
    rendered,
    step_form,
    without_mark,
)
from tests.pages import parse

# --- Escaping ------------------------------------------------------------------------




@pytest.mark.parametrize(
    ("make_form", "field_name"),
    [
        (lambda: step_form("review", {"reference": HOSTILE}), "reference"),
        (lambda: step_form("pathology", {"ki67_percent": HOSTILE}), "ki67_percent"),
        (lambda: step_form("extent", {"size_mm": HOSTILE}), "size_mm"),
        (lambda: CaseFilterForm({"q": HOSTILE}), "q"),
        (lambda: CaseFilterForm({"date_to": HOSTILE}), "date_to"),
        (lambda: LoginForm(data={"username": HOSTILE}), "username"),
    ],
    ids=["reference", "ki67", "size", "search", "date", "username"],
)
def test_a_hostile_value_typed_into_a_field_is_echoed_escaped(make_form, field_name):
    form = make_form()
    html = rendered(form)

    assert render(form).by_id(form[field_name].auto_id).attrs["value"] == HOSTILE
    assert "&quot;&gt;&lt;script&gt;" in html
    assert_no_markup_from(html)


@pytest.mark.parametrize(
    "make_form",
    [lambda: CaseFilterForm({"site": HOSTILE}), lambda: step_form("tumour", {"site": HOSTILE})],
    ids=["select", "radio group"],
)
def test_a_hostile_choice_is_escaped_and_chooses_nothing(make_form):
    form = make_form()
    field = form["site"]
    html = rendered(form)
    root = render(form)

    assert field.errors
    assert root.by_id(f"{field.auto_id}_error").text() == " ".join(field.errors)
    chosen = [
        element
        for element in root.one(id=f"div_{field.auto_id}").iter()
        if "selected" in element.attrs or "checked" in element.attrs
    ]
    assert chosen == []
    assert_no_markup_from(html)


class HostileStep(TumourForm):
    """A wizard step whose own labels, choices and errors are hostile."""

    reference = forms.CharField(label=HOSTILE)
    answer = forms.ChoiceField(
        label=HOSTILE, widget=forms.RadioSelect, choices=((HOSTILE, HOSTILE), ("b", "<b>B</b>"))
    )

    def clean_reference(self):
        raise forms.ValidationError(HOSTILE)

    def clean(self):
        raise forms.ValidationError(HOSTILE)


def test_hostile_labels_choices_and_errors_are_escaped():
    form = HostileStep({"reference": "x", "answer": HOSTILE})
    html = rendered(form)
    root = check(parse(html))

    assert_no_markup_from(html)
    assert not root.find_all("b")
    assert without_mark(root.one("label", for_="id_reference").text()) == HOSTILE
    assert root.by_id("id_reference_error").text() == HOSTILE
    fieldset, radios = radio_group(root, form["answer"])
    assert without_mark(fieldset.one("legend").text()) == HOSTILE
    assert [radio.attrs["value"] for radio in radios] == [HOSTILE, "b"]
    assert checked_values(radios) == [HOSTILE]
    assert [root.one("label", for_=r.attrs["id"]).text() for r in radios] == [HOSTILE, "<b>B</b>"]
    assert root.one(cls="alert-danger").text() == HOSTILE


def test_the_page_to_go_to_after_logging_in_is_escaped():
    html = rendered(LoginForm(), next=HOSTILE)

    assert parse(html).one("input", name="next").attrs["value"] == HOSTILE
    assert_no_markup_from(html)
