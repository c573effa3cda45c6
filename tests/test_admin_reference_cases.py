"""Reference cases kept in the admin: field errors for bad input, never a 500, no deletion.

A reference case is the gate a draft must pass before it is published (see
test_publishing_reference_cases.py); here, through the real test client, the admin's form for one.
"""

from __future__ import annotations

import json

import pytest

from guidance.models import ReferenceCase
from guidance.publishing import discard_draft
from tests import advice
from tests.admin_client import ADD_REFERENCE_CASE, REFERENCE_CASES
from tests.drafts import add_section, add_warning
from tests.factories import METASTATIC_FACTS, METASTATIC_SECTIONS, reference_case_form
from tests.pages import html_of

pytestmark = pytest.mark.django_db

JSON_FIELDS = ["facts", "expected_sections", "expected_warnings", "expected_phrases"]


def nested(depth: int) -> str:
    """A JSON list inside a list ... ``depth`` levels deep."""
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"facts": {**METASTATIC_FACTS, "site": "mars"}}, "facts", "site:"),
        (
            {"facts": {**METASTATIC_FACTS, "site": "pancreas"}},
            "facts",
            "pancreas_region: Give the region of the pancreas.",
        ),
        ({"facts": ["not", "an", "object"]}, "facts", "Give the case facts as a JSON object."),
        ({"facts": "{not json"}, "facts", "Enter a valid JSON."),
        (
            {"expected_sections": [*METASTATIC_SECTIONS, "tamoxifen"]},
            "expected_sections",
            "Version 1 has no such section: tamoxifen.",
        ),
        (
            {"expected_warnings": ["meteor-strike"]},
            "expected_warnings",
            "Version 1 has no such warning: meteor-strike.",
        ),
        (
            {"expected_sections": json.dumps("everolimus")},
            "expected_sections",
            "Give a JSON list of strings.",
        ),
        ({"expected_phrases": [1, 2]}, "expected_phrases", "Give a JSON list of strings."),
        ({"expected_grade": "G4"}, "expected_grade", "Select a valid choice."),
    ],
    ids=[
        "site-mars",
        "pancreas-without-region",
        "facts-not-object",
        "facts-not-json",
        "unknown-section",
        "unknown-warning",
        "sections-not-list",
        "phrases-not-strings",
        "grade-g4",
    ],
)
def test_an_invalid_reference_case_shows_a_field_error_and_saves_nothing(
    erin_client, overrides, field, message
):
    before = ReferenceCase.objects.count()

    response = erin_client.post(ADD_REFERENCE_CASE, reference_case_form(**overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert any(message in error for error in errors[field]), errors[field]
    assert ReferenceCase.objects.count() == before


def test_a_valid_reference_case_is_saved_with_its_history(erin, erin_client):
    response = erin_client.post(ADD_REFERENCE_CASE, reference_case_form())

    assert response.status_code == 302
    saved = ReferenceCase.objects.get(title="Metastatic ileal NET, second look")
    assert saved.facts == METASTATIC_FACTS
    assert saved.expected_sections == METASTATIC_SECTIONS
    assert saved.expected_phrases == ["Everolimus"]
    assert saved.is_active
    assert saved.history.get().history_user == erin
    page = html_of(erin_client.get(f"/admin/guidance/referencecase/{saved.pk}/change/"))
    assert "Passes." in page


def test_reference_cases_cannot_be_deleted_in_the_admin(erin_client):
    seeded = ReferenceCase.objects.first()

    assert erin_client.get(f"/admin/guidance/referencecase/{seeded.pk}/delete/").status_code == 403
    response = erin_client.post(
        f"/admin/guidance/referencecase/{seeded.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    erin_client.post(
        REFERENCE_CASES,
        {"action": "delete_selected", "_selected_action": [seeded.pk], "post": "yes"},
    )
    assert ReferenceCase.objects.filter(pk=seeded.pk).exists()
    assert 'value="delete_selected"' not in html_of(erin_client.get(REFERENCE_CASES))



# --- What a reference case may name ---------------------------------------------------------

# The sections and warnings of the draft the reference cases gate, or, without a draft, of
# the published version: whatever they are now, never a list kept in the code.


def test_a_case_may_expect_a_section_and_a_warning_the_draft_added(erin, erin_client, draft):
    add_section(draft, erin)
    add_warning(draft, erin)
    form = reference_case_form(
        expected_sections=[*METASTATIC_SECTIONS, "surveillance-small-rectal"],
        expected_warnings=["gastric-type-unknown"],
    )

    response = erin_client.post(ADD_REFERENCE_CASE, form)

    assert response.status_code == 302
    saved = ReferenceCase.objects.get(title="Metastatic ileal NET, second look")
    assert saved.expected_sections == [*METASTATIC_SECTIONS, "surveillance-small-rectal"]
    assert saved.expected_warnings == ["gastric-type-unknown"]


def test_without_a_draft_a_name_only_a_discarded_draft_had_is_unknown(erin, erin_client, draft):
    add_section(draft, erin)
    add_warning(draft, erin)
    discard_draft(draft, editor=erin, reason="Not agreed")
    form = reference_case_form(
        expected_sections=[*METASTATIC_SECTIONS, "surveillance-small-rectal"],
        expected_warnings=["gastric-type-unknown"],
    )

    response = erin_client.post(ADD_REFERENCE_CASE, form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "expected_sections": ["Version 1 has no such section: surveillance-small-rectal."],
        "expected_warnings": ["Version 1 has no such warning: gastric-type-unknown."],
    }
    assert not ReferenceCase.objects.filter(title="Metastatic ileal NET, second look").exists()


def test_a_section_the_draft_removed_is_unknown_and_every_unknown_name_is_said(
    erin_client, draft
):
    draft.sections.get(slug="overview").delete()
    form = reference_case_form(expected_sections=[*METASTATIC_SECTIONS, "overview", "tamoxifen"])

    response = erin_client.post(ADD_REFERENCE_CASE, form)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "expected_sections": ["The draft has no such section: overview, tamoxifen."],
    }


def test_version_1_s_own_names_are_accepted(erin_client):
    form = reference_case_form(
        title="Every name of version 1",
        expected_sections=list(advice.SECTION_SLUGS),
        expected_warnings=list(advice.WARNING_CODES),
    )

    response = erin_client.post(ADD_REFERENCE_CASE, form)

    assert response.status_code == 302
    saved = ReferenceCase.objects.get(title="Every name of version 1")
    assert saved.expected_sections == list(advice.SECTION_SLUGS)
    assert saved.expected_warnings == list(advice.WARNING_CODES)


# --- Every change says why ---------------------------------------------------------------------

# A reference case gates publishing: adding, changing or deactivating one is recorded
# (django-simple-history) with who, when and why, like an edit of guideline text.

REASON_REQUIRED = ["This field is required."]


def change_url(case: ReferenceCase) -> str:
    return f"{REFERENCE_CASES}{case.pk}/change/"


def test_a_new_reference_case_needs_a_reason_and_nothing_is_saved_without_one(erin_client):
    before = ReferenceCase.objects.count()

    response = erin_client.post(ADD_REFERENCE_CASE, reference_case_form(change_reason=""))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"change_reason": REASON_REQUIRED}
    assert ReferenceCase.objects.count() == before


