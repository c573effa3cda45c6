"""The wizard and the JSON API always agree.

Both validate with CaseForm and both call recommendation.build(), so for the same case
the wizard's recommendation page and the API's response must show the same sections,
the same warnings, the same grade and the same category. These tests drive both front
doors with the same case facts and compare what comes out.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from guidance.forms import CaseForm, form_data
from tests.advice import (
    EXTENTS,
    GASTRIC_TYPES,
    PANCREAS_REGIONS,
    RESECTABILITY,
    SECTION_SLUGS,
    SITES,
    SSR_IMAGING,
    TUMOUR_TYPES,
    WARNING_CODES,
    Category,
    Grade,
    recommend,
)
from tests.wizard_client import run_wizard

API_URL = "/api/v1/recommendations"
EXAMPLES = json.loads(Path(__file__).with_name("example_cases.json").read_text(encoding="utf-8"))

# Values chosen at and around every threshold of the specification (sections 2 and 4).
SIZES = (0.1, 5, 19.9, 20, 20.1, 45, 300)
KI67S = (None, 0, 2.9, 3, 20, 20.1, 100)
MITOSES = (None, 0, 1, 2, 20, 21, 500)
LEFT_OUT = object()  # a fact the case does not give at all


def values(choices: tuple[tuple[str, str], ...]) -> list[str]:
    return [value for value, _ in choices]


def sampled_cases(count: int, *, seed: int = 2026) -> list[dict[str, Any]]:
    """Valid cases spread over the input space, the same ones on every run.

    Site, extent, tumour type, pancreatic region and gastric type step through their values
    together (so every site meets every extent in the first 21 cases, and the stomach every
    gastric type and none given in the first 35); the other facts are drawn from the
    threshold values above with a seeded generator.
    """
    rng = random.Random(seed)
    sites, extents = values(SITES), values(EXTENTS)
    types, regions = values(TUMOUR_TYPES), values(PANCREAS_REGIONS)
    gastric_types = [*values(GASTRIC_TYPES), LEFT_OUT]
    cases = []
    for index in range(count):
        site = sites[index % len(sites)]
        extent = extents[(index // len(sites)) % len(extents)]
        facts: dict[str, Any] = {
            "site": site,
            "pancreas_region": (
                regions[(index // len(sites)) % len(regions)] if site == "pancreas" else None
            ),
            "gastric_type": (
                gastric_types[(index // len(sites)) % len(gastric_types)]
                if site == "stomach"
                else LEFT_OUT
            ),
            # As many types as sites: shifted a place each round, so that each site meets
            # every type.
            "tumour_type": types[(index + index // len(sites)) % len(types)],
            "hormonal_symptoms": rng.choice((True, False)),
            "size_mm": rng.choice(SIZES),
            # Well differentiated twice as often: most of the rules are for those tumours.
            "differentiation": rng.choice(("well", "well", "poor", "unknown")),
            "ki67_percent": rng.choice(KI67S),
            "mitoses_per_10hpf": rng.choice(MITOSES),
            "extent": extent,
            # Resectability may only be given with distant metastases; sometimes left out.
            "metastases_resectable": (
                rng.choice([*values(RESECTABILITY), LEFT_OUT])
                if extent == "distant_metastases"
                else LEFT_OUT
            ),
            "ssr_imaging": rng.choice([*values(SSR_IMAGING), LEFT_OUT]),
        }
        cases.append({name: value for name, value in facts.items() if value is not LEFT_OUT})
    return cases


def case_id(facts: dict[str, Any]) -> str:
    return "-".join(
        str(facts.get(name))
        for name in ("site", "tumour_type", "differentiation", "extent", "size_mm")
    )


CASES = [pytest.param(example["case"], id=example["title"]) for example in EXAMPLES] + [
    pytest.param(facts, id=f"sample{index}-{case_id(facts)}")
    for index, facts in enumerate(sampled_cases(35))
]


def attribute_values(html: str, attribute: str) -> list[str]:
    """Every value of one data attribute on the page, in document order."""
    return re.findall(rf'{attribute}="([^"]*)"', html)


def from_page(html: str) -> dict[str, Any]:
    [grade] = attribute_values(html, "data-grade")
    [category] = attribute_values(html, "data-category")
    return {
        "sections": attribute_values(html, "data-section"),
        "warnings": attribute_values(html, "data-warning"),
        "grade": grade or None,
        "category": category,
    }


def from_api(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "sections": [item["section"] for item in body["recommendations"]],
        "warnings": [item["code"] for item in body["warnings"]],
        "grade": body["grade"],
        "category": body["category"],
    }


def test_the_cases_compared_reach_every_section_and_most_warnings():
    sample = sampled_cases(35)
    results = []
    for facts in [example["case"] for example in EXAMPLES] + sample:
        form = CaseForm(data=form_data(facts))
        assert form.is_valid(), (facts, form.errors)
        results.append(recommend(form.facts()))

    assert len({json.dumps(facts, sort_keys=True) for facts in sample}) == 35
    # Every gastric type, and none given, at the stomach; every tumour type.
    assert {facts.get("gastric_type") for facts in sample if facts["site"] == "stomach"} == {
        *values(GASTRIC_TYPES),
        None,
    }
    assert {facts["tumour_type"] for facts in sample} == set(values(TUMOUR_TYPES))
    assert {slug for result in results for slug in result.slugs} == set(SECTION_SLUGS)
    reached = {code for result in results for code in result.warning_codes}
    assert len(reached) >= len(WARNING_CODES) - 3, set(WARNING_CODES) - reached
    assert {result.grade for result in results} == {None, *Grade}
    # Version 1's category rules cover every case: it never leaves a case undetermined.
    assert {result.category for result in results} == set(Category) - {Category.UNDETERMINED}


@pytest.mark.parametrize("facts", CASES)
def test_the_wizard_page_shows_what_the_api_returns(client, db, facts):
    api = client.post(API_URL, data=json.dumps(facts), content_type="application/json")
    page = run_wizard(client, facts)

    assert api.status_code == 200, api.content
    assert page.status_code == 200
    shown, returned = from_page(page.content.decode()), from_api(api.json())
    assert set(shown["sections"]) == set(returned["sections"])
    assert set(shown["warnings"]) == set(returned["warnings"])
    assert shown["grade"] == returned["grade"]
    assert shown["category"] == returned["category"]
    # And in the same order: the page lists sections and warnings as the API does.
    assert shown == returned
