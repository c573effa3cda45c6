from django import template
from django.utils.safestring import SafeString

from guidance import fields
from guidance.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Guideline markdown as sanitised HTML."""
    return render_markdown(text)


@register.filter
def bootstrap(form, size: str = "") -> SafeString:
    """A whole form as Bootstrap markup: see ``guidance.fields``."""
    return fields.render_form(form, size)


@register.filter
def bootstrap_field(field, size: str = "") -> SafeString:
    """One field as Bootstrap markup; ``"sm"`` for the small size."""
    return fields.render_field(field, size)
