"""Apply a version's logic to one case: its grade, category, sections and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from guidance.engine.conditions import Condition
from guidance.engine.facts import (
    FIELDS,
    AppliedSection,
    CaseFacts,
    CaseWarning,
    Category,
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
        if value is None:
            shown = "not known" if fact.kind != "number" else "not given"
        elif fact.kind == "number":
            shown = number(value)
        elif fact.kind == "boolean":
            shown = "yes" if value else "no"
        elif name.startswith("grade"):
            shown = str(value)
        else:
            shown = in_words(fact.choices, value)
        return _sentence(shown) if key != name else shown


@dataclass(frozen=True)
class _Decision:
    """What the conditions decide for one class of cases (``Logic.case_class``)."""

    rule: CategoryRule | None  # the category rule that holds; None: undetermined
    applies: Mapping[str, bool]  # by slug, every section
    sections: tuple[tuple[str, Condition], ...]  # those that apply, in the guideline's order
    warnings: tuple[WarningRule, ...]  # those that fire, in their order


def _decide(logic: Logic, known: dict[str, Any]) -> _Decision:
    """Read every condition for this case: the category rules in order, the first that
    holds decides; then the sections, each after those it names; then the warnings."""
    category, rule = Category.UNDETERMINED, None
    for candidate, holds in logic.category_tests:
        if holds(known):
            category, rule = candidate.category, candidate
            break
    known["category"] = category
    applies: dict[str, bool] = {}
    known["applies"] = applies
    for slug, holds in logic.section_tests:
        applies[slug] = holds(known)
    return _Decision(
        rule=rule,
        applies=MappingProxyType(applies),
        sections=tuple(
            (slug, condition) for slug, condition in logic.section_conditions if applies[slug]
        ),
        warnings=tuple(warning for warning, holds in logic.warning_tests if holds(known)),
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

    key = logic.case_class(known)
    decided = logic.decided
    decision = decided.get(key)
    if decision is None:
        # A condition that cannot be decided raises here, and nothing is kept.
        decision = _decide(logic, known)
        if len(decided) >= KEPT:
            decided.clear()
        decided[key] = decision
    rule = decision.rule
    category = Category.UNDETERMINED if rule is None else rule.category
    known["category"] = category
    known["applies"] = decision.applies
    words = _Words(known, assessment)
    if rule is None:
        basis = "no category rule of this version holds for this case"
    elif rule.basis:
        basis = rule.basis.format_map(words)
    else:
        # Not mutated: the words fill only an editor's words for parts of a condition,
        # which a category rule and a warning have none of.
        basis = "; ".join(rule.condition.reasons(known, words))  # pragma: no mutate
    words["category_basis"] = basis
    words["Category_basis"] = _sentence(basis)

    sections = tuple(
        AppliedSection(slug, tuple(condition.reasons(known, words)))
        for slug, condition in decision.sections
    )
    warnings = []
    for warning in decision.warnings:
        if warning.detail is None:
            reasons = warning.condition.reasons(known, words)  # pragma: no mutate
            detail = _sentence("; ".join(reasons)) + "." if reasons else ""
        else:
            detail = warning.detail.format_map(words)
        warnings.append(CaseWarning(warning.code, detail))
    return Result(
        grade=assessment.grade,
        grade_basis=assessment.basis,
        category=category,
        category_basis=basis,
        sections=sections,
        warnings=tuple(warnings),
    )
