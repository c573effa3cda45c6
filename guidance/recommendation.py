"""A recommendation as shown: the engine's result joined to the guideline's words.

``build()`` returns plain JSON-ready data, a ``Recommendation``. The recommendation page,
the JSON API and a saved case's snapshot are all made from it, so what is saved is exactly
what was shown. The typed dicts below say what it holds; a snapshot read back from the
database holds the same (its numbers as JSON numbers). A snapshot saved before the texts
had a voice holds none: ``page_context()`` reads it as the source's words, as it was.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from django import forms
from django.utils import timezone

from guidance import engine, sensitivity
from guidance.content import GuidelineText
from guidance.forms import CaseForm
from guidance.models import Voice

MISSING_SECTION = "section-missing"
# The facts are flat (every field a plain value), so no recursive asdict() is needed.
FACT_NAMES = tuple(field.name for field in fields(engine.CaseFacts))


class CaseFactsJSON(TypedDict):
    """``engine.CaseFacts`` as JSON values: numbers as JSON numbers, absent values as None."""

    site: str
    pancreas_region: str | None
    gastric_type: str | None  # absent from the facts of a case saved before it was asked
    tumour_type: str
    hormonal_symptoms: bool
    size_mm: int | float
    differentiation: str
    ki67_percent: int | float | None
    mitoses_per_10hpf: int | None
    extent: str
    metastases_resectable: str
    ssr_imaging: str


class CitedGuideline(TypedDict):
    """The guideline and the version of it that a recommendation quotes."""

    title: str  # the version's own title, or else the guideline's
    version: str  # the version's label, as cited
    citation: str  # how the source is cited
    about_source: str  # markdown: what the source is ("" when the version does not say)
    not_covered: str  # markdown: what the source does not cover ("": not said)
    # The day the version came into use in NET Advisor (ISO 8601), never the source's
    # date; None for a version not published.
    in_use_since: str | None


class RecommendedSection(TypedDict):
    """One section of the guideline that applies, quoted as stored, with why it applies."""

    section: str  # the section's slug, which the engine knows it by
    group: str
    heading: str  # NET Advisor's heading, never the source's
    source_heading: str  # the source's own heading the quote stands under ("": none)
    voice: str  # "guideline": quoted verbatim from the source; "note": NET Advisor's own
    citation: str  # a quote's: the version's citation of the source; a note's: its own
    text: str  # markdown: sanitised when rendered, never before
    order: int  # its place in the guideline
    reasons: list[str]


class ShownWarning(TypedDict):
    """A warning about the inputs: the engine's code and detail, the guideline's message."""

    code: str
    detail: str  # what in this case raised it; for MISSING_SECTION, the section's slug
    message: str
    voice: str  # as a section's; NET Advisor's own words about itself are a note
    citation: str  # as a section's; "" for NET Advisor's words about itself


class Recommendation(TypedDict):
    """Everything a recommendation shows, as ``build()`` makes it and a saved case keeps it."""

    guideline: CitedGuideline
    grade: str | None  # "G1", "G2", "G3", or None when it cannot be derived
    grade_basis: list[str]
    category: str  # an engine.Category value
    category_label: str
    category_basis: str
    recommendations: list[RecommendedSection]  # in guideline order
    warnings: list[ShownWarning]  # those for missing sections first
    # What would change the advice, nearest first; None in a snapshot saved before it was
    # shown.
    sensitivity: list[sensitivity.SensitivityItem] | None
    facts: CaseFactsJSON


class SectionGroup(TypedDict):
    """Recommended sections under one of the guideline's group headings."""

    name: str
    sections: list[RecommendedSection]


def json_number(value: Decimal) -> int | float:
    """A decimal as the JSON number that reads back as exactly that decimal.

    Saved cases keep numbers as JSON numbers, which Python writes from floats by their
    shortest repr: the same digits for any decimal of up to 15 significant digits, and the
    forms accept four at most. A value a float would change is refused, never rounded.
    """
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"{value} cannot be kept as a JSON number exactly")
    return number


def facts_as_json(facts: engine.CaseFacts) -> CaseFactsJSON:
    """The case facts as JSON values: decimals as numbers, absent values as null."""
    values: dict[str, Any] = {}
    for name in FACT_NAMES:
        value = getattr(facts, name)
        if isinstance(value, Decimal):
            value = json_number(value)
        values[name] = value
    return CaseFactsJSON(**values)


