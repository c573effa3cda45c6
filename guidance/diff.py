"""Readable differences between two texts, and between two versions of the guideline."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from guidance.models import GuidelineVersion, Voice

_WORDS = re.compile(r"\S+|\s+")


def word_diff(old: str, new: str) -> SafeString:
    """``new`` with removed words struck through and added words marked, HTML-escaped."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def compare_versions(old: GuidelineVersion, new: GuidelineVersion) -> list[dict[str, Any]]:
    """Each section and warning text of two versions, with what changed between them."""
    rows = []
    for kind, old_items, new_items in (
        ("section", _sections(old), _sections(new)),
        ("warning", _warnings(old), _warnings(new)),
    ):
        for key in list(old_items) + [k for k in new_items if k not in old_items]:
            before, after = old_items.get(key), new_items.get(key)
            if before is None:
                change = "added"
            elif after is None:
                change = "removed"
            elif before != after:
                change = "changed"
            else:
                change = "unchanged"
            rows.append(
                {
                    "kind": kind,
                    "key": key,
                    "change": change,
                    "diff": word_diff(before or "", after or ""),
                }
            )
    return rows


# What a version says of its source, as the comparison names each part.
ABOUT_THE_SOURCE = (
    ("title", "Title"),
    ("about_source", "What the source is"),
    ("not_covered", "What the source does not cover"),
)


def compare_about_the_source(old: GuidelineVersion, new: GuidelineVersion) -> list[dict[str, Any]]:
    """What each version says of its source (its title, what the source is and what it does
    not cover), with what changed between them: rows as compare_versions() gives them. The
    title is the one each is shown under (its guideline's, unless it has its own)."""
    rows = []
    for name, words in ABOUT_THE_SOURCE:
        if name == "title":
            before, after = old.effective_title, new.effective_title
        else:
            before, after = getattr(old, name), getattr(new, name)
        rows.append(
            {
                "kind": "version",
                "key": words,
                "change": "unchanged" if before == after else "changed",
                "diff": word_diff(before, after),
            }
        )
    return rows


def _attributed(words: str, voice: str, citation: str) -> str:
    """A text with whose words it is, when they are not the source's: a change of voice or
    of a note's citation is a change of the text."""
    if voice == Voice.NOTE:
        return f"{words}\n\nNET Advisor note, resting on: {citation}"
    return words


def _sections(version: GuidelineVersion) -> dict[str, str]:
    rows = version.sections.values_list(
        "slug", "heading", "text", "voice", "citation", "source_heading"
    )
    return {
        slug: _attributed(
            f"{heading}\n\n{text}"
            + (f"\n\nIn the source under: {source_heading}" if source_heading else ""),
            voice,
            citation,
        )
        for slug, heading, text, voice, citation, source_heading in rows
    }


def _warnings(version: GuidelineVersion) -> dict[str, str]:
    return {
        code: _attributed(message, voice, citation)
        for code, message, voice, citation in version.warnings.values_list(
            "code", "message", "voice", "citation"
        )
    }
