"""The admin's guideline file: any version downloaded, a draft made from an uploaded file with
every problem on the file field; and a condition edited on a section's or warning's change
form, with the engine's errors on the field."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from guidance import guideline_file
from guidance.models import GuidelineVersion, Section, WarningText
from tests.admin_client import (
    VERSIONS,
    change_url,
    field_errors,
    section,
    section_form,
    start_draft_in_the_admin,
    warning_form,
)
from tests.admin_client import published as published_version
from tests.drafts import DRAFT
from tests.factories import (
    OUTSIDE_CHOICES_CONDITION,
    TYPO_CONDITION,
    UNKNOWN_SECTION_CONDITION,
    changed_document,
    guideline_document,
    make_clinician,
)
from tests.pages import html_of, parse

pytestmark = pytest.mark.django_db

IMPORT = "/admin/guidance/guidelineversion/import/"
REASON = "ENETS 2023 review"


def export_url(version: GuidelineVersion) -> str:
    return f"/admin/guidance/guidelineversion/{version.pk}/export/"


def upload(client, document, reason: str = REASON):
    text = document if isinstance(document, str) else json.dumps(document)
    upload = SimpleUploadedFile("guideline.json", text.encode(), "application/json")
    return client.post(IMPORT, {"file": upload, "reason": reason})


# --- Download ---------------------------------------------------------------------------------


def test_a_version_downloads_as_its_guideline_file(erin_client, version_1):
    response = erin_client.get(export_url(version_1))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="gep-net-management-version-1.json"'
    )
    assert json.loads(response.content) == guideline_file.export(version_1)


def test_the_versions_page_links_the_download(erin_client, version_1):
    page = html_of(erin_client.get(f"{VERSIONS}{version_1.pk}/change/"))

    assert f'href="{export_url(version_1)}"' in page


def test_a_clinician_cannot_download_a_version(alice_client, version_1):
    response = alice_client.get(export_url(version_1))

    assert response.status_code == 302  # to the admin's login: not staff
    assert "/admin/login/" in response["Location"]


# --- Upload -----------------------------------------------------------------------------------


def test_an_uploaded_file_makes_a_draft_with_who_and_why(erin, erin_client, version_1):
    document = changed_document(
        guideline_document(version_1),
        sections={"everolimus": {"text": "Everolimus may slow progression in some patients."}},
    )

    response = upload(erin_client, document)

    draft = GuidelineVersion.objects.get(status=DRAFT)
    assert response.status_code == 302
    assert response["Location"] == f"{VERSIONS}{draft.pk}/change/"
    assert guideline_document(draft)["sections"] == document["sections"]
    record = draft.sections.get(slug="everolimus").history.get()
    assert (record.history_user, record.history_change_reason) == (erin, REASON)


def test_every_problem_in_an_upload_is_shown_on_the_file_field_and_nothing_is_made(
    erin_client, version_1
):
    document = changed_document(
        guideline_document(version_1),
        sections={"local-excision": {"applies_when": TYPO_CONDITION}},
        warnings={
            "ssr-negative": {"applies_when": OUTSIDE_CHOICES_CONDITION},
            "local-excision-size": {"applies_when": UNKNOWN_SECTION_CONDITION},
        },
    )
    versions = GuidelineVersion.objects.count()

    response = upload(erin_client, document)

    errors = response.context["form"].errors["file"]
    assert len(errors) >= 3
    assert any("section local-excision, applies_when" in e and "sise_mm" in e for e in errors)
    assert any("warning ssr-negative, applies_when" in e and "rectal" in e for e in errors)
    assert any("warning local-excision-size" in e and "local-exision" in e for e in errors)
    page = html_of(response)
    assert "sise_mm" in page and "local-exision" in page
    assert GuidelineVersion.objects.count() == versions


def test_an_upload_that_is_not_json_is_an_error_on_the_file_field(erin_client, version_1):
    response = upload(erin_client, "{not json")

    (error,) = response.context["form"].errors["file"]
    assert error.startswith("file: not a valid JSON document")


def test_an_upload_while_there_is_a_draft_is_refused(erin_client, version_1):
    start_draft_in_the_admin(erin_client)

    response = upload(erin_client, guideline_document(version_1))

    assert response.context["form"].non_field_errors() == [
        "There is already a draft: publish or discard it first."
    ]
    assert GuidelineVersion.objects.filter(status=DRAFT).count() == 1


def test_an_upload_needs_a_reason(erin_client, version_1):
    response = upload(erin_client, guideline_document(version_1), reason="")

    assert "reason" in response.context["form"].errors
    assert not GuidelineVersion.objects.filter(status=DRAFT).exists()


def test_only_who_may_start_a_draft_may_upload(client_for, version_1):
    staff = make_clinician("sam", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_guidelineversion"))
    client = client_for(staff)

    assert client.get(IMPORT).status_code == 403
    assert upload(client, guideline_document(version_1)).status_code == 403
    assert client.get(export_url(version_1)).status_code == 200  # viewing is reading
    assert not GuidelineVersion.objects.filter(status=DRAFT).exists()


def test_the_versions_list_offers_the_upload(erin_client, version_1):
    page = html_of(erin_client.get(VERSIONS))

    assert f'href="{IMPORT}"' in page
    assert html_of(erin_client.get(IMPORT)).count('type="file"') == 1


# --- A condition on the change forms ----------------------------------------------------------


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


def test_a_typo_in_a_sections_condition_is_an_error_on_that_field(erin_client, draft):
    everolimus = section(draft)

    response = erin_client.post(
        change_url(everolimus),
        section_form(everolimus, applies_when=TYPO_CONDITION, change_reason="Try"),
    )

    errors = response.context["adminform"].form.errors
    assert list(errors) == ["applies_when"]
    assert any("sise_mm" in message for message in errors["applies_when"])
    assert any("sise_mm" in message for message in field_errors(response, "applies_when"))
    assert Section.objects.get(pk=everolimus.pk).applies_when == everolimus.applies_when


def test_a_changed_condition_is_saved_with_who_and_why(erin, erin_client, draft):
    everolimus = section(draft)
    condition = 'extent == "distant_metastases" and category == "well_differentiated"'

    response = erin_client.post(
        change_url(everolimus),
        section_form(
            everolimus, applies_when=f"{condition} and size_mm >= 10", change_reason="ENETS 2023"
        ),
    )

    assert response.status_code == 302
    record = Section.objects.get(pk=everolimus.pk).history.latest("history_id")
    assert (record.applies_when, record.history_user, record.history_change_reason) == (
        f"{condition} and size_mm >= 10",
        erin,
        "ENETS 2023",
    )


def test_a_warning_naming_a_section_that_does_not_exist_is_an_error_on_its_field(
    erin_client, draft
):
    warning = draft.warnings.get(code="local-excision-size")
    url = f"/admin/guidance/warningtext/{warning.pk}/change/"

    response = erin_client.post(
        url,
        warning_form(warning, applies_when=UNKNOWN_SECTION_CONDITION, change_reason="Try"),
    )

    errors = response.context["adminform"].form.errors
    assert list(errors) == ["applies_when"]
    assert any("local-exision" in message for message in errors["applies_when"])
    assert WarningText.objects.get(pk=warning.pk).applies_when == warning.applies_when


def test_a_value_outside_a_fields_choices_is_an_error_on_the_field(erin_client, draft):
    warning = draft.warnings.get(code="ssr-negative")
    url = f"/admin/guidance/warningtext/{warning.pk}/change/"

    response = erin_client.post(
        url, warning_form(warning, applies_when=OUTSIDE_CHOICES_CONDITION, change_reason="Try")
    )

    errors = response.context["adminform"].form.errors["applies_when"]
    assert any("rectal" in message for message in errors)


def test_the_change_form_shows_the_condition_beside_the_text(erin_client, draft):
    page = parse(html_of(erin_client.get(change_url(section(draft)))))

    (box,) = page.find_all("textarea", name="applies_when")
    assert box.text() == section(draft).applies_when


# --- The version's own history ------------------------------------------------------------------


def history_rows(response) -> list[list[str]]:
    """The rows of an admin history page: object, date, comment, who, reason, changes."""
    table = parse(html_of(response)).by_id("change-history")
    return [[cell.text() for cell in row.find_all("td")] for row in table.find_all("tr")][1:]


def test_a_versions_history_page_shows_who_made_it_and_why(erin_client, draft):
    ((_, _, comment, who, reason, _),) = history_rows(
        erin_client.get(f"{VERSIONS}{draft.pk}/history/")
    )

    assert (comment, who, reason) == ("Created", "erin", "Draft started from version 1")
    rows = history_rows(erin_client.get(f"{VERSIONS}{published_version().pk}/history/"))
    assert [row[4] for row in rows] == ["Logic moved from the engine's code into the guideline"]
