"""What would change the advice for a case: the inputs the recommendation hangs on.

For the case as entered and the version's logic, ``what_would_change()`` lists each change
of one input that would give different advice (a different grade, category, set of
sections or set of warnings), and exactly what would differ.

* A number given: the nearest value above and the nearest value below, at the field's
  resolution and within its range, at which the advice differs (one change per direction
  where there is one).
* A number not given: one change per run of values with the same advice, different from
  the advice without it, each with a representative value.
* An answer: each other value on its own, the rest of the case as entered. A value the
  case form would refuse with the rest of the case is left out, exactly as ``check``
  leaves such cases out.

Nothing is found by trying values one step at a time. A number is split into the classes
the exhaustive check uses (``check.number_classes``, at every threshold the logic compares
it with): within a class every value gets the same advice, so one value per class is run,
the classes walked outwards from the one the case's value is in. Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from guidance.engine.check import NumberClass, number_classes, valid
from guidance.engine.facts import INPUTS, CaseFacts, Field, Result, in_words, number
from guidance.engine.interpreter import recommend
from guidance.engine.logic import Logic

NUMBERS = ("size_mm", "ki67_percent", "mitoses_per_10hpf")
# The answers a change of which is looked at, in the order the wizard asks them; the site
# is where the tumour is, not a finding another observer could read otherwise.
ANSWERS = (
    "tumour_type",
    "hormonal_symptoms",
    "pancreas_region",
    "gastric_type",
    "differentiation",
    "extent",
    "ssr_imaging",
    "metastases_resectable",
)

ABOVE, BELOW, RANGE, ANSWER = "above", "below", "range", "answer"


@dataclass(frozen=True)
class Advice:
    """What a recommendation advises, as far as "the advice differs" goes."""

    grade: str | None
    category: str
    sections: frozenset[str]
    warnings: frozenset[str]

    @classmethod
    def of(cls, result: Result) -> Advice:
        return cls(
            grade=result.grade.value if result.grade else None,
            category=result.category.value,
            sections=frozenset(result.slugs),
            warnings=frozenset(result.warning_codes),
        )


@dataclass(frozen=True)
class Change:
    """One change of one input that changes the advice, and what it changes."""

    field: str
    value: Any  # as entered; None for a number not given
    to: Any  # the nearest value that changes the advice, or the other answer
    direction: str  # ABOVE, BELOW, RANGE (a number not given) or ANSWER
    when: str  # in words: "Ki-67 above 20 %", "SSR imaging positive"
    # The threshold the change happens at (ABOVE and BELOW), and how far the value is
    # from it, in the field's unit.
    threshold: Decimal | None
    distance: Decimal | None
    grade: str | None  # the new grade, None where unchanged
    category: str | None  # the new category, None where unchanged
    grade_before: str | None  # the case's own grade and category, for the words
    category_before: str
    sections_added: tuple[str, ...]  # in the guideline's order
    sections_removed: tuple[str, ...]
    warnings_added: tuple[str, ...]  # in the order warnings are shown
    warnings_removed: tuple[str, ...]

    @property
    def steps(self) -> int | None:
        """How many of the field's steps the value is from ``to``: the closeness the
        changes are ordered by."""
        if self.distance is None:
            return None
        return int(abs(self.to - self.value) / INPUTS[self.field].resolution)


def what_would_change(logic: Logic, facts: CaseFacts) -> tuple[Change, ...]:
    """Every change of one input that changes the advice for ``facts``; the nearest numbers
    first (fewest steps of their field), then the ranges of numbers not given, then the
    answers in the order the case form asks them."""
    advice = Advice.of(recommend(facts, logic))
    thresholds = logic.thresholds()
    numbers: list[Change] = []
    ranges: list[Change] = []
    for name in NUMBERS:
        classes = number_classes(name, thresholds[name])
        value = getattr(facts, name)
        if value is None:
            ranges.extend(_ranges(logic, facts, advice, name, classes, thresholds[name]))
        else:
            numbers.extend(_nearest(logic, facts, advice, name, classes, thresholds[name]))
    numbers.sort(key=lambda change: change.steps)
    answers = [change for name in ANSWERS for change in _answers(logic, facts, advice, name)]
    return (*numbers, *ranges, *answers)


def _change(
    logic: Logic,
    advice: Advice,
    after: Advice,
    *,
    field: str,
    value: Any,
    to: Any,
    direction: str,
    when: str,
    threshold: Decimal | None = None,
) -> Change:
    return Change(
        field=field,
        value=value,
        to=to,
        direction=direction,
        when=when,
        threshold=threshold,
        distance=None if threshold is None else abs(threshold - value),
        grade=after.grade if after.grade != advice.grade else None,
        category=after.category if after.category != advice.category else None,
        grade_before=advice.grade,
        category_before=advice.category,
        sections_added=_in_order(logic.slugs, after.sections - advice.sections),
        sections_removed=_in_order(logic.slugs, advice.sections - after.sections),
        warnings_added=_in_order(logic.codes, after.warnings - advice.warnings),
        warnings_removed=_in_order(logic.codes, advice.warnings - after.warnings),
    )


def _in_order(order: tuple[str, ...], found: frozenset[str]) -> tuple[str, ...]:
    return tuple(key for key in order if key in found)


def _as_entered(fact: Field, value: Decimal) -> Decimal | int:
    # A whole-number fact (the mitotic count) is an int in a case.
    return int(value) if fact.resolution == 1 else value


def _advice_at(logic: Logic, facts: CaseFacts, name: str, value: Any) -> Advice:
    return Advice.of(recommend(replace(facts, **{name: value}), logic))


# --- Numbers ------------------------------------------------------------------------


def _nearest(
    logic: Logic,
    facts: CaseFacts,
    advice: Advice,
    name: str,
    classes: tuple[NumberClass, ...],
    thresholds: frozenset[Decimal],
) -> Iterable[Change]:
    """The nearest value above and below the case's at which the advice differs: the edge
    of the first class, walking outwards, whose advice differs."""
    fact = INPUTS[name]
    value = getattr(facts, name)
    # The class the value is in; a value finer than the field's resolution (never entered,
    # the forms refuse it) goes with the step below it, as the thresholds split the steps.
    at = max(index for index, each in enumerate(classes) if each.low <= value)
    for direction, walk in ((ABOVE, range(at + 1, len(classes))), (BELOW, range(at - 1, -1, -1))):
        for index in walk:
            edge = classes[index].low if direction == ABOVE else classes[index].high
            to = _as_entered(fact, edge)
            after = _advice_at(logic, facts, name, to)
            if after != advice:
                threshold, words = _bound(fact, to, thresholds, direction)
                yield _change(
                    logic,
                    advice,
                    after,
                    field=name,
                    value=value,
                    to=to,
                    direction=direction,
                    when=f"{fact.words} {words}",
                    threshold=threshold,
                )
                break


def _bound(
    fact: Field, edge: Decimal, thresholds: frozenset[Decimal], direction: str
) -> tuple[Decimal, str]:
    """The threshold a class's edge is cut at, and the cut in words: from ``edge`` upwards
    (ABOVE: "20 mm or more", "above 20 %") or downwards (BELOW: "20 mm or less",
    "below 3 %")."""
    unit = fact.limit_unit
    if edge in thresholds:
        return edge, f"{number(edge)}{unit} or {'more' if direction == ABOVE else 'less'}"
    step = fact.resolution
    if direction == ABOVE:
        # The cut lies between the step below the edge (included) and the edge.
        # Not mutated: an edge that is a threshold returned above, so "< edge" and
        # "<= edge" pick the same one.
        threshold = max(t for t in thresholds if edge - step <= t < edge)  # pragma: no mutate
        return threshold, f"above {number(threshold)}{unit}"
    # Not mutated: as above, "edge <" and "edge <=" pick the same threshold.
    threshold = min(t for t in thresholds if edge < t <= edge + step)  # pragma: no mutate
    return threshold, f"below {number(threshold)}{unit}"


def _ranges(
    logic: Logic,
    facts: CaseFacts,
    advice: Advice,
    name: str,
    classes: tuple[NumberClass, ...],
    thresholds: frozenset[Decimal],
) -> Iterable[Change]:
    """For a number not given: each run of neighbouring classes with the same advice,
    different from the case's, with one value of it."""
    fact = INPUTS[name]
    runs: list[tuple[Decimal, Decimal, Advice]] = []
    for each in classes:
        after = _advice_at(logic, facts, name, each.representative)
        if runs and runs[-1][2] == after:
            runs[-1] = (runs[-1][0], each.high, after)
        else:
            runs.append((each.low, each.high, after))
    for index, (low, high, after) in enumerate(runs):
        if after == advice:
            continue
        # As a class is represented: the first run by its highest value, every other by
        # its lowest.
        to = _as_entered(fact, high if index == 0 and len(runs) > 1 else low)
        yield _change(
            logic,
            advice,
            after,
            field=name,
            value=None,
            to=to,
            direction=RANGE,
            when=f"{fact.words} {_run_words(fact, low, high, thresholds)}",
        )


