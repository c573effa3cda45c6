"""The app's forms as django-crispy-forms renders them, read back as HTML.

Each form is rendered exactly as its page renders it: ``{% crispy form %}`` with the form's
own helper (``guidance.forms``), or the page itself through the test client. Every rendering
is parsed into a small element tree (``parse``), strictly: each end tag must close the
element it opens, so an unbalanced fragment fails. ``check`` then asserts what must hold of
any form markup: no element repeats an attribute, no id is used twice, and every
``<label for>`` and every ``aria-describedby`` names an element that exists.

What is checked of the real forms (the wizard's steps and review, the history's filters,
the login form): a radio group is a fieldset whose legend is the question; help and errors
are tied to their field by ``aria-describedby``; a field with an error is ``is-invalid`` and
``aria-invalid`` and its error is where Bootstrap shows it; errors of hidden fields are
shown; every value is escaped.
"""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template

from guidance.forms import (
    CaseFilterForm,
    ExtentForm,
    LoginForm,
    MetastasesForm,
    PancreasForm,
    PathologyForm,
    TumourForm,
)
from guidance.wizard import ReviewForm
from tests.factories import PASSWORD
from tests.pages import Element, parse
from tests.wizard_client import (
    LOCALISED_COLON,
    answer_steps,
    management_field,
    post_step,
    start,
    step_url,
)

LOGIN_URL = "/accounts/login/"
HISTORY_URL = "/cases/"

# Breaks out of an attribute and opens a script if anything is left unescaped; quotes of
# both kinds and an ampersand too. 37 characters: fits the 40-character text fields.
HOSTILE = "\"><script>alert(1)</script> 'x' & y"

# The wizard's steps in order, as the wizard names them (their forms' prefixes).
WIZARD_STEPS = [
    ("tumour", TumourForm),
    ("pancreas", PancreasForm),
    ("pathology", PathologyForm),
    ("extent", ExtentForm),
    ("metastases", MetastasesForm),
    ("review", ReviewForm),
]


def check(root: Element) -> Element:
    """What holds of any well-formed form markup; returns ``root`` for chaining."""
    ids = [element.attrs["id"] for element in root.iter() if "id" in element.attrs]
    assert len(ids) == len(set(ids)), f"an id is used twice: {sorted(ids)}"
    for element in root.iter():
        names = [name for name, _ in element.attr_list]
        assert len(names) == len(set(names)), f"{element.tag} repeats an attribute: {names}"
        assert element.attrs.get("id", "x") != "", f"{element} has an empty id"
        if element.tag == "label" and "for" in element.attrs:
            assert element.attrs["for"] in ids, f"<label for={element.attrs['for']}> has no target"
        for described_by in (element.attrs.get("aria-describedby") or "").split():
            assert described_by in ids, f"aria-describedby {described_by} does not exist"
    return root


# --- Rendering the forms -------------------------------------------------------------

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")


def rendered(form: forms.Form, **context) -> str:
    """The form as its page renders it: ``{% crispy form %}``, with the form's own helper."""
    return CRISPY.render(Context({"form": form, **context}))


def render(form: forms.Form, **context) -> Element:
    return check(parse(rendered(form, **context)))


def page(response) -> Element:
    assert response.status_code == 200, response.status_code
    return check(parse(response.content.decode()))


def rendered_by_crispy(response) -> None:
    """The page's form went through crispy's Bootstrap 5 templates."""
    names = {template.name for template in response.templates}
    assert {"bootstrap5/field.html"} <= names, sorted(filter(None, names))


def step_form(step: str, data: dict[str, str] | None = None) -> forms.Form:
    form_class = dict(WIZARD_STEPS)[step]
    if data is None:
        return form_class(prefix=step)
    return form_class({f"{step}-{name}": value for name, value in data.items()}, prefix=step)


def described_by(element: Element) -> list[str]:
    return (element.attrs.get("aria-describedby") or "").split()


def without_mark(text: str) -> str:
    """A label's text without crispy's required mark."""
    return text.removesuffix("*").strip()


def radio_group(root: Element, field: forms.BoundField) -> tuple[Element, list[Element]]:
    """The fieldset of a radio field, and its radios, all of them inside it."""
    fieldset = root.one(id=f"div_{field.auto_id}").one("fieldset")
    radios = root.find_all("input", type="radio", name=field.html_name)
    assert radios and all(fieldset.contains(radio) for radio in radios)
    return fieldset, radios


def checked_values(radios: list[Element]) -> list[str]:
    return [radio.attrs["value"] for radio in radios if "checked" in radio.attrs]


def described_element(root: Element, field: forms.BoundField) -> Element:
    """What a field's help and errors are tied to: a radio group's fieldset, else its input."""
    if isinstance(field.field.widget, forms.RadioSelect):
        return radio_group(root, field)[0]
    return root.by_id(field.auto_id)


def controls(root: Element, field: forms.BoundField) -> list[Element]:
    """The inputs (or select) of a field: every radio of a radio group."""
    if isinstance(field.field.widget, forms.RadioSelect):
        return radio_group(root, field)[1]
    return [root.by_id(field.auto_id)]


def shown_by_bootstrap(error: Element) -> bool:
    """Bootstrap shows ``.invalid-feedback`` only after an ``.is-invalid`` sibling."""
    return "invalid-feedback" in error.classes and any(
        "is-invalid" in sibling.classes for sibling in error.earlier_siblings()
    )


# Each of the app's forms, unbound, made afresh for each test: (name, make the form).
EVERY_FORM = [
    *((step, lambda step=step: step_form(step)) for step, _ in WIZARD_STEPS),
    ("history filters", CaseFilterForm),
    ("login", LoginForm),
]
# Every field of every form: (form's name, make the form, field's name).
EVERY_FIELD = [(name, make, field) for name, make in EVERY_FORM for field in make().fields]


