"""What publishing a draft would change for the cases already saved: counts only.

Two kinds of change, both counted over every saved case and never showing one:

* **wording**: how many cases showed a section or warning whose text the draft changes;
* **advice**: how many would now get a section added or removed, a warning added or
  removed, a different grade or a different category, if run again with the draft's logic.

Saved cases keep what they showed, whatever is published later; this only says what a case
would show if it were run again. Each case is compared with what *it* showed (the section
slugs, warning codes, grade and category it saved), whichever version it was saved under.

How it scales: one query groups the cases by everything the comparison needs, read from
one index (``case_advice``) without the snapshots, and the draft runs once per class of
facts, not once per case. A case's facts are its fingerprint (every choice and yes/no
answer, ``guidance.models.fingerprint``) and its three numbers. Grouping by the exact
numbers would make nearly every real case a group of its own (sizes to 0.1 mm, Ki-67 to
0.1 %), so each number is grouped by where it lies among the constants the draft compares
it with, the same classes the exhaustive check enumerates: below, at or above each. The
draft's conditions can only compare a number with constants, so every value of one class
gets the same sections, warnings, grade and category, and one run per class is exact. The
field's limits are boundaries too, so that a class is either wholly accepted by today's
forms or wholly not. This is cheaper than storing each fact as a column of its own (one
short indexed string instead of eight columns) and than one fingerprint of all the facts
(as many groups as distinct cases).
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Min, Value, When

from guidance import content, engine
from guidance.forms import CaseForm, form_data
from guidance.models import NUMBER_FACTS, Case, Section, WarningText, facts_of
from guidance.recommendation import MISSING_SECTION

# Where each number's values stop being accepted: class boundaries as much as thresholds.
LIMITS: dict[str, tuple[Decimal, ...]] = {
    name: (engine.INPUTS[name].minimum, engine.INPUTS[name].maximum) for name in NUMBER_FACTS
}


@dataclass
class SectionChange:
    """Wording: a section or warning whose text the draft changes, and the cases that showed
    it."""

    slug: str
    heading: str
    # "text changed", "heading changed", "voice or citation changed", "removed",
    # "warning reworded", "warning's voice or citation changed"
    kind: str
    cases: int


@dataclass
class AdviceChange:
    """Advice: a section or warning the draft would give to cases that did not show it
    (added) or no longer give to cases that did (removed)."""

    key: str  # the section's slug or the warning's code
    name: str  # the section's heading in the draft, or the warning's code
    added: int = 0
    removed: int = 0


@dataclass
class Impact:
    cases: int  # every saved case
    affected: int  # cases that showed text the draft changes
    changes: list[SectionChange]  # that text, by section and warning
    advised: int = 0  # cases whose advice would change: any section, warning, grade or category
    sections: list[AdviceChange] = field(default_factory=list)  # in the draft's order
    warnings: list[AdviceChange] = field(default_factory=list)  # by code
    grade_changed: int = 0
    category_changed: int = 0
    # Cases the draft cannot run: their saved inputs are no longer accepted by the forms.
    not_rerun: int = 0
    # Cases for which a condition of the draft cannot be decided (a number it compares is
    # not given): the exhaustive check refuses such a draft.
    undecided: int = 0

    def by_kind(self) -> dict[str, list[SectionChange]]:
        grouped: dict[str, list[SectionChange]] = {}
        for change in self.changes:
            grouped.setdefault(change.kind, []).append(change)
        return grouped


@dataclass(frozen=True)
class Outcome:
    """What the draft's logic gives one class of facts (the parts the report compares)."""

    sections: frozenset[str]
    warnings: frozenset[str]
    grade: str  # "" when unknown, as a case saves it
    category: str


def number_class(name: str, points: Iterable[Decimal]) -> Choose:
    """Which class of ``points`` the number lies in: -1 when not given; 2i below the i-th
    point (and above the one before), 2i + 1 at it; 2n above the last."""
    points = sorted(set(points))
    whens = [When(**{f"{name}__isnull": True}, then=Value(-1))]
    for i, point in enumerate(points):
        whens.append(When(**{f"{name}__lt": point}, then=Value(2 * i)))
        whens.append(When(**{name: point}, then=Value(2 * i + 1)))
    return Choose(*whens, default=Value(2 * len(points)), output_field=IntegerField())