def _run_words(fact: Field, low: Decimal, high: Decimal, thresholds: frozenset[Decimal]) -> str:
    """A run of values in words: "below 3 %", "3 to 20 %", "above 20 %", "any value"."""
    unit = fact.limit_unit
    bottom = None if low == fact.minimum else _bound(fact, low, thresholds, ABOVE)[1]
    top = None
    if high != fact.maximum:
        # Not mutated: _bound() reads any direction but ABOVE as BELOW.
        top = _bound(fact, high, thresholds, BELOW)[1]  # pragma: no mutate
    if bottom is None and top is None:
        return "given at any value"
    if low == high:
        return f"{number(low)}{unit}"
    if bottom is None:
        return top
    if top is None:
        return bottom
    if low in thresholds and high in thresholds:
        return f"{number(low)} to {number(high)}{unit}"
    return f"{bottom} and {top}"


# --- Answers ------------------------------------------------------------------------


def _answers(logic: Logic, facts: CaseFacts, advice: Advice, name: str) -> Iterable[Change]:
    """Each other value of one answer that changes the advice, the rest as entered."""
    fact = INPUTS[name]
    value = getattr(facts, name)
    if value is None:  # not asked for this case (a pancreas region outside the pancreas)
        return
    others = (not value,) if fact.kind == "boolean" else fact.values
    known = {**vars(facts)}
    for other in others:
        if other == value or not valid({**known, name: other}):
            continue
        after = _advice_at(logic, facts, name, other)
        if after != advice:
            yield _change(
                logic,
                advice,
                after,
                field=name,
                value=value,
                to=other,
                direction=ANSWER,
                when=answer_words(fact, other),
            )


def answer_words(fact: Field, value: Any) -> str:
    """An answer in words: "SSR imaging positive", "hormonal symptoms", "no hormonal
    symptoms"."""
    if fact.kind == "boolean":
        return fact.words if value else f"no {fact.words}"
    return f"{fact.words} {in_words(fact.choices, value)}"
