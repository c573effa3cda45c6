"""The documented example cases (tests/example_cases.json): grade, sections and warnings.

The specification (docs/decision-rules.md, sections 2-5) is the truth here: every
expectation below is read from it, not from the engine. Pure Python: no database and
no Django; the rules are reached through tests.advice alone.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.advice import CaseFacts, recommend

EXAMPLE_CASES = Path(__file__).with_name("example_cases.json")


# --- Example cases ------------------------------------------------------------------


def _facts_from_json(data: dict) -> CaseFacts:
    ki67 = data.get("ki67_percent")
    return CaseFacts(
        site=data["site"],
        pancreas_region=data.get("pancreas_region"),
        tumour_type=data["tumour_type"],
        hormonal_symptoms=data["hormonal_symptoms"],
        size_mm=Decimal(str(data["size_mm"])),
        differentiation=data["differentiation"],
        ki67_percent=Decimal(str(ki67)) if ki67 is not None else None,
        mitoses_per_10hpf=data.get("mitoses_per_10hpf"),
        extent=data["extent"],
        metastases_resectable=data.get("metastases_resectable", "unknown"),
        ssr_imaging=data.get("ssr_imaging", "not_done"),
    )


EXAMPLES = json.loads(EXAMPLE_CASES.read_text(encoding="utf-8"))


def test_there_are_five_example_cases():
    assert len(EXAMPLES) == 5


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["title"] for example in EXAMPLES])
def test_example_case_gives_its_documented_grade_sections_and_warnings(example):
    result = recommend(_facts_from_json(example["case"]))
    assert result.grade == example["grade"]
    assert result.slugs == tuple(example["sections"])
    assert result.warning_codes == tuple(example["warnings"])
