"""The published guideline's words and logic, kept in memory between requests.

Every recommendation quotes the published version's sections and warning texts and runs
its logic (the conditions, thresholds and rules the engine applies). Reading them from the
database on every request cost three ORM queries, and compiling the conditions costs more;
here they are read and compiled once per process and kept as an immutable
``GuidelineText``, its ``logic`` compiled beside the words it decides between.

``published()`` still asks the database on every call, with one small query: which
version is published (its id and publication time, and the guideline's title). If that
is what was loaded before, the text in memory is returned; otherwise the new version is
loaded (three queries) and replaces the old one. This is safe because a published
version's text cannot change in the app: the models and their querysets refuse to change
the sections and warning texts of any version that is not a draft (saves, deletes,
``update()`` and the bulk writes alike), and publishing makes a new version (a new id) and
retires the old one. So:

* publishing is seen by every process on its next request, because the id changes;
* renaming the guideline (its title is editable in the admin) is seen the same way,
  because the title is part of what is compared;
* text changed *outside* the app, such as raw SQL on a published version's sections or
  warning texts, is NOT seen until the process restarts or ``forget()`` is called.

The published time is compared too, so that an id reused by the database (SQLite can
reuse the id of a version whose transaction rolled back) does not bring back text that
was never published.

Drafts are never cached: ``load()`` reads any version's text afresh.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from guidance import engine
from guidance.models import GuidelineVersion, Section, Voice, WarningText, logic_document

logger = logging.getLogger(__name__)

# Which version is published, as _published_row() reads it: what the text in memory is
# checked against.
PublishedRow = tuple[int, datetime | None, str]


@dataclass(frozen=True, slots=True)
class SectionText:
    """One section as the recommendation quotes it."""

    slug: str
    group: str
    heading: str  # NET Advisor's heading for it
    text: str
    order: int
    voice: str = Voice.GUIDELINE.value  # a models.Voice value
    citation: str = ""  # a note's own; a quote is cited as the version's source
    source_heading: str = ""  # the source's heading the quote stands under, if any


@dataclass(frozen=True, slots=True)
class Attribution:
    """Whose words a warning's message is (a models.Voice value), and a note's citation."""

    voice: str
    citation: str


@dataclass(frozen=True, slots=True)
class GuidelineText:
    """One version's words: what ``recommendation.build()`` quotes. Never changes."""

    version_id: int
    title: str  # the version's own title, or else the guideline's
    label: str  # the version, as cited
    citation: str
    published_at: datetime | None
    sections: Mapping[str, SectionText]  # by slug, in guideline order
    warnings: Mapping[str, str]  # warning code -> message
    logic: engine.Logic  # what decides the advice, compiled once with the words
    # Whose words each warning's message is, by code (every code of ``warnings``).
    warning_voices: Mapping[str, Attribution] = field(
        default_factory=lambda: MappingProxyType({})
    )
    about_source: str = ""  # markdown: what the source is
    not_covered: str = ""  # markdown: what the source does not cover


def load(version: GuidelineVersion | int) -> GuidelineText:
    """The text and compiled logic of any version (a draft too), read now and not cached.

    Three queries: the version with its guideline's title (none when given a version
    whose guideline is already loaded), its sections, its warning texts; the logic is
    compiled from what they hold. Raises ``GuidelineVersion.DoesNotExist`` for an unknown
    id, and ``engine.LogicError`` for logic that does not compile, which the models never
    store (only a change made outside the app could).
    """
    if isinstance(version, GuidelineVersion):
        version_id = version.pk
        label, citation, published_at = version.label, version.citation, version.published_at
        title = version.effective_title
        about_source, not_covered = version.about_source, version.not_covered
        grading, category, exclusive = version.grading, version.category_rules, version.exclusive
    else:
        version_id = version
        (
            label, citation, published_at, own_title, title, about_source, not_covered,
            grading, category, exclusive,
        ) = (
            GuidelineVersion.objects.filter(pk=version_id)
            .values_list(
                "label",
                "citation",
                "published_at",
                "title",
                "guideline__title",
                "about_source",
                "not_covered",
                "grading",
                "category_rules",
                "exclusive",
            )
            .get()
        )
        title = own_title or title
    section_rows = list(
        Section.objects.filter(version_id=version_id)
        .order_by("order", "slug")
        .values_list(
            "slug", "group", "heading", "text", "order", "voice", "citation", "source_heading",
            "applies_when", "reasons",
        )
    )
    warning_rows = list(
        WarningText.objects.filter(version_id=version_id)
        .order_by("order", "code")
        .values_list("code", "message", "applies_when", "detail", "voice", "citation")
    )
    logic = engine.compile_logic(
        logic_document(
            grading=grading,
            category=category,
            exclusive=exclusive,
            sections=[(row[0], row[8], row[9]) for row in section_rows],
            warnings=[(row[0], row[2], row[3]) for row in warning_rows],
        )
    )
    sections = {row[0]: SectionText(*row[:8]) for row in section_rows}
    warnings = {row[0]: row[1] for row in warning_rows}
    voices = {row[0]: Attribution(row[4], row[5]) for row in warning_rows}
    return GuidelineText(
        version_id=version_id,
        title=title,
        label=label,
        citation=citation,
        published_at=published_at,
        sections=MappingProxyType(sections),
        warnings=MappingProxyType(warnings),
        logic=logic,
        warning_voices=MappingProxyType(voices),
        about_source=about_source,
        not_covered=not_covered,
    )


# What was last loaded: (the published row, its text), or None. Replaced in one assignment
# of a finished tuple, so a thread reading it sees either the old pair or the new one,
# never a text being built; two threads loading at once just both load, and the last one
# kept wins.
_cached: tuple[PublishedRow, GuidelineText] | None = None


def _published_row() -> PublishedRow | None:
    """(id, published_at, guideline title) of the published version, or None: one query."""
    return (
        GuidelineVersion.objects.filter(status=GuidelineVersion.Status.PUBLISHED)
        .values_list("id", "published_at", "guideline__title")
        .first()
    )


def published() -> GuidelineText | None:
    """The published version's text, or None when no version is published (or when its
    logic does not compile, which only a change made outside the app can cause).

    One query when the text in memory is current; four when a new version (or a renamed
    guideline) has to be loaded.
    """
    global _cached
    row = _published_row()
    if row is None:
        return None
    cached = _cached
    if cached is not None and cached[0] == row:
        return cached[1]
    # The version read by id: if it has been retired meanwhile its text is still the same
    # (retired text is read-only too), and the next call sees the new id and loads again.
    try:
        text = load(row[0])
    except engine.LogicError as error:
        # Only a change made to the database by hand gets here (the models store no logic
        # that does not compile, and `manage.py check` reports it as guidance.E002): no
        # advice rather than advice from broken logic, nor a server error.
        logger.error("The published version's logic does not compile: %s", error)
        return None
    _cached = (row, text)
    return text


def forget() -> None:
    """Drop the text in memory: the next ``published()`` loads it again (for tests)."""
    global _cached
    _cached = None
