"""``CaseForm``: what the wizard's final submit and the API validate, and the case facts it
hands the engine, field by field; and the answers the steps start from.

Every fact must reach the engine exactly as given (typed: decimals, whole numbers, booleans,
``None`` for "not given"), and a fact a case may leave out must reach it as the
specification's default. A dropped or misread field would change the advice silently.
No database: the forms alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from guidance.forms import CaseForm, ExtentForm, GastricForm, MetastasesForm, form_data
from tests.advice import GASTRIC_TYPES, GASTRIC_VALUES, RESECTABILITY, SSR_IMAGING, CaseFacts

# Every fact given, none at its default: a metastatic gastrinoma of the pancreatic neck.
EVERY_FACT: dict[str, Any] = {
    "site": "pancreas",
    "pancreas_region": "neck",
    "gastric_type": None,  # for the stomach only (below)
    "tumour_type": "gastrinoma",
    "hormonal_symptoms": True,
    "size_mm": 25.5,
    "differentiation": "poor",
    "ki67_percent": 2.5,
    "mitoses_per_10hpf": 7,
    "extent": "distant_metastases",
    "metastases_resectable": "no",
    "ssr_imaging": "negative",
}


def facts_of(values: dict[str, Any]) -> CaseFacts:
    form = CaseForm(data=form_data(values))
    assert form.is_valid(), form.errors
    return form.facts()


def test_every_fact_given_reaches_the_engine_as_given():
    assert facts_of(EVERY_FACT) == CaseFacts(
        site="pancreas",
        pancreas_region="neck",
        tumour_type="gastrinoma",
        hormonal_symptoms=True,
        size_mm=Decimal("25.5"),
        differentiation="poor",
        ki67_percent=Decimal("2.5"),
        mitoses_per_10hpf=7,
        extent="distant_metastases",
        metastases_resectable="no",
        ssr_imaging="negative",
    )


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        pytest.param({"site": "stomach", "pancreas_region": None}, "site", "stomach", id="site"),
        pytest.param({"pancreas_region": "head"}, "pancreas_region", "head", id="region-head"),
        pytest.param({"pancreas_region": "tail"}, "pancreas_region", "tail", id="region-tail"),
        pytest.param(
            {"site": "colon", "pancreas_region": None}, "pancreas_region", None, id="no-region"
        ),
        pytest.param(
            {"site": "colon", "pancreas_region": ""}, "pancreas_region", None, id="empty-region"
        ),
        pytest.param({"tumour_type": "insulinoma"}, "tumour_type", "insulinoma", id="type"),
        pytest.param({"tumour_type": "vipoma"}, "tumour_type", "vipoma", id="vipoma"),
        pytest.param(
            {"tumour_type": "glucagonoma"}, "tumour_type", "glucagonoma", id="glucagonoma"
        ),
        pytest.param(
            {"tumour_type": "carcinoid_syndrome"},
            "tumour_type",
            "carcinoid_syndrome",
            id="carcinoid-syndrome",
        ),
        pytest.param({"hormonal_symptoms": False}, "hormonal_symptoms", False, id="no-symptoms"),
        pytest.param({"hormonal_symptoms": True}, "hormonal_symptoms", True, id="symptoms"),
        pytest.param({"size_mm": 300}, "size_mm", Decimal("300"), id="size"),
        pytest.param({"size_mm": 0.1}, "size_mm", Decimal("0.1"), id="size-tenth"),
        pytest.param({"differentiation": "well"}, "differentiation", "well", id="well"),
        pytest.param({"differentiation": "unknown"}, "differentiation", "unknown", id="unknown"),
        pytest.param({"ki67_percent": 20.1}, "ki67_percent", Decimal("20.1"), id="ki67"),
        pytest.param({"ki67_percent": None}, "ki67_percent", None, id="ki67-not-given"),
        pytest.param({"mitoses_per_10hpf": 21}, "mitoses_per_10hpf", 21, id="mitoses"),
        pytest.param({"mitoses_per_10hpf": 0}, "mitoses_per_10hpf", 0, id="mitoses-zero"),
        pytest.param({"mitoses_per_10hpf": None}, "mitoses_per_10hpf", None, id="no-mitoses"),
        pytest.param(
            {"extent": "regional_nodes", "metastases_resectable": None},
            "extent",
            "regional_nodes",
            id="extent",
        ),
        pytest.param(
            {"metastases_resectable": "yes"}, "metastases_resectable", "yes", id="resectable"
        ),
        pytest.param(
            {"metastases_resectable": "unknown"},
            "metastases_resectable",
            "unknown",
            id="resectability-unknown",
        ),
        pytest.param({"ssr_imaging": "positive"}, "ssr_imaging", "positive", id="ssr-positive"),
        pytest.param({"ssr_imaging": "not_done"}, "ssr_imaging", "not_done", id="ssr-not-done"),
    ],
)
def test_each_fact_reaches_the_engine_as_given(changes, field, expected):
    facts = facts_of({**EVERY_FACT, **changes})

    assert getattr(facts, field) == expected
    assert type(getattr(facts, field)) is type(expected)


@pytest.mark.parametrize("absent_as", ["left out", "empty"])
@pytest.mark.parametrize(
    ("field", "default"), [("metastases_resectable", "unknown"), ("ssr_imaging", "not_done")]
)
def test_a_fact_a_case_may_leave_out_reaches_the_engine_as_the_specifications_default(
    field, default, absent_as
):
    data = form_data(EVERY_FACT)
    if absent_as == "left out":
        del data[field]
    else:
        data[field] = ""
    form = CaseForm(data=data)

    assert form.is_valid(), form.errors
    assert getattr(form.facts(), field) == default


def test_the_facts_hold_every_field_of_the_case_and_no_other():
    facts = facts_of(EVERY_FACT)

    assert set(vars(facts)) == set(EVERY_FACT)


# --- The answers the steps start from -----------------------------------------------------


def test_the_metastases_step_starts_at_not_yet_assessed():
    field = MetastasesForm.base_fields["metastases_resectable"]

    assert field.initial == "unknown"
    assert dict(RESECTABILITY)[field.initial] == "Not yet assessed"


def test_the_gastric_type_question_starts_at_not_known():
    field = GastricForm.base_fields["gastric_type"]

    assert field.initial == "unknown"
    assert dict(GASTRIC_TYPES)[field.initial] == "Not known"


def test_the_ssr_imaging_question_starts_at_not_done():
    field = ExtentForm.base_fields["ssr_imaging"]

    assert field.initial == "not_done"
    assert dict(SSR_IMAGING)[field.initial] == "Not done"


@pytest.mark.parametrize(
    "name",
    [
        "site",
        "tumour_type",
        "hormonal_symptoms",
        "size_mm",
        "differentiation",
        "ki67_percent",
        "mitoses_per_10hpf",
        "extent",
        "pancreas_region",
        "gastric_type",
    ],
)
def test_no_other_question_starts_with_an_answer(name):
    # An answer already chosen is one the clinician may not have meant to give.
    assert CaseForm.base_fields[name].initial is None


def test_the_questions_a_case_may_leave_out_are_not_required_of_the_whole_case():
    optional = {name for name, field in CaseForm.base_fields.items() if not field.required}

    assert optional == {
        "pancreas_region",
        "gastric_type",
        "ki67_percent",
        "mitoses_per_10hpf",
        "metastases_resectable",
        "ssr_imaging",
    }


# --- The rules that span steps ----------------------------------------------------------

PANCREATIC_LOCALISED: dict[str, Any] = {
    **EVERY_FACT,
    "extent": "localised",
    "metastases_resectable": None,
}


def errors_of(values: dict[str, Any]) -> dict[str, list[str]]:
    form = CaseForm(data=form_data(values))
    assert not form.is_valid()
    return form.errors


@pytest.mark.parametrize("region", [None, ""])
def test_a_pancreatic_tumour_needs_its_region(region):
    assert errors_of({**EVERY_FACT, "pancreas_region": region}) == {
        "pancreas_region": ["Give the region of the pancreas."]
    }


def test_an_unknown_region_of_a_pancreatic_tumour_is_one_error_not_two():
    assert errors_of({**EVERY_FACT, "pancreas_region": "tail end"}) == {
        "pancreas_region": ["Choose one of the listed regions."]
    }


@pytest.mark.parametrize("site", ["stomach", "rectum"])
def test_a_pancreatic_region_for_another_site_is_refused(site):
    assert errors_of({**EVERY_FACT, "site": site}) == {
        "pancreas_region": ["A pancreatic region applies only to tumours of the pancreas."]
    }


# The stomach's own question: its NET's type, given or "not known".
GASTRIC: dict[str, Any] = {**EVERY_FACT, "site": "stomach", "pancreas_region": None}


@pytest.mark.parametrize("gastric_type", GASTRIC_VALUES)
def test_a_gastric_tumours_type_reaches_the_engine_as_given(gastric_type):
    facts = facts_of({**GASTRIC, "gastric_type": gastric_type})

    assert (facts.site, facts.gastric_type, facts.pancreas_region) == (
        "stomach",
        gastric_type,
        None,
    )


@pytest.mark.parametrize("absent_as", ["left out", "null", "empty"])
def test_a_gastric_tumour_without_its_type_reaches_the_engine_as_not_known(absent_as):
    values = {**GASTRIC, "gastric_type": None if absent_as == "null" else ""}
    if absent_as == "left out":
        del values["gastric_type"]

    assert facts_of(values).gastric_type == "unknown"


@pytest.mark.parametrize("site", ["pancreas", "duodenum", "rectum"])
@pytest.mark.parametrize("gastric_type", GASTRIC_VALUES)
def test_a_gastric_type_for_another_site_is_refused(site, gastric_type):
    values = {**EVERY_FACT, "site": site, "gastric_type": gastric_type}
    if site != "pancreas":
        values["pancreas_region"] = None

    assert errors_of(values) == {
        "gastric_type": ["A gastric NET type applies only to tumours of the stomach."]
    }


@pytest.mark.parametrize("site", ["pancreas", "small_intestine"])
@pytest.mark.parametrize("absent_as", [None, ""])
def test_no_gastric_type_for_another_site_reaches_the_engine_as_none(site, absent_as):
    values = {**EVERY_FACT, "site": site, "gastric_type": absent_as}
    if site != "pancreas":
        values["pancreas_region"] = None

    assert facts_of(values).gastric_type is None


@pytest.mark.parametrize("site", ["stomach", "colon"])
def test_an_unknown_gastric_type_is_one_error_not_two(site):
    values = {**GASTRIC, "site": site, "gastric_type": "type_4"}

    assert errors_of(values) == {"gastric_type": ["Choose type_1, type_2, type_3 or unknown."]}


def test_an_unknown_gastric_type_of_a_gastric_tumour_is_not_taken_as_not_known():
    form = CaseForm(data=form_data({**GASTRIC, "gastric_type": "type_4"}))

    assert not form.is_valid()
    assert form.errors == {"gastric_type": ["Choose type_1, type_2, type_3 or unknown."]}
    assert "gastric_type" not in form.cleaned_data


def test_a_case_refused_for_its_site_alone_gets_no_rule_about_the_gastric_type():
    assert errors_of({**GASTRIC, "site": "oesophagus", "gastric_type": "type_1"}) == {
        "site": ["Choose one of the listed sites."]
    }


@pytest.mark.parametrize("extent", ["localised", "regional_nodes"])
@pytest.mark.parametrize("resectable", ["yes", "no"])
def test_resectability_without_distant_metastases_is_refused(extent, resectable):
    values = {**EVERY_FACT, "extent": extent, "metastases_resectable": resectable}

    assert errors_of(values) == {
        "metastases_resectable": [
            "Resectability of metastases applies only when there are distant metastases."
        ]
    }


@pytest.mark.parametrize("resectable", [None, "", "unknown"])
def test_resectability_not_assessed_is_accepted_without_distant_metastases(resectable):
    facts = facts_of({**PANCREATIC_LOCALISED, "metastases_resectable": resectable})

    assert (facts.extent, facts.metastases_resectable) == ("localised", "unknown")


def test_a_case_refused_for_its_site_alone_gets_no_rule_about_the_region():
    # Without a valid site there is nothing to check the region against.
    assert errors_of({**EVERY_FACT, "site": "liver"}) == {
        "site": ["Choose one of the listed sites."]
    }
    assert set(errors_of({**EVERY_FACT, "site": "liver", "pancreas_region": None})) == {"site"}


def test_a_case_refused_for_its_extent_alone_gets_no_rule_about_resectability():
    assert errors_of({**EVERY_FACT, "extent": "spread"}) == {
        "extent": ["Choose one of the listed extents."]
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("size_mm", "0", "Size must be greater than 0 and at most 300 mm."),
        ("size_mm", "300.1", "Size must be greater than 0 and at most 300 mm."),
        ("size_mm", "1_5", "Enter the size in millimetres, e.g. 15 or 15.5."),
        ("ki67_percent", "2_5", "Enter Ki-67 as a number, e.g. 2.5."),
        ("mitoses_per_10hpf", "1_0", "Enter the mitotic count as a whole number."),
        ("metastases_resectable", "maybe", "Choose yes, no or unknown."),
        ("ssr_imaging", "pending", "Choose positive, negative or not_done."),
    ],
)
def test_a_refused_answer_gets_its_fields_own_message(field, value, message):
    data = form_data(EVERY_FACT)
    data[field] = value
    form = CaseForm(data=data)

    assert not form.is_valid()
    assert form.errors == {field: [message]}


def test_form_data_writes_each_value_as_a_form_posts_it():
    assert form_data(
        {"ki67_percent": None, "hormonal_symptoms": True, "size_mm": 15.5, "site": "colon"}
    ) == {"ki67_percent": "", "hormonal_symptoms": "yes", "size_mm": "15.5", "site": "colon"}
    assert form_data({"hormonal_symptoms": False, "mitoses_per_10hpf": 0}) == {
        "hormonal_symptoms": "no",
        "mitoses_per_10hpf": "0",
    }


@pytest.mark.parametrize(
    ("field", "value"), [("size_mm", "1_5"), ("ki67_percent", "2_5"), ("mitoses_per_10hpf", "1_0")]
)
def test_a_number_with_an_underscore_is_refused_as_any_invalid_number_is(field, value):
    # Python reads "1_5" as 15; the clinician typed something else.
    data = form_data(EVERY_FACT)
    data[field] = value
    form = CaseForm(data=data)

    assert form.has_error(field, code="invalid")
    assert [error.code for error in form.errors.as_data()[field]] == ["invalid"]
