"""The app's form fields as Bootstrap 5 markup, written in Python.

Django renders each widget through template files, and a radio group through several per
option; crispy-forms adds its own templates around each field. For the wizard's radio
groups that was most of a step's time (1.3 ms for the pathology step and 2.4 ms for the
tumour step, of a 4.8 ms request). The app's forms use a few kinds of input: radio groups,
selects, and text, number, date, password and hidden inputs. This module writes those
directly, with the widget's own attributes (``min``, ``max``, ``step``, ``maxlength``,
``autocomplete``...) and values from Django, so validation and accessibility behave as
with Django's templates:

- a radio group is a ``<fieldset>`` whose ``<legend>`` is the question;
- a field's help text and errors have ids the input (or fieldset) is described by;
- a field with errors is marked ``is-invalid`` and ``aria-invalid``; its errors follow it.

Every value written goes through ``esc()``: HTML-escaped, or kept as it is if it is
already safe HTML (``__html__``), exactly as Django's ``conditional_escape`` does, without
its per-call checks for lazy arguments, which cost more than the escaping here.
"""

from __future__ import annotations

import html

from django import forms
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString, mark_safe

SMALL = "sm"


def esc(value: object) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def attributes(attrs: dict) -> str:
    """As Django's ``flatatt``: ``True`` writes the name alone, ``False``/``None`` nothing."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {esc(name)}")
        elif value is not False and value is not None:
            parts.append(f' {esc(name)}="{esc(value)}"')
    return "".join(parts)


def render_form(form: forms.Form, size: str = "") -> SafeString:
    """The form's errors that belong to no field, then every field, hidden ones last."""
    parts = [non_field_errors(form)]
    parts += [render_field(field, size) for field in form.visible_fields()]
    parts += [hidden_input(field) for field in form.hidden_fields()]
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by esc()


def non_field_errors(form: forms.Form) -> str:
    """Errors of the form as a whole, and (as Django does) those of its hidden fields."""
    errors = [esc(error) for error in form.non_field_errors()]
    errors += [
        f"(Hidden field {esc(field.name)}) {esc(error)}"
        for field in form.hidden_fields()
        for error in field.errors
    ]
    if not errors:
        return ""
    paragraphs = "".join(f'<p class="mb-0">{error}</p>' for error in errors)
    return f'<div class="alert alert-danger" role="alert">{paragraphs}</div>'


def hidden_input(field: BoundField) -> SafeString:
    return mark_safe(_input(field))  # noqa: S308 - escaped by esc()


def render_field(field: BoundField, size: str = "") -> SafeString:
    """One field with its label, help text and errors."""
    if size not in ("", SMALL):
        raise ValueError(f"Fields come in the normal size or {SMALL!r}, not {size!r}.")
    widget = field.field.widget
    if widget.is_hidden:
        return hidden_input(field)
    if type(widget) is forms.RadioSelect:
        return mark_safe(_radio_group(field))  # noqa: S308 - escaped by esc()
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        control = _select(field, size)
    elif isinstance(widget, forms.widgets.Input) and not isinstance(
        widget, forms.CheckboxInput | forms.FileInput
    ):
        control = _input(field, size)
    else:
        raise TypeError(f"{type(widget).__name__} is not a widget this app renders.")
    wrapper_class, label_class = (
        ("mb-0", "form-label small mb-1") if size else ("mb-3", "form-label")
    )
    return mark_safe(  # noqa: S308 - escaped by esc()
        f'<div class="{wrapper_class}"{_id(field, "div_", "")}>'
        f'<label{_for(field)} class="{label_class}">{esc(field.label)}{_required_mark(field)}'
        f"</label>{control}{_errors(field)}{_help(field)}</div>"
    )


def _id(field: BoundField, prefix: str, suffix: str) -> str:
    """An id attribute derived from the field's, or nothing for a form without ids."""
    return f' id="{prefix}{esc(field.auto_id)}{suffix}"' if field.auto_id else ""


def _for(field: BoundField) -> str:
    return f' for="{esc(field.auto_id)}"' if field.auto_id else ""


def _described_by(field: BoundField) -> str:
    if not field.auto_id:
        return ""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


def _required_mark(field: BoundField) -> str:
    if not field.field.required:
        return ""
    return '<span class="required-mark" aria-hidden="true">*</span>'


def _errors(field: BoundField) -> str:
    if not field.errors:
        return ""
    paragraphs = "".join(f'<p class="mb-0">{esc(error)}</p>' for error in field.errors)
    return f'<div{_id(field, "", "_error")} class="invalid-feedback d-block">{paragraphs}</div>'


def _help(field: BoundField) -> str:
    if not field.help_text:
        return ""
    return f'<div{_id(field, "", "_helptext")} class="form-text">{esc(field.help_text)}</div>'


def _control_class(field: BoundField, base: str, size: str) -> str:
    classes = [base, f"{base}-{size}"] if size else [base]
    if field.errors:
        classes.append("is-invalid")
    return " ".join(classes)


def _widget_context(field: BoundField, css_class: str, described_by: str = "") -> dict:
    """The widget's own context (type, name, value, attributes, options), with ours added.

    Ours are the CSS class, the field's id and what describes it, beside Django's
    ``required``, ``disabled`` and ``aria-invalid``.
    """
    widget = field.field.widget
    attrs = field.build_widget_attrs(
        {"aria-describedby": described_by} if described_by else {}, widget
    )
    if css_class:
        attrs["class"] = css_class
    if field.auto_id:
        attrs["id"] = field.auto_id
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]


def _input(field: BoundField, size: str = "") -> str:
    if field.field.widget.is_hidden:
        context = _widget_context(field, "")
    else:
        context = _widget_context(
            field, _control_class(field, "form-control", size), _described_by(field)
        )
    value = "" if context["value"] is None else f' value="{esc(context["value"])}"'
    return (
        f'<input type="{esc(context["type"])}" name="{esc(context["name"])}"{value}'
        f"{attributes(context['attrs'])}>"
    )


def _options(context: dict):
    for _, group, _ in context["optgroups"]:
        yield from group


def _select(field: BoundField, size: str) -> str:
    context = _widget_context(
        field, _control_class(field, "form-select", size), _described_by(field)
    )
    options = "".join(
        f'<option value="{esc(option["value"])}"{" selected" if option["selected"] else ""}>'
        f"{esc(option['label'])}</option>"
        for option in _options(context)
    )
    return f'<select name="{esc(context["name"])}"{attributes(context["attrs"])}>{options}</select>'


def _for_option(option: dict) -> str:
    option_id = option["attrs"].get("id")
    return f' for="{esc(option_id)}"' if option_id else ""


def _radio_group(field: BoundField) -> str:
    # The group is described on its fieldset, below, not on every option.
    context = _widget_context(field, _control_class(field, "form-check-input", ""))
    options = "".join(
        f'<div class="form-check"><input type="radio" name="{esc(option["name"])}" '
        f'value="{esc(option["value"])}"{attributes(option["attrs"])}>'
        f'<label{_for_option(option)} class="form-check-label">'
        f"{esc(option['label'])}</label></div>"
        for option in _options(context)
    )
    described_by = _described_by(field)
    described = f' aria-describedby="{esc(described_by)}"' if described_by else ""
    return (
        f'<fieldset class="mb-3"{_id(field, "div_", "")}{described}>'
        f'<legend class="form-label fs-6">{esc(field.label)}{_required_mark(field)}</legend>'
        f"<div>{options}</div>{_errors(field)}{_help(field)}</fieldset>"
    )
