"""Apply a version's logic to one case: its grade, category, sections and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from guidance.engine.conditions import Condition
from guidance.engine.facts import (
    FIELDS,
    AppliedSection,
    CaseFacts,
    CaseWarning,
    Category,
    Field,
    GradeAssessment,
    Result,
    in_words,
    number,
)
from guidance.engine.logic import CategoryRule, Logic, WarningRule

# How many classes of cases one version's logic keeps the decisions of; beyond that it
# starts afresh. Cases of one class share their decisions, not their words.
KEPT = 4096


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(fact: Field, value: Any) -> str:
    """A fact's value as an editor's {placeholder} writes it."""
    if value is None:
        return "not known" if fact.kind != "number" else "not given"
    if fact.kind == "number":
        return number(value)
    if fact.kind == "boolean":
        return "yes" if value else "no"
    if fact.name.startswith("grade"):
        return str(value)
    return in_words(fact.choices, value)


# Every value of each fact that is not a number, in words, said once rather than per case.
_LISTED = {
    name: {
        value: _shown(fact, value)
        for value in ((True, False) if fact.kind == "boolean" else fact.values) + (None,)
    }
    for name, fact in FIELDS.items()
    if fact.kind != "number"
}


class _Words(dict):
    """What an editor's {placeholders} stand for, for this case: each worked out when used."""

    def __init__(self, known: dict[str, Any], assessment: GradeAssessment) -> None:
        super().__init__()
        self.known = known
        self["grade_basis"] = "; ".join(assessment.basis)

    def __missing__(self, key: str) -> str:
        name = key[0].lower() + key[1:]
        fact = FIELDS.get(name)
        if fact is None:
            # Not mutated: never reached, every placeholder is checked when the logic is read.
            raise KeyError(key)  # pragma: no mutate
        value = self.known.get(name)
        # A value outside a fact's choices is said as it is, as in_words() says it.
        listed = _LISTED.get(name, {})
        shown = listed[value] if value in listed else _shown(fact, value)
        return _sentence(shown) if key != name else shown


class _Decision(NamedTuple):
    """What the conditions decide for one class of cases (``Logic.case_class``), with the
    words that are the same for every case of it (``Logic.worded_per_class``); None where
    the words are said for each case."""

    rule: CategoryRule | None  # the category rule that holds; None: undetermined
    basis: str | None  # the category's basis
    applies: Mapping[str, bool]  # by slug, every section
    # Those that apply, in the guideline's order, with their reasons.
    sections: tuple[tuple[str, Condition, tuple[str, ...] | None], ...]
    warnings: tuple[tuple[WarningRule, str | None], ...]  # those that fire, with the detail


def _category_basis(rule: CategoryRule | None, known: dict[str, Any], words: _Words) -> str:
    if rule is None:
        return "no category rule of this version holds for this case"
    if rule.basis:
        return rule.basis.format_map(words)
    # Not mutated: the words fill only an editor's words for parts of a condition,
    # which a category rule and a warning have none of.
    return "; ".join(rule.condition.reasons(known, words))  # pragma: no mutate


def _detail(warning: WarningRule, known: dict[str, Any], words: _Words) -> str:
    if warning.detail is None:
        reasons = warning.condition.reasons(known, words)  # pragma: no mutate
        return _sentence("; ".join(reasons)) + "." if reasons else ""
    return warning.detail.format_map(words)


def _decide(logic: Logic, known: dict[str, Any], words: _Words) -> _Decision:
    """Read every condition for this case: the category rules in order, the first that
    holds decides; then the sections, each after those it names; then the warnings."""
    category, rule, basis = Category.UNDETERMINED, None, None
    for candidate, holds, once in logic.category_tests:
        if holds(known):
            category, rule = candidate.category, candidate
            if once:
                basis = _category_basis(rule, known, words)
            break
    else:
        basis = _category_basis(None, known, words)
    known["category"] = category
    applies: dict[str, bool] = {}
    known["applies"] = applies
    for slug, holds in logic.section_tests:
        applies[slug] = holds(known)
    sections = []
    for slug, condition, once in logic.section_words:
        if applies[slug]:
            reasons = tuple(condition.reasons(known, words)) if once else None
            sections.append((slug, condition, reasons))
    warnings = []
    for warning, holds, once in logic.warning_tests:
        if holds(known):
            warnings.append((warning, _detail(warning, known, words) if once else None))
    return _Decision(
        rule=rule,
        basis=basis,
        applies=MappingProxyType(applies),
        sections=tuple(sections),
        warnings=tuple(warnings),
    )


def recommend(facts: CaseFacts, logic: Logic) -> Result:
    """Apply ``logic`` to one case."""
    assessment = logic.grading.grade(
        ki67_percent=facts.ki67_percent, mitoses_per_10hpf=facts.mitoses_per_10hpf
    )
    known: dict[str, Any] = dict(vars(facts))
    # A Grade is a str enum: it compares and hashes as "G1", "G2" or "G3".
    known["grade"] = assessment.grade
    known["grade_from_ki67"] = assessment.from_ki67
    known["grade_from_mitoses"] = assessment.from_mitoses
    words = _Words(known, assessment)

    key = logic.case_class(known)
    decided = logic.decided
    decision = decided.get(key)
    if decision is None:
        # A condition that cannot be decided raises here, and nothing is kept.
        decision = _decide(logic, known, words)
        if len(decided) >= KEPT:
            decided.clear()
        decided[key] = decision
    rule = decision.rule
    category = Category.UNDETERMINED if rule is None else rule.category
    known["category"] = category
    known["applies"] = decision.applies
    basis = decision.basis
    if basis is None:
        basis = _category_basis(rule, known, words)
    words["category_basis"] = basis
    words["Category_basis"] = _sentence(basis)

    sections = tuple(
        AppliedSection(slug, tuple(condition.reasons(known, words)) if reasons is None else reasons)
        for slug, condition, reasons in decision.sections
    )
    warnings = tuple(
        CaseWarning(warning.code, _detail(warning, known, words) if detail is None else detail)
        for warning, detail in decision.warnings
    )
    return Result(
        grade=assessment.grade,
        grade_basis=assessment.basis,
        category=category,
        category_basis=basis,
        sections=sections,
        warnings=warnings,
    )
