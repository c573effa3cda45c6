"""A guideline version's logic: its grading, category rules, conditions and exclusions.

``compile_logic()`` reads them from a guideline document (the format of
docs/guideline-format.md, as ``export_guideline`` writes it and the database holds it) and
checks all of it at once: every problem is listed, each saying where it is, and nothing is
compiled unless there are none.
"""

from __future__ import annotations

import string
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from operator import itemgetter
from typing import Any

from guidance.engine.conditions import (
    APPLIES,
    CATEGORY_PLACEHOLDERS,
    Condition,
    ConditionError,
    Facts,
    Test,
    check_words,
    compile_condition,
)
from guidance.engine.facts import FIELDS, INPUTS, Category, number
from guidance.engine.grading import Grading


@dataclass(frozen=True)
class LogicProblem:
    """One thing wrong with a version's logic: where it is, which field, what is wrong."""

    where: str  # "grading", "category rule 2", "section local-excision", "exclusive pair 1"
    field: str  # "applies_when", "ki67_percent", "slug", ...
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


class LogicError(ValueError):
    def __init__(self, problems: list[LogicProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class CategoryRule:
    category: Category
    condition: Condition
    basis: str  # the editor's words for why; "" to say it from the condition


@dataclass(frozen=True)
class SectionRule:
    slug: str
    condition: Condition


@dataclass(frozen=True)
class WarningRule:
    code: str
    condition: Condition
    detail: str | None  # the editor's words, "" for none, None to say it from the condition


@dataclass(frozen=True)
class Logic:
    grading: Grading
    category: tuple[CategoryRule, ...]
    sections: tuple[SectionRule, ...]  # in the guideline's order
    warnings: tuple[WarningRule, ...]  # in the order they are shown
    exclusive: tuple[tuple[str, str], ...]
    # The sections in an order where each comes after every section its condition names.
    evaluation_order: tuple[SectionRule, ...] = field(repr=False)

    # The tests in the order recommend() reads them, worked out once per version; with each
    # rule, whether its words are said once for a class of cases (``worded_per_class``).
    @cached_property
    def category_tests(self) -> tuple[tuple[CategoryRule, Test, bool], ...]:
        once = self.worded_per_class
        return tuple(
            (rule, rule.condition.holds, f"category rule {index}" in once)
            for index, rule in enumerate(self.category, 1)
        )

    @cached_property
    def section_tests(self) -> tuple[tuple[str, Test], ...]:
        return tuple((rule.slug, rule.condition.holds) for rule in self.evaluation_order)

    @cached_property
    def section_conditions(self) -> tuple[tuple[str, Condition], ...]:
        return tuple((rule.slug, rule.condition) for rule in self.sections)

    @cached_property
    def section_words(self) -> tuple[tuple[str, Condition, bool], ...]:
        once = self.worded_per_class
        return tuple(
            (rule.slug, rule.condition, f"section {rule.slug}" in once) for rule in self.sections
        )

    @cached_property
    def warning_tests(self) -> tuple[tuple[WarningRule, Test, bool], ...]:
        once = self.worded_per_class
        return tuple(
            (rule, rule.condition.holds, f"warning {rule.code}" in once) for rule in self.warnings
        )

    @cached_property
    def class_facts(self) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[Decimal, ...]], ...]]:
        """What a case's class (``case_class``) is made of: the listed facts any condition
        reads (the derived grades among them), and each number one compares, with the
        constants it is compared with, lowest first."""
        read = self.fields_used() - {APPLIES, "category"}
        listed = tuple(sorted(name for name in read if FIELDS[name].kind != "number"))
        limits: dict[str, set[Decimal]] = {name: set() for name in read - set(listed)}
        for _, condition in self.conditions():
            for name, values in condition.thresholds().items():
                limits[name] |= values
        return listed, tuple((name, tuple(sorted(limits[name]))) for name in sorted(limits))

    @cached_property
    def case_class(self) -> Callable[[Facts], Hashable]:
        """The class of cases a case falls in, for everything its conditions decide.

        Its key is the value of each listed fact of ``class_facts`` and, for each number,
        where the case's falls against its constants: below, at or above each. Whether a
        condition holds, or cannot be decided, is the same for every case of one class, and
        so are the category and the sections that apply, which are decided by conditions
        (the exhaustive check's classes, ``guidance/engine/check.py``, rest on the same).
        """
        listed, numbers = self.class_facts

        def where(value: Any, constants: tuple[Decimal, ...]) -> int | None:
            if value is None:
                return None
            index = bisect_left(constants, value)
            return 2 * index + (index < len(constants) and constants[index] == value)

        values = itemgetter(*listed) if listed else lambda facts: ()

        def key(facts: Facts) -> Hashable:
            return (
                values(facts),
                tuple([where(facts[name], constants) for name, constants in numbers]),
            )

        return key

    @cached_property
    def worded_per_class(self) -> frozenset[str]:
        """The rules (by where, as ``conditions()`` names them) whose words are the same for
        every case of one class: those that name, in their condition and in the editor's
        words, only listed facts of ``class_facts``, the category and the sections. A number
        is said as the case's own, and the grade's basis from the case's numbers."""
        same = {*self.class_facts[0], "category", APPLIES}

        def said_per_class(condition: Condition | None, *texts: str) -> bool:
            named = set(condition.names) if condition is not None else set()
            for text in texts:
                named.update(
                    name[:1].lower() + name[1:]
                    for _, name, _, _ in string.Formatter().parse(text)
                    if name is not None
                )
            return named <= same

        found = set()
        for index, rule in enumerate(self.category, 1):
            if said_per_class(None if rule.basis else rule.condition, rule.basis):
                found.add(f"category rule {index}")
        for section in self.sections:
            if said_per_class(section.condition, *section.condition.words.values()):
                found.add(f"section {section.slug}")
        for warning in self.warnings:
            if warning.detail is None:
                worded = said_per_class(warning.condition)
            else:
                worded = said_per_class(None, warning.detail)
            if worded:
                found.add(f"warning {warning.code}")
        return frozenset(found)

    # What the conditions decided for the classes of cases seen so far (``case_class``),
    # kept for as long as the logic is: the interpreter fills it, up to a bound.
    @cached_property
    def decided(self) -> dict[Hashable, Any]:
        return {}

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(rule.slug for rule in self.sections)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in self.warnings)

    def conditions(self) -> Iterable[tuple[str, Condition]]:
        """Every condition, with where it is, in the order they are read."""
        for index, rule in enumerate(self.category, 1):
            yield f"category rule {index}", rule.condition
        for section in self.sections:
            yield f"section {section.slug}", section.condition
        for warning in self.warnings:
            yield f"warning {warning.code}", warning.condition

    def thresholds(self) -> dict[str, frozenset[Decimal]]:
        """Per number fact, every constant the grading or any condition compares it with."""
        found: dict[str, set[Decimal]] = {
            name: set() for name, fact in INPUTS.items() if fact.kind == "number"
        }
        compared = [self.grading.thresholds()]
        compared.extend(condition.thresholds() for _, condition in self.conditions())
        for thresholds in compared:
            for name, values in thresholds.items():
                found[name] |= values
        return {name: frozenset(values) for name, values in found.items()}

    def fields_used(self) -> frozenset[str]:
        """The facts any condition names (derived facts included)."""
        return frozenset(name for _, condition in self.conditions() for name in condition.names)

    def as_document(self) -> dict[str, Any]:
        """The logic as the guideline file writes it (without the sections' words)."""
        grading = self.grading
        return {
            "grading": {
                "ki67_percent": {
                    "G1_below": number(grading.ki67_g1_below),
                    "G3_above": number(grading.ki67_g3_above),
                },
                "mitoses_per_10hpf": {
                    "G1_below": grading.mitoses_g1_below,
                    "G3_above": grading.mitoses_g3_above,
                },
                "combine": grading.combine,
            },
            "category": [
                {
                    "category": rule.category.value,
                    "applies_when": rule.condition.text,
                    "basis": rule.basis,
                }
                for rule in self.category
            ],
            "sections": [
                {
                    "slug": rule.slug,
                    "applies_when": rule.condition.text,
                    "reasons": dict(rule.condition.words),
                }
                for rule in self.sections
            ],
            "warnings": [
                {"code": rule.code, "applies_when": rule.condition.text, "detail": rule.detail}
                for rule in self.warnings
            ],
            "exclusive": [list(pair) for pair in self.exclusive],
        }