def build(
    *, facts: engine.CaseFacts, text: GuidelineText, what_would_change: bool = True
) -> Recommendation:
    """Run the version's logic and quote ``text`` for every section and warning that applies.

    No queries: the logic and the words come from ``text`` (``content.published()`` for the
    version in force, ``content.load()`` for any other).

    ``what_would_change=False`` leaves ``sensitivity`` empty: for a draft's reference cases,
    which need only the advice, and whose logic may not yet decide every other value of an
    input (the exhaustive check says where, and blocks publishing until it does).
    """
    result = engine.recommend(facts, text.logic)
    sections = text.sections
    messages = text.warnings
    # The logic and the words come from the same version's rows, so every section the
    # logic returns has its text. If one is missing anyway (a change made outside the
    # app), say so first rather than leave a gap the clinician cannot see.
    warnings: list[ShownWarning] = [
        {
            "code": MISSING_SECTION,
            "detail": slug,
            "message": "The published guideline has no text for a section that applies to "
            f"this case ({slug}). Do not rely on this recommendation; tell the guideline editors.",
            "voice": Voice.NOTE.value,
            "citation": "",
        }
        for slug in result.slugs
        if slug not in sections
    ]
    for warning in result.warnings:
        if warning.code in messages:
            attribution = text.warning_voices.get(warning.code)
            voice, citation = _cited(
                text,
                attribution.voice if attribution else Voice.GUIDELINE,
                attribution.citation if attribution else "",
            )
            message = messages[warning.code]
        else:
            message = f"The published guideline has no text for this warning ({warning.code})."
            voice, citation = Voice.NOTE.value, ""
        warnings.append(
            {
                "code": warning.code,
                "detail": warning.detail,
                "message": message,
                "voice": voice,
                "citation": citation,
            }
        )

    recommendations: list[RecommendedSection] = []
    for applied in result.sections:
        section = sections.get(applied.slug)
        if section is None:
            continue
        voice, citation = _cited(text, section.voice, section.citation)
        recommendations.append(
            {
                "section": applied.slug,
                "group": section.group,
                "heading": section.heading,
                "source_heading": section.source_heading,
                "voice": voice,
                "citation": citation,
                "text": section.text,
                "order": section.order,
                "reasons": list(applied.reasons),
            }
        )
    recommendations.sort(key=lambda item: item["order"])
    return {
        "guideline": {
            "title": text.title,
            "version": text.label,
            "citation": text.citation,
            "about_source": text.about_source,
            "not_covered": text.not_covered,
            "in_use_since": (
                timezone.localdate(text.published_at).isoformat()
                if text.published_at is not None
                else None
            ),
        },
        "grade": result.grade.value if result.grade else None,
        "grade_basis": list(result.grade_basis),
        "category": result.category.value,
        "category_label": result.category.label,
        "category_basis": result.category_basis,
        "recommendations": recommendations,
        "warnings": warnings,
        "sensitivity": (
            sensitivity.items(
                text.logic,
                facts,
                headings={slug: section.heading for slug, section in sections.items()},
                messages=messages,
                as_json=json_number,
            )
            if what_would_change
            else []
        ),
        "facts": facts_as_json(facts),
    }


def _cited(text: GuidelineText, voice: str, citation: str) -> tuple[str, str]:
    """A text's voice and what it is cited as: a quote as the version's source, a note as
    the publication it rests on."""
    if voice == Voice.NOTE:
        return Voice.NOTE.value, citation
    return Voice.GUIDELINE.value, text.citation


def grouped(recommendations: list[RecommendedSection]) -> list[SectionGroup]:
    """Recommendations in their guideline groups, in guideline order."""
    groups: list[SectionGroup] = []
    for item in recommendations:
        if not groups or groups[-1]["name"] != item["group"]:
            groups.append({"name": item["group"], "sections": []})
        groups[-1]["sections"].append(item)
    return groups


def describe(facts: CaseFactsJSON) -> list[tuple[str, str]]:
    """Case facts (JSON values) as (label, value) rows a clinician reads."""
    rows = []
    for name in FACT_NAMES:
        field = CaseForm.base_fields[name]
        value = facts.get(name)
        if name == "pancreas_region" and facts.get("site") != "pancreas":
            continue
        if name == "gastric_type" and facts.get("site") != "stomach":
            continue
        if name == "metastases_resectable" and facts.get("extent") != "distant_metastases":
            continue
        rows.append((str(field.label), display_value(field, value)))
    return rows


