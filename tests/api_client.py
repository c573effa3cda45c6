"""Calling the JSON API, POST /api/v1/recommendations, through the Django test client: the
cases it is sent, how a body is posted, and what its answers are read for.

The contract (README, "Using it"): a case as a JSON object in; 200 with the guideline,
grade, category, recommendations and warnings out; 400 with field-level errors for any
bad input; never a 500; nothing stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.apps import apps
from django.test import Client

from tests.wizard_client import SMALL_RECTUM

URL = "/api/v1/recommendations"
EXAMPLES = json.loads(Path(__file__).with_name("example_cases.json").read_text(encoding="utf-8"))
EXAMPLE_BY_TITLE = {example["title"]: example for example in EXAMPLES}

ONE_SECTION_CASE = EXAMPLE_BY_TITLE["Small insulinoma of the pancreatic tail"]["case"]
SIX_SECTION_CASE = EXAMPLE_BY_TITLE[
    "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable"
]["case"]

REQUIRED_FIELDS = (
    "site",
    "tumour_type",
    "hormonal_symptoms",
    "size_mm",
    "differentiation",
    "extent",
)
OPTIONAL_FIELDS = ("pancreas_region", "gastric_type", "ki67_percent", "mitoses_per_10hpf")
DEFAULTED_FIELDS = ("metastases_resectable", "ssr_imaging")

MISSING = object()  # an override that removes the key from the case


def case(**overrides: Any) -> dict[str, Any]:
    """A valid case (the README's small rectal NET), with fields replaced or removed."""
    values: dict[str, Any] = {**SMALL_RECTUM, **overrides}
    return {name: value for name, value in values.items() if value is not MISSING}


def metastatic_case(**overrides: Any) -> dict[str, Any]:
    """A well-differentiated small-bowel NET with distant metastases and carcinoid syndrome."""
    return case(
        site="small_intestine",
        tumour_type="other_functional",
        hormonal_symptoms=True,
        size_mm=30,
        ki67_percent=4,
        mitoses_per_10hpf=2,
        extent="distant_metastases",
        **overrides,
    )


def post(client: Client, payload: Any):
    """POST a case as JSON; a str or bytes payload is sent as the raw body."""
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json")


def raw_body(field: str, literal: str) -> str:
    """The JSON text of a valid case with one value written as a literal, e.g. NaN."""
    text = json.dumps(case(**{field: "@@RAW@@"}))
    return text.replace('"@@RAW@@"', literal)


def slugs(response) -> list[str]:
    return [item["section"] for item in response.json()["recommendations"]]


def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["warnings"]]


def assert_field_errors(response, *fields: str) -> None:
    """A 400 whose errors name exactly these fields, each with readable messages."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}
    assert set(body["errors"]) == set(fields), body
    for messages in body["errors"].values():
        assert isinstance(messages, list) and messages
        assert all(isinstance(message, str) and message.strip() for message in messages)


def row_counts() -> dict[str, int]:
    """Rows in every table of every installed model, sessions and guidance included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}