# --- Reading a document -------------------------------------------------------------


class _Problems(list):
    def add(self, where: str, field: str, message: str) -> None:
        self.append(LogicProblem(where, field, message))


def _decimal(value: Any) -> Decimal | None:
    # A list is no number, though Decimal() reads one as its digits.
    if not isinstance(value, int | float | str | Decimal):
        return None
    try:
        # Read through its text: a JSON float by its shortest text, never its binary value;
        # true and false are no number.
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _grading(document: Any, problems: _Problems) -> Grading | None:
    if not isinstance(document, Mapping):
        problems.add("grading", "grading", "give the Ki-67 and mitotic thresholds")
        return None
    found: dict[str, Decimal] = {}
    for name, fact in (
        ("ki67_percent", INPUTS["ki67_percent"]),
        ("mitoses_per_10hpf", INPUTS["mitoses_per_10hpf"]),
    ):
        thresholds = document.get(name)
        if not isinstance(thresholds, Mapping):
            problems.add("grading", name, "give G1_below and G3_above")
            continue
        for key in ("G1_below", "G3_above"):
            value = _decimal(thresholds.get(key))
            if value is None:
                problems.add("grading", f"{name}.{key}", "give a number")
            elif not fact.minimum <= value <= fact.maximum or value % fact.resolution:
                problems.add(
                    "grading",
                    f"{name}.{key}",
                    f"{number(value)} is not a value {fact.words} can take "
                    f"({number(fact.minimum)} to {number(fact.maximum)}, "
                    f"in steps of {number(fact.resolution)})",
                )
            else:
                found[f"{name}.{key}"] = value
        low, high = found.get(f"{name}.G1_below"), found.get(f"{name}.G3_above")
        if low is not None and high is not None and low > high:
            problems.add("grading", name, "G1_below must not be above G3_above")
    if document.get("combine", "higher") != "higher":
        problems.add("grading", "combine", 'the grades combine as "higher": the higher is used')
    if problems:  # every threshold not read is one of them
        return None
    return Grading(
        ki67_g1_below=found["ki67_percent.G1_below"],
        ki67_g3_above=found["ki67_percent.G3_above"],
        mitoses_g1_below=int(found["mitoses_per_10hpf.G1_below"]),
        mitoses_g3_above=int(found["mitoses_per_10hpf.G3_above"]),
    )