def impact(draft, text: content.GuidelineText | None = None) -> Impact:
    """How saved cases would read and what they would be advised if the draft were published.

    Five queries, whatever the number of cases: the draft's sections and warning texts
    (three if its guideline is not loaded), the cases grouped as described above, and the
    sections and warning texts of every version the cases were saved under; two fewer
    given the draft's ``text``, just read.
    """
    if text is None:
        text = content.load(draft)
    logic = text.logic
    points = logic.thresholds()
    classes = {
        f"{name}_class": number_class(name, [*points.get(name, ()), *LIMITS[name]])
        for name in NUMBER_FACTS
    }
    groups = list(
        Case.objects.order_by()
        .annotate(**classes)
        # Grouped in the index's order, the fingerprint first: SQLite then reads that index
        # alone (led by another column, it reads the rows through another index).
        .values(
            "fingerprint",
            *classes,
            "guideline_version_id",
            "grade",
            "category",
            "section_slugs",
            "warning_codes",
        )
        # COUNT(*), not of a column: the index holds every column the query reads.
        .annotate(count=Count("*"), **{f"some_{name}": Min(name) for name in NUMBER_FACTS})
    )
    report = Impact(
        cases=sum(group["count"] for group in groups),
        affected=0,
        changes=[],
        sections=[AdviceChange(slug, item.heading) for slug, item in text.sections.items()],
    )
    _count_advice(report, groups, logic, list(classes))
    _count_wording(report, groups, text)
    return report


def _count_advice(report: Impact, groups: list[dict[str, Any]], logic, classes: list[str]) -> None:
    runner = _Runner(logic)
    outcomes: dict[tuple, Outcome | None] = {}
    sections = {change.key: change for change in report.sections}
    warnings: dict[str, AdviceChange] = {}
    for group in groups:
        key = (group["fingerprint"], *(group[name] for name in classes))
        if key not in outcomes:
            outcomes[key] = runner.outcome(group, classes)
        outcome, count = outcomes[key], group["count"]
        if outcome is None:
            report.not_rerun += count
            continue
        if outcome is UNDECIDED:
            report.undecided += count
            continue
        shown_sections = set(group["section_slugs"].split())
        shown_warnings = set(group["warning_codes"].split()) - {MISSING_SECTION}
        for slug in outcome.sections - shown_sections:
            sections.setdefault(slug, AdviceChange(slug, slug)).added += count
        for slug in shown_sections - outcome.sections:
            sections.setdefault(slug, AdviceChange(slug, slug)).removed += count
        for code in outcome.warnings - shown_warnings:
            warnings.setdefault(code, AdviceChange(code, code)).added += count
        for code in shown_warnings - outcome.warnings:
            warnings.setdefault(code, AdviceChange(code, code)).removed += count
        grade = outcome.grade != group["grade"]
        category = outcome.category != group["category"]
        report.grade_changed += count * grade
        report.category_changed += count * category
        changed = grade or category
        changed = changed or outcome.sections != shown_sections
        changed = changed or outcome.warnings != shown_warnings
        report.advised += count * changed
    report.sections = [change for change in sections.values() if change.added or change.removed]
    report.warnings = [
        change for _, change in sorted(warnings.items()) if change.added or change.removed
    ]


# What the runner gives when a condition of the draft cannot be decided for the facts.
UNDECIDED = Outcome(frozenset(), frozenset(), "", "")

# Numbers any case form accepts, standing in while the other facts are checked.
PLACEHOLDERS = {"size_mm": Decimal(1), "ki67_percent": None, "mitoses_per_10hpf": None}


class _Runner:
    """The draft's advice for one class of facts, the facts checked by today's case form.

    The form's rules on a number concern that number alone, and its rules across fields
    concern only the choices (a pancreatic region for the pancreas, resectability for
    distant metastases). So a case's facts are accepted exactly when its choices are (with
    numbers that are always accepted standing in) and each of its numbers is (beside
    choices that are), and each of those is checked once: once a fingerprint (for the life
    of the process) and once a class of each number, not once a class of facts. Every
    number of a class is accepted alike, since the limits are class boundaries.
    """

    def __init__(self, logic) -> None:
        self.logic = logic
        self.numbers: dict[tuple[str, int], bool] = {}

    def outcome(self, group: Mapping[str, Any], classes: list[str]) -> Outcome | None:
        base = self._choices(group["fingerprint"])
        if base is None:
            return None
        numbers = {name: _exact(name, group[f"some_{name}"]) for name in NUMBER_FACTS}
        for name, class_name in zip(NUMBER_FACTS, classes, strict=True):
            key = (name, group[class_name])
            if key not in self.numbers:
                self.numbers[key] = self._accepted(base, name, numbers[name])
            if not self.numbers[key]:
                return None
        try:
            result = engine.recommend(dataclasses.replace(base, **numbers), self.logic)
        except engine.EvaluationFailure:
            return UNDECIDED
        return Outcome(
            sections=frozenset(result.slugs),
            warnings=frozenset(result.warning_codes),
            grade=result.grade.value if result.grade else "",
            category=result.category.value,
        )

    def _choices(self, fingerprint: str) -> engine.CaseFacts | None:
        return accepted_choices(fingerprint)

    @staticmethod
    def _accepted(base: engine.CaseFacts, name: str, value: Decimal | int | None) -> bool:
        facts = {**facts_as_json_values(base), name: value}
        return CaseForm(data=form_data(facts)).is_valid()


