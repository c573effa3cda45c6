"""The app's forms as Bootstrap 5 markup (guidance/fields.py), read back as HTML.

Every rendering here is parsed into a small element tree (``parse``), strictly: each end
tag must close the element it opens, so an unbalanced fragment fails. ``check`` then asserts
what must hold of any form markup: no element repeats an attribute, no id is used twice,
and every ``<label for>`` and every ``aria-describedby`` names an element that exists.

The forms are the app's own (the wizard steps, the history filters, Django's login form,
formtools' management form) or, for hostile labels and errors, small subclasses made here.
"""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.template import Context, Template
from django.utils.safestring import mark_safe
from formtools.wizard.forms import ManagementForm

from guidance import engine, fields
from guidance.forms import CaseFilterForm, ExtentForm, PathologyForm, TumourForm
from guidance.wizard import ReviewForm
from tests.factories import PASSWORD
from tests.wizard_client import (
    LOCALISED_COLON,
    answer_steps,
    management_field,
    post_step,
    start,
)

LOGIN_URL = "/accounts/login/"
HISTORY_URL = "/cases/"
# A run's management field, as the wizard names it: the wizard's name and the run's id.
RUN = "0123456789abcdef0123456789abcdef"
MANAGEMENT_FIELD = f"case_wizard_{RUN}-current_step"
WIZARD_PREFIX = MANAGEMENT_FIELD.removesuffix("-current_step")

# Breaks out of an attribute and opens a script if anything is left unescaped; quotes of
# both kinds and an ampersand too. 37 characters: fits the 40-character text fields.
HOSTILE = "\"><script>alert(1)</script> 'x' & y"


# --- Reading HTML --------------------------------------------------------------------

VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)