def _condition(
    item: Mapping[str, Any],
    *,
    where: str,
    kind: str,
    problems: _Problems,
    sections: Iterable[str] = (),
    words: Any = None,
) -> Condition | None:
    if words is not None and not (
        isinstance(words, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in words.items())
    ):
        problems.add(where, "reasons", "give the words as text for each part of the condition")
        # Not mutated: compile_condition reads no words from None and "" alike.
        words = None  # pragma: no mutate
    try:
        return compile_condition(
            item.get("applies_when"), kind=kind, sections=sections, words=words
        )
    except ConditionError as error:
        for message in error.messages:
            problems.add(where, "applies_when", message)
        return None


def _items(document: Mapping[str, Any], key: str, problems: _Problems) -> list[Mapping]:
    items = document.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        problems.add(key, key, f"give {key} as a list of objects")
        return []
    return items


def logic_problems(document: Mapping[str, Any]) -> list[LogicProblem]:
    """Everything wrong with the logic of ``document``; empty when it compiles."""
    try:
        compile_logic(document)
    except LogicError as error:
        return error.problems
    return []


def compile_logic(document: Mapping[str, Any]) -> Logic:
    """The logic of a guideline document, checked whole; raises ``LogicError``."""
    problems = _Problems()
    grading = _grading(document.get("grading"), problems)

    category: list[CategoryRule] = []
    for index, item in enumerate(_items(document, "category", problems), 1):
        where = f"category rule {index}"
        try:
            value = Category(item.get("category"))
        except ValueError:
            allowed = ", ".join(f'"{c.value}"' for c in Category)
            problems.add(where, "category", f"give one of {allowed}")
            # Not mutated here and below: any problem refuses the whole logic, so a rule with
            # one is never returned, whatever stands in for what is wrong in it and whether
            # or not it is kept.
            value = None  # pragma: no mutate
        basis = item.get("basis") or ""
        if not isinstance(basis, str):
            problems.add(where, "basis", "give the basis as text")
            basis = ""  # pragma: no mutate
        for message in check_words(basis, placeholders=CATEGORY_PLACEHOLDERS):
            problems.add(where, "basis", message)
        # A category rule names no section: its conditions have no applies[...].
        condition = _condition(item, where=where, kind="category", problems=problems)
        if value is not None and condition is not None:  # pragma: no mutate
            category.append(CategoryRule(value, condition, basis))

    items = _items(document, "sections", problems)
    slugs = [item.get("slug") for item in items]
    ordered = (
        sorted(enumerate(items), key=lambda pair: (pair[1].get("order", pair[0]), pair[0]))
        if all(isinstance(item.get("order", 0), int) for item in items)
        else list(enumerate(items))
    )
    sections: list[SectionRule] = []
    seen: set[str] = set()
    for _, item in ordered:
        slug = item.get("slug")
        where = f"section {slug}"
        if not isinstance(slug, str) or not slug:
            problems.add(where, "slug", "give the section a slug")
            continue
        if slug in seen:
            problems.add(where, "slug", "two sections have this slug")
        seen.add(slug)
        condition = _condition(
            item,
            where=where,
            kind="section",
            sections=[s for s in slugs if isinstance(s, str)],
            problems=problems,
            words=item.get("reasons") or {},
        )
        if condition is not None:
            sections.append(SectionRule(slug, condition))

    warnings: list[WarningRule] = []
    codes: set[str] = set()
    for item in _items(document, "warnings", problems):
        code = item.get("code")
        where = f"warning {code}"
        if not isinstance(code, str) or not code:
            problems.add(where, "code", "give the warning a code")
            continue
        if code in codes:
            problems.add(where, "code", "two warnings have this code")
        codes.add(code)
        detail = item.get("detail")
        if detail is not None and not isinstance(detail, str):
            problems.add(
                where, "detail", "give the detail as text, or null to say it from the condition"
            )
            detail = None  # pragma: no mutate - refused with its problem, as above
        elif detail:
            for message in check_words(detail):
                problems.add(where, "detail", message)
        condition = _condition(
            item,
            where=where,
            kind="warning",
            sections=[s for s in slugs if isinstance(s, str)],
            problems=problems,
        )
        if condition is not None:
            warnings.append(WarningRule(code, condition, detail))

    exclusive: list[tuple[str, str]] = []
    pairs = document.get("exclusive", [])
    if not isinstance(pairs, list):
        problems.add("exclusive", "exclusive", "give the exclusions as a list of pairs of slugs")
        pairs = []
    for index, pair in enumerate(pairs, 1):
        where = f"exclusive pair {index}"
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
        ):
            problems.add(where, "exclusive", "give two section slugs")
            continue
        if pair[0] == pair[1]:
            problems.add(where, "exclusive", "a section cannot exclude itself")
        for slug in pair:
            if slug not in seen:
                problems.add(where, "exclusive", f'there is no section "{slug}"')
        exclusive.append((pair[0], pair[1]))

    order = _evaluation_order(sections, problems)
    if problems or grading is None:
        raise LogicError(list(problems))
    return Logic(
        grading=grading,
        category=tuple(category),
        sections=tuple(sections),
        warnings=tuple(warnings),
        exclusive=tuple(exclusive),
        evaluation_order=order,
    )


def _evaluation_order(sections: list[SectionRule], problems: _Problems) -> tuple[SectionRule, ...]:
    """Each section after the sections it names; a cycle is a problem."""
    by_slug = {rule.slug: rule for rule in sections}
    done: dict[str, SectionRule] = {}
    visiting: list[str] = []

    def visit(rule: SectionRule) -> None:
        if rule.slug in done:
            return
        if rule.slug in visiting:
            cycle = " → ".join([*visiting[visiting.index(rule.slug) :], rule.slug])
            problems.add(
                f"section {rule.slug}",
                "applies_when",
                f"the sections name each other in a circle: {cycle}",
            )
            return
        visiting.append(rule.slug)
        for slug in sorted(rule.condition.sections):
            if slug in by_slug:
                visit(by_slug[slug])
        visiting.pop()
        done[rule.slug] = rule

    for rule in sections:
        visit(rule)
    return tuple(done.values())
