"""What would change the advice, as the JSON API gives it: each item's shape, and for every
item of every example and reference case, the case posted again with the item's field set to
its ``to`` gets exactly the differences the item states.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api_client import EXAMPLES, case, post

REFERENCES = json.loads(
    (Path(__file__).resolve().parent.parent / "guidance/data/reference_cases.json").read_text()
)
CASES = [(item["title"], item["case"]) for item in EXAMPLES] + [
    (item["title"], item["facts"]) for item in REFERENCES
]
ITEM_KEYS = {
    "field", "value", "to", "when", "grade", "category",
    "sections_added", "sections_removed", "warnings_added", "warnings_removed",
}  # fmt: skip

# What the API takes a field left out as.
DEFAULTS = {
    "metastases_resectable": "unknown",
    "ssr_imaging": "not_done",
    "gastric_type": "unknown",
}

pytestmark = pytest.mark.django_db


def advice(body: dict) -> tuple:
    return (
        body["grade"],
        body["category"],
        {item["section"] for item in body["recommendations"]},
        {item["code"] for item in body["warnings"]},
    )


def test_each_item_has_exactly_the_documented_keys_nearest_first(client):
    body = post(client, case(ki67_percent=19.5, mitoses_per_10hpf=None)).json()

    assert body["sensitivity"]
    for item in body["sensitivity"]:
        assert set(item) == ITEM_KEYS
    first = body["sensitivity"][0]
    assert first == {
        "field": "ki67_percent",
        "value": 19.5,
        "to": 20.1,
        "when": "Ki-67 above 20 %",
        "grade": "G3",
        "category": None,
        "sections_added": [],
        "sections_removed": [],
        "warnings_added": ["net-g3"],
        "warnings_removed": [],
    }


def test_a_number_not_given_has_a_null_value_and_a_representative_to(client):
    body = post(client, case(ki67_percent=None, mitoses_per_10hpf=None)).json()

    ki67 = [item for item in body["sensitivity"] if item["field"] == "ki67_percent"]
    assert [(item["value"], item["to"], item["when"]) for item in ki67] == [
        (None, 2.9, "Ki-67 below 3 %"),
        (None, 3, "Ki-67 3 to 20 %"),
        (None, 20.1, "Ki-67 above 20 %"),
    ]
    assert all(item["warnings_removed"] == ["grade-unknown"] for item in ki67)


@pytest.mark.parametrize(("title", "facts"), CASES, ids=[title for title, _ in CASES])
def test_posting_each_items_to_gives_exactly_the_differences_it_states(client, title, facts):
    body = post(client, facts).json()
    grade, category, sections, warnings = advice(body)
    assert body["sensitivity"], title
    for item in body["sensitivity"]:
        assert facts.get(item["field"], DEFAULTS.get(item["field"])) == item["value"], item
        changed = post(client, {**facts, item["field"]: item["to"]})
        assert changed.status_code == 200, (item, changed.content)
        assert advice(changed.json()) == (
            item["grade"] or grade,
            item["category"] or category,
            (sections - set(item["sections_removed"])) | set(item["sections_added"]),
            (warnings - set(item["warnings_removed"])) | set(item["warnings_added"]),
        ), item
