"""The app's forms as django-crispy-forms lays them out, read back as HTML.

What is checked of the real forms (the wizard's steps and review, the history's filters,
the login form): a radio group is a fieldset whose legend is the question; help and errors
are tied to their field by ``aria-describedby``; a field with an error is ``is-invalid`` and
``aria-invalid`` and its error is where Bootstrap shows it; errors of hidden fields are
shown; number, date and password inputs keep Django's attributes. The rendering and the
checks every rendering passes are in tests/form_markup.py.
"""

from __future__ import annotations

import pytest
from django import forms

from guidance.forms import CaseFilterForm, LoginForm
from guidance.wizard import ReviewForm
from tests.factories import PASSWORD
from tests.form_markup import (
    EVERY_FIELD,
    HOSTILE,
    LOGIN_URL,
    WIZARD_STEPS,
    assert_no_markup_from,
    check,
    checked_values,
    controls,
    described_by,
    described_element,
    field_ids,
    page,
    radio_group,
    render,
    rendered,
    shown_by_bootstrap,
    step_form,
    without_mark,
)
from tests.pages import parse

# --- Radio groups --------------------------------------------------------------------

RADIO_FIELDS = [
    (name, make, field)
    for name, make, field in EVERY_FIELD
    if isinstance(make().fields[field].widget, forms.RadioSelect)
]


def test_the_wizard_asks_its_questions_in_radio_groups():
    assert field_ids(RADIO_FIELDS) == [
        "tumour-site",
        "tumour-tumour_type",
        "tumour-hormonal_symptoms",
        "pancreas-pancreas_region",
        "pathology-differentiation",
        "extent-extent",
        "extent-ssr_imaging",
        "metastases-metastases_resectable",
    ]


@pytest.mark.parametrize(("name", "make", "field_name"), RADIO_FIELDS, ids=field_ids(RADIO_FIELDS))
def test_a_radio_group_is_a_fieldset_whose_legend_is_the_question(name, make, field_name):
    form = make()
    field = form[field_name]
    root = render(form)

    fieldset, radios = radio_group(root, field)
    legend = fieldset.one("legend")
    assert legend is next(fieldset.iter())
    assert without_mark(legend.text()) == field.label
    assert [radio.attrs["value"] for radio in radios] == [v for v, _ in field.field.choices]
    for radio, (_, choice_label) in zip(radios, field.field.choices, strict=True):
        assert root.one("label", for_=radio.attrs["id"]).text() == choice_label
    assert not root.find_all("label", for_=field.auto_id)  # the legend names the group


def test_the_answer_given_is_the_one_checked():
    form = step_form("tumour", {"site": "rectum", "hormonal_symptoms": "no"})
    root = render(form)

    assert checked_values(radio_group(root, form["site"])[1]) == ["rectum"]
    assert checked_values(radio_group(root, form["hormonal_symptoms"])[1]) == ["no"]
    assert checked_values(radio_group(root, form["tumour_type"])[1]) == []


def test_an_unanswered_question_checks_its_initial_answer_only():
    form = step_form("extent")
    root = render(form)

    assert checked_values(radio_group(root, form["ssr_imaging"])[1]) == ["not_done"]
    assert checked_values(radio_group(root, form["extent"])[1]) == []


# --- Help text -----------------------------------------------------------------------

FIELDS_WITH_HELP = [case for case in EVERY_FIELD if case[1]().fields[case[2]].help_text]
FIELDS_WITHOUT_HELP = [case for case in EVERY_FIELD if case not in FIELDS_WITH_HELP]


def test_the_forms_give_help_where_a_clinician_needs_it():
    assert field_ids(FIELDS_WITH_HELP) == [
        "tumour-hormonal_symptoms",
        "pathology-ki67_percent",
        "pathology-mitoses_per_10hpf",
        "extent-size_mm",
        "review-reference",
    ]


@pytest.mark.parametrize(
    ("name", "make", "field_name"), FIELDS_WITH_HELP, ids=field_ids(FIELDS_WITH_HELP)
)
def test_help_text_is_tied_to_its_field(name, make, field_name):
    form = make()
    field = form[field_name]
    root = render(form)

    help_id = f"{field.auto_id}_helptext"
    assert described_by(described_element(root, field)) == [help_id]
    assert root.by_id(help_id).text() == field.help_text
    assert root.one(id=f"div_{field.auto_id}").contains(root.by_id(help_id))


