"""Version 2 of the guideline, read from its file: the one place its tests reach it.

The file (``guidance/data/guideline-version-2.json``) is compiled with the pure engine,
as the exhaustive check reads it: no database, no Django. ``advise()`` takes a case as
the API takes it (its keys, JSON values; a key left out as the API leaves it out) and
returns what the clinician reads for it: the grade and its basis, the category and its
basis, the sections in the order shown with their reasons, headings and words, and the
warnings in the order shown with their details and messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from guidance import engine

DATA = Path(__file__).resolve().parent.parent / "guidance" / "data"
VERSION_2_FILE = DATA / "guideline-version-2.json"
REFERENCE_CASES_FILE = DATA / "reference_cases_version_2.json"
SOURCE_FILE = DATA / "gep-net-management.txt"
VERSION_2_DOCS = DATA.parent.parent / "docs" / "version-2.md"

DOCUMENT: dict[str, Any] = json.loads(VERSION_2_FILE.read_text(encoding="utf-8"))
LOGIC = engine.compile_logic(DOCUMENT)
SECTIONS: dict[str, dict[str, Any]] = {row["slug"]: row for row in DOCUMENT["sections"]}
WARNINGS: dict[str, dict[str, Any]] = {row["code"]: row for row in DOCUMENT["warnings"]}

SITE_VALUES = tuple(value for value, _ in engine.SITES)
TYPE_VALUES = tuple(value for value, _ in engine.TUMOUR_TYPES)
FUNCTIONING_TYPES = tuple(value for value in TYPE_VALUES if value != "non_functional")
EXTENT_VALUES = tuple(value for value, _ in engine.EXTENTS)
SSR_VALUES = tuple(value for value, _ in engine.SSR_IMAGING)
GASTRIC_VALUES = tuple(value for value, _ in engine.GASTRIC_TYPES)

# The facts a case must give; the API leaves out the others.
REQUIRED = ("site", "tumour_type", "hormonal_symptoms", "size_mm", "differentiation", "extent")
NUMBERS = ("size_mm", "ki67_percent")


def _number(name: str, value: Any) -> Decimal:
    # The API reads JSON numbers as exact decimals; a float here would hide a rounding.
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise TypeError(f"{name}: give an int, a string or a Decimal, not {value!r}")
    return Decimal(str(value))


def case_facts(given: dict[str, Any]) -> engine.CaseFacts:
    """The case the API makes of ``given``: what is left out takes the API's default."""
    missing = [name for name in REQUIRED if name not in given]
    if missing:
        raise ValueError(f"the case leaves out {', '.join(missing)}")
    values = dict(given)
    for name in NUMBERS:
        if values.get(name) is not None:
            values[name] = _number(name, values[name])
    site = values["site"]
    if (site == "pancreas") != (values.get("pancreas_region") is not None):
        raise ValueError("a pancreas region is given exactly for a tumour of the pancreas")
    if site == "stomach":
        values.setdefault("gastric_type", "unknown")  # as the case form takes it left out
    elif values.get("gastric_type") is not None:
        raise ValueError("a gastric NET type is given only for a tumour of the stomach")
    if values["extent"] != "distant_metastases" and values.get("metastases_resectable") not in (
        None,
        "unknown",
    ):
        raise ValueError("resectability of metastases needs distant metastases")
    return engine.CaseFacts(**values)


@dataclass(frozen=True)
class Advice:
    """What version 2 shows for one case."""

    result: engine.Result

    @property
    def grade(self) -> str | None:
        return self.result.grade.value if self.result.grade else None

    @property
    def grade_basis(self) -> tuple[str, ...]:
        return self.result.grade_basis

    @property
    def category(self) -> str:
        return self.result.category.value

    @property
    def category_basis(self) -> str:
        return self.result.category_basis

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections in the order the page shows them (the file's order)."""
        return tuple(sorted(self.result.slugs, key=lambda slug: SECTIONS[slug]["order"]))

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.result.warning_codes

    @property
    def first_warning(self) -> str:
        return self.warnings[0]

    def reasons(self, slug: str) -> tuple[str, ...]:
        for section in self.result.sections:
            if section.slug == slug:
                return section.reasons
        raise AssertionError(f"{slug} is not shown; shown: {self.sections}")

    def detail(self, code: str) -> str:
        for warning in self.result.warnings:
            if warning.code == code:
                return warning.detail
        raise AssertionError(f"{code} is not shown; shown: {self.warnings}")

    def heading(self, slug: str) -> str:
        self.reasons(slug)
        return SECTIONS[slug]["heading"]

    def text(self, slug: str) -> str:
        self.reasons(slug)
        return SECTIONS[slug]["text"]

    def message(self, code: str) -> str:
        self.detail(code)
        return WARNINGS[code]["message"]

    @property
    def quoted(self) -> str:
        """Every shown section's words, in order, as one text."""
        return "\n".join(SECTIONS[slug]["text"] for slug in self.sections)


def advise(**given: Any) -> Advice:
    """Version 2's advice for a case given as the API takes it."""
    return Advice(engine.recommend(case_facts(given), LOGIC))


def reference_cases() -> list[dict[str, Any]]:
    return json.loads(REFERENCE_CASES_FILE.read_text(encoding="utf-8"), parse_float=Decimal)


def reference_case(title_start: str) -> dict[str, Any]:
    (found,) = [case for case in reference_cases() if case["title"].startswith(title_start)]
    return found
