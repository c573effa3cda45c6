"""The exhaustive check of a version's logic, over every valid case there can be.

A draft is proved before it is published: every case gets at least one section, no pair of
sections the version excludes applies together, and no condition (category rule, section
or warning) fails to decide. "Every case" is exact, not sampled:

* The input space is finite once each number is split at every constant the logic compares
  it with (``Logic.thresholds()``: the grading thresholds and every condition's constants).
  At the field's resolution (size 0.1 mm, Ki-67 0.1 %, mitoses 1) a threshold ``t`` gives
  the class below it, ``t`` itself and the class above it, up to the range's ends; an
  optional number is also null. Each class of a number is represented by one value: the
  first class by the value just below the threshold above it (19.9 for size < 20), every
  other class by the value just above the threshold below it (3.1, 20.1), or the
  threshold itself.
* Only the valid cases are enumerated, as ``forms.CaseForm`` accepts them: a pancreas
  region is given exactly when the site is the pancreas, a gastric NET type exactly when
  it is the stomach, and the metastases' resectability is "unknown" unless there are
  distant metastases (``valid``).

The product of those classes (``CheckResult.classes``; 884,520 for version 1) is what the
check covers. It evaluates far fewer cases (``CheckResult.cases``), by a collapse that is
sound for a reason that follows from what a condition is (``conditions.py``): a boolean
combination of tests of single facts against constants (or of two grades against each
other), a section's test of other sections (``applies[...]``), and the category, which is
itself decided by the category rules. So whether a condition holds, or raises, depends only
on the facts it reads, directly or through the category and the sections it names
(``_reads``). The check runs in parts, each over the facts its rules read:

* the category rules and every section, with the tests of coverage and exclusion;
* each warning on its own (a warning decides nothing else).

Within a part, two cases that agree on every fact the part reads give every rule of the
part the same outcome, so one case per combination of those facts is enough. A fact no
rule of the part reads collapses to one value; a number the rules read is split at its
thresholds; Ki-67 and the mitotic count, when read only through the grade
(``grade``, ``grade_from_ki67``, ``grade_from_mitoses``), are split into the grades they
give, not their thresholds. Facts are grouped where validity ties them (site with pancreas
region and gastric type, extent with resectability, the two indices through the grade), and
a group is collapsed by projecting its valid combinations, so no invalid case is ever
evaluated and no valid one is missed. Each evaluated case counts the classes it stands for,
so the counts of failures, and ``classes_where()``, are counts of classes of the whole space.

The evaluation is the interpreter's own order (``interpreter.recommend``): the category rules
in order, the first that holds decides (none: undetermined); the sections in dependency
order, each seeing whether those before it apply; the warnings. Each rule is run on its own,
so that one that raises is named. Pure Python, no Django.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from guidance.engine.conditions import APPLIES, Condition
from guidance.engine.facts import (
    FIELDS,
    INPUTS,
    CaseFacts,
    Category,
    in_words,
    number,
)
from guidance.engine.logic import Logic

# The kinds of failure.
GAP = "no section"  # a case gets no section at all
EXCLUDED = "excluded pair"  # two sections the version excludes apply together
RAISES = "condition fails"  # a rule cannot be decided for a case

GRADE_FACTS = ("grade", "grade_from_ki67", "grade_from_mitoses")

# The inputs in groups: the validity of a case ties the facts of a group together, and
# nothing ties two groups (``valid``). The grade is derived within the indices' group.
GROUPS: tuple[tuple[str, ...], ...] = (
    ("site", "pancreas_region", "gastric_type"),
    ("tumour_type",),
    ("hormonal_symptoms",),
    ("size_mm",),
    ("differentiation",),
    ("ki67_percent", "mitoses_per_10hpf"),
    ("extent", "metastases_resectable"),
    ("ssr_imaging",),
)
assert sorted(name for group in GROUPS for name in group) == sorted(INPUTS)


# The facts given exactly when the site is the one named, and left out for every other.
SITE_FACTS = {"pancreas_region": "pancreas", "gastric_type": "stomach"}


def valid(values: Mapping[str, Any]) -> bool:
    """Whether a group's values are a case ``CaseForm`` accepts (its ``clean()``); the
    facts of a group may be only some of its facts."""
    if "site" in values and any(
        (values["site"] == site) != (values[name] is not None)
        for name, site in SITE_FACTS.items()
        if name in values
    ):
        return False
    return not (
        "extent" in values
        and values["extent"] != "distant_metastases"
        and values["metastases_resectable"] != "unknown"
    )


# --- The classes of one number -------------------------------------------------------


@dataclass(frozen=True)
class NumberClass:
    """The values of one number that every threshold of the logic treats alike."""

    low: Decimal
    high: Decimal
    representative: Decimal | int


def number_classes(name: str, thresholds: Iterable[Decimal]) -> tuple[NumberClass, ...]:
    """The classes of the number ``name`` split at ``thresholds``, lowest first.

    Worked in steps of the field's resolution: a threshold on a step is a class of its
    own, one between two steps only separates them; thresholds outside the range split
    nothing.
    """
    fact = INPUTS[name]
    step = fact.resolution
    first, last = int(fact.minimum / step), int(fact.maximum / step)
    # Cuts between steps, as half-steps: a cut at c separates floor(c) from floor(c) + 1.
    cuts: set[Decimal] = set()
    half = Decimal("0.5")
    for threshold in thresholds:
        at = threshold / step
        if at == at.to_integral_value():
            cuts |= {at - half, at + half}
        else:
            cuts.add(at.to_integral_value(ROUND_FLOOR) + half)
    # Not mutated: a cut half a step outside the range splits nothing, kept or not.
    bounds = sorted(cut for cut in cuts if first - half < cut < last + half)  # pragma: no mutate
    runs: list[tuple[int, int]] = []
    start = first
    for cut in bounds:
        end = int(cut - half)  # the last step below the cut
        if end >= start:
            runs.append((start, end))
        start = end + 1
    if start <= last:
        runs.append((start, last))
    classes = []
    for index, (low, high) in enumerate(runs):
        at = high if index == 0 and len(runs) > 1 else low
        value = at * step
        classes.append(
            NumberClass(
                low=low * step,
                high=high * step,
                # A whole-number fact (the mitotic count) is an int in a case.
                representative=int(value) if step == 1 else value,
            )
        )
    return tuple(classes)


def _values(name: str, thresholds: Mapping[str, frozenset[Decimal]]) -> tuple[Any, ...]:
    """One value per class of an input: each choice, or each class of a number; null
    where the input may be left out."""
    fact = INPUTS[name]
    if fact.kind == "number":
        found: tuple[Any, ...] = tuple(
            each.representative for each in number_classes(name, thresholds[name])
        )
    elif fact.kind == "boolean":
        found = (True, False)
    else:
        found = fact.values
    return (*found, None) if fact.optional else found


# --- What a rule reads --------------------------------------------------------------


def _reads(logic: Logic, conditions: Iterable[Condition]) -> frozenset[str]:
    """The facts ``conditions`` read: directly, through the category (every category rule,
    since the first that holds decides) and through the sections they name, transitively
    (a compiled logic names only its own sections, and none in a circle)."""
    by_slug = {rule.slug: rule.condition for rule in logic.sections}
    names: set[str] = set()
    # Each section and the category rules read once. Not mutated: reading them again would
    # only be slower (the sections never name each other in a circle).
    seen: set[str] = set()  # pragma: no mutate
    pending = list(conditions)
    while pending:
        condition = pending.pop()
        names |= condition.names  # with "applies", which names no input: harmless
        for slug in condition.sections:
            if slug not in seen:  # pragma: no mutate
                seen.add(slug)  # pragma: no mutate
                pending.append(by_slug[slug])
        reads_category = "category" in condition.names
        if reads_category and "category" not in seen:  # pragma: no mutate
            seen.add("category")  # pragma: no mutate
            pending.extend(rule.condition for rule in logic.category)
    return frozenset(names)


def _sections_read(logic: Logic, conditions: Iterable[Condition]) -> frozenset[str]:
    """The slugs of the sections ``conditions`` name, transitively."""
    by_slug = {rule.slug: rule.condition for rule in logic.sections}
    found: set[str] = set()
    pending = [slug for condition in conditions for slug in condition.sections]
    while pending:
        slug = pending.pop()
        if slug not in found:
            found.add(slug)
            pending.extend(by_slug[slug].sections)
    return frozenset(found)


# --- The cases of a part ------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """A group's cases for a part: one per combination of what the part reads, with the
    number of the group's classes each stands for."""

    cases: tuple[tuple[dict[str, Any], int], ...]
    classes: int


