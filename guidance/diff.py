"""Readable differences between two texts, and between two versions of the guideline."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from guidance.models import GuidelineVersion

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


def _sections(version: GuidelineVersion) -> dict[str, str]:
    return {
        slug: f"{heading}\n\n{text}"
        for slug, heading, text in version.sections.values_list("slug", "heading", "text")
    }


def _warnings(version: GuidelineVersion) -> dict[str, str]:
    return dict(version.warnings.values_list("code", "message"))
