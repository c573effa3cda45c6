"""The recommendation engine: which guideline sections apply to a case, and why.

Pure Python: typed case facts in, a typed result out, no request and no database.
The rules are exactly those of the clinical specification (docs/decision-rules.md).
The engine decides *which* sections apply; what they say lives in the database.
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
TUMOUR_TYPES = (
    ("non_functional", "Non-functional"),
    ("insulinoma", "Insulinoma"),
    ("gastrinoma", "Gastrinoma"),
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

# Thresholds, exactly as the source words them.
SMALL_TUMOUR_MM = Decimal(20)  # "small (< 2 cm)": 20 mm itself is not small
KI67_G2_FROM = Decimal(3)  # below 3 % is G1
KI67_G2_TO = Decimal(20)  # 3 to 20 % inclusive is G2; above 20 % is G3
MITOSES_G2_FROM = 2  # below 2 is G1
MITOSES_G2_TO = 20  # 2 to 20 inclusive is G2; above 20 is G3

# Every slug the engine can return, in the order the source presents them.
SECTION_SLUGS = (
    "insulinoma-local-excision",
    "insulinoma-partial-pancreatectomy",
    "curative-excision",
    "pancreatoduodenectomy",
    "local-excision",
    "lymph-node-dissection",
    "metastatic-incurable",
    "debulking-surgery",
    "somatostatin-analogue",
    "interferon",
    "pancreatic-cytotoxic",
    "pancreatic-radiotherapy",
    "cytotoxic-minimal-benefit",
    "everolimus",
    "poorly-differentiated",
)

# Every warning code the engine can return. The first twelve are the specification's;
# the last three flag assumptions the specification makes silently (see README).
WARNING_CODES = (
    "grade-unknown",
    "grade-discordant",
    "net-g3",
    "differentiation-assumed",
    "poor-low-grade",
    "regional-nodes",
    "ssa-insulinoma",
    "ssr-negative",
    "symptoms-non-functional",
    "type-site-mismatch",
    "local-excision-size",
    "no-symptom-guidance",
    "differentiation-unknown",
    "resectability-unknown",
    "functional-without-symptoms",
)


class Grade(StrEnum):
    G1 = "G1"
    G2 = "G2"
    G3 = "G3"


class Category(StrEnum):
    WELL = "well_differentiated"
    POOR = "poorly_differentiated"

    @property
    def label(self) -> str:
        return "Well differentiated" if self is Category.WELL else "Poorly differentiated"


@dataclass(frozen=True, kw_only=True)
class CaseFacts:
    """One patient's case, in the specification's field names. Already validated."""

    site: str
    pancreas_region: str | None = None
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


def _ki67_grade(ki67: Decimal) -> tuple[Grade, str]:
    shown = f"Ki-67 {number(ki67)} %"
    if ki67 < KI67_G2_FROM:
        return Grade.G1, f"{shown} is below 3 %: G1"
    if ki67 <= KI67_G2_TO:
        return Grade.G2, f"{shown} is within 3 to 20 %: G2"
    return Grade.G3, f"{shown} is above 20 %: G3"


def _mitoses_grade(mitoses: int) -> tuple[Grade, str]:
    shown = f"mitotic count {mitoses} per 10 HPF"
    if mitoses < MITOSES_G2_FROM:
        return Grade.G1, f"{shown} is below 2: G1"
    if mitoses <= MITOSES_G2_TO:
        return Grade.G2, f"{shown} is within 2 to 20: G2"
    return Grade.G3, f"{shown} is above 20: G3"


def grade_from(*, ki67_percent: Decimal | None, mitoses_per_10hpf: int | None) -> GradeAssessment:
    """The WHO-style grade: the higher of the Ki-67 and mitotic grades that are given."""
    basis: list[str] = []
    from_ki67 = from_mitoses = None
    if ki67_percent is not None:
        from_ki67, reason = _ki67_grade(ki67_percent)
        basis.append(reason)
    if mitoses_per_10hpf is not None:
        from_mitoses, reason = _mitoses_grade(mitoses_per_10hpf)
        basis.append(reason)
    given = [grade for grade in (from_ki67, from_mitoses) if grade is not None]
    if not given:
        return GradeAssessment(None, None, None, ("neither Ki-67 nor a mitotic count was given",))
    grade = max(given)  # "G1" < "G2" < "G3"
    if from_ki67 is not None and from_mitoses is not None:
        if from_ki67 == from_mitoses:
            basis.append(f"both give {grade}")
        else:
            basis.append(f"the higher of the two, {grade}, is used")
    return GradeAssessment(grade, from_ki67, from_mitoses, tuple(basis))


def _category(facts: CaseFacts, grade: Grade | None) -> tuple[Category, str]:
    if facts.differentiation == "poor":
        return Category.POOR, "differentiation reported as poor"
    if facts.differentiation == "unknown" and grade is Grade.G3:
        return (
            Category.POOR,
            "differentiation not known and the proliferation index is G3 "
            "(the source defines poorly differentiated tumours by Ki-67 > 20 % "
            "or > 20 mitoses per 10 HPF)",
        )
    if facts.differentiation == "well":
        return Category.WELL, "differentiation reported as well"
    if grade is None:
        return Category.WELL, "differentiation and grade not known: treated as well differentiated"
    return (
        Category.WELL,
        f"differentiation not known and grade {grade}: treated as well differentiated",
    )


class _Sections:
    """Collects applied sections, keeping each slug once with all of its reasons."""

    def __init__(self) -> None:
        self._reasons: dict[str, list[str]] = {}

    def add(self, slug: str, *reasons: str) -> None:
        existing = self._reasons.setdefault(slug, [])
        existing.extend(reason for reason in reasons if reason not in existing)

    def __contains__(self, slug: str) -> bool:
        return slug in self._reasons

    def result(self) -> tuple[AppliedSection, ...]:
        return tuple(
            AppliedSection(slug, tuple(self._reasons[slug]))
            for slug in SECTION_SLUGS
            if slug in self._reasons
        )


def _well_differentiated_sections(facts: CaseFacts, grade_words: str) -> _Sections:
    sections = _Sections()
    site = f"site: {label(SITES, facts.site).lower()}"
    insulinoma = facts.tumour_type == "insulinoma"
    size = number(facts.size_mm)

    if facts.extent == "localised":
        extent = "extent: localised"
        if insulinoma and facts.size_mm < SMALL_TUMOUR_MM:
            sections.add(
                "insulinoma-local-excision",
                "tumour type: insulinoma",
                f"size {size} mm is below 20 mm",
                extent,
            )
        elif insulinoma:
            sections.add(
                "insulinoma-partial-pancreatectomy",
                "tumour type: insulinoma",
                f"size {size} mm is 20 mm or more (not small, < 2 cm)",
                extent,
            )
        elif facts.site in ("rectum", "appendix"):
            sections.add("curative-excision", extent, grade_words)
            sections.add("local-excision", site, extent)
        else:
            sections.add("curative-excision", extent, grade_words)
            sections.add("lymph-node-dissection", f"{site} (not rectum or appendix)", extent)

    if facts.extent == "regional_nodes":
        extent = "extent: regional lymph nodes involved"
        if insulinoma:
            sections.add("insulinoma-partial-pancreatectomy", "tumour type: insulinoma", extent)
            sections.add("lymph-node-dissection", extent)
        else:
            sections.add("curative-excision", extent, grade_words)
            sections.add("lymph-node-dissection", extent)

    if (
        facts.extent in ("localised", "regional_nodes")
        and facts.site == "pancreas"
        and facts.pancreas_region == "head"
        and not insulinoma
    ):
        sections.add(
            "pancreatoduodenectomy",
            "site: pancreas, region: head",
            f"tumour type: {label(TUMOUR_TYPES, facts.tumour_type).lower()} (not an insulinoma)",
            f"extent: {label(EXTENTS, facts.extent).lower()}",
        )

    if facts.extent == "distant_metastases":
        extent = "extent: distant metastases"
        sections.add("metastatic-incurable", extent)
        if facts.metastases_resectable != "no":
            sections.add(
                "debulking-surgery",
                extent,
                "metastases resectable: "
                + ("yes" if facts.metastases_resectable == "yes" else "not yet assessed"),
            )
        if facts.hormonal_symptoms:
            sections.add("somatostatin-analogue", extent, "hormonal symptoms present")
            sections.add("interferon", extent, "hormonal symptoms present")
        if facts.site == "pancreas":
            for slug in ("pancreatic-cytotoxic", "pancreatic-radiotherapy", "everolimus"):
                sections.add(slug, extent, site)
        else:
            sections.add("cytotoxic-minimal-benefit", extent, f"{site} (not pancreas)")
            sections.add("everolimus", extent, site)
    return sections


def recommend(facts: CaseFacts) -> Result:
    """Apply the decision rules to one case."""
    assessment = grade_from(
        ki67_percent=facts.ki67_percent, mitoses_per_10hpf=facts.mitoses_per_10hpf
    )
    grade = assessment.grade
    category, category_basis = _category(facts, grade)
    warnings: list[CaseWarning] = []

    def warn(code: str, detail: str = "") -> None:
        warnings.append(CaseWarning(code, detail))

    if category is Category.POOR:
        sections = _Sections()
        sections.add("poorly-differentiated", category_basis)
    else:
        grade_words = (
            f"well-differentiated tumour, grade {grade}"
            if grade
            else "well-differentiated tumour, grade not known (assumed G1–2)"
        )
        sections = _well_differentiated_sections(facts, grade_words)

    # Warnings, in the specification's order.
    if grade is None and category is Category.WELL:
        warn("grade-unknown", "No Ki-67 or mitotic count was given.")
    if assessment.discordant:
        warn(
            "grade-discordant",
            f"Ki-67 gives {assessment.from_ki67}, the mitotic count gives "
            f"{assessment.from_mitoses}; {grade} was used.",
        )
    if category is Category.WELL and facts.differentiation == "well" and grade is Grade.G3:
        warn("net-g3", "; ".join(assessment.basis) + ".")
    if facts.differentiation == "unknown" and grade is Grade.G3:
        warn("differentiation-assumed", "; ".join(assessment.basis) + ".")
    if category is Category.POOR and grade in (Grade.G1, Grade.G2):
        warn("poor-low-grade", f"Poorly differentiated with grade {grade}.")
    if facts.extent == "regional_nodes":
        warn("regional-nodes")
    if "somatostatin-analogue" in sections and facts.tumour_type == "insulinoma":
        warn("ssa-insulinoma")
    if "somatostatin-analogue" in sections and facts.ssr_imaging == "negative":
        warn("ssr-negative")
    if facts.tumour_type == "non_functional" and facts.hormonal_symptoms:
        warn("symptoms-non-functional", "Non-functional tumour type with hormonal symptoms.")
    if (facts.tumour_type == "insulinoma" and facts.site != "pancreas") or (
        facts.tumour_type == "gastrinoma" and facts.site not in ("pancreas", "duodenum")
    ):
        warn(
            "type-site-mismatch",
            f"{label(TUMOUR_TYPES, facts.tumour_type)} in the "
            f"{label(SITES, facts.site).lower()}.",
        )
    if "local-excision" in sections and facts.size_mm > SMALL_TUMOUR_MM:
        warn("local-excision-size", f"Size {number(facts.size_mm)} mm is above 20 mm.")
    if (
        facts.extent == "distant_metastases"
        and category is Category.WELL
        and not facts.hormonal_symptoms
    ):
        warn("no-symptom-guidance")
    # Beyond the specification: assumptions it would otherwise make silently.
    if facts.differentiation == "unknown" and category is Category.WELL:
        warn("differentiation-unknown", category_basis[0].upper() + category_basis[1:] + ".")
    if "debulking-surgery" in sections and facts.metastases_resectable == "unknown":
        warn("resectability-unknown")
    if facts.tumour_type in ("insulinoma", "gastrinoma", "other_functional") and (
        not facts.hormonal_symptoms
    ):
        warn(
            "functional-without-symptoms",
            f"{label(TUMOUR_TYPES, facts.tumour_type)} without hormonal symptoms.",
        )

    return Result(
        grade=grade,
        grade_basis=assessment.basis,
        category=category,
        category_basis=category_basis,
        sections=sections.result(),
        warnings=tuple(warnings),
    )