def field_ids(cases) -> list[str]:
    return [f"{name}-{field}" for name, _, field in cases]


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


# --- Escaping ------------------------------------------------------------------------


def assert_no_markup_from(html: str) -> None:
    """Nothing of HOSTILE became markup: no element and no raw tag in the HTML."""
    assert not parse(html).find_all("script")
    assert "<script" not in html
    assert "alert(1)</script>" not in html


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


# --- Through the real pages ----------------------------------------------------------


@pytest.mark.django_db
def test_a_wizard_step_is_laid_out_by_crispy_inside_the_wizards_one_form(client):
    start(client)
    response = post_step(
        client, "tumour", site="colon", tumour_type="non_functional", hormonal_symptoms=None
    )
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("main").one("form", method="post")
    assert form.attrs.get("action") is None  # posts back to the step
    assert len(form.find_all("input", name="csrfmiddlewaretoken")) == 1
    management = form.one("input", name=management_field(client))
    assert management.attrs["type"] == "hidden" and management.attrs["value"] == "tumour"
    assert checked_values(form.find_all("input", name="tumour-site")) == ["colon"]
    fieldset = form.one(id="div_id_tumour-hormonal_symptoms").one("fieldset")
    assert described_by(fieldset) == [
        "id_tumour-hormonal_symptoms_helptext",
        "id_tumour-hormonal_symptoms_error",
    ]
    assert shown_by_bootstrap(root.by_id("id_tumour-hormonal_symptoms_error"))
    assert root.by_id("form-errors").attrs["role"] == "alert"


@pytest.mark.django_db
def test_a_wizard_step_echoes_a_refused_number_on_its_field(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    response = post_step(
        client, "pathology", differentiation="poor", ki67_percent="200", mitoses_per_10hpf=3
    )
    root = page(response)

    rendered_by_crispy(response)
    ki67 = root.by_id("id_pathology-ki67_percent")
    assert ki67.attrs["value"] == "200" and ki67.attrs["aria-invalid"] == "true"
    assert described_by(ki67) == [
        "id_pathology-ki67_percent_helptext",
        "id_pathology-ki67_percent_error",
    ]
    assert root.by_id("id_pathology-ki67_percent_error").text() == (
        "Ki-67 must be between 0 and 100 per cent."
    )
    mitoses = root.by_id("id_pathology-mitoses_per_10hpf")
    assert mitoses.attrs["value"] == "3" and "aria-invalid" not in mitoses.attrs


@pytest.mark.django_db
def test_the_review_is_laid_out_by_crispy_with_its_reference_field(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    response = client.get(step_url(client, "review"))
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("main").one("form", method="post")
    reference = form.one("input", name="review-reference")
    assert described_by(reference) == ["id_review-reference_helptext"]
    assert len(form.find_all("input", name="csrfmiddlewaretoken")) == 1
    assert form.one("input", name="answers_shown").attrs["type"] == "hidden"


@pytest.mark.django_db
def test_the_login_page_is_one_crispy_form_that_posts_back(client):
    response = client.get(LOGIN_URL + "?next=/cases/")
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("main").one("form")
    assert form.attrs["method"] == "post" and "novalidate" in form.attrs
    assert len(form.find_all("input", name="csrfmiddlewaretoken")) == 1
    assert form.one("input", name="next").attrs["value"] == "/cases/"
    for name, kind in (("username", "text"), ("password", "password")):
        box = form.one("input", name=name)
        assert box.attrs["type"] == kind
        assert form.one("label", for_=box.attrs["id"])
    assert form.one("button").attrs["type"] == "submit"


@pytest.mark.django_db
def test_the_login_page_marks_a_missing_username(client):
    response = client.post(LOGIN_URL, {"username": "", "password": PASSWORD})
    root = page(response)

    username = root.by_id("id_username")
    assert username.attrs["aria-invalid"] == "true" and "is-invalid" in username.classes
    assert described_by(username) == ["id_username_error"]
    assert root.by_id("id_username_error").text() == "This field is required."
    assert PASSWORD not in response.content.decode()


@pytest.mark.django_db
def test_the_history_filters_are_one_crispy_get_form(alice_client):
    response = alice_client.get(HISTORY_URL, {"date_from": "not-a-date", "site": "colon"})
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("form", method="get")
    assert form.attrs["aria-label"] == "Filter cases"
    assert not form.find_all("input", name="csrfmiddlewaretoken")
    # The Filter button has no name: it would add itself to the filters in the URL.
    assert [button.attrs.get("name") for button in form.find_all("button")] == [None]
    date_from = root.by_id("id_date_from")
    assert {"form-control-sm", "is-invalid"} <= date_from.classes
    assert date_from.attrs["value"] == "not-a-date"
    assert described_by(date_from) == ["id_date_from_error"]
    assert root.by_id("id_date_from_error").text() == "Enter a valid date."
    site = root.by_id("id_site")
    assert "form-select-sm" in site.classes and "aria-invalid" not in site.attrs
    assert [o.attrs["value"] for o in site.find_all("option") if "selected" in o.attrs] == ["colon"]


@pytest.mark.django_db
def test_the_history_echoes_a_hostile_search_escaped(alice_client):
    response = alice_client.get(HISTORY_URL, {"q": HOSTILE, "date_from": "1999-12-31"})
    root = page(response)

    assert_no_markup_from(response.content.decode())
    assert root.by_id("id_q").attrs["value"] == HOSTILE
    assert root.by_id("id_date_from_error").text() == (
        "Enter a date between 01/01/2000 and 30/12/2999."
    )