class Element:
    def __init__(self, tag: str, attr_list: list[tuple[str, str | None]], parent=None):
        self.tag = tag
        self.attr_list = attr_list
        self.attrs = dict(attr_list)
        self.children: list[Element | str] = []
        self.parent = parent

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str):
        """Elements below this one by tag, a class they have and attribute values.

        Attribute names are written in Python: ``for_`` is ``for``, ``aria_invalid`` is
        ``aria-invalid``.
        """
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name) == value for name, value in wanted.items())
        ]

    def one(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, f"expected one {tag or 'element'} {cls or ''} {attrs}: {found}"
        return found[0]

    def by_id(self, id_: str) -> Element:
        return self.one(id=id_)

    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child.text() if isinstance(child, Element) else child)
        return " ".join("".join(parts).split())

    def contains(self, other: Element) -> bool:
        return any(element is other for element in self.iter())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        open_tag = self.stack[-1].tag
        assert tag not in VOID_ELEMENTS, f"</{tag}> closes a void element"
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The HTML as a tree of elements (entities decoded); fails on unbalanced tags."""
    builder = _TreeBuilder()
    builder.feed(str(html))
    builder.close()
    assert len(builder.stack) == 1, f"unclosed elements: {builder.stack[1:]}"
    return builder.root


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


def render(form: forms.Form, size: str = "") -> Element:
    return check(parse(fields.render_form(form, size)))


def render_one(field: forms.BoundField, size: str = "") -> Element:
    return check(parse(fields.render_field(field, size)))


def page(response) -> Element:
    assert response.status_code == 200, response.status_code
    return check(parse(response.content.decode()))


def no_crispy(response) -> None:
    names = [template.name or "" for template in response.templates]
    assert names, "the response rendered no template"
    assert not [name for name in names if "crispy" in name], names


def no_markup_from(root: Element, html: str) -> None:
    """Nothing of HOSTILE became markup: no element and no raw tag in the HTML."""
    assert not root.find_all("script")
    assert "<script" not in str(html)
    assert "alert(1)</script>" not in str(html)


def described_by(element: Element) -> list[str]:
    return (element.attrs.get("aria-describedby") or "").split()


def radio_group(root: Element, field: forms.BoundField) -> tuple[Element, list[Element]]:
    fieldset = root.one("fieldset", id=f"div_{field.auto_id}")
    radios = root.find_all("input", type="radio", name=field.html_name)
    assert radios and all(fieldset.contains(radio) for radio in radios)
    return fieldset, radios


def checked_values(radios: list[Element]) -> list[str]:
    return [radio.attrs["value"] for radio in radios if "checked" in radio.attrs]


def required_mark(element: Element) -> list[Element]:
    return element.find_all("span", cls="required-mark")


def field_wrapper(root: Element, field: forms.BoundField) -> Element:
    return root.one(id=f"div_{field.auto_id}")


# --- Radio groups --------------------------------------------------------------------

RADIO_FIELDS = [
    (PathologyForm, "differentiation"),
    (TumourForm, "site"),
    (TumourForm, "tumour_type"),
    (TumourForm, "hormonal_symptoms"),
    (ExtentForm, "extent"),
]


@pytest.mark.parametrize(("form_class", "name"), RADIO_FIELDS)
def test_a_radio_group_is_a_fieldset_whose_legend_is_the_question(form_class, name):
    form = form_class(prefix="step")
    field = form[name]
    root = render(form)

    fieldset, radios = radio_group(root, field)
    legends = fieldset.find_all("legend")
    assert len(legends) == 1
    assert legends[0].text().removesuffix("*").strip() == field.label
    # The question is the legend; no <label> stands for the group as a whole.
    assert not root.find_all("label", for_=field.auto_id)
    assert fieldset.find_all("input") == radios


@pytest.mark.parametrize(("form_class", "name"), RADIO_FIELDS)
def test_a_radio_group_has_one_labelled_radio_per_choice_in_order(form_class, name):
    form = form_class(prefix="step")
    field = form[name]
    root = render(form)

    _, radios = radio_group(root, field)
    assert [radio.attrs["value"] for radio in radios] == [str(v) for v, _ in field.field.choices]
    for radio, (_, choice_label) in zip(radios, field.field.choices, strict=True):
        assert radio.attrs["name"] == field.html_name
        assert radio.attrs["id"].startswith(field.auto_id)
        assert "form-check-input" in radio.classes
        label = root.one("label", for_=radio.attrs["id"])
        assert label.text() == choice_label
        assert "form-check-label" in label.classes


@pytest.mark.parametrize("value", [value for value, _ in engine.DIFFERENTIATIONS])
def test_the_bound_answer_of_a_radio_group_is_checked_and_only_it(value):
    form = PathologyForm({"pathology-differentiation": value}, prefix="pathology")
    _, radios = radio_group(render(form), form["differentiation"])

    assert checked_values(radios) == [value]


def test_a_yes_no_answer_is_checked_by_its_posted_value():
    form = TumourForm({"hormonal_symptoms": "no"})
    _, radios = radio_group(render(form), form["hormonal_symptoms"])

    assert checked_values(radios) == ["no"]


def test_an_unanswered_radio_group_has_nothing_checked_unless_it_has_an_initial_answer():
    form = ExtentForm(prefix="extent")
    root = render(form)

    assert checked_values(radio_group(root, form["extent"])[1]) == []
    assert checked_values(radio_group(root, form["ssr_imaging"])[1]) == ["not_done"]


def test_an_answer_not_among_the_choices_checks_nothing():
    form = TumourForm({"site": "liver"})
    _, radios = radio_group(render(form), form["site"])

    assert checked_values(radios) == []


def test_required_fields_carry_the_required_mark_and_optional_ones_do_not():
    form = PathologyForm(prefix="pathology")
    root = render(form)

    fieldset, radios = radio_group(root, form["differentiation"])
    assert len(required_mark(fieldset.one("legend"))) == 1
    assert all("required" in radio.attrs for radio in radios)
    for name in ("ki67_percent", "mitoses_per_10hpf"):
        field = form[name]
        assert not field.field.required
        assert not required_mark(field_wrapper(root, field))
        assert "required" not in root.by_id(field.auto_id).attrs


def test_the_required_mark_is_hidden_from_screen_readers():
    form = TumourForm()
    root = render(form)

    marks = required_mark(root)
    assert len(marks) == len(form.fields)
    assert all(mark.attrs.get("aria-hidden") == "true" for mark in marks)


def test_an_optional_radio_group_has_no_required_mark_or_attribute():
    class OptionalRadio(forms.Form):
        choice = forms.ChoiceField(
            required=False, widget=forms.RadioSelect, choices=(("a", "A"), ("b", "B"))
        )

    form = OptionalRadio()
    fieldset, radios = radio_group(render(form), form["choice"])

    assert not required_mark(fieldset)
    assert not any("required" in radio.attrs for radio in radios)


def test_a_required_text_field_has_the_mark_in_its_label():
    form = AuthenticationForm()
    root = render(form)

    for name in ("username", "password"):
        label = root.one("label", for_=form[name].auto_id)
        assert len(required_mark(label)) == 1
        assert label.text().removesuffix("*").strip() == form[name].label
        assert "required" in root.by_id(form[name].auto_id).attrs


# --- Number inputs -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ki67_percent", "mitoses_per_10hpf"])
def test_number_inputs_keep_the_constraints_django_gives_them(name):
    form = PathologyForm(prefix="pathology")
    field = form[name]
    number = render(form).by_id(field.auto_id)

    assert number.tag == "input"
    assert number.attrs["type"] == "number"
    assert number.attrs["name"] == field.html_name
    # What Django would put on a fresh number input for this field.
    expected = {
        key: str(value) for key, value in field.field.widget_attrs(forms.NumberInput()).items()
    }
    assert expected and {key: number.attrs.get(key) for key in expected} == expected
    assert Decimal(number.attrs["min"]) == field.field.min_value
    assert Decimal(number.attrs["max"]) == field.field.max_value


def test_the_ki67_input_steps_by_one_decimal_place():
    form = PathologyForm(prefix="pathology")
    field = form["ki67_percent"]
    step = render(form).by_id(field.auto_id).attrs["step"]

    assert Decimal(step) == Decimal(1).scaleb(-field.field.decimal_places) == Decimal("0.1")
    assert Decimal(render(form).by_id(field.auto_id).attrs["max"]) == engine.KI67_MAX


@pytest.mark.parametrize("typed", ["12.5", "0", "200", "abc", "1_5", HOSTILE])
def test_a_submitted_number_is_echoed_back_as_typed(typed):
    form = PathologyForm({"pathology-ki67_percent": typed}, prefix="pathology")
    html = fields.render_form(form)
    root = check(parse(html))

    assert root.by_id(form["ki67_percent"].auto_id).attrs["value"] == typed
    no_markup_from(root, html)


def test_an_empty_number_input_has_no_value():
    form = PathologyForm({"pathology-ki67_percent": ""}, prefix="pathology")

    assert "value" not in render(form).by_id(form["ki67_percent"].auto_id).attrs


# --- Errors --------------------------------------------------------------------------


def test_an_input_with_errors_is_marked_invalid_and_described_by_its_help_and_error():
    form = PathologyForm({"pathology-ki67_percent": "200"}, prefix="pathology")
    field = form["ki67_percent"]
    root = render(form)

    number = root.by_id(field.auto_id)
    assert "is-invalid" in number.classes and "form-control" in number.classes
    assert number.attrs["aria-invalid"] == "true"
    assert described_by(number) == [f"{field.auto_id}_helptext", f"{field.auto_id}_error"]
    error = root.by_id(f"{field.auto_id}_error")
    assert error.text() == "Ki-67 must be between 0 and 100 per cent."
    assert error.text() == " ".join(field.errors)
    assert "invalid-feedback" in error.classes
    assert root.by_id(f"{field.auto_id}_helptext").text() == field.help_text
    assert field_wrapper(root, field).contains(error)


def test_each_error_of_a_field_is_shown():
    class TwoErrors(forms.Form):
        name = forms.CharField()

        def clean_name(self):
            raise forms.ValidationError(["First problem.", "Second problem."])

    form = TwoErrors({"name": "x"})
    error = render(form).by_id(f"{form['name'].auto_id}_error")

    assert [p.text() for p in error.find_all("p")] == ["First problem.", "Second problem."]


def test_a_radio_group_with_errors_describes_the_fieldset_by_its_error():
    form = PathologyForm({}, prefix="pathology")
    field = form["differentiation"]
    root = render(form)

    fieldset, radios = radio_group(root, field)
    assert described_by(fieldset) == [f"{field.auto_id}_error"]
    error = root.by_id(f"{field.auto_id}_error")
    assert fieldset.contains(error)
    assert error.text() == "This field is required."
    for radio in radios:
        assert "is-invalid" in radio.classes
        assert radio.attrs["aria-invalid"] == "true"
        assert "aria-describedby" not in radio.attrs  # the fieldset says it once


def test_a_radio_group_with_help_and_errors_lists_both_on_the_fieldset():
    form = TumourForm({"tumour-hormonal_symptoms": "maybe"}, prefix="tumour")
    field = form["hormonal_symptoms"]
    root = render(form)

    fieldset, _ = radio_group(root, field)
    assert described_by(fieldset) == [f"{field.auto_id}_helptext", f"{field.auto_id}_error"]
    assert root.by_id(f"{field.auto_id}_error").text() == "Answer yes or no."
    assert root.by_id(f"{field.auto_id}_helptext").text() == field.help_text


def test_fields_without_errors_have_no_error_markup():
    form = PathologyForm(
        {
            "pathology-differentiation": "well",
            "pathology-ki67_percent": "200",
            "pathology-mitoses_per_10hpf": "3",
        },
        prefix="pathology",
    )
    root = render(form)

    assert set(form.errors) == {"ki67_percent"}
    mitoses = root.by_id(form["mitoses_per_10hpf"].auto_id)
    assert "aria-invalid" not in mitoses.attrs
    assert "is-invalid" not in mitoses.classes
    assert described_by(mitoses) == [f"{form['mitoses_per_10hpf'].auto_id}_helptext"]
    fieldset, radios = radio_group(root, form["differentiation"])
    assert "aria-describedby" not in fieldset.attrs
    assert not any(
        "aria-invalid" in radio.attrs or "is-invalid" in radio.classes for radio in radios
    )
    assert [e.attrs["id"] for e in root.find_all(cls="invalid-feedback")] == [
        f"{form['ki67_percent'].auto_id}_error"
    ]
    assert [e.attrs["id"] for e in root.find_all(aria_invalid="true")] == [
        form["ki67_percent"].auto_id
    ]


@pytest.mark.parametrize(
    "form",
    [
        PathologyForm(prefix="p"),
        PathologyForm(
            {"p-differentiation": "poor", "p-ki67_percent": "25", "p-mitoses_per_10hpf": "30"},
            prefix="p",
        ),
    ],
    ids=["unbound", "valid"],
)
def test_a_form_without_errors_has_no_error_markup(form):
    root = render(form)

    assert not root.find_all(aria_invalid="true")
    assert not root.find_all(cls="is-invalid")
    assert not root.find_all(cls="invalid-feedback")
    assert not root.find_all(cls="alert-danger")


def test_a_field_without_help_or_errors_has_no_aria_describedby():
    form = CaseFilterForm({})
    root = render(form)

    for field in form:
        assert "aria-describedby" not in root.by_id(field.auto_id).attrs


# --- Escaping ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form_class", "name", "prefix"),
    [
        (ReviewForm, "reference", "review"),
        (CaseFilterForm, "q", None),
        (CaseFilterForm, "date_from", None),
    ],
)
def test_a_hostile_text_value_is_echoed_escaped(form_class, name, prefix):
    form = form_class({f"{prefix}-{name}" if prefix else name: HOSTILE}, prefix=prefix)
    html = fields.render_form(form)
    root = check(parse(html))

    box = root.by_id(form[name].auto_id)
    assert box.attrs["value"] == HOSTILE
    assert "&quot;&gt;&lt;script&gt;" in html
    no_markup_from(root, html)


class HostileForm(forms.Form):
    text = forms.CharField(label=HOSTILE, help_text=HOSTILE)
    radio = forms.ChoiceField(
        label=HOSTILE,
        help_text=HOSTILE,
        widget=forms.RadioSelect,
        choices=((HOSTILE, HOSTILE), ("plain", "A & B")),
    )
    pick = forms.ChoiceField(label=HOSTILE, choices=((HOSTILE, HOSTILE), ("plain", "<b>B</b>")))

    def clean_text(self):
        raise forms.ValidationError(HOSTILE)

    def clean(self):
        raise forms.ValidationError(HOSTILE)


def test_hostile_labels_help_choices_and_errors_are_escaped():
    form = HostileForm({"text": "x", "radio": HOSTILE, "pick": HOSTILE})
    html = fields.render_form(form)
    root = check(parse(html))

    no_markup_from(root, html)
    assert not root.find_all("b")
    assert root.one("label", for_="id_text").text().removesuffix("*").strip() == HOSTILE
    assert root.by_id("id_text_helptext").text() == HOSTILE
    assert root.by_id("id_text_error").text() == HOSTILE
    fieldset, radios = radio_group(root, form["radio"])
    assert fieldset.one("legend").text().removesuffix("*").strip() == HOSTILE
    assert root.by_id("id_radio_helptext").text() == HOSTILE
    assert [radio.attrs["value"] for radio in radios] == [HOSTILE, "plain"]
    assert checked_values(radios) == [HOSTILE]
    assert [root.one("label", for_=r.attrs["id"]).text() for r in radios] == [HOSTILE, "A & B"]
    options = root.by_id("id_pick").find_all("option")
    assert [(o.attrs["value"], o.text()) for o in options] == [
        (HOSTILE, HOSTILE),
        ("plain", "<b>B</b>"),
    ]
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == [HOSTILE]
    assert root.one(cls="alert-danger").text() == HOSTILE


def test_a_hostile_choice_is_escaped_where_the_error_message_repeats_it():
    # Django's "Select a valid choice. %(value)s is not one of..." quotes what was sent.
    form = CaseFilterForm({"site": HOSTILE})
    html = fields.render_field(form["site"], "sm")
    root = check(parse(html))

    assert HOSTILE in root.by_id("id_site_error").text()
    no_markup_from(root, html)


def test_help_text_marked_safe_by_the_form_is_kept_as_markup():
    # As with Django's own templates, a form can put markup in its help deliberately.
    class SafeHelp(forms.Form):
        name = forms.CharField(help_text=mark_safe("See <em>the guide</em>."))  # noqa: S308

    root = render(SafeHelp())

    assert root.by_id("id_name_helptext").one("em").text() == "the guide"


# --- Selects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"), [("site", "rectum"), ("extent", "regional_nodes"), ("grade", "G2")]
)
def test_a_select_lists_its_options_in_order_with_the_chosen_one_selected(name, value):
    form = CaseFilterForm({name: value})
    field = form[name]
    root = render_one(field, "sm")

    select = root.one("select")
    assert select.attrs["name"] == field.html_name
    assert select.attrs["id"] == field.auto_id
    options = select.find_all("option")
    assert [(o.attrs["value"], o.text()) for o in options] == [
        (str(v), str(label)) for v, label in field.field.choices
    ]
    assert [o.attrs["value"] for o in options if "selected" in o.attrs] == [value]
    assert root.one("label", for_=field.auto_id).text() == field.label


def test_an_unfiltered_select_selects_its_any_option():
    form = CaseFilterForm({})
    options = render_one(form["site"], "sm").find_all("option")

    assert [o.text() for o in options if "selected" in o.attrs] == ["Any site"]


def test_size_sm_makes_a_small_select_and_no_size_a_normal_one():
    form = CaseFilterForm({"site": "colon"})

    small = render_one(form["site"], "sm")
    assert {"form-select", "form-select-sm"} <= small.one("select").classes
    assert "small" in small.one("label").classes
    assert "form-control-sm" in render_one(form["q"], "sm").by_id("id_q").classes

    normal = render_one(form["site"])
    assert "form-select" in normal.one("select").classes
    assert "form-select-sm" not in normal.one("select").classes
    assert "form-control-sm" not in render_one(form["q"]).by_id("id_q").classes


def test_a_select_with_an_unknown_choice_is_marked_invalid_with_nothing_selected():
    form = CaseFilterForm({"site": "liver"})
    root = render_one(form["site"], "sm")

    select = root.one("select")
    assert {"form-select-sm", "is-invalid"} <= select.classes
    assert select.attrs["aria-invalid"] == "true"
    assert described_by(select) == ["id_site_error"]
    assert "liver" in root.by_id("id_site_error").text()
    assert not [o for o in select.find_all("option") if "selected" in o.attrs]


# --- Date, text and password inputs --------------------------------------------------


@pytest.mark.parametrize("name", ["date_from", "date_to"])
def test_a_date_input_has_type_date_exactly_once(name):
    form = CaseFilterForm({name: "2024-05-01"})
    html = str(fields.render_field(form[name], "sm"))
    box = check(parse(html)).by_id(form[name].auto_id)

    assert [value for attr, value in box.attr_list if attr == "type"] == ["date"]
    assert html.count("type=") == 1
    assert box.attrs["value"] == "2024-05-01"


def test_a_text_input_keeps_its_maxlength():
    form = CaseFilterForm({"q": "MDT"})
    box = render_one(form["q"]).by_id("id_q")

    assert box.attrs["type"] == "text"
    assert box.attrs["maxlength"] == str(form.fields["q"].max_length) == "40"
    assert box.attrs["value"] == "MDT"


def test_a_password_is_never_rendered_back():
    form = AuthenticationForm(data={"username": "", "password": PASSWORD})
    html = str(fields.render_form(form))
    root = check(parse(html))

    assert form.errors  # the username is missing: the form is shown again
    password = root.by_id(form["password"].auto_id)
    assert password.attrs["type"] == "password"
    assert "value" not in password.attrs
    assert password.attrs["autocomplete"] == "current-password"
    assert PASSWORD not in html


def test_the_login_form_keeps_djangos_username_attributes():
    form = AuthenticationForm(data={"username": "alice", "password": ""})
    username = render(form).by_id(form["username"].auto_id)

    assert username.attrs["value"] == "alice"
    assert username.attrs["autocomplete"] == "username"
    assert "autofocus" in username.attrs
    assert username.attrs["maxlength"] == str(form.fields["username"].max_length)


# --- Errors that belong to no field --------------------------------------------------


class Dates(forms.Form):
    start = forms.CharField()
    end = forms.CharField()

    def clean(self):
        raise forms.ValidationError(["The dates overlap & clash.", "Choose <other> dates."])


def test_non_field_errors_come_first_in_an_alert():
    form = Dates({"start": "a", "end": "b"})
    root = render(form)

    alert = root.one(cls="alert")
    assert "alert-danger" in alert.classes
    assert alert.attrs["role"] == "alert"
    assert [p.text() for p in alert.find_all("p")] == [
        "The dates overlap & clash.",
        "Choose <other> dates.",
    ]
    assert next(root.iter()) is alert
    # The fields themselves are fine.
    assert not root.find_all(aria_invalid="true")


def test_a_form_without_non_field_errors_has_no_alert():
    assert not render(AuthenticationForm(data={"username": "", "password": ""})).find_all(
        cls="alert"
    )


# --- Hidden fields -------------------------------------------------------------------


@pytest.mark.parametrize("bound", [False, True], ids=["initial", "posted"])
def test_the_wizard_management_form_is_one_hidden_input_without_a_label(bound):
    if bound:
        form = ManagementForm({MANAGEMENT_FIELD: "pathology"}, prefix=WIZARD_PREFIX)
    else:
        form = ManagementForm(prefix=WIZARD_PREFIX, initial={"current_step": "pathology"})
    root = render(form)

    elements = list(root.iter())
    assert len(elements) == 1
    hidden = elements[0]
    assert hidden.tag == "input"
    assert hidden.attrs["type"] == "hidden"
    assert hidden.attrs["name"] == MANAGEMENT_FIELD
    assert hidden.attrs["value"] == "pathology"
    assert hidden.attrs["id"] == form["current_step"].auto_id
    assert "required" not in hidden.attrs
    assert "form-control" not in hidden.classes


def test_hidden_fields_come_after_the_visible_ones_and_have_no_label():
    class WithHidden(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput, label="Token")
        name = forms.CharField()

    form = WithHidden(initial={"token": HOSTILE})
    html = fields.render_form(form)
    root = check(parse(html))

    top_level = [child for child in root.children if isinstance(child, Element)]
    assert top_level[-1].tag == "input" and top_level[-1].attrs["type"] == "hidden"
    assert top_level[-1].attrs["value"] == HOSTILE
    assert not root.find_all("label", for_="id_token")
    assert "Token" not in root.text()
    no_markup_from(root, html)
    # A hidden field rendered on its own, as a template's field loop does.
    alone = render_one(form["token"])
    assert [element.tag for element in alone.iter()] == ["input"]


def test_errors_of_a_hidden_field_are_not_lost():
    class WithHidden(forms.Form):
        token = forms.CharField(widget=forms.HiddenInput)
        name = forms.CharField(required=False)

    form = WithHidden({"name": "x"})
    assert form.errors == {"token": ["This field is required."]}
    root = render(form)

    assert "This field is required." in root.text()


def test_a_form_without_auto_ids_writes_no_empty_or_repeated_ids():
    form = TumourForm({"site": "liver"}, auto_id=False)
    root = check(parse(fields.render_form(form)))

    assert not root.find_all(id="")
    assert not root.find_all("label", for_="")


@pytest.mark.parametrize(
    "widget",
    [forms.Textarea, forms.CheckboxSelectMultiple, forms.SelectMultiple, forms.CheckboxInput],
)
def test_a_widget_the_app_does_not_use_is_refused_not_mangled(widget):
    class Other(forms.Form):
        value = forms.CharField(widget=widget)

    with pytest.raises(TypeError, match=widget.__name__):
        fields.render_form(Other())


def test_only_the_normal_and_small_sizes_exist():
    form = CaseFilterForm({})
    assert fields.render_field(form["site"], "sm")
    with pytest.raises(ValueError, match="'lg'"):
        fields.render_field(form["site"], "lg")


# --- The template filters ------------------------------------------------------------


def test_the_template_filters_render_the_same_markup_unescaped():
    form = CaseFilterForm({"site": "colon", "q": HOSTILE})
    template = Template(
        "{% load guidance %}{{ form|bootstrap }}|{{ form.site|bootstrap_field:'sm' }}"
    )

    whole, one = template.render(Context({"form": form})).split("|")

    assert whole == fields.render_form(form)
    assert one == fields.render_field(form["site"], "sm")
    assert check(parse(whole)).one("select", name="site")


# --- Through the real pages ----------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_renders_its_fields_without_crispy(client):
    response = client.get(LOGIN_URL)
    root = page(response)

    no_crispy(response)
    form = root.one("main").one("form", method="post")  # not the navigation's "New case"
    for name, kind in (("username", "text"), ("password", "password")):
        box = form.one("input", name=name)
        assert box.attrs["type"] == kind
        assert form.one("label", for_=box.attrs["id"])
        assert "aria-invalid" not in box.attrs


@pytest.mark.django_db
def test_the_login_page_marks_missing_answers_and_does_not_echo_the_password(client):
    response = client.post(LOGIN_URL, {"username": "", "password": PASSWORD})
    root = page(response)
    html = response.content.decode()

    no_crispy(response)
    username = root.by_id("id_username")
    assert username.attrs["aria-invalid"] == "true"
    assert "is-invalid" in username.classes
    assert described_by(username) == ["id_username_error"]
    assert root.by_id("id_username_error").text() == "This field is required."
    assert "value" not in root.by_id("id_password").attrs
    assert PASSWORD not in html


@pytest.mark.django_db
def test_a_wrong_password_is_a_non_field_error_and_is_not_echoed(client, alice):
    wrong = "not-alices-password-at-all"
    response = client.post(LOGIN_URL, {"username": "alice", "password": wrong})
    root = page(response)

    no_crispy(response)
    alert = root.one("main").one("form", method="post").one(cls="alert-danger")
    assert alert.attrs["role"] == "alert"
    assert "correct username and password" in alert.text()
    assert root.by_id("id_username").attrs["value"] == "alice"
    assert wrong not in response.content.decode()


@pytest.mark.django_db
def test_a_wizard_step_with_a_wrong_number_shows_the_error_on_that_field(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    response = post_step(
        client, "pathology", differentiation="poor", ki67_percent="200", mitoses_per_10hpf=3
    )
    root = page(response)

    no_crispy(response)
    ki67 = root.by_id("id_pathology-ki67_percent")
    assert ki67.attrs["value"] == "200"
    assert ki67.attrs["aria-invalid"] == "true"
    assert "is-invalid" in ki67.classes
    assert described_by(ki67) == [
        "id_pathology-ki67_percent_helptext",
        "id_pathology-ki67_percent_error",
    ]
    assert root.by_id("id_pathology-ki67_percent_error").text() == (
        "Ki-67 must be between 0 and 100 per cent."
    )
    mitoses = root.by_id("id_pathology-mitoses_per_10hpf")
    assert mitoses.attrs["value"] == "3" and "aria-invalid" not in mitoses.attrs
    radios = root.find_all("input", type="radio", name="pathology-differentiation")
    assert checked_values(radios) == ["poor"]
    management = root.one("input", name=management_field(client))
    assert management.attrs["type"] == "hidden" and management.attrs["value"] == "pathology"


@pytest.mark.django_db
def test_a_wizard_step_with_a_missing_answer_marks_its_radio_group(client):
    start(client)
    response = post_step(
        client, "tumour", site="colon", tumour_type="non_functional", hormonal_symptoms=None
    )
    root = page(response)

    no_crispy(response)
    fieldset = root.one("fieldset", id="div_id_tumour-hormonal_symptoms")
    assert described_by(fieldset) == [
        "id_tumour-hormonal_symptoms_helptext",
        "id_tumour-hormonal_symptoms_error",
    ]
    assert root.by_id("id_tumour-hormonal_symptoms_error").text() == "This field is required."
    radios = fieldset.find_all("input", type="radio")
    assert len(radios) == 2
    assert all(radio.attrs["aria-invalid"] == "true" for radio in radios)
    assert checked_values(root.find_all("input", name="tumour-site")) == ["colon"]
    assert not root.one("fieldset", id="div_id_tumour-site").find_all(aria_invalid="true")


@pytest.mark.django_db
def test_the_history_page_marks_an_invalid_date_filter(alice_client):
    response = alice_client.get(HISTORY_URL, {"date_from": "not-a-date", "site": "colon"})
    root = page(response)

    no_crispy(response)
    date_from = root.by_id("id_date_from")
    assert date_from.attrs["type"] == "date"
    assert date_from.attrs["value"] == "not-a-date"
    assert {"form-control-sm", "is-invalid"} <= date_from.classes
    assert date_from.attrs["aria-invalid"] == "true"
    assert described_by(date_from) == ["id_date_from_error"]
    assert root.by_id("id_date_from_error").text() == "Enter a valid date."
    assert "aria-invalid" not in root.by_id("id_date_to").attrs
    site = root.by_id("id_site")
    assert "form-select-sm" in site.classes
    assert [o.attrs["value"] for o in site.find_all("option") if "selected" in o.attrs] == ["colon"]


@pytest.mark.django_db
def test_the_history_page_echoes_a_hostile_search_escaped(alice_client):
    response = alice_client.get(HISTORY_URL, {"q": HOSTILE, "date_from": "1999-12-31"})
    root = page(response)
    html = response.content.decode()

    no_markup_from(root, html)
    assert root.by_id("id_q").attrs["value"] == HOSTILE
    assert root.by_id("id_date_from_error").text() == (
        "Enter a date between 01/01/2000 and 30/12/2999."
    )
