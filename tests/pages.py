"""Reading the app's pages as a clinician reads them.

``parse(html)`` gives the page as a tree of elements (failing on unbalanced tags);
``section_on(html, slug)`` and ``warning_on(html, code)`` give the one element a page shows
for a guideline section (``data-section``) or a warning (``data-warning``), so that a test
looks for a section's words inside that section, not anywhere on the page.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.utils import timezone

VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip


class Element:
    def __init__(self, tag: str, attr_list: list[tuple[str, str | None]], parent=None):
        self.tag = tag
        self.attr_list = attr_list
        self.attrs = dict(attr_list)
        self.children: list[Element | str] = []
        self.parent = parent
        self.source = ""  # the element's own markup, as the page has it (entities not decoded)

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
        parts = [child.text() if isinstance(child, Element) else child for child in self.children]
        return " ".join("".join(parts).split())

    def contains(self, other: Element) -> bool:
        return any(element is other for element in self.iter())

    def earlier_siblings(self) -> list[Element]:
        siblings = [child for child in self.parent.children if isinstance(child, Element)]
        return siblings[: siblings.index(self)]


class _TreeBuilder(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.root = Element("#document", [])
        self.stack = [self.root]
        self.starts: dict[int, int] = {}  # id(element) -> where its start tag begins

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag in VOID_ELEMENTS:
            element.source = self.get_starttag_text() or ""
        else:
            self.starts[id(element)] = self.position()
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, attrs, self.stack[-1])
        element.source = self.get_starttag_text() or ""
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        open_tag = self.stack[-1].tag
        assert tag not in VOID_ELEMENTS, f"</{tag}> closes a void element"
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        element = self.stack.pop()
        end = self.html.index(">", self.position()) + 1
        element.source = self.html[self.starts.pop(id(element)) : end]

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The HTML as a tree of elements (entities decoded); fails on unbalanced tags."""
    builder = _TreeBuilder(str(html))
    builder.feed(str(html))
    builder.close()
    assert len(builder.stack) == 1, f"unclosed elements: {builder.stack[1:]}"
    builder.root.source = str(html)
    return builder.root


def html_of(response) -> str:
    """A page's HTML; the page must have been shown (200)."""
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def attribute(html: str, name: str) -> list[str]:
    """Every value of the attribute ``name`` on the page, in order."""
    return re.findall(rf'{name}="([^"]*)"', html)


def squashed(html: str) -> str:
    """The page with runs of whitespace as one space, to read text that wraps in templates."""
    return " ".join(html.split())


def detail(case) -> str:
    """A saved case's page; its other pages are below it (``detail(case) + "print/"``)."""
    return f"/cases/{case.pk}/"


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def saved_on(case) -> str:
    """When the case was saved, as every page shows it: in the project's time zone, with
    the month's short name and the 24-hour clock (``14 Mar 2025, 09:05``)."""
    moment = timezone.localtime(case.created_at)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment:%Y, %H:%M}"


def section_on(html: str, slug: str) -> Element:
    """The one element the page shows for the guideline section ``slug``."""
    return parse(html).one(data_section=slug)


def warning_on(html: str, code: str) -> Element:
    """The one element the page shows for the warning ``code``."""
    return parse(html).one(data_warning=code)


def element_with(html: str, name: str) -> Element:
    """The one element on the page that carries the attribute ``name`` (``data-grade``)."""
    found = [element for element in parse(html).iter() if name in element.attrs]
    assert len(found) == 1, f"expected one element with {name}: {found}"
    return found[0]


def reasons_on(html: str, slug: str) -> list[str]:
    """The reasons the page gives under the section ``slug``, as the clinician reads them."""
    return [item.text() for item in section_on(html, slug).one(cls="reasons").find_all("li")]


__all__ = [
    "Element",
    "attribute",
    "detail",
    "element_with",
    "html_of",
    "parse",
    "reasons_on",
    "saved_on",
    "squashed",
    "section_on",
    "warning_on",
]
