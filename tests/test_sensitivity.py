"""What would change the advice, in words (guidance/sensitivity.py): each change as one
sentence naming the sections by their headings and the warnings by their messages, and
which changes a clinician should weigh first. Version 1's logic; the headings and messages
are the ones passed in, as ``recommendation.build()`` passes the version's own.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from guidance import sensitivity
from guidance.recommendation import json_number
from tests.advice import VERSION_1, case, distant, pancreas, stomach

D = Decimal
HEADINGS = {slug: f"Heading of {slug}" for slug in VERSION_1.slugs}
MESSAGES = {
    code: f"First sentence of {code}. A second sentence, e.g. with more words."
    for code in VERSION_1.codes
}


def items(facts):
    return sensitivity.items(
        VERSION_1, facts, headings=HEADINGS, messages=MESSAGES, as_json=json_number
    )


def item(facts, field, to):
    [found] = [each for each in items(facts) if each["field"] == field and each["to"] == to]
    return found


def test_a_ki67_just_below_the_g3_boundary_says_how_far_and_what_g3_would_change():
    found = item(case(ki67_percent=D("19.5"), mitoses_per_10hpf=None), "ki67_percent", 20.1)
    assert found["sentence"] == (
        "Ki-67 19.5 % is 0.5 below the G2/G3 boundary: at 20.1 % the grade would be G3 and "
        "the warning “First sentence of net-g3” would be given."
    )
    assert found["near"] is True
    assert (found["value"], found["when"], found["grade"]) == (19.5, "Ki-67 above 20 %", "G3")


def test_a_value_on_the_boundary_is_said_to_be_on_it():
    found = item(case(ki67_percent=D(20), mitoses_per_10hpf=None), "ki67_percent", 20.1)
    assert found["sentence"].startswith("Ki-67 20 % is on the G2/G3 boundary: at 20.1 %")


def test_a_size_names_its_threshold_and_the_sections_by_their_headings():
    insulinoma = pancreas(tumour_type="insulinoma", hormonal_symptoms=True, size_mm=D(19))
    found = item(insulinoma, "size_mm", 20)
    assert found["sentence"] == (
        "Size 19 mm is 1 mm below the threshold of 20 mm: at 20 mm "
        "“Heading of insulinoma-partial-pancreatectomy” would apply and "
        "“Heading of insulinoma-local-excision” would no longer apply."
    )
    assert found["sections_added"] == ["insulinoma-partial-pancreatectomy"]
    assert found["sections_removed"] == ["insulinoma-local-excision"]


def test_a_number_not_given_is_said_so_with_each_range_and_a_value_of_it():
    found = item(case(ki67_percent=None, mitoses_per_10hpf=None), "ki67_percent", 20.1)
    assert found["value"] is None
    assert found["sentence"] == (
        "Ki-67 was not given: with Ki-67 above 20 % (for example 20.1 %), the grade would be "
        "G3, the warning “First sentence of net-g3” would be given and the warning "
        "“First sentence of grade-unknown” would no longer be given."
    )
    assert found["near"] is False


def test_an_answer_says_what_it_would_be_instead_and_what_that_changes():
    found = item(distant("unknown"), "metastases_resectable", "no")
    assert found["sentence"] == (
        "With metastases not resectable rather than not yet assessed, "
        "“Heading of debulking-surgery” would no longer apply and the warning "
        "“First sentence of resectability-unknown” would no longer be given."
    )


def test_a_change_of_category_is_named_in_words():
    found = item(case(), "differentiation", "poor")
    assert found["category"] == "poorly_differentiated"
    assert "the category would be poorly differentiated" in found["sentence"]


@pytest.mark.parametrize(
    ("facts", "field", "to", "near"),
    [
        # Size within 5 mm of its threshold.
        (pancreas(tumour_type="insulinoma", size_mm=D(15)), "size_mm", 20, True),
        (pancreas(tumour_type="insulinoma", size_mm=D("14.9")), "size_mm", 20, False),
        (pancreas(tumour_type="insulinoma", size_mm=D(25)), "size_mm", 19.9, True),
        # Ki-67 within 3 points.
        (case(ki67_percent=D(17), mitoses_per_10hpf=None), "ki67_percent", 20.1, True),
        (case(ki67_percent=D("16.9"), mitoses_per_10hpf=None), "ki67_percent", 20.1, False),
        # Mitoses within 2.
        (case(ki67_percent=None, mitoses_per_10hpf=18), "mitoses_per_10hpf", 21, True),
        (case(ki67_percent=None, mitoses_per_10hpf=17), "mitoses_per_10hpf", 21, False),
    ],
)
def test_a_number_is_near_within_a_clinically_meaningful_distance_of_its_threshold(
    facts, field, to, near
):
    assert item(facts, field, to)["near"] is near


def test_every_answer_not_known_not_done_or_not_yet_assessed_is_near():
    weighed = {
        (each["field"], each["value"])
        for each in items(distant("unknown", differentiation="unknown", ssr_imaging="not_done"))
        if each["near"] and each["value"] is not None and each["field"] != "ki67_percent"
    }
    assert weighed >= {
        ("differentiation", "unknown"),
        ("metastases_resectable", "unknown"),
    }
    answered = items(distant("yes", ssr_imaging="positive", hormonal_symptoms=True))
    assert not any(each["near"] for each in answered if each["field"] not in sensitivity.NEAR)


def test_ssr_imaging_not_done_is_near_where_it_would_change_the_advice():
    found = item(distant(hormonal_symptoms=True, ssr_imaging="not_done"), "ssr_imaging", "negative")
    assert found["near"] is True
    assert "“First sentence of ssr-negative” would be given" in found["sentence"]


def test_a_gastric_type_not_known_is_listed_only_where_it_changes_the_advice():
    # Version 1 reads no gastric NET type: nothing to list.
    assert [each for each in items(stomach()) if each["field"] == "gastric_type"] == []


def test_a_section_without_text_is_named_by_its_slug():
    found = sensitivity.items(
        VERSION_1,
        case(),
        headings={},
        messages={},
        as_json=json_number,
    )
    [poor] = [each for each in found if each["to"] == "poor"]
    assert "“poorly-differentiated” would apply" in poor["sentence"]
    assert "the warning “poor-low-grade” would be given" in poor["sentence"]


def test_a_warning_is_named_by_the_first_sentence_of_its_message():
    assert sensitivity.warning_name(
        "Somatostatin receptor imaging was negative. The source advises."
    ) == ("Somatostatin receptor imaging was negative")
    assert sensitivity.warning_name("No sentence end") == "No sentence end"


def test_the_api_item_has_exactly_the_documented_keys():
    found = items(case(ki67_percent=D("19.5")))[0]
    assert set(sensitivity.api_item(found)) == {
        "field", "value", "to", "when", "grade", "category",
        "sections_added", "sections_removed", "warnings_added", "warnings_removed",
    }  # fmt: skip
