"""The JSON API, POST /api/v1/recommendations, against the real database: good input, and
what it stores (nothing), the queries it runs and that it needs no CSRF token.

Bad input is tested in test_api_refusals.py, numbers in test_api_numbers.py; the cases and
the posting are in tests/api_client.py.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from guidance.models import GuidelineVersion, Section
from tests.api_client import (
    DEFAULTED_FIELDS,
    EXAMPLES,
    MISSING,
    ONE_SECTION_CASE,
    OPTIONAL_FIELDS,
    SIX_SECTION_CASE,
    case,
    codes,
    metastatic_case,
    post,
    row_counts,
    slugs,
)
from tests.drafts import publish_gastric_type_warning
from tests.factories import (
    ABOUT_SOURCE,
    HEADED_SECTION,
    NOT_COVERED,
    NOTE_CITATION,
    NOTE_SECTION,
    NOTE_WARNING,
    SOURCE_HEADING,
    VERSION_TITLE,
    change_outside_the_app,
    publish_noted_version,
)
from tests.wizard_client import METASTATIC_INSULINOMA_SSR_NEGATIVE

# --- Good input -------------------------------------------------------------------


def test_a_good_case_gets_200_with_exactly_the_documented_shape(client, db):
    response = post(client, case())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {
        "guideline",
        "grade",
        "grade_basis",
        "category",
        "recommendations",
        "warnings",
        "sensitivity",
    }
    assert set(body["guideline"]) == {
        "title", "version", "citation", "about_source", "not_covered", "in_use_since",
    }
    assert body["guideline"]["version"] == "1"
    assert body["grade"] == "G1"
    assert body["category"] == "well_differentiated"
    assert body["recommendations"]
    for item in body["recommendations"]:
        assert set(item) == {
            "section", "group", "heading", "source_heading", "voice", "citation", "text",
            "reasons",
        }
        assert item["reasons"] and all(isinstance(reason, str) for reason in item["reasons"])


def test_warnings_have_a_code_a_message_and_a_detail(client, db):
    response = post(client, case(ki67_percent=None, mitoses_per_10hpf=None))

    assert response.status_code == 200
    [warning] = response.json()["warnings"]
    assert set(warning) == {"code", "message", "voice", "citation", "detail"}
    assert warning["code"] == "grade-unknown"
    assert "Ki-67" in warning["message"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[example["title"] for example in EXAMPLES])
def test_each_example_case_gets_its_grade_sections_and_warnings(client, db, example):
    response = post(client, example["case"])

    assert response.status_code == 200
    assert response.json()["grade"] == example["grade"]
    assert slugs(response) == example["sections"]
    assert codes(response) == example["warnings"]


def test_recommendations_quote_the_published_sections_word_for_word(client, db):
    response = post(client, SIX_SECTION_CASE)

    version = GuidelineVersion.objects.current()
    for item in response.json()["recommendations"]:
        section = version.sections.get(slug=item["section"])
        assert (item["group"], item["heading"], item["text"]) == (
            section.group,
            section.heading,
            section.text,
        )


def test_an_edited_section_text_is_what_the_api_returns(client, db):
    version = GuidelineVersion.objects.current()
    edited = "Edited in the database: rectal NETs *can* be excised locally."
    change_outside_the_app(
        Section.objects.filter(version=version, slug="local-excision"), text=edited
    )

    response = post(client, case(site="rectum"))

    texts = {item["section"]: item["text"] for item in response.json()["recommendations"]}
    assert texts["local-excision"] == edited


def test_metastases_resectable_defaults_to_unknown_when_absent(client, db):
    absent = post(client, metastatic_case())
    explicit = post(client, metastatic_case(metastases_resectable="unknown"))

    assert absent.status_code == 200
    assert absent.json() == explicit.json()
    # "unknown" is not "no": debulking stays, flagged as resting on an unassessed answer.
    assert "debulking-surgery" in slugs(absent)
    assert "resectability-unknown" in codes(absent)


def test_ssr_imaging_defaults_to_not_done_when_absent(client, db):
    absent = post(client, metastatic_case())
    explicit = post(client, metastatic_case(ssr_imaging="not_done"))
    negative = post(client, metastatic_case(ssr_imaging="negative"))

    assert absent.status_code == 200
    assert absent.json() == explicit.json()
    assert "somatostatin-analogue" in slugs(absent)
    assert "ssr-negative" not in codes(absent)
    assert "ssr-negative" in codes(negative)  # so the default really is not "negative"


@pytest.mark.parametrize("field", DEFAULTED_FIELDS)
def test_null_for_a_defaulted_field_means_its_default(client, db, field):
    null = post(client, metastatic_case(**{field: None}))
    absent = post(client, metastatic_case())

    assert null.status_code == 200
    assert null.json() == absent.json()


@pytest.mark.parametrize("field", OPTIONAL_FIELDS + DEFAULTED_FIELDS)
@pytest.mark.parametrize("absent_as", [MISSING, None], ids=["missing", "null"])
def test_an_optional_field_may_be_left_out_or_null(client, db, field, absent_as):
    assert post(client, case(**{field: absent_as})).status_code == 200


@pytest.mark.parametrize(
    "field, value",
    [
        ("size_mm", 0.1),
        ("size_mm", 300),
        ("size_mm", 300.0),
        ("ki67_percent", 0),
        ("ki67_percent", 100),
        ("mitoses_per_10hpf", 0),
        ("mitoses_per_10hpf", 500),
    ],
)
def test_numbers_at_the_edges_of_their_ranges_are_accepted(client, db, field, value):
    assert post(client, case(**{field: value})).status_code == 200


def test_a_gastric_nets_type_defaults_to_unknown_when_absent(client, db, editor, fay, draft):
    # A version whose logic reads the type: its regional-nodes warning fires for a gastric
    # NET of unknown type.
    publish_gastric_type_warning(draft, editor, fay)
    gastric = case(site="stomach", size_mm=8)

    absent = post(client, gastric)
    explicit = post(client, {**gastric, "gastric_type": "unknown"})

    assert absent.status_code == 200
    assert absent.json() == explicit.json()
    assert "regional-nodes" in codes(absent)
    for gastric_type in ("type_1", "type_2", "type_3"):
        typed = post(client, {**gastric, "gastric_type": gastric_type})
        assert typed.status_code == 200
        assert "regional-nodes" not in codes(typed), gastric_type
    # Only the stomach has a type, known or not.
    assert "regional-nodes" not in codes(post(client, case(site="duodenum", size_mm=8)))


@pytest.mark.parametrize("absent_as", [MISSING, None, ""], ids=["missing", "null", "empty"])
def test_null_or_empty_for_a_gastric_nets_type_means_unknown(client, db, absent_as):
    response = post(client, case(site="stomach", size_mm=8, gastric_type=absent_as))
    unknown = post(client, case(site="stomach", size_mm=8, gastric_type="unknown"))

    assert response.status_code == 200
    assert response.json() == unknown.json()


@pytest.mark.parametrize("gastric_type", ["type_1", "type_2", "type_3", "unknown"])
def test_each_gastric_type_is_accepted_for_the_stomach(client, db, gastric_type):
    response = post(client, case(site="stomach", gastric_type=gastric_type))

    assert response.status_code == 200
    assert slugs(response) == ["curative-excision", "lymph-node-dissection"]


@pytest.mark.parametrize("absent_as", [MISSING, None, ""], ids=["missing", "null", "empty"])
@pytest.mark.parametrize("site", ["pancreas", "duodenum", "rectum"])
def test_no_gastric_type_is_accepted_for_another_site(client, db, site, absent_as):
    payload = case(site=site, gastric_type=absent_as)
    if site == "pancreas":
        payload["pancreas_region"] = "tail"

    assert post(client, payload).status_code == 200


@pytest.mark.parametrize("tumour_type", ["vipoma", "glucagonoma", "carcinoid_syndrome"])
def test_each_functioning_tumour_type_is_accepted(client, db, tumour_type):
    response = post(client, {**metastatic_case(), "tumour_type": tumour_type})

    assert response.status_code == 200
    # Version 1 names none of them: each is advised as any other functional tumour.
    assert response.json()["recommendations"] == (
        post(client, metastatic_case()).json()["recommendations"]
    )


def test_an_empty_pancreas_region_is_accepted_for_a_non_pancreatic_site(client, db):
    assert post(client, case(site="rectum", pancreas_region="")).status_code == 200


def test_unknown_resectability_is_accepted_without_distant_metastases(client, db):
    response = post(client, case(extent="localised", metastases_resectable="unknown"))

    assert response.status_code == 200


def test_negative_zero_ki67_is_read_as_zero(client, db):
    # JSON -0.0 is a Ki-67 of 0 and is explained as such, never "-0 %".
    response = post(client, case(ki67_percent=-0.0))

    assert response.status_code == 200
    assert response.json()["grade"] == "G1"
    assert response.json()["grade_basis"][0].startswith("Ki-67 0 %")


def test_without_a_published_guideline_it_answers_503_not_500(client, db):
    GuidelineVersion.objects.update(status=GuidelineVersion.Status.RETIRED)

    response = post(client, case())

    assert response.status_code == 503
    assert set(response.json()["errors"]) == {"__all__"}


# --- Side effects, queries and CSRF -----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [json.dumps(case()), json.dumps(SIX_SECTION_CASE), json.dumps(case(site=3)), "{"],
    ids=["good", "six-sections", "bad-type", "bad-json"],
)
def test_it_stores_nothing_and_starts_no_session(client, db, body):
    before = row_counts()
    sessions_before = Session.objects.count()

    response = post(client, body)

    assert response.status_code in (200, 400)
    assert row_counts() == before
    assert Session.objects.count() == sessions_before == 0
    assert not response.cookies  # no session or CSRF cookie handed out


QUERY_CASES = [
    pytest.param(ONE_SECTION_CASE, 1, False, id="one-section"),
    pytest.param(SIX_SECTION_CASE, 6, False, id="six-sections"),
    pytest.param(
        case(differentiation="poor", ki67_percent=5, mitoses_per_10hpf=None),
        1,
        True,
        id="one-section-warned",
    ),
    pytest.param(metastatic_case(), 6, True, id="six-sections-warned"),
]


@pytest.mark.parametrize(("payload", "sections", "warned"), QUERY_CASES)
def test_a_case_runs_one_query_once_the_guideline_text_is_in_memory(
    client, db, django_assert_num_queries, payload, sections, warned
):
    post(client, ONE_SECTION_CASE)  # the first request loads the published text

    # 1. guidance_guidelineversion JOIN guidance_guideline WHERE status = 'published': the
    #    published version's id, publication time and title (content.published()),
    #    the same as what is in memory, so its text is not read again.
    # No session, user or CSRF query: the endpoint touches none of them. Sections and
    # warnings, however many, cost nothing more.
    with django_assert_num_queries(1):
        response = post(client, payload)

    assert response.status_code == 200
    assert len(response.json()["recommendations"]) == sections
    assert bool(response.json()["warnings"]) == warned


@pytest.mark.parametrize(("payload", "sections", "warned"), QUERY_CASES)
def test_the_first_case_loads_the_guideline_text_in_four_queries(
    client, db, django_assert_num_queries, payload, sections, warned
):
    # Nothing in memory yet (tests start with content.forget()), as after a restart:
    # 1. the published version's id, publication time and title
    # 2. that version JOIN its guideline: label, citation, publication time, title
    # 3. all its sections   4. all its warning texts (whether or not this case has warnings)
    with django_assert_num_queries(4):
        response = post(client, payload)

    assert response.status_code == 200
    assert len(response.json()["recommendations"]) == sections
    assert bool(response.json()["warnings"]) == warned


def test_it_works_without_a_csrf_token(db):
    strict = Client(enforce_csrf_checks=True)

    response = post(strict, case())

    assert response.status_code == 200
    assert slugs(response) == ["curative-excision", "local-excision"]


# --- Whose words each item is -----------------------------------------------------------------


def test_every_item_of_version_1_is_the_sources_cited_as_the_version_cites_it(client, db):
    response = post(client, case(extent="regional_nodes", ki67_percent=None))

    body = response.json()
    citation = GuidelineVersion.objects.current().citation
    assert body["recommendations"] and body["warnings"]
    for item in body["recommendations"] + body["warnings"]:
        assert (item["voice"], item["citation"]) == ("guideline", citation), item
    assert {item["source_heading"] for item in body["recommendations"]} == {""}
    assert (body["guideline"]["about_source"], body["guideline"]["not_covered"]) == ("", "")


def test_a_note_carries_its_own_citation_and_a_quote_its_source_heading(client, editor):
    version_2 = publish_noted_version(editor)

    metastatic = post(client, metastatic_case()).json()
    regional = post(client, case(extent="regional_nodes")).json()

    by_slug = {item["section"]: item for item in metastatic["recommendations"]}
    assert (by_slug[NOTE_SECTION]["voice"], by_slug[NOTE_SECTION]["citation"]) == (
        "note",
        NOTE_CITATION,
    )
    others = [item for slug, item in by_slug.items() if slug != NOTE_SECTION]
    assert {(item["voice"], item["citation"]) for item in others} == {
        ("guideline", version_2.citation)
    }
    headed = {item["section"]: item for item in regional["recommendations"]}[HEADED_SECTION]
    assert (headed["voice"], headed["source_heading"]) == ("guideline", SOURCE_HEADING)
    warned = {item["code"]: item for item in regional["warnings"]}[NOTE_WARNING]
    assert (warned["voice"], warned["citation"]) == ("note", NOTE_CITATION)


def test_the_guideline_says_what_the_source_is_and_since_when_the_version_is_in_use(
    client, editor
):
    version_2 = publish_noted_version(editor)

    guideline = post(client, case()).json()["guideline"]

    assert guideline == {
        "title": VERSION_TITLE,
        "version": "2",
        "citation": version_2.citation,
        "about_source": ABOUT_SOURCE,  # markdown, as stored: the caller renders it
        "not_covered": NOT_COVERED,
        "in_use_since": timezone.localdate(version_2.published_at).isoformat(),
    }


def test_a_noted_version_costs_no_more_queries(client, editor, django_assert_num_queries):
    publish_noted_version(editor)
    post(client, metastatic_case())  # loads the text into memory

    with django_assert_num_queries(1):
        response = post(client, case(extent="regional_nodes"))

    assert response.status_code == 200


# --- Once version 2 is installed --------------------------------------------------------------


def test_after_installation_the_answers_carry_version_2_s_voices_and_citations(
    client, version_2, django_assert_num_queries
):
    # A metastatic insulinoma with negative SSR imaging (docs/version-2.md, finding 1).
    insulinoma = case(**{**METASTATIC_INSULINOMA_SSR_NEGATIVE, "metastases_resectable": "no"})
    post(client, case())  # loads version 2's text into memory

    with django_assert_num_queries(1):
        response = post(client, insulinoma)

    body = response.json()

    assert body["guideline"]["version"] == "2"
    assert body["guideline"]["title"] == version_2.effective_title
    assert "somatostatin-analogue" not in slugs(response)
    first = body["warnings"][0]
    withheld = version_2.warnings.get(code="ssa-withheld-insulinoma")
    assert (first["code"], first["message"], first["voice"], first["citation"]) == (
        "ssa-withheld-insulinoma",
        withheld.message,
        "note",
        withheld.citation,
    )
    assert withheld.citation  # a note names what it rests on
    for item in body["recommendations"]:
        section = version_2.sections.get(slug=item["section"])
        expected = section.citation if section.voice == "note" else version_2.citation
        assert (item["voice"], item["citation"]) == (section.voice, expected), item["section"]
    assert {item["voice"] for item in body["recommendations"]} == {"guideline", "note"}