def test_a_new_reference_case_records_its_reason_and_its_editor(erin, erin_client):
    form = reference_case_form(change_reason="The MDT asked for a second ileal case")

    assert erin_client.post(ADD_REFERENCE_CASE, form).status_code == 302

    (record,) = ReferenceCase.objects.get(title=form["title"]).history.all()
    assert (record.history_type, record.history_user) == ("+", erin)
    assert record.history_change_reason == "The MDT asked for a second ileal case"


@pytest.mark.parametrize(
    "change",
    [
        {"is_active": None},
        {"expected_phrases": []},
        {"expected_sections": METASTATIC_SECTIONS[:-1]},
        {"notes": "Reworded notes."},
    ],
    ids=["deactivated", "phrases-dropped", "section-dropped", "notes-changed"],
)
def test_a_reference_case_is_not_changed_without_a_reason(erin_client, change):
    seeded = ReferenceCase.objects.get(title__startswith="Metastatic small-bowel")
    before = (seeded.is_active, seeded.expected_phrases, seeded.expected_sections, seeded.notes)
    history = seeded.history.count()

    response = erin_client.post(
        change_url(seeded), reference_case_form(seeded, change_reason="", **change)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"change_reason": REASON_REQUIRED}
    seeded.refresh_from_db()
    assert (
        seeded.is_active, seeded.expected_phrases, seeded.expected_sections, seeded.notes
    ) == before
    assert seeded.history.count() == history


