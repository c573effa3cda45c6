"""The app's forms as django-crispy-forms renders them, for the tests that read them back.

Each form is rendered exactly as its page renders it: ``{% crispy form %}`` with the form's
own helper (``guidance.forms``), or the page itself through the test client. Every rendering
is parsed into a small element tree (``tests.pages.parse``), strictly: each end tag must
close the element it opens, so an unbalanced fragment fails. ``check`` then asserts what must
hold of any form markup: no element repeats an attribute, no id is used twice, and every
``<label for>`` and every ``aria-describedby`` names an element that exists.
"""

from __future__ import annotations

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
from tests.pages import Element, parse

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


def assert_no_markup_from(html: str) -> None:
    """Nothing of HOSTILE became markup: no element and no raw tag in the HTML."""
    assert not parse(html).find_all("script")
    assert "<script" not in html
    assert "alert(1)</script>" not in html
