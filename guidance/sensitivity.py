"""What would change the advice, as the recommendation shows it: the engine's changes
(``engine.sensitivity``) as JSON values, each with a sentence a clinician reads.

The sentence names sections by their headings and warnings by their messages, both the
version's own text; the inputs by the engine's words for them and the form's words for
their answers. Nothing clinical is written here.

A change a clinician should weigh is marked ``near``: a number within a clinically
meaningful distance of the threshold it changes at, or an answer the clinician could not
give ("not known", "not done", "not yet assessed").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypedDict

from guidance import engine
from guidance.engine import sensitivity

# How near its threshold a number is worth weighing: about one observer's disagreement
# (a size measured on imaging and on the specimen, a Ki-67 counted by two pathologists).
NEAR = {"size_mm": Decimal(5), "ki67_percent": Decimal(3), "mitoses_per_10hpf": Decimal(2)}
# The answers that say the clinician does not know.
UNANSWERED = frozenset({"unknown", "not_done"})
# How a distance from a threshold is written after its number ("0.5 below", "1 mm below").
DISTANCE_UNIT = {"size_mm": " mm"}

# The keys of an item as the API gives it.
ITEM_KEYS = (
    "field",
    "value",
    "to",
    "when",
    "grade",
    "category",
    "sections_added",
    "sections_removed",
    "warnings_added",
    "warnings_removed",
)


class SensitivityItem(TypedDict):
    """One change of one input that would change the advice, as shown."""

    field: str  # the input, as the engine names it
    value: Any  # as entered (a JSON value), None for a number not given
    to: Any  # the nearest value that changes the advice, or the other answer
    when: str  # in words: "Ki-67 above 20 %"
    grade: str | None  # the grade it would give, None where unchanged
    category: str | None  # the category it would give, None where unchanged
    sections_added: list[str]  # slugs, in the guideline's order
    sections_removed: list[str]
    warnings_added: list[str]  # codes, in the order warnings are shown
    warnings_removed: list[str]
    sentence: str
    near: bool  # one a clinician should weigh: shown first


def items(
    logic: engine.Logic,
    facts: engine.CaseFacts,
    *,
    headings: Mapping[str, str],
    messages: Mapping[str, str],
    as_json: Callable[[Any], Any],
) -> list[SensitivityItem]:
    """Every change of one input that would change the advice for ``facts``, nearest first.

    ``headings``: the version's section headings by slug; ``messages``: its warnings'
    messages by code; ``as_json``: a number as the JSON number that reads back exactly.
    """
    found: list[SensitivityItem] = []
    for change in sensitivity.what_would_change(logic, facts):
        found.append(
            {
                "field": change.field,
                "value": _json(change.value, as_json),
                "to": _json(change.to, as_json),
                "when": change.when,
                "grade": change.grade,
                "category": change.category,
                "sections_added": list(change.sections_added),
                "sections_removed": list(change.sections_removed),
                "warnings_added": list(change.warnings_added),
                "warnings_removed": list(change.warnings_removed),
                "sentence": sentence(change, headings, messages),
                "near": is_near(change),
            }
        )
    return found


def _json(value: Any, as_json: Callable[[Any], Any]) -> Any:
    return as_json(value) if isinstance(value, Decimal) else value


def is_near(change: sensitivity.Change) -> bool:
    if change.distance is not None:
        return change.distance <= NEAR[change.field]
    return change.direction == sensitivity.ANSWER and change.value in UNANSWERED


def sentence(
    change: sensitivity.Change, headings: Mapping[str, str], messages: Mapping[str, str]
) -> str:
    """The change in one sentence: "Ki-67 19.5 % is 0.5 below the G2/G3 boundary: at
    20.1 % the grade would be G3, the warning “…” would be added."."""
    fact = engine.INPUTS[change.field]
    then = _consequences(change, headings, messages)
    words = _capital(fact.words)
    if change.direction == sensitivity.RANGE:
        example = _value(fact, change.to)
        return f"{words} was not given: with {change.when} (for example {example}), {then}."
    if change.direction == sensitivity.ANSWER:
        entered = sensitivity.answer_words(fact, change.value)
        return f"With {change.when} rather than {_without(fact, entered)}, {then}."
    if change.grade is not None and change.grade_before is not None:
        boundary = "/".join(sorted((change.grade_before, change.grade))) + " boundary"
    else:
        boundary = f"threshold of {engine.number(change.threshold)}{fact.limit_unit}"
    if change.distance == 0:
        where = f"is on the {boundary}"
    else:
        side = "below" if change.direction == sensitivity.ABOVE else "above"
        distance = engine.number(change.distance) + DISTANCE_UNIT.get(change.field, "")
        where = f"is {distance} {side} the {boundary}"
    return f"{words} {_value(fact, change.value)} {where}: at {_value(fact, change.to)} {then}."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _value(fact: engine.Field, value: Decimal | int) -> str:
    return f"{engine.number(value)}{fact.unit}"


def _without(fact: engine.Field, words: str) -> str:
    """An answer's words without the input's name, where they start with it: "not done"
    for "SSR imaging not done"; "no hormonal symptoms" stays as it is."""
    prefix = f"{fact.words} "
    return words[len(prefix) :] if words.startswith(prefix) else words


def _consequences(
    change: sensitivity.Change, headings: Mapping[str, str], messages: Mapping[str, str]
) -> str:
    clauses = []
    if change.grade is not None:
        clauses.append(f"the grade would be {change.grade}")
    if change.category is not None:
        label = engine.in_words(engine.FIELDS["category"].choices, change.category)
        clauses.append(f"the category would be {label}")
    sections = [headings.get(slug, slug) for slug in change.sections_added]
    if sections:
        clauses.append(f"{_quoted(sections)} would apply")
    sections = [headings.get(slug, slug) for slug in change.sections_removed]
    if sections:
        clauses.append(f"{_quoted(sections)} would no longer apply")
    for codes, what in (
        (change.warnings_added, "would be given"),
        (change.warnings_removed, "would no longer be given"),
    ):
        names = [warning_name(messages.get(code, code)) for code in codes]
        if names:
            noun = "the warning" if len(names) == 1 else "the warnings"
            clauses.append(f"{noun} {_quoted(names)} {what}")
    return _listed(clauses)


def warning_name(message: str) -> str:
    """A warning as a sentence names it: the first sentence of its message."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", message.strip(), maxsplit=1)[0]
    return first.rstrip(".")


def _quoted(names: list[str]) -> str:
    return _listed([f"“{name}”" for name in names])


def _listed(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def api_item(item: SensitivityItem) -> dict[str, Any]:
    """An item as the API gives it."""
    return {key: item[key] for key in ITEM_KEYS}
