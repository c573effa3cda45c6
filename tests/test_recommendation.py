"""``recommendation.facts_as_json``: the case facts as the JSON numbers a saved case keeps;
``describe`` and ``display_value``: those facts as a clinician reads them. ``compare`` has
its own tests, in test_recommendation_compare.py.

Snapshots keep numbers as JSON numbers, which Python reads and writes as binary floats.
That is exact for every value the forms accept (at most four digits), and a value a float
cannot carry exactly is refused rather than rounded, so what a saved case shows is what
was entered.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from guidance import content, recommendation
from guidance.forms import CaseForm, form_data
from guidance.models import Case, GuidelineVersion
from guidance.recommendation import describe, display_value, facts_as_json
from tests import advice
from tests.factories import case_facts, make_case
from tests.wizard_client import WARNED_RECTUM

# Every size and Ki-67 the forms accept: tenths from 0 to 300.
EVERY_TENTH = [Decimal(tenths) / 10 for tenths in range(3001)]


def test_every_number_the_forms_accept_reads_back_from_json_as_entered():
    for value in EVERY_TENTH:
        facts = case_facts(size_mm=value, ki67_percent=min(value, advice.KI67_MAX))

        saved = json.loads(json.dumps(facts_as_json(facts)))

        for name in ("size_mm", "ki67_percent"):
            field = CaseForm.base_fields[name]
            assert display_value(field, saved[name]) == advice.number(getattr(facts, name))
            assert Decimal(form_data(saved)[name]) == getattr(facts, name)


def test_whole_numbers_are_json_integers_and_others_plain_decimals():
    facts = case_facts(size_mm=Decimal("20.0"), ki67_percent=Decimal("2.9"))

    assert json.dumps(facts_as_json(facts)["size_mm"]) == "20"
    assert json.dumps(facts_as_json(facts)["ki67_percent"]) == "2.9"


def test_negative_zero_is_written_as_zero():
    facts = case_facts(ki67_percent=Decimal("-0.0"))

    assert json.dumps(facts_as_json(facts)["ki67_percent"]) == "0"


@pytest.mark.parametrize(
    "value", ["2.9999999999999999", "20.000000000000001", "0.1000000000000000055"]
)
def test_a_number_a_float_would_round_is_refused_not_rounded(value):
    # These never pass the forms; if one ever reached a snapshot it must not become 3 or 20.
    with pytest.raises(ValueError, match="exactly"):
        facts_as_json(case_facts(ki67_percent=Decimal(value)))


@pytest.mark.django_db
def test_a_saved_case_reads_its_numbers_back_from_the_database_as_entered(alice):
    saved = make_case(alice, size_mm=Decimal("299.9"), ki67_percent=Decimal("2.9"))

    facts = Case.objects.get(pk=saved.pk).snapshot["facts"]

    assert display_value(CaseForm.base_fields["size_mm"], facts["size_mm"]) == "299.9"
    assert display_value(CaseForm.base_fields["ki67_percent"], facts["ki67_percent"]) == "2.9"


def test_the_inputs_are_described_in_the_forms_words_with_what_was_not_given_said():
    facts = facts_as_json(case_facts(size_mm=Decimal("15.5"), ki67_percent=None))

    assert describe(facts) == [
        ("Primary site", "Colon"),
        ("Tumour type", "Non-functional"),
        ("Hormonal symptoms", "No"),
        ("Size of the primary tumour (mm)", "15.5"),
        ("Differentiation", "Well differentiated"),
        ("Ki-67 index (%)", "Not given"),
        ("Mitoses per 10 HPF", "1"),
        ("Extent of disease", "Localised"),
        ("Somatostatin-receptor imaging", "Not done"),
    ]


def test_the_region_and_the_resectability_are_described_only_where_they_apply():
    pancreas = case_facts(
        site="pancreas",
        pancreas_region="head",
        extent="distant_metastases",
        metastases_resectable="no",
    )

    rows = dict(describe(facts_as_json(pancreas)))

    assert rows["Region of the pancreas"] == "Head"
    assert rows["Are the metastases resectable?"] == "Not resectable"
    # A localised colon NET: no pancreas, no metastases, so neither row.
    labels = [label for label, _ in describe(facts_as_json(case_facts()))]
    assert "Region of the pancreas" not in labels
    assert "Are the metastases resectable?" not in labels


def assert_holds_exactly_the_declared_keys(shown: dict) -> None:
    assert set(shown) == recommendation.Recommendation.__required_keys__
    assert set(shown["guideline"]) == recommendation.CitedGuideline.__required_keys__
    assert set(shown["facts"]) == recommendation.CaseFactsJSON.__required_keys__
    assert set(shown["facts"]) == set(recommendation.FACT_NAMES)
    for item in shown["recommendations"]:
        assert set(item) == recommendation.RecommendedSection.__required_keys__
    for item in shown["warnings"]:
        assert set(item) == recommendation.ShownWarning.__required_keys__


@pytest.mark.django_db
def test_a_recommendation_and_a_saved_snapshot_hold_exactly_what_their_types_declare(alice):
    text = content.load(GuidelineVersion.objects.current())
    shown = recommendation.build(facts=case_facts(**WARNED_RECTUM), text=text)
    assert shown["recommendations"] and shown["warnings"]
    saved = make_case(alice, **WARNED_RECTUM)

    assert_holds_exactly_the_declared_keys(shown)
    assert_holds_exactly_the_declared_keys(Case.objects.get(pk=saved.pk).snapshot)
    groups = recommendation.grouped(shown["recommendations"])
    assert all(set(group) == recommendation.SectionGroup.__required_keys__ for group in groups)


@pytest.mark.django_db
def test_without_what_would_change_the_advice_is_the_same_and_nothing_else_is_computed():
    text = content.load(GuidelineVersion.objects.current())
    facts = case_facts(**WARNED_RECTUM)
    shown = recommendation.build(facts=facts, text=text)
    assert shown["sensitivity"]

    advice_only = recommendation.build(facts=facts, text=text, what_would_change=False)

    assert advice_only["sensitivity"] == []
    assert {**advice_only, "sensitivity": shown["sensitivity"]} == shown


# --- The facts as saved and returned ---------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, {"size_mm": 12, "ki67_percent": 2.5, "mitoses_per_10hpf": 1}),
        (
            {"size_mm": Decimal("12.0"), "ki67_percent": Decimal("3")},
            {"size_mm": 12, "ki67_percent": 3},
        ),
        (
            {"size_mm": Decimal("0.5"), "ki67_percent": None, "mitoses_per_10hpf": None},
            {"size_mm": 0.5, "ki67_percent": None, "mitoses_per_10hpf": None},
        ),
    ],
)
def test_the_facts_are_given_as_json_values_field_by_field(overrides, expected):
    from dataclasses import asdict, fields, is_dataclass

    from guidance.recommendation import facts_as_json

    values = {
        "site": "rectum",
        "tumour_type": "non_functional",
        "hormonal_symptoms": False,
        "size_mm": Decimal("12"),
        "differentiation": "well",
        "ki67_percent": Decimal("2.5"),
        "mitoses_per_10hpf": 1,
        "extent": "localised",
        **overrides,
    }
    facts = advice.CaseFacts(**values)

    as_json = facts_as_json(facts)

    # Every field, in the dataclass's order, none of them nested.
    assert list(as_json) == [field.name for field in fields(advice.CaseFacts)]
    assert not any(is_dataclass(value) for value in asdict(facts).values())
    for name, value in expected.items():
        assert as_json[name] == value and type(as_json[name]) is type(value), name
    assert as_json["site"] == "rectum" and as_json["hormonal_symptoms"] is False
    assert as_json["metastases_resectable"] == "unknown"
