"""Version 2's words where the review found them wrong: what a warning, a basis or the
version's own description tells the clinician (docs/version-2.md, the wording and
provenance defects)."""

from __future__ import annotations

from tests.version_2 import DOCUMENT, WARNINGS, advise

ILEAL_NET = {
    "site": "small_intestine",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 15,
    "extent": "localised",
}


def test_unknown_differentiation_without_an_index_does_not_say_the_index_is_not_g3():
    advice = advise(**ILEAL_NET, differentiation="unknown")

    assert advice.grade is None
    assert advice.category_basis == (
        "differentiation and grade not known: treated as well differentiated"
    )
    assert advice.warnings == ("grade-unknown", "differentiation-unknown")
    message = advice.message("differentiation-unknown")
    assert "the proliferation index is not G3" not in message
    assert "No G3 proliferation index was reported" in message
    assert advice.detail("differentiation-unknown") == (
        "Differentiation and grade not known: treated as well differentiated."
    )


def test_no_category_basis_says_the_source_defines_nec_by_ki67():
    for rule in DOCUMENT["category"]:
        assert "define" not in rule["basis"]
    (undetermined,) = [rule for rule in DOCUMENT["category"] if rule["category"] == "undetermined"]
    assert (
        "the source describes poorly differentiated tumours as typically having"
        in (undetermined["basis"])
    )
    assert "differentiation-assumed" not in WARNINGS


def test_the_no_symptoms_warning_speaks_of_symptoms_not_of_disease():
    advice = advise(
        **{**ILEAL_NET, "extent": "distant_metastases", "metastases_resectable": "no"},
        differentiation="well",
        ki67_percent=2,
    )

    message = advice.message("no-symptom-guidance")
    assert "controlling hormonal symptoms" in message
    assert "controlling disease" not in message
    assert "no advice on controlling" not in message


def test_the_local_excision_size_warning_names_the_operation():
    message = WARNINGS["local-excision-size"]["message"]

    assert "a right hemicolectomy for the appendix" in message
    assert "an anterior resection with total mesorectal excision for the rectum" in message
    assert "local excision is not shown" in message


def test_a_poorly_differentiated_tumour_with_no_index_is_warned():
    advice = advise(**ILEAL_NET, differentiation="poor")

    assert advice.grade is None
    assert advice.warnings == ("nec-ki67-needed",)


def test_the_title_says_what_the_source_is_and_not_a_society_guideline():
    title = DOCUMENT["guideline"]["title"]
    assert title == "GEP-NET management: an educational summary quoted with NET Advisor's notes"
    assert (
        title != "Management of neuroendocrine tumours of the gastrointestinal tract and pancreas"
    )


def test_about_the_source_says_it_is_undated_anonymous_and_when_it_came_into_use_here():
    about = DOCUMENT["version"]["about_source"]

    assert "undated and anonymous" in about
    assert "it is not a society guideline" in about
    assert "predates the current WHO classification (2019)" in about
    assert "The date shown is when this version came into use in NET Advisor" in about


def test_what_is_not_covered_is_listed_and_sends_every_patient_to_the_mdt():
    not_covered = DOCUMENT["version"]["not_covered"]

    for topic in ("hereditary syndromes", "diagnostic work-up", "MiNEN", "follow-up"):
        assert topic in not_covered, topic
    assert not_covered.endswith(
        "Discuss every patient at a specialist NET multidisciplinary team meeting."
    )


def test_the_version_is_cited_as_the_undated_summary_with_notes():
    assert DOCUMENT["version"]["citation"].startswith(
        "Undated educational summary of GEP-NET management (anonymous), quoted verbatim"
    )


def test_the_g3_warnings_details_start_as_a_sentence_whatever_graded_it():
    cases = [
        advise(**ILEAL_NET, differentiation="unknown", mitoses_per_10hpf=21),
        advise(**ILEAL_NET, differentiation="well", mitoses_per_10hpf=21),
    ]
    for advice in cases:
        details = [warning.detail for warning in advice.result.warnings if warning.detail]
        assert details
        assert all(detail[:1].isupper() for detail in details), details
    assert cases[0].detail("g3-differentiation-unknown") == (
        "How the grade was worked out: mitotic count 21 per 10 HPF is above 20: G3."
    )
