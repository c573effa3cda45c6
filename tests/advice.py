"""The one place the tests reach the decision rules.

Every test module takes ``recommend``, ``grade_from``, the case facts' type and the rules'
vocabulary (sites, types, section slugs, warning codes, thresholds) from here, never from
``guidance.engine`` itself, so that pointing this module at another source of the same rules
(a version of the rules kept as content, say) points every test of the rules at it. Beside
them: the plain case the engine tests start from, and the values of each choice.
"""

from __future__ import annotations

from decimal import Decimal

from guidance import engine
from guidance.engine import (
    DIFFERENTIATIONS,
    EXTENTS,
    GASTRIC_TYPES,
    KI67_MAX,
    MITOSES_MAX,
    PANCREAS_REGIONS,
    RESECTABILITY,
    SITES,
    SIZE_MAX_MM,
    SSR_IMAGING,
    TUMOUR_TYPES,
    AppliedSection,
    CaseFacts,
    CaseWarning,
    Category,
    Grade,
    GradeAssessment,
    Result,
    label,
    number,
    sensitivity,
)
from guidance.engine.logic_file import version_1_document, version_1_logic
from guidance.engine.sensitivity import Change

# Version 1's logic, as its frozen file holds it: every test of the rules runs against it,
# and a test that changes it starts from version_1_document(), a fresh copy each call.
VERSION_1 = version_1_logic()
KI67_G2_FROM = VERSION_1.grading.ki67_g1_below  # below 3 % is G1
KI67_G2_TO = VERSION_1.grading.ki67_g3_above  # 3 to 20 % inclusive is G2
MITOSES_G2_FROM = VERSION_1.grading.mitoses_g1_below
MITOSES_G2_TO = VERSION_1.grading.mitoses_g3_above
# Version 1's sections and warnings, in the order the source presents them and the order
# the warnings are shown: the version's own, as its logic names them.
SECTION_SLUGS = VERSION_1.slugs
WARNING_CODES = VERSION_1.codes
SMALL_TUMOUR_MM = Decimal(20)  # "small (< 2 cm)": the source's one size threshold


def recommend(facts: CaseFacts) -> Result:
    return engine.recommend(facts, VERSION_1)


def what_would_change(facts: CaseFacts) -> tuple[Change, ...]:
    return sensitivity.what_would_change(VERSION_1, facts)


def grade_from(*, ki67_percent, mitoses_per_10hpf) -> GradeAssessment:
    return VERSION_1.grading.grade(ki67_percent=ki67_percent, mitoses_per_10hpf=mitoses_per_10hpf)

__all__ = [
    "DIFFERENTIATIONS",
    "DIFFERENTIATION_VALUES",
    "EXTENTS",
    "EXTENT_VALUES",
    "GASTRIC_TYPES",
    "GASTRIC_VALUES",
    "KI67_G2_FROM",
    "KI67_G2_TO",
    "KI67_MAX",
    "MITOSES_G2_FROM",
    "MITOSES_G2_TO",
    "MITOSES_MAX",
    "NON_PANCREATIC_SITES",
    "PANCREAS_REGIONS",
    "REGION_VALUES",
    "RESECTABILITY",
    "RESECTABILITY_VALUES",
    "SECTION_SLUGS",
    "SITES",
    "SITE_VALUES",
    "SIZE_MAX_MM",
    "SMALL_TUMOUR_MM",
    "SSR_IMAGING",
    "SSR_VALUES",
    "TUMOUR_TYPES",
    "TYPE_VALUES",
    "VERSION_1",
    "WARNING_CODES",
    "AppliedSection",
    "Change",
    "CaseFacts",
    "CaseWarning",
    "Category",
    "Grade",
    "GradeAssessment",
    "Result",
    "case",
    "distant",
    "facts_from_json",
    "grade_from",
    "label",
    "number",
    "pancreas",
    "reasons_of",
    "recommend",
    "stomach",
    "what_would_change",
    "version_1_document",
]

SITE_VALUES = tuple(value for value, _ in SITES)
NON_PANCREATIC_SITES = tuple(site for site in SITE_VALUES if site != "pancreas")
REGION_VALUES = tuple(value for value, _ in PANCREAS_REGIONS)
GASTRIC_VALUES = tuple(value for value, _ in GASTRIC_TYPES)
TYPE_VALUES = tuple(value for value, _ in TUMOUR_TYPES)
DIFFERENTIATION_VALUES = tuple(value for value, _ in DIFFERENTIATIONS)
EXTENT_VALUES = tuple(value for value, _ in EXTENTS)
RESECTABILITY_VALUES = tuple(value for value, _ in RESECTABILITY)
SSR_VALUES = tuple(value for value, _ in SSR_IMAGING)


def case(**overrides) -> CaseFacts:
    """A valid case: a small, localised, well-differentiated G1 NET of the colon."""
    facts = {
        "site": "colon",
        "pancreas_region": None,
        "tumour_type": "non_functional",
        "hormonal_symptoms": False,
        "size_mm": Decimal("15"),
        "differentiation": "well",
        "ki67_percent": Decimal("1"),
        "mitoses_per_10hpf": 0,
        "extent": "localised",
        "metastases_resectable": "unknown",
        "ssr_imaging": "not_done",
    }
    facts.update(overrides)
    if facts["site"] == "pancreas" and facts["pancreas_region"] is None:
        facts["pancreas_region"] = "tail"
    if facts["site"] == "stomach" and facts.get("gastric_type") is None:
        facts["gastric_type"] = "unknown"  # as the case form takes a stomach case without one
    return CaseFacts(**facts)


def pancreas(region: str = "tail", **overrides) -> CaseFacts:
    return case(site="pancreas", pancreas_region=region, **overrides)


def stomach(gastric_type: str = "unknown", **overrides) -> CaseFacts:
    return case(site="stomach", gastric_type=gastric_type, **overrides)


def distant(resectable: str = "unknown", **overrides) -> CaseFacts:
    return case(extent="distant_metastases", metastases_resectable=resectable, **overrides)


def facts_from_json(data: dict) -> CaseFacts:
    """A case as the example and reference case files write it (JSON numbers, optional
    fields left out), as the case form would take it."""
    ki67 = data.get("ki67_percent")
    return case(
        site=data["site"],
        pancreas_region=data.get("pancreas_region"),
        gastric_type=data.get("gastric_type"),
        tumour_type=data["tumour_type"],
        hormonal_symptoms=data["hormonal_symptoms"],
        size_mm=Decimal(str(data["size_mm"])),
        differentiation=data["differentiation"],
        ki67_percent=None if ki67 is None else Decimal(str(ki67)),
        mitoses_per_10hpf=data.get("mitoses_per_10hpf"),
        extent=data["extent"],
        metastases_resectable=data.get("metastases_resectable", "unknown"),
        ssr_imaging=data.get("ssr_imaging", "not_done"),
    )


def reasons_of(result: Result, slug: str) -> tuple[str, ...]:
    for section in result.sections:
        if section.slug == slug:
            return section.reasons
    raise AssertionError(f"{slug} not applied; applied: {result.slugs}")