def _group(
    logic: Logic,
    names: tuple[str, ...],
    reads: frozenset[str] | None,
    thresholds: Mapping[str, frozenset[Decimal]],
) -> _Group:
    combos = (
        dict(zip(names, values, strict=True))  # pragma: no mutate - always as long
        for values in itertools.product(*(_values(name, thresholds) for name in names))
    )
    grading = "ki67_percent" in names
    found: dict[tuple[Any, ...], list[Any]] = {}
    total = 0
    for values in combos:
        if not valid(values):
            continue
        total += 1
        if grading:
            assessment = logic.grading.grade(
                ki67_percent=values["ki67_percent"],
                mitoses_per_10hpf=values["mitoses_per_10hpf"],
            )
            values["grade"] = assessment.grade and assessment.grade.value
            values["grade_from_ki67"] = assessment.from_ki67 and assessment.from_ki67.value
            values["grade_from_mitoses"] = assessment.from_mitoses and assessment.from_mitoses.value
        key = tuple(
            values[name] if reads is None or name in reads else None
            for name in (*names, *(GRADE_FACTS if grading else ()))
        )
        entry = found.get(key)
        if entry is None:
            found[key] = [values, 1]
        else:
            entry[1] += 1
    return _Group(tuple((values, count) for values, count in found.values()), total)


