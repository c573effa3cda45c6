"""What changed in a guideline's logic between two versions, rule by rule.

Both sides are logic documents in the guideline file's format (docs/guideline-format.md):
``Logic.as_document()``, or a version's ``logic_document()`` as the database holds it, so
that a draft whose logic does not compile can still be compared. Pure: no Django.

What counts as logic is what decides the advice: the grading thresholds and how the grades
combine, the category rules (the category and its condition, in order: the first that holds
wins), each section's and warning's condition (a section or warning added or removed adds
or removes its condition) and the exclusions (pairs, in either order). The words the advice
is explained in (a section's reasons, a warning's detail, a category rule's basis) and the
order sections are shown in are not: they change what a clinician reads, not which advice
applies, and are reviewed like the text. ``logic_digest()`` fingerprints exactly the logic,
so that an approval is of the logic as it was approved and any later change voids it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# The grading's parts, as the file names them, and as an editor reads them.
GRADING_PARTS = (
    (("ki67_percent", "G1_below"), "Ki-67 (%): G1 below"),
    (("ki67_percent", "G3_above"), "Ki-67 (%): G3 above"),
    (("mitoses_per_10hpf", "G1_below"), "Mitotic count (per 10 HPF): G1 below"),
    (("mitoses_per_10hpf", "G3_above"), "Mitotic count (per 10 HPF): G3 above"),
    (("combine",), "How the two grades combine"),
)

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class RuleChange:
    """One rule that differs: which part of the logic, which rule, how, before and after."""

    part: str  # "grading", "category", "section", "warning", "exclusion"
    rule: str  # "Ki-67 (%): G1 below", "category rule 2", a slug, a code, "a and b"
    change: str  # ADDED, REMOVED or CHANGED
    before: str  # the rule as it was, in the file's words ("" when added)
    after: str  # as it is now ("" when removed)


def logic_of(document: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a logic document that decide the advice, in a canonical form."""
    grading = document.get("grading")
    return {
        "grading": {words: _grading_value(grading, path) for path, words in GRADING_PARTS},
        "category": [
            [_text(rule.get("category")), _text(rule.get("applies_when"))]
            for rule in _list(document.get("category"))
        ],
        "sections": {
            _text(item.get("slug")): _text(item.get("applies_when"))
            for item in _list(document.get("sections"))
        },
        "warnings": {
            _text(item.get("code")): _text(item.get("applies_when"))
            for item in _list(document.get("warnings"))
        },
        "exclusive": sorted(
            {_pair(pair) for pair in document.get("exclusive") or [] if _pair(pair)}
        ),
    }


def logic_digest(document: Mapping[str, Any]) -> str:
    """A fingerprint of the logic alone: equal exactly when ``logic_diff`` finds nothing."""
    canonical = json.dumps(
        logic_of(document),
        sort_keys=True,
        # Not mutated: with escapes or without, each logic is written one way, so digests
        # are equal exactly when the logic is; kept so that the approvals given stay valid.
        ensure_ascii=False,  # pragma: no mutate
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def logic_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[RuleChange]:
    """Every rule of the logic that differs from ``old`` to ``new``, in the file's order:
    the grading, the category rules, the sections, the warnings, the exclusions."""
    before, after = logic_of(old), logic_of(new)
    changes = [
        RuleChange("grading", words, CHANGED, before["grading"][words], value)
        for words, value in after["grading"].items()
        if value != before["grading"][words]
    ]
    old_rules, new_rules = before["category"], after["category"]
    for index in range(max(len(old_rules), len(new_rules))):
        was = _category_rule(old_rules[index]) if index < len(old_rules) else ""
        now = _category_rule(new_rules[index]) if index < len(new_rules) else ""
        if was != now:
            change = ADDED if not was else REMOVED if not now else CHANGED
            changes.append(RuleChange("category", f"category rule {index + 1}", change, was, now))
    for part, key in (("section", "sections"), ("warning", "warnings")):
        changes += _keyed(part, before[key], after[key])
    old_pairs, new_pairs = set(before["exclusive"]), set(after["exclusive"])
    changes += [
        RuleChange("exclusion", " and ".join(pair), REMOVED, "never together", "")
        for pair in before["exclusive"]
        if pair not in new_pairs
    ]
    changes += [
        RuleChange("exclusion", " and ".join(pair), ADDED, "", "never together")
        for pair in after["exclusive"]
        if pair not in old_pairs
    ]
    return changes


def _keyed(part: str, old: dict[str, str], new: dict[str, str]) -> list[RuleChange]:
    changes = []
    for key in [*old, *(key for key in new if key not in old)]:
        if key not in new:
            changes.append(RuleChange(part, key, REMOVED, old[key], ""))
        elif key not in old:
            changes.append(RuleChange(part, key, ADDED, "", new[key]))
        elif old[key] != new[key]:
            changes.append(RuleChange(part, key, CHANGED, old[key], new[key]))
    return changes


def _category_rule(rule: list[str]) -> str:
    category, condition = rule
    return f"{category} when {condition}"


def _grading_value(grading: Any, path: tuple[str, ...]) -> str:
    """A part of the grading in canonical words; "" where the file does not give it (the
    grading, or a number's table, not a table at all is not giving it)."""
    value = grading
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if path == ("combine",):
        return _text(value or "higher")  # the file's default
    if isinstance(value, bool) or value is None:
        return ""
    try:
        # "3", 3 and 3.0 are the same threshold: compared as exact decimals.
        number = Decimal(str(value))
    except InvalidOperation:
        return _text(value)
    if not number.is_finite():
        return _text(value)
    if not number:
        return "0"  # -0 and 0.0 too
    # Not mutated: "F" writes only infinities and NaN otherwise, which are returned above.
    return format(number.normalize(), "f")  # pragma: no mutate


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _pair(pair: Any) -> tuple[str, str] | None:
    if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(s, str) for s in pair):
        first, second = sorted(pair)
        return (first, second)
    return None