def display_value(field: forms.Field, value: Any) -> str:
    """One answer as a clinician reads it, from a cleaned or a JSON value."""
    if value is None or value == "":
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal | int):
        return engine.number(value)
    return str(dict(field.choices).get(value, value))


def as_shown(shown: Recommendation) -> Recommendation:
    """``shown`` with every key of today's Recommendation: a snapshot saved before the texts
    had a voice gets what it showed then, each text the source's words, cited as the
    version's source, with nothing said of the source beyond its citation. A copy."""
    guideline = shown["guideline"]
    cited = guideline["citation"]
    return {
        "sensitivity": None,
        **shown,
        "guideline": {
            "about_source": "",
            "not_covered": "",
            "in_use_since": None,
            **guideline,
        },
        "recommendations": [
            {"source_heading": "", "voice": Voice.GUIDELINE.value, "citation": cited, **item}
            for item in shown["recommendations"]
        ],
        "warnings": [
            {"voice": Voice.GUIDELINE.value, "citation": cited, **item}
            for item in shown["warnings"]
        ],
    }


def page_context(shown: Recommendation) -> dict[str, Any]:
    """What the recommendation templates need, from the data as shown (a snapshot of any
    age: see as_shown())."""
    shown = as_shown(shown)
    in_use_since = shown["guideline"]["in_use_since"]
    items = shown["sensitivity"] or []
    near = {item["field"] for item in items if item["near"] and item["value"] is not None}
    return {
        "shown": shown,
        "groups": grouped(shown["recommendations"]),
        "inputs": describe(shown["facts"]),
        # The labels of the numbers near a threshold, flagged in the inputs.
        "near_inputs": {
            str(CaseForm.base_fields[name].label)
            for name in near
            if engine.INPUTS[name].kind == "number"
        },
        "sensitivity_near": [item for item in items if item["near"]],
        "sensitivity_rest": [item for item in items if not item["near"]],
        "in_use_since": date.fromisoformat(in_use_since) if in_use_since else None,
    }


def _warning_key(warning: ShownWarning) -> str | tuple[str, str]:
    # One "section missing" warning per missing section: tell them apart by the section.
    if warning["code"] == MISSING_SECTION:
        return (warning["code"], warning["detail"])
    return warning["code"]