# Whether the forms accept a fingerprint depends on the code alone, never on a draft: kept
# for the life of the process, since making a case form is most of a small report's cost.
# There are a few thousand valid fingerprints at most.
@functools.lru_cache(maxsize=20_000)
def accepted_choices(fingerprint: str) -> engine.CaseFacts | None:
    """The facts of ``fingerprint`` (with numbers that are always accepted standing in),
    or None when today's case form refuses them."""
    form = CaseForm(data=form_data(facts_of(fingerprint, PLACEHOLDERS)))
    return form.facts() if form.is_valid() else None


def facts_as_json_values(facts: engine.CaseFacts) -> dict[str, Any]:
    return {field.name: getattr(facts, field.name) for field in dataclasses.fields(facts)}


def _exact(name: str, value: Decimal | int | None) -> Decimal | int | None:
    """The number as the column holds it. SQLite keeps decimals as binary floats, exact to
    15 significant digits, and gives them back with all 15 (2.90000000000000)."""
    places = getattr(Case._meta.get_field(name), "decimal_places", None)
    if value is None or places is None:
        return value
    return value.quantize(Decimal(1).scaleb(-places))


def _count_wording(report: Impact, groups: list[dict[str, Any]], text) -> None:
    """The cases that showed a section or warning whose text the draft changes.

    A case shows the text of the version it was saved under, so it is enough to compare
    each version used with the draft, then count the cases that showed each changed part.
    """
    shown: Counter[tuple[int, str, str]] = Counter()
    for group in groups:
        shown[(group["guideline_version_id"], group["section_slugs"], group["warning_codes"])] += (
            group["count"]
        )
    used = {version_id for version_id, _, _ in shown}
    sections: dict[int, dict[str, tuple[str, ...]]] = {version_id: {} for version_id in used}
    for version_id, slug, *shown_as in Section.objects.filter(version_id__in=used).values_list(
        "version_id", "slug", "heading", "text", "voice", "citation"
    ):
        sections[version_id][slug] = tuple(shown_as)
    messages: dict[int, dict[str, tuple[str, str, str]]] = {version_id: {} for version_id in used}
    for version_id, code, *shown_as in WarningText.objects.filter(
        version_id__in=used
    ).values_list("version_id", "code", "message", "voice", "citation"):
        messages[version_id][code] = tuple(shown_as)
    changes: Counter[tuple[str, str, str]] = Counter()
    for (version_id, section_slugs, warning_codes), count in shown.items():
        hit = False
        for slug in section_slugs.split():
            if slug not in sections[version_id]:
                continue
            heading, words, voice, citation = sections[version_id][slug]
            kind = _wording_change(text.sections.get(slug), heading, words, voice, citation)
            if kind:
                changes[(slug, heading, kind)] += count
                hit = True
        for code in warning_codes.split():
            shown_as = messages[version_id].get(code)
            if shown_as is None:
                continue
            kind = _warning_change(text, code, *shown_as)
            if kind:
                changes[(code, code, kind)] += count
                hit = True
        report.affected += count * hit
    report.changes = [
        SectionChange(slug, heading, kind, count)
        for (slug, heading, kind), count in sorted(changes.items())
    ]


def _wording_change(
    draft_section: content.SectionText | None, heading: str, words: str, voice: str, citation: str
) -> str:
    if draft_section is None:
        return "removed"
    if draft_section.text != words:
        return "text changed"
    if draft_section.heading != heading:
        return "heading changed"
    if (draft_section.voice, draft_section.citation) != (voice, citation):
        return "voice or citation changed"
    return ""


def _warning_change(text, code: str, message: str, voice: str, citation: str) -> str:
    if text.warnings.get(code) != message:
        return "warning reworded"
    said = text.warning_voices.get(code)
    if said is not None and (said.voice, said.citation) != (voice, citation):
        return "warning's voice or citation changed"
    return ""