def _cases(logic: Logic, reads: frozenset[str] | None) -> Iterator[tuple[dict[str, Any], int]]:
    """Every case a part evaluates, as the facts a condition reads, with the number of
    classes of the whole input space it stands for. ``reads`` None: every class."""
    thresholds = logic.thresholds()
    groups = [_group(logic, names, reads, thresholds) for names in GROUPS]
    for combination in itertools.product(*(group.cases for group in groups)):
        known: dict[str, Any] = {}
        count = 1
        for values, classes in combination:
            known.update(values)
            count *= classes
        yield known, count


def classes(logic: Logic) -> int:
    """The number of classes of the whole input space for ``logic``."""
    thresholds = logic.thresholds()
    total = 1
    for names in GROUPS:
        # Not mutated: what a part reads changes how its classes are grouped, not their number.
        total *= _group(logic, names, frozenset(), thresholds).classes  # pragma: no mutate
    return total


# --- Words --------------------------------------------------------------------------


def facts_of(known: Mapping[str, Any]) -> CaseFacts:
    return CaseFacts(**{name: known[name] for name in INPUTS})


def describe(facts: CaseFacts) -> str:
    """A case in the words of the case form: "pancreas (head), insulinoma, hormonal
    symptoms, 19.9 mm, well differentiated, Ki-67 not given, ..."; a gastric NET's type
    after the stomach ("stomach, gastric NET type: not known, ...")."""
    site = in_words(INPUTS["site"].choices, facts.site)
    if facts.pancreas_region:
        site += f" ({in_words(INPUTS['pancreas_region'].choices, facts.pancreas_region)})"
    if facts.gastric_type:
        gastric = INPUTS["gastric_type"]
        site += f", {gastric.words}: {in_words(gastric.choices, facts.gastric_type)}"
    differentiation = (
        "differentiation not known"  # the form's "Not known" on its own would not say what
        if facts.differentiation == "unknown"
        else in_words(INPUTS["differentiation"].choices, facts.differentiation)
    )
    words = [
        site,
        in_words(INPUTS["tumour_type"].choices, facts.tumour_type),
        "hormonal symptoms" if facts.hormonal_symptoms else "no hormonal symptoms",
        f"{number(facts.size_mm)} mm",
        differentiation,
        "Ki-67 not given"
        if facts.ki67_percent is None
        else f"Ki-67 {number(facts.ki67_percent)} %",
        "mitotic count not given"
        if facts.mitoses_per_10hpf is None
        else f"mitotic count {facts.mitoses_per_10hpf} per 10 HPF",
        in_words(INPUTS["extent"].choices, facts.extent),
    ]
    if facts.extent == "distant_metastases":
        words.append(
            {
                "yes": "metastases resectable",
                "no": "metastases not resectable",
            }.get(facts.metastases_resectable, "resectability of the metastases not yet assessed")
        )
    words.append(f"SSR imaging {in_words(INPUTS['ssr_imaging'].choices, facts.ssr_imaging)}")
    return ", ".join(words)