def compare(
    saved: Recommendation, current: Recommendation, logic: engine.Logic | None = None
) -> dict[str, Any]:
    """What differs between a saved recommendation and the same case run again today, and why.

    Lists of the sections and warnings added, removed, changed or reworded (each changed one
    as ``{"saved": ..., "current": ...}``), whether the grade or category changed,
    ``advice_changed``: whether any of those did; what would change the advice, the items
    now listed and those no longer (``sensitivity_added``, ``sensitivity_removed``); and
    ``any``: whether anything did. Each section or warning added or removed, and each pair
    changed, carries ``why``: what changed, in words; an added or removed one whose
    applicability the logic decides also carries ``condition``, the condition that now
    decides it as the editor wrote it, from ``logic`` (the current version's).

    The facts are the same on both sides, so a section or warning that is added or removed
    is the logic's doing (or the current guideline has no text for a section that applies);
    a changed one is reworded, or its reasons changed.
    """
    section_conditions, warning_conditions = {}, {}
    if logic is not None:
        section_conditions = {rule.slug: rule.condition.text for rule in logic.sections}
        warning_conditions = {rule.code: rule.condition.text for rule in logic.warnings}
    saved_sections = {item["section"]: item for item in saved["recommendations"]}
    current_sections = {item["section"]: item for item in current["recommendations"]}
    saved_warnings = {_warning_key(item): item for item in saved["warnings"]}
    current_warnings = {_warning_key(item): item for item in current["warnings"]}
    # Sections that apply today but have no text in the current guideline.
    textless = {item["detail"] for item in current["warnings"] if item["code"] == MISSING_SECTION}

    def added(item, conditions, key, kind):
        if key in conditions:
            why = f"The current guideline's condition for this {kind} holds for this case."
            return {**item, "why": why, "condition": conditions[key]}
        return {**item, "why": f"The current guideline gives this {kind}.", "condition": None}

    def removed(item, conditions, key, kind):
        if kind == "section" and key in textless:
            why = "It still applies, but the current guideline has no text for it."
            return {**item, "why": why, "condition": conditions.get(key)}
        if key in conditions:
            why = f"The current guideline's condition for this {kind} does not hold for this case."
            return {**item, "why": why, "condition": conditions[key]}
        why = f"The current guideline no longer has this {kind}."
        return {**item, "why": why, "condition": None}

    changed = []
    for slug, before in saved_sections.items():
        after = current_sections.get(slug)
        if after is None:
            continue
        why = [
            words
            for key, words in (
                ("heading", "Its heading was reworded."),
                ("source_heading", "The source heading it stands under changed."),
                ("text", "Its text was reworded."),
                ("reasons", "The reasons it applies changed."),
            )
            if before.get(key, "") != after.get(key, "")
        ] + _attribution_changes(before, after)
        if why:
            changed.append({"saved": before, "current": after, "why": " ".join(why)})
    reworded = []
    for key, before in saved_warnings.items():
        after = current_warnings.get(key)
        if after is None:
            continue
        why = (["Its message was reworded."] if before["message"] != after["message"] else [])
        why += _attribution_changes(before, after)
        if why:
            reworded.append({"saved": before, "current": after, "why": " ".join(why)})
    differences = {
        "sections_added": [
            added(item, section_conditions, slug, "section")
            for slug, item in current_sections.items()
            if slug not in saved_sections
        ],
        "sections_removed": [
            removed(item, section_conditions, slug, "section")
            for slug, item in saved_sections.items()
            if slug not in current_sections
        ],
        "sections_changed": changed,
        "warnings_added": [
            _missing_text(item)
            if item["code"] == MISSING_SECTION
            else added(item, warning_conditions, item["code"], "warning")
            for key, item in current_warnings.items()
            if key not in saved_warnings
        ],
        "warnings_removed": [
            removed(item, warning_conditions, item["code"], "warning")
            for key, item in saved_warnings.items()
            if key not in current_warnings
        ],
        "warnings_reworded": reworded,
        "grade_changed": saved["grade"] != current["grade"],
        "category_changed": saved["category"] != current["category"],
    }
    differences["advice_changed"] = any(differences.values())
    differences.update(
        _sensitivity_changes(saved.get("sensitivity"), current.get("sensitivity"))
    )
    differences["any"] = any(differences.values())
    return differences


def _sensitivity_changes(
    saved: list[sensitivity.SensitivityItem] | None,
    current: list[sensitivity.SensitivityItem] | None,
) -> dict[str, list[sensitivity.SensitivityItem]]:
    """What would change the advice, saved and current: the items that are new and those
    that are gone, each compared by what it states (not its wording). A snapshot saved
    before it was shown has nothing to compare."""
    if saved is None or current is None:
        return {"sensitivity_added": [], "sensitivity_removed": []}

    def key(item: sensitivity.SensitivityItem) -> str:
        return json.dumps(sensitivity.api_item(item), sort_keys=True)

    saved_keys = {key(item) for item in saved}
    current_keys = {key(item) for item in current}
    return {
        "sensitivity_added": [item for item in current if key(item) not in saved_keys],
        "sensitivity_removed": [item for item in saved if key(item) not in current_keys],
    }


def _attribution_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Whose words a section or warning is, and a note's citation, from saved to current.

    A text saved before texts had a voice was the source's words. A quote is cited as its
    version's source: a new version's citation is the version's change, not each quote's."""
    voice = before.get("voice", Voice.GUIDELINE), after.get("voice", Voice.GUIDELINE)
    if voice[0] != voice[1]:
        if voice[1] == Voice.NOTE:
            return ["It is now a NET Advisor note, not the source guideline's words."]
        return ["It is now quoted from the source guideline, no longer a NET Advisor note."]
    if voice[1] == Voice.NOTE and before.get("citation") != after.get("citation"):
        return ["The citation of the note changed."]
    return []


def _missing_text(item: ShownWarning) -> dict[str, Any]:
    why = "A section that applies has no text in the current guideline."
    return {**item, "why": why, "condition": None}
