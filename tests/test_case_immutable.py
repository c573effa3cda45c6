"""A saved case never changes: saving it again or updating cases in bulk is refused, its
guideline version and its clinician cannot be deleted, and the admin shows cases read-only.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory

from guidance import content, recommendation
from guidance.markdown import render_markdown
from guidance.models import Case, CaseIsImmutable, GuidelineVersion, Section
from tests.factories import case_facts, change_outside_the_app, make_case
from tests.pages import detail, section_on
from tests.wizard_client import LOCALISED_COLON, run_wizard

pytestmark = pytest.mark.django_db


def admin_url(case: Case, action: str) -> str:
    return f"/admin/guidance/case/{case.pk}/{action}/"


# --- Immutability -------------------------------------------------------------------------


def test_saving_an_existing_case_is_refused_and_the_row_is_unchanged(alice):
    case = make_case(alice, reference="MDT 1")
    case.reference = "changed"
    case.snapshot["grade"] = "G3"

    with pytest.raises(CaseIsImmutable):
        case.save()

    stored = Case.objects.get(pk=case.pk)
    assert stored.reference == "MDT 1"
    assert stored.snapshot["grade"] == "G1"


@pytest.mark.parametrize(
    "change",
    [
        lambda case: Case.objects.filter(pk=case.pk).update(reference="changed"),
        lambda case: Case.objects.all().update(grade="G3"),
        lambda case: case.clinician.cases.update(reference="changed"),
        lambda case: Case.objects.bulk_update(
            [Case(pk=case.pk, reference="changed")], ["reference"]
        ),
    ],
    ids=["filter-update", "update-all", "related-manager-update", "bulk-update"],
)
def test_updating_cases_in_bulk_is_refused_and_the_row_is_unchanged(alice, change):
    case = make_case(alice, reference="MDT 1")

    # In a savepoint: bulk_update's own atomic block would otherwise doom the test's.
    with pytest.raises(CaseIsImmutable), transaction.atomic():
        change(case)

    stored = Case.objects.get(pk=case.pk)
    assert (stored.reference, stored.grade, stored.snapshot) == ("MDT 1", "G1", case.snapshot)


def test_an_old_case_shows_the_old_text_after_the_guideline_text_changes(
    alice, alice_client, version_1
):
    run_wizard(alice_client, LOCALISED_COLON)
    case = Case.objects.get()
    saved = case.snapshot["recommendations"][0]
    old_text = saved["text"]
    new_text = "Rewritten by the editors: this wording was never shown for this case."

    # The published text changed behind the app's back (the app itself refuses to).
    rows = Section.objects.filter(version=version_1, slug=saved["section"])
    edited = change_outside_the_app(rows, text=new_text)

    assert edited == 1
    html = alice_client.get(detail(case)).content.decode()
    assert render_markdown(old_text) in section_on(html, saved["section"]).source
    assert "Rewritten by the editors" not in html
    assert f'data-version="{version_1.label}"' in html
    assert f"version {version_1.label}" in html
    case.refresh_from_db()
    assert case.snapshot["recommendations"][0]["text"] == old_text
    # A case run now on the text read afresh quotes the new text: the edit did take effect.
    now = recommendation.build(facts=case_facts(**LOCALISED_COLON), text=content.load(version_1))
    assert now["recommendations"][0]["text"] == new_text


def test_the_guideline_version_a_case_used_cannot_be_deleted(alice, version_1):
    make_case(alice)
    sections = version_1.sections.count()

    with pytest.raises(ProtectedError):
        version_1.delete()
    with pytest.raises(ProtectedError):
        GuidelineVersion.objects.filter(pk=version_1.pk).delete()

    assert GuidelineVersion.objects.filter(pk=version_1.pk).exists()
    assert version_1.sections.count() == sections
    assert Case.objects.count() == 1


def test_a_clinician_with_saved_cases_cannot_be_deleted(alice):
    make_case(alice)

    with pytest.raises(ProtectedError):
        alice.delete()

    assert type(alice).objects.filter(pk=alice.pk).exists()
    assert Case.objects.filter(clinician=alice).count() == 1


# --- The admin shows cases read-only ------------------------------------------------------


def test_the_case_admin_grants_view_and_nothing_else(root, alice):
    case = make_case(alice)
    request = RequestFactory().get("/admin/guidance/case/")
    request.user = root
    case_admin = admin.site._registry[Case]

    assert case_admin.has_view_permission(request, case)
    assert not case_admin.has_add_permission(request)
    assert not case_admin.has_change_permission(request, case)
    assert not case_admin.has_delete_permission(request, case)


def test_a_superuser_sees_the_case_list_and_a_read_only_case_page(root_client, alice):
    case = make_case(alice, reference="MDT 5")

    listing = root_client.get("/admin/guidance/case/")
    page = root_client.get(admin_url(case, "change"))

    assert listing.status_code == 200
    assert "MDT 5" in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "MDT 5" in html
    assert 'name="_save"' not in html
    assert not re.search(r'<(input|textarea|select)[^>]*name="reference"', html)


def test_posting_a_change_through_the_admin_is_forbidden(root_client, alice):
    case = make_case(alice, reference="MDT 5")

    response = root_client.post(
        admin_url(case, "change"), {"reference": "changed", "grade": "G3", "_save": "Save"}
    )

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).reference == "MDT 5"


def test_cases_cannot_be_added_or_deleted_through_the_admin(root_client, alice):
    case = make_case(alice)

    assert root_client.get("/admin/guidance/case/add/").status_code == 403
    assert root_client.get(admin_url(case, "delete")).status_code == 403
    assert root_client.post(admin_url(case, "delete"), {"post": "yes"}).status_code == 403
    root_client.post(
        "/admin/guidance/case/",
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    assert Case.objects.filter(pk=case.pk).exists()
