"""The case facts: the inputs a case is made of, their values and limits, and the result.

These stay code: which facts a case has, their types and allowed values. What the facts
mean for the advice (the grading thresholds, the category, when each section applies and
when each warning fires) is content, stored with each guideline version (``logic``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

SITES = (
    ("pancreas", "Pancreas"),
    ("stomach", "Stomach"),
    ("duodenum", "Duodenum"),
    ("small_intestine", "Small intestine"),
    ("appendix", "Appendix"),
    ("colon", "Colon"),
    ("rectum", "Rectum"),
)
PANCREAS_REGIONS = (("head", "Head"), ("neck", "Neck"), ("body", "Body"), ("tail", "Tail"))
# The gastric NET's type, by the background it arises in (ENETS 2023): it decides the
# management of a gastric NET more than its size does.
GASTRIC_TYPES = (
    ("type_1", "Type 1 (chronic atrophic gastritis)"),
    ("type_2", "Type 2 (gastrinoma / MEN1)"),
    ("type_3", "Type 3 (sporadic)"),
    ("unknown", "Not known"),
)
TUMOUR_TYPES = (
    ("non_functional", "Non-functional"),
    ("insulinoma", "Insulinoma"),
    ("gastrinoma", "Gastrinoma"),
    ("vipoma", "VIPoma"),
    ("glucagonoma", "Glucagonoma"),
    ("carcinoid_syndrome", "Carcinoid syndrome (serotonin-secreting NET)"),
    ("other_functional", "Other functional tumour"),
)
DIFFERENTIATIONS = (
    ("well", "Well differentiated"),
    ("poor", "Poorly differentiated"),
    ("unknown", "Not known"),
)
EXTENTS = (
    ("localised", "Localised"),
    ("regional_nodes", "Regional lymph nodes involved"),
    ("distant_metastases", "Distant metastases"),
)
RESECTABILITY = (("yes", "Resectable"), ("no", "Not resectable"), ("unknown", "Not yet assessed"))
SSR_IMAGING = (("positive", "Positive"), ("negative", "Negative"), ("not_done", "Not done"))

# Limits of the inputs, from the specification's table of case facts.
SIZE_MAX_MM = Decimal(300)
KI67_MAX = Decimal(100)
MITOSES_MAX = 500

class Grade(StrEnum):
    G1 = "G1"
    G2 = "G2"
    G3 = "G3"


class Category(StrEnum):
    WELL = "well_differentiated"
    POOR = "poorly_differentiated"
    # When no category rule of a version holds: no pathway can be chosen.
    UNDETERMINED = "undetermined"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.WELL: "Well differentiated",
    Category.POOR: "Poorly differentiated",
    Category.UNDETERMINED: "Not determined",
}


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """One patient's case, in the specification's field names. Already validated."""

    site: str
    pancreas_region: str | None = None
    gastric_type: str | None = None
    tumour_type: str
    hormonal_symptoms: bool
    size_mm: Decimal
    differentiation: str
    ki67_percent: Decimal | None = None
    mitoses_per_10hpf: int | None = None
    extent: str
    metastases_resectable: str = "unknown"
    ssr_imaging: str = "not_done"


@dataclass(frozen=True)
class GradeAssessment:
    grade: Grade | None
    from_ki67: Grade | None
    from_mitoses: Grade | None
    basis: tuple[str, ...]

    @property
    def discordant(self) -> bool:
        return (
            self.from_ki67 is not None
            and self.from_mitoses is not None
            and self.from_ki67 != self.from_mitoses
        )


@dataclass(frozen=True)
class AppliedSection:
    slug: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CaseWarning:
    code: str
    detail: str


@dataclass(frozen=True)
class Result:
    grade: Grade | None
    grade_basis: tuple[str, ...]
    category: Category
    category_basis: str
    sections: tuple[AppliedSection, ...]
    warnings: tuple[CaseWarning, ...]

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(section.slug for section in self.sections)

    @property
    def warning_codes(self) -> tuple[str, ...]:
        return tuple(warning.code for warning in self.warnings)


def label(choices: tuple[tuple[str, str], ...], value: str | None) -> str:
    return dict(choices).get(value or "", value or "")


def in_words(choices: tuple[tuple[str, str], ...], value: str | None) -> str:
    """A choice as a sentence names it: "small intestine", "not known", but "VIPoma" and
    "type 2 (gastrinoma / MEN1)", whose abbreviations keep their capitals."""
    text = label(choices, value)
    if text[1:2].isupper():  # the label starts with an abbreviation: "VIPoma"
        return text
    # Not mutated: lowering two letters reads the same, the second is never a capital here.
    return text[:1].lower() + text[1:]  # pragma: no mutate


def number(value: Decimal | int) -> str:
    """A number as a clinician writes it: 20, 2.9 (never 20.0 or 2E+1)."""
    if isinstance(value, int):
        return str(value)
    text = format(
        value + 0,  # + 0 turns -0 into 0
        # Not mutated: "F" differs from "f" only for NaN and infinity, which never get here.
        "f",  # pragma: no mutate
    )
    if "." not in text:
        return text
    # Not mutated: the digits hold no "X", so a mutant's rstrip("XX0XX") strips the same.
    return text.rstrip("0").rstrip(".")  # pragma: no mutate


@dataclass(frozen=True, kw_only=True)
class Field:
    """One fact a condition can name: its type, allowed values and the words for it."""

    name: str
    words: str  # as a reason names it: "tumour type"
    kind: str  # "choice", "number" or "boolean"
    choices: tuple[tuple[str, str], ...] = ()
    optional: bool = False  # may be null
    resolution: Decimal = Decimal(0)  # the step of a number as it is entered
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(0)
    unit: str = ""  # as written after the case's number: " mm", " %", " per 10 HPF"
    limit_unit: str = ""  # as written after a threshold: " mm", " %", nothing for mitoses
    derived: bool = False  # worked out from the inputs, not entered

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.choices)


GRADES = tuple((grade.value, grade.value) for grade in Grade)
CATEGORIES = tuple((category.value, category.label) for category in Category)

# The case's inputs, in the order of CaseFacts.
INPUTS: dict[str, Field] = {
    field.name: field
    for field in (
        Field(name="site", words="site", kind="choice", choices=SITES),
        Field(
            name="pancreas_region",
            words="pancreas region",
            kind="choice",
            choices=PANCREAS_REGIONS,
            optional=True,
        ),
        Field(
            name="gastric_type",
            words="gastric NET type",
            kind="choice",
            choices=GASTRIC_TYPES,
            optional=True,
        ),
        Field(name="tumour_type", words="tumour type", kind="choice", choices=TUMOUR_TYPES),
        Field(name="hormonal_symptoms", words="hormonal symptoms", kind="boolean"),
        Field(
            name="size_mm",
            words="size",
            kind="number",
            resolution=Decimal("0.1"),
            minimum=Decimal("0.1"),
            maximum=SIZE_MAX_MM,
            unit=" mm",
            limit_unit=" mm",
        ),
        Field(
            name="differentiation", words="differentiation", kind="choice", choices=DIFFERENTIATIONS
        ),
        Field(
            name="ki67_percent",
            words="Ki-67",
            kind="number",
            optional=True,
            resolution=Decimal("0.1"),
            maximum=KI67_MAX,
            unit=" %",
            limit_unit=" %",
        ),
        Field(
            name="mitoses_per_10hpf",
            words="mitotic count",
            kind="number",
            optional=True,
            resolution=Decimal(1),
            maximum=Decimal(MITOSES_MAX),
            unit=" per 10 HPF",
        ),
        Field(name="extent", words="extent", kind="choice", choices=EXTENTS),
        Field(
            name="metastases_resectable",
            words="metastases",
            kind="choice",
            choices=RESECTABILITY,
        ),
        Field(name="ssr_imaging", words="SSR imaging", kind="choice", choices=SSR_IMAGING),
    )
}

# What the engine works out before the conditions are read.
DERIVED: dict[str, Field] = {
    field.name: field
    for field in (
        Field(
            name="grade", words="grade", kind="choice", choices=GRADES, optional=True, derived=True
        ),
        Field(
            name="grade_from_ki67",
            words="grade from Ki-67",
            kind="choice",
            choices=GRADES,
            optional=True,
            derived=True,
        ),
        Field(
            name="grade_from_mitoses",
            words="grade from the mitotic count",
            kind="choice",
            choices=GRADES,
            optional=True,
            derived=True,
        ),
        Field(name="category", words="category", kind="choice", choices=CATEGORIES, derived=True),
    )
}

FIELDS: dict[str, Field] = {**INPUTS, **DERIVED}