def test_deactivating_a_reference_case_records_who_and_why(erin, erin_client):
    seeded = ReferenceCase.objects.get(title__startswith="Metastatic small-bowel")
    form = reference_case_form(
        seeded, is_active=None, change_reason="Duplicates the hepatic metastases case"
    )

    assert erin_client.post(change_url(seeded), form).status_code == 302

    seeded.refresh_from_db()
    assert not seeded.is_active
    latest = seeded.history.latest("history_id")
    assert (latest.history_type, latest.history_user, latest.is_active) == ("~", erin, False)
    assert latest.history_change_reason == "Duplicates the hepatic metastases case"
    assert latest.prev_record.is_active


def test_the_reference_case_form_asks_for_the_reason(erin_client):
    seeded = ReferenceCase.objects.order_by("pk").first()

    page = html_of(erin_client.get(change_url(seeded)))

    assert 'name="change_reason"' in page
    assert "Reason for this change" in page


def test_every_seeded_reference_case_has_a_first_history_row_saying_where_it_came_from(db):
    for case in ReferenceCase.objects.all():
        (record,) = case.history.all()
        assert record.history_type == "+"
        assert record.history_change_reason == "Seeded with the project"
        assert record.history_user is None
        assert (record.title, record.facts, record.expected_phrases) == (
            case.title, case.facts, case.expected_phrases
        )


# --- Deeply nested JSON ----------------------------------------------------------------------

# Python's json module parses nesting by recursion: 50,000 levels raised RecursionError (a
# 500), and so did 900 levels, a little short of the interpreter's limit.


@pytest.mark.parametrize("depth", [50_000, 900, 21], ids=["50000-deep", "900-deep", "21-deep"])
@pytest.mark.parametrize("field", JSON_FIELDS)
def test_deeply_nested_json_in_a_new_reference_case_is_a_field_error(erin_client, field, depth):
    before = ReferenceCase.objects.count()

    response = erin_client.post(ADD_REFERENCE_CASE, reference_case_form(**{field: nested(depth)}))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert errors[field] == ["This JSON is too deeply nested: at most 20 levels."]
    assert ReferenceCase.objects.count() == before
    # The page gives back what was typed, for the editor to correct.
    assert nested(depth) in html_of(response)


@pytest.mark.parametrize("field", JSON_FIELDS)
def test_deeply_nested_json_in_a_changed_reference_case_is_a_field_error_and_changes_nothing(
    erin_client, field
):
    seeded = ReferenceCase.objects.order_by("pk").first()
    saved = {name: getattr(seeded, name) for name in JSON_FIELDS}
    history = seeded.history.count()
    form = reference_case_form(seeded, **{field: nested(50_000)})

    response = erin_client.post(f"{REFERENCE_CASES}{seeded.pk}/change/", form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors[field] == ["This JSON is too deeply nested: at most 20 levels."]
    seeded.refresh_from_db()
    assert {name: getattr(seeded, name) for name in JSON_FIELDS} == saved
    assert seeded.history.count() == history


def test_json_nested_within_the_limit_gets_the_fields_own_error(erin_client):
    form = reference_case_form(expected_phrases=nested(20))

    response = erin_client.post(ADD_REFERENCE_CASE, form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["expected_phrases"] == ["Give a JSON list of strings."]


# --- Once version 2 is installed ---------------------------------------------------------------


def test_a_reference_case_of_version_2_is_changed_with_its_own_sections(
    erin, erin_client, version_2
):
    # It names sections and warnings version 1 never had: those of the published version.
    case = ReferenceCase.objects.get(
        title="Localised insulinoma of 12 mm: glucose control before surgery"
    )
    assert "insulinoma-glucose-control" in case.expected_sections
    form = reference_case_form(
        case, notes="Checked at the MDT.", change_reason="Checked against the MDT's notes"
    )

    assert erin_client.post(change_url(case), form).status_code == 302

    case.refresh_from_db()
    assert case.notes == "Checked at the MDT."
    assert case.history.latest("history_id").history_user == erin


def test_a_warning_version_2_dropped_is_unknown_once_it_is_installed(erin_client, version_2):
    # Version 2 replaced differentiation-assumed with g3-differentiation-unknown.
    assert not version_2.warnings.filter(code="differentiation-assumed").exists()

    response = erin_client.post(
        ADD_REFERENCE_CASE, reference_case_form(expected_warnings=["differentiation-assumed"])
    )

    errors = response.context["adminform"].form.errors
    assert errors == {
        "expected_warnings": ["Version 2 has no such warning: differentiation-assumed."]
    }