@pytest.mark.parametrize(
    ("name", "make", "field_name"), FIELDS_WITHOUT_HELP, ids=field_ids(FIELDS_WITHOUT_HELP)
)
def test_a_field_without_help_or_errors_is_described_by_nothing(name, make, field_name):
    form = make()
    root = render(form)

    assert "aria-describedby" not in described_element(root, form[field_name]).attrs


# --- Errors --------------------------------------------------------------------------

# (what, the form bound with an answer it refuses, the field refused)
REFUSED = [
    ("ki67 out of range", lambda: step_form("pathology", {"ki67_percent": "200"}), "ki67_percent"),
    ("mitoses not whole", lambda: step_form("pathology", {"mitoses_per_10hpf": "2.5"}),
     "mitoses_per_10hpf"),
    ("size zero", lambda: step_form("extent", {"size_mm": "0"}), "size_mm"),
    ("no site", lambda: step_form("tumour", {"tumour_type": "insulinoma"}), "site"),
    ("symptoms neither yes nor no", lambda: step_form("tumour", {"hormonal_symptoms": "maybe"}),
     "hormonal_symptoms"),
    ("no region", lambda: step_form("pancreas", {}), "pancreas_region"),
    ("an NHS number as reference", lambda: step_form("review", {"reference": "943 476 5919"}),
     "reference"),
    ("unknown site filter", lambda: CaseFilterForm({"site": "liver"}), "site"),
    ("bad date filter", lambda: CaseFilterForm({"date_from": "not-a-date"}), "date_from"),
    ("end before start", lambda: CaseFilterForm({"date_from": "2025-02-01",
                                                 "date_to": "2025-01-01"}), "date_to"),
    ("no username", lambda: LoginForm(data={"password": PASSWORD}), "username"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make_form", "field_name"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_refused_answer_is_marked_invalid_and_its_error_tied_to_it(make_form, field_name):
    form = make_form()
    field = form[field_name]
    root = render(form)

    assert field.errors
    error_id = f"{field.auto_id}_error"
    error = root.by_id(error_id)
    assert error.text() == " ".join(field.errors)
    assert root.one(id=f"div_{field.auto_id}").contains(error)
    assert shown_by_bootstrap(error)
    assert described_by(described_element(root, field))[-1] == error_id
    for control in controls(root, field):
        assert "is-invalid" in control.classes
        assert control.attrs["aria-invalid"] == "true"


@pytest.mark.parametrize(
    ("make_form", "field_name"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_only_the_refused_fields_are_marked(make_form, field_name):
    form = make_form()
    root = render(form)

    marked = {
        element.attrs["name"] for element in root.find_all(aria_invalid="true")
    } | {element.attrs["name"] for element in root.find_all(cls="is-invalid")}
    assert marked == {form[name].html_name for name in form.errors}
    assert {e.attrs["id"] for e in root.find_all(cls="invalid-feedback")} == {
        f"{form[name].auto_id}_error" for name in form.errors
    }


def test_a_radio_group_with_an_error_keeps_the_description_on_its_fieldset():
    form = step_form("tumour", {"hormonal_symptoms": "maybe"})
    field = form["hormonal_symptoms"]
    root = render(form)

    fieldset, radios = radio_group(root, field)
    assert described_by(fieldset) == [f"{field.auto_id}_helptext", f"{field.auto_id}_error"]
    assert fieldset.contains(root.by_id(f"{field.auto_id}_error"))
    assert not [radio for radio in radios if "aria-describedby" in radio.attrs]


@pytest.mark.parametrize(
    "make_form",
    [
        lambda: step_form("pathology"),
        lambda: step_form("pathology", {"differentiation": "poor", "ki67_percent": "25",
                                        "mitoses_per_10hpf": "30"}),
        lambda: CaseFilterForm({}),
        LoginForm,
    ],
    ids=["unbound step", "valid step", "no filters", "login"],
)  # fmt: skip
def test_a_form_without_errors_has_no_error_markup(make_form):
    root = render(make_form())

    assert not root.find_all(aria_invalid="true")
    assert not root.find_all(cls="is-invalid")
    assert not root.find_all(cls="invalid-feedback")
    assert not root.find_all(cls="alert")


@pytest.mark.django_db
def test_a_wrong_password_is_shown_above_the_fields_and_not_echoed(client, alice):
    wrong = "not-alices-password-at-all"
    response = client.post(LOGIN_URL, {"username": "alice", "password": wrong})
    root = page(response)

    form = root.one("main").one("form")
    alert = form.one(cls="alert-danger")
    assert "correct username and password" in alert.text()
    shown = [e for e in form.iter() if e.attrs.get("type") != "hidden"]
    assert shown[0] is alert  # above the fields
    assert not root.find_all(aria_invalid="true")  # no one field is to blame
    assert root.by_id("id_username").attrs["value"] == "alice"
    assert "value" not in root.by_id("id_password").attrs
    assert wrong not in response.content.decode()


# --- Hidden fields -------------------------------------------------------------------


def with_hidden_field(form_class: type[forms.Form]) -> type[forms.Form]:
    """``form_class`` with a hidden field added, laid out by its own helper."""
    return type(
        f"{form_class.__name__}WithToken",
        (form_class,),
        {"token": forms.CharField(widget=forms.HiddenInput, label="Token")},
    )


@pytest.mark.parametrize(
    "form_class", [form_class for _, form_class in WIZARD_STEPS] + [CaseFilterForm, LoginForm]
)
def test_a_hidden_field_of_any_form_shows_its_errors_and_no_label(form_class):
    form = with_hidden_field(form_class)(data={"token": ""})
    root = render(form)

    assert form.errors["token"] == ["This field is required."]
    [hidden] = root.find_all("input", name="token")
    assert hidden.attrs["type"] == "hidden"
    alert = root.one(cls="alert-danger")
    assert alert.text() == "(Hidden field token) This field is required."
    assert not root.find_all("label", for_="id_token")
    assert "Token" not in root.text()


def test_a_hidden_fields_value_is_escaped():
    form = with_hidden_field(ReviewForm)(initial={"token": HOSTILE}, prefix="review")
    html = rendered(form)

    assert render(form).one("input", name="review-token").attrs["value"] == HOSTILE
    assert_no_markup_from(html)


# --- Number, text and password inputs ------------------------------------------------


def test_number_inputs_keep_the_limits_django_gives_them():
    form = step_form("pathology")
    root = render(form)

    ki67 = root.by_id(form["ki67_percent"].auto_id)
    mitoses = root.by_id(form["mitoses_per_10hpf"].auto_id)
    assert (ki67.attrs["type"], ki67.attrs["min"], ki67.attrs["max"], ki67.attrs["step"]) == (
        "number", "0", "100", "0.1",
    )  # fmt: skip
    assert (mitoses.attrs["type"], mitoses.attrs["min"], mitoses.attrs["max"]) == (
        "number", "0", "500",
    )  # fmt: skip


def test_a_date_filter_is_a_date_input_with_its_value():
    form = CaseFilterForm({"date_from": "2024-05-01"})
    html = rendered(form)
    box = check(parse(html)).by_id("id_date_from")

    assert [value for attr, value in box.attr_list if attr == "type"] == ["date"]
    assert box.attrs["value"] == "2024-05-01"


def test_the_login_form_keeps_djangos_attributes_and_never_echoes_the_password():
    form = LoginForm(data={"username": "", "password": PASSWORD})  # shown again: no username
    html = rendered(form)
    root = check(parse(html))

    username, password = root.by_id("id_username"), root.by_id("id_password")
    assert form.errors
    assert username.attrs["autocomplete"] == "username" and "autofocus" in username.attrs
    assert username.attrs["maxlength"] == str(form.fields["username"].max_length)
    assert password.attrs["type"] == "password"
    assert password.attrs["autocomplete"] == "current-password"
    assert "value" not in password.attrs
    assert PASSWORD not in html
