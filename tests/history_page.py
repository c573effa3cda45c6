"""The saved-case history (/cases/) as the tests make and read it.

To control the order and the dates, the cases are saved by ``Case.record`` (through
``make_case``) with an explicit ``created_at``: local wall-clock time, made aware in the
project's time zone. The page is read as a browser shows it: its rows, its pagination links,
its field errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from guidance.models import Case
from tests.factories import make_case

HISTORY = "/cases/"

# Facts (overrides of the factory's plain localised colon G1 case) with a known grade.
G1 = {"ki67_percent": 1, "mitoses_per_10hpf": 1}
G2 = {"ki67_percent": 5, "mitoses_per_10hpf": 1}
G3 = {"ki67_percent": 25, "mitoses_per_10hpf": 25}
GRADE_UNKNOWN = {"ki67_percent": None, "mitoses_per_10hpf": None}
# WARNED_RECTUM (from the wizard's cases): a rectal gastrinoma with nodes and several
# warnings, G2 (Ki-67 G1, mitoses G2).
METASTATIC = {"site": "small_intestine", "extent": "distant_metastases"}


# --- Making cases --------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in the project's time zone."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def saved_at(clinician, when: datetime, *, reference: str = "", **facts: Any) -> Case:
    return make_case(clinician, reference=reference, created_at=when, **facts)


def many_cases(
    clinician, count: int, *, newest: datetime | None = None, **facts: Any
) -> list[Case]:
    """``count`` cases an hour apart, references LIST-000 (newest) onwards; newest first."""
    newest = newest or local(2025, 6, 1)
    for i in range(count):
        saved_at(clinician, newest - timedelta(hours=i), reference=f"LIST-{i:03d}", **facts)
    return list(Case.objects.owned_by(clinician))


# --- Reading the page ----------------------------------------------------------------


class _Rows(HTMLParser):
    """The history table: each <tr data-case> as (case id, [cell texts])."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, list[str]]] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr" and attributes.get("data-case"):
            self.rows.append((int(attributes["data-case"]), []))
        elif tag == "td" and self.rows:
            self.rows[-1][1].append("")
            self._in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            cells = self.rows[-1][1]
            cells[-1] = " ".join((cells[-1] + " " + data).split())


def rows(response) -> list[tuple[int, list[str]]]:
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser.rows


def listed(response) -> list[int]:
    """The ids of the cases the page lists, in order."""
    return [pk for pk, _ in rows(response)]


def references(response) -> list[str]:
    return [cells[1] for _, cells in rows(response)]


def pagination_links(response) -> list[str]:
    return re.findall(r'class="page-link" href="([^"]*)"', response.content.decode())


def field_errors(response) -> dict[str, list[str]]:
    return response.context["form"].errors


def markup(response) -> str:
    """The page's HTML, its CSRF tokens blanked: Django masks the token afresh for each page."""
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", response.content.decode())


@contextmanager
def fragments_not_kept() -> Iterator[None]:
    """Pages rendered whole, as if no template fragment were kept (settings.CACHES)."""
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(CACHES={**settings.CACHES, "template_fragments": dummy}):
        yield


def get(client, query: str = ""):
    response = client.get(HISTORY + query)
    assert response.status_code == 200, response.status_code
    return response
