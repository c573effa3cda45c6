from django import template
from django.utils.safestring import SafeString

from guidance.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Guideline markdown as sanitised HTML."""
    return render_markdown(text)