def _shared(name: str, values: set[Any]) -> str:
    """What the cases of a gap share of one fact: "extent localised", "no hormonal
    symptoms", "grade G1 or not given"."""
    fact = FIELDS[name]
    if fact.kind == "boolean":  # one value: with both, it would not be named
        return fact.words if True in values else f"no {fact.words}"
    words = sorted(
        "not given"
        if value is None
        else str(value)
        if name in GRADE_FACTS
        else in_words(fact.choices, value)
        for value in values
    )
    return f"{fact.words} {' or '.join(words)}"


# --- Failures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One way the logic fails, with the first case it fails for, in words."""

    kind: str  # GAP, EXCLUDED or RAISES
    rule: str  # "sections", "exclusive pair 1", "category rule 2", "section x", "warning y"
    message: str  # what is wrong, for the editor
    example: CaseFacts
    words: str  # the example case, as the case form would read it
    classes: int  # how many classes of the input space fail this way


@dataclass(frozen=True)
class CheckResult:
    classes: int  # classes of the whole input space
    cases: int  # cases evaluated to cover them
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class _Found:
    kind: str
    rule: str
    detail: str
    example: dict[str, Any]
    classes: int = 0
    seen: dict[str, set[Any]] = field(default_factory=dict)


class _Failures:
    """The failures found so far, each kept once with its first example and its count."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], _Found] = {}

    def add(self, kind: str, rule: str, detail: str, known: dict[str, Any], count: int) -> None:
        entry = self.found.get((kind, rule))
        if entry is None:
            entry = self.found[(kind, rule)] = _Found(kind, rule, detail, dict(known))
        entry.classes += count
        if kind == GAP:
            for name in _PATTERN:
                entry.seen.setdefault(name, set()).add(known.get(name))

    def result(self, reads: frozenset[str], categories: set[str]) -> tuple[Failure, ...]:
        """The failures found; ``reads``: what the sections and category rules read,
        ``categories``: the categories the version gives."""
        order = (RAISES, GAP, EXCLUDED)  # as they are listed
        failures = []
        for entry in sorted(self.found.values(), key=lambda entry: order.index(entry.kind)):
            facts = facts_of(entry.example)
            failures.append(
                Failure(
                    kind=entry.kind,
                    rule=entry.rule,
                    message=_message(entry, reads, categories),
                    example=facts,
                    words=describe(facts),
                    classes=entry.classes,
                )
            )
        return tuple(failures)


# The facts a gap is described by, when every case of the gap shares some of their values.
_PATTERN = (
    "site",
    "pancreas_region",
    "gastric_type",
    "tumour_type",
    "hormonal_symptoms",
    "differentiation",
    "extent",
    "metastases_resectable",
    "ssr_imaging",
    "grade",
    "category",
)


# A fact whose values a valid case ties to another's: only those it can take with the values
# seen of the other are worth naming ("metastases not yet assessed" goes without saying for
# regional nodes).
_TIED = {"pancreas_region": "site", "gastric_type": "site", "metastases_resectable": "extent"}


def _possible(name: str, seen: Mapping[str, set[Any]], categories: set[str]) -> set[Any]:
    """The values ``name`` can take, given the values seen of the fact its validity is
    tied to; for the category, those the version gives."""
    if name == "category":
        return categories
    fact = FIELDS[name]
    values: set[Any] = {True, False} if fact.kind == "boolean" else set(fact.values)
    if fact.optional:
        values.add(None)
    other = _TIED.get(name)
    if other is None:
        return values
    return {
        value
        for value in values
        if any(valid({name: value, other: given}) for given in seen[other])
    }


def _message(entry: _Found, reads: frozenset[str], categories: set[str]) -> str:
    classes = f"{entry.classes:,} input class" + ("" if entry.classes == 1 else "es")
    if entry.kind == GAP:
        shared = [
            _shared(name, entry.seen[name])
            for name in _PATTERN
            if (name in reads or name == "category")
            and entry.seen[name] < _possible(name, entry.seen, categories)
        ]
        where = f": every one has {'; '.join(shared)}" if shared else ""
        return f"No section applies to {classes}{where}."
    if entry.kind == EXCLUDED:
        return f"{entry.detail} apply together, which the version excludes, for {classes}."
    return f"The {entry.rule} cannot be decided for {classes}: {entry.detail}."


# --- Evaluation ---------------------------------------------------------------------


class _Undecided(Exception):
    """A rule raised for a case: which rule, and why."""

    def __init__(self, rule: str, error: Exception) -> None:
        super().__init__(rule, error)  # pragma: no mutate - for its repr only
        self.rule, self.why = rule, str(error)


def _holds(rule: str, condition: Condition, known: Mapping[str, Any]) -> bool:
    try:
        return condition.holds(known)
    # Whatever a condition raises would stop the advice for the case: it is a failure.
    except Exception as error:  # noqa: BLE001
        raise _Undecided(rule, error) from error


def _category(logic: Logic, known: Mapping[str, Any]) -> str:
    """The category by the first rule that holds, as the interpreter decides it."""
    for index, rule in enumerate(logic.category, 1):
        if _holds(f"category rule {index}", rule.condition, known):
            return rule.category.value
    return Category.UNDETERMINED.value


def _decide(
    logic: Logic, known: dict[str, Any], reads: frozenset[str], order: Iterable[Any]
) -> dict[str, bool] | None:
    """The category (if read) and whether each section of ``order`` applies, into
    ``known``; None if one of those rules raises (a failure the check reports where it
    checks that rule)."""
    applies: dict[str, bool] = {}
    try:
        if "category" in reads:
            known["category"] = _category(logic, known)
        known[APPLIES] = applies
        for section in order:
            applies[section.slug] = section.condition.holds(known)
    except Exception:  # noqa: BLE001
        return None
    return applies


def check(logic: Logic, *, collapse: bool = True) -> CheckResult:
    """Prove ``logic`` over every class of valid cases; see the module's docstring.

    ``collapse`` False evaluates one case per class of the whole space, every rule on each:
    what the collapse must agree with (the tests compare the two).
    """
    failures = _Failures()
    evaluated = 0
    reads = _reads(
        logic,
        [rule.condition for rule in logic.sections] + [rule.condition for rule in logic.category],
    )
    pairs = [
        (f"exclusive pair {index}", first, second, f"{first} and {second}")
        for index, (first, second) in enumerate(logic.exclusive, 1)
    ]
    tests = [(section.slug, section.condition.holds) for section in logic.evaluation_order]
    # The category rules read only these facts: the category of each of their combinations
    # is decided once.
    deciding = sorted(_reads(logic, [rule.condition for rule in logic.category]))
    categories: dict[tuple[Any, ...], str] = {}
    for known, count in _cases(logic, reads if collapse else None):
        evaluated += 1
        # The interpreter decides the category for every case, read or not.
        key = tuple(known[name] for name in deciding)
        category = categories.get(key)  # pragma: no mutate - without it, only slower
        if category is None:
            try:
                category = categories[key] = _category(logic, known)
            except _Undecided as undecided:
                failures.add(RAISES, undecided.rule, undecided.why, known, count)
                continue
        known["category"] = category
        applies: dict[str, bool] = {}
        known[APPLIES] = applies
        try:
            for slug, holds in tests:
                applies[slug] = holds(known)
        # One raised: each section on its own, so that every one that raises is named.
        except Exception:  # noqa: BLE001
            _each_section(logic, known, count, failures)
            continue
        if not any(applies.values()):
            # Not mutated: a gap is described from its cases, not by a detail.
            failures.add(GAP, "sections", "", known, count)  # pragma: no mutate
        for rule, first, second, words in pairs:
            if applies[first] and applies[second]:
                failures.add(EXCLUDED, rule, words, known, count)

    for warning in logic.warnings:
        evaluated += _check_warning(logic, warning, failures, collapse=collapse)
    return CheckResult(
        classes=classes(logic),
        cases=evaluated,
        failures=failures.result(reads, set(categories.values())),
    )


def _each_section(logic: Logic, known: dict[str, Any], count: int, failures: _Failures) -> None:
    """Every section for a case one of them raised for, each failure recorded; one that
    raised counts as not applying for those that name it."""
    applies: dict[str, bool] = {}
    known[APPLIES] = applies
    for section in logic.evaluation_order:
        try:
            applies[section.slug] = _holds(f"section {section.slug}", section.condition, known)
        except _Undecided as undecided:
            failures.add(RAISES, undecided.rule, undecided.why, known, count)
            applies[section.slug] = False  # pragma: no mutate - None reads as False too


def _check_warning(logic: Logic, warning: Any, failures: _Failures, *, collapse: bool) -> int:
    """Run one warning over the cases of what it reads. A section or category rule that
    raises here is the sections' part's failure, found there: it is not counted twice."""
    reads = _reads(logic, [warning.condition])
    needed = _sections_read(logic, [warning.condition])
    order = [section for section in logic.evaluation_order if section.slug in needed]
    rule = f"warning {warning.code}"
    evaluated = 0
    for known, count in _cases(logic, reads if collapse else None):
        evaluated += 1
        if _decide(logic, known, reads, order) is None:
            continue
        try:
            _holds(rule, warning.condition, known)
        except _Undecided as undecided:
            failures.add(RAISES, undecided.rule, undecided.why, known, count)
    return evaluated


# --- For the admin: where a section applies -----------------------------------------


def _where(logic: Logic, slug: str) -> Iterator[tuple[dict[str, Any], int]]:
    """The cases (with their class counts) the section ``slug`` applies to; a case a rule
    cannot be decided for is a failure of the check, not a place the section applies."""
    target = {rule.slug: rule for rule in logic.sections}.get(slug)
    if target is None:
        raise ValueError(f'the version has no section "{slug}"')
    reads = _reads(logic, [target.condition])
    needed = _sections_read(logic, [target.condition]) | {slug}
    order = [section for section in logic.evaluation_order if section.slug in needed]
    for known, count in _cases(logic, reads):
        applies = _decide(logic, known, reads, order)
        if applies is not None and applies[slug]:
            yield known, count


def classes_where(logic: Logic, slug: str) -> int:
    """How many classes of the input space the section ``slug`` applies to."""
    return sum(count for _, count in _where(logic, slug))


def examples(logic: Logic, slug: str, n: int = 3) -> list[CaseFacts]:
    """``n`` cases the section ``slug`` applies to, as different from each other as they
    can be: the first, then each time the case that differs most from those picked (in the
    fewest facts from the nearest of them; the first such case on a tie)."""
    found = [facts_of(known) for known, _ in _where(logic, slug)]
    picked = found[:1]
    while found and len(picked) < n:
        distance = [min(_differences(case, other) for other in picked) for case in found]
        farthest = max(distance)
        if farthest == 0:
            break
        picked.append(found[distance.index(farthest)])
    return picked


def _differences(case: CaseFacts, other: CaseFacts) -> int:
    return sum(getattr(case, name) != getattr(other, name) for name in INPUTS)
