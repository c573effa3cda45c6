"""Markdown to safe HTML: the only way guideline text reaches a page."""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

# Markdown passes raw HTML straight through, so its output is always cleaned.
# The allowed set is the structure guideline prose needs; no images, no iframes,
# no style, no event handlers; links only to http(s) and mailto.
ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "a", "sub", "sup", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> SafeString:
    # A pure function of the text, so the same text is rendered once per process: a page
    # quoting six sections would otherwise run Markdown and nh3 six times per view.
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
