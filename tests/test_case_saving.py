"""Saving a case: what a logged-in clinician's finished wizard stores, and that it never changes.

The done step saves one Case in one transaction: the inputs and the recommendation exactly
as shown (``recommendation.build``), the published guideline version (a protected foreign
key), the clinician, the time and an optional reference that must not identify a patient.
"""

from __future__ import annotations

import re
import threading
import uuid
from datetime import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory
from django.utils import timezone

from guidance import content, engine, recommendation
from guidance.markdown import render_markdown
from guidance.models import Case, CaseIsImmutable, GuidelineVersion, Section
from guidance.wizard import CaseWizard
from tests.factories import case_facts, change_outside_the_app, make_case
from tests.wizard_client import (
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    SMALL_INSULINOMA,
    STEP_FIELDS,
    WARNED_RECTUM,
    Tab,
    answer_steps,
    done_url,
    post_step,
    run_wizard,
    step_url,
)

pytestmark = pytest.mark.django_db

SAVED_MESSAGE = "The case is saved in your history."


@pytest.fixture
def published():
    return GuidelineVersion.objects.current()


@pytest.fixture
def admin_user(root):
    return root


@pytest.fixture
def admin_client(root_client):
    return root_client


@pytest.fixture
def alice_client_no_raise(client_for, alice):
    """Alice's browser: a server error comes back as a page instead of raising in the test."""
    return client_for(alice, raise_request_exception=False)


def refuse_to_save(self, *args, **kwargs):
    """Stands in for Case.save when the database fails (a lock timeout, a full disk)."""
    raise IntegrityError("simulated database failure")


def the_case_url(case: Case) -> str:
    return f"/cases/{case.pk}/"


def review_errors(response) -> dict:
    assert response.status_code == 200, "the review step did not show its errors"
    assert response.context["wizard"]["steps"].current == "review"
    return response.context["wizard"]["form"].errors


def admin_url(case: Case, action: str) -> str:
    return f"/admin/guidance/case/{case.pk}/{action}/"


# --- What is saved -------------------------------------------------------------------------


def test_finishing_the_wizard_logged_in_saves_exactly_one_case(alice, alice_client, published):
    before = timezone.now()

    response = run_wizard(alice_client, WARNED_RECTUM, reference="MDT list 14, item 3")

    case = Case.objects.get()
    assert case.clinician == alice
    assert case.guideline_version == published
    assert case.reference == "MDT list 14, item 3"
    assert before <= case.created_at <= timezone.now()
    assert response.status_code == 302
    assert response.url == the_case_url(case)


def test_a_case_is_recorded_now_unless_it_is_given_the_time_it_was_shown(alice, published):
    shown = recommendation.build(facts=case_facts(**LOCALISED_COLON), text=content.load(published))
    shown_at = timezone.make_aware(datetime(2025, 3, 14, 9, 5))

    before = timezone.now()
    now = Case.record(
        clinician=alice, guideline_version_id=published.pk, shown=shown, run_token=uuid.uuid4()
    )
    after = timezone.now()
    then = Case.record(
        clinician=alice,
        guideline_version_id=published.pk,
        shown=shown,
        run_token=uuid.uuid4(),
        created_at=shown_at,
    )

    assert before <= Case.objects.get(pk=now.pk).created_at <= after
    assert Case.objects.get(pk=then.pk).created_at == shown_at
    # Either way the columns the history and the impact report read come from what was shown.
    assert then.section_slugs == now.section_slugs != "  "
    assert then.warning_codes == now.warning_codes


def test_the_snapshot_is_the_recommendation_exactly_as_built(alice_client, published):
    run_wizard(alice_client, WARNED_RECTUM)

    snapshot = Case.objects.get().snapshot  # read back from the database's JSON
    assert snapshot == recommendation.build(
        facts=case_facts(**WARNED_RECTUM), text=content.load(published)
    )


def test_the_snapshot_holds_the_sections_text_reasons_warnings_grade_and_category(
    alice_client, published
):
    run_wizard(alice_client, WARNED_RECTUM)

    snapshot = Case.objects.get().snapshot
    result = engine.recommend(case_facts(**WARNED_RECTUM))
    texts = {section.slug: section for section in published.sections.all()}
    assert [item["section"] for item in snapshot["recommendations"]] == list(result.slugs)
    for item in snapshot["recommendations"]:
        assert item["text"] == texts[item["section"]].text
        assert item["heading"] == texts[item["section"]].heading
        assert item["reasons"]
    messages = dict(published.warnings.values_list("code", "message"))
    assert [w["code"] for w in snapshot["warnings"]] == list(result.warning_codes)
    assert len(snapshot["warnings"]) == 5
    for warning in snapshot["warnings"]:
        assert warning["message"] == messages[warning["code"]]
    assert snapshot["grade"] == "G2"
    assert snapshot["category"] == result.category.value
    assert snapshot["category_label"] == result.category.label
    assert snapshot["guideline"]["version"] == published.label
    assert snapshot["facts"]["site"] == "rectum"
    assert snapshot["facts"]["size_mm"] == 25.5
    assert snapshot["facts"]["ki67_percent"] == 2.9


@pytest.mark.parametrize(
    ("facts", "site", "extent", "grade", "warnings"),
    [
        (WARNED_RECTUM, "rectum", "regional_nodes", "G2", 5),
        (SMALL_INSULINOMA, "pancreas", "localised", "G1", 0),
        (METASTATIC_SMALL_BOWEL, "small_intestine", "distant_metastases", "G2", 0),
    ],
)
def test_the_columns_the_history_filters_on_are_copied_from_the_snapshot(
    alice_client, facts, site, extent, grade, warnings
):
    run_wizard(alice_client, facts)

    case = Case.objects.get()
    assert (case.site, case.extent, case.grade, case.warning_count) == (
        site,
        extent,
        grade,
        warnings,
    )
    assert case.warning_count == len(case.snapshot["warnings"])


def test_an_unknown_grade_is_saved_as_empty(alice_client):
    run_wizard(alice_client, LOCALISED_COLON | {"ki67_percent": None, "mitoses_per_10hpf": None})

    case = Case.objects.get()
    assert case.snapshot["grade"] is None
    assert case.grade == ""


def test_no_reference_is_saved_as_empty(alice_client):
    run_wizard(alice_client, LOCALISED_COLON)

    assert Case.objects.get().reference == ""


def test_the_clinician_lands_on_the_saved_case_with_a_message(alice_client):
    response = run_wizard(alice_client, LOCALISED_COLON, reference="MDT 7")

    case = Case.objects.get()
    page = alice_client.get(response.url)
    assert page.status_code == 200
    assert page.context["case"] == case
    html = page.content.decode()
    assert SAVED_MESSAGE in html
    assert "Nothing about this case has been saved" not in html
    # The message is shown once, not again on the next page.
    assert SAVED_MESSAGE not in alice_client.get(response.url).content.decode()


def test_each_finished_wizard_is_a_new_case(alice_client):
    first = run_wizard(alice_client, LOCALISED_COLON)
    second = run_wizard(alice_client, LOCALISED_COLON)

    assert Case.objects.count() == 2
    assert first.url != second.url


def test_getting_done_again_after_saving_saves_nothing_more(alice_client):
    run_wizard(alice_client, LOCALISED_COLON)

    again = alice_client.get(done_url(alice_client))

    # The run is over once its case is saved: the done URL now shows that case.
    assert (again.status_code, again.url) == (302, the_case_url(Case.objects.get()))
    assert Case.objects.count() == 1


# --- The case reference -------------------------------------------------------------------


def test_the_review_step_reminds_not_to_enter_patient_identifiers(alice_client):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    html = alice_client.get(step_url(alice_client, "review")).content.decode()

    assert 'name="review-reference"' in html
    assert "Case reference (optional)" in html
    assert "Do not enter names, dates of birth, hospital or NHS numbers" in " ".join(html.split())


def test_no_wizard_field_asks_for_a_patient_identifier():
    fields = {name for _, form in CaseWizard.form_list for name in form.base_fields}

    assert fields == {name for names in STEP_FIELDS.values() for name in names} | {"reference"}


@pytest.mark.parametrize(
    "reference",
    [
        "943 476 5919",  # an NHS number, spaced
        "9434765919",  # the same, unspaced
        "943-476-5919",
        "1234567",  # a hospital number
        "MDT RX1234567",
        "someone@example.org",  # an email address
        "943.476.5919",
        "943/476/5919",
        "943\u00a0476\u00a05919",  # non-breaking spaces
        "MRN 123456",
        "H123 4567",
        "alice [at] example [dot] org",
        "alice(at)nhs.net",
        "01/02/1960",  # a date of birth
        "1 Feb 1960",
    ],
)
def test_a_reference_that_looks_like_an_identifier_is_refused_and_nothing_saved(
    alice_client, reference
):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = post_step(alice_client, "review", reference=reference)

    errors = review_errors(response)
    assert "looks like a patient identifier" in errors["reference"][0]
    assert "looks like a patient identifier" in response.content.decode()
    # Even going to the done URL directly saves nothing: the review was not accepted.
    assert alice_client.get(done_url(alice_client)).status_code == 302
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("reference", "kind"),
    [
        ("943 476 5919", "an NHS number"),
        ("943 476 5918", "a hospital or other patient number"),
        ("MRN: 12345", "a hospital number"),
        ("alice at nhs.net", "an email address"),
        ("1960-02-01", "a date (perhaps a date of birth)"),
    ],
)
def test_the_refusal_says_what_kind_of_identifier_the_reference_looks_like(
    alice_client, reference, kind
):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = post_step(alice_client, "review", reference=reference)

    assert review_errors(response)["reference"] == [
        f"This looks like a patient identifier: {kind}. Use a reference that does not "
        "identify the patient, such as an MDT list number."
    ]


@pytest.mark.parametrize("reference", ["MDT-2026-014", "Tue list 7", "HPB 12"])
def test_a_reference_as_mdt_lists_write_it_is_saved(alice_client, reference):
    run_wizard(alice_client, LOCALISED_COLON, reference=reference)

    assert Case.objects.get().reference == reference


def test_a_case_saved_outside_the_wizard_refuses_an_identifier_as_its_reference(alice):
    with pytest.raises(ValidationError, match="an NHS number"):
        make_case(alice, reference="943 476 5919")

    assert not Case.objects.exists()
    # The model field carries the same check, for any form built on it.
    with pytest.raises(ValidationError) as refused:
        Case._meta.get_field("reference").clean("MRN 123456", None)
    assert refused.value.error_list[0].code == "patient_identifier"


def test_a_reference_over_40_characters_is_refused_and_nothing_saved(alice_client):
    answer_steps(alice_client, LOCALISED_COLON, until="review")

    response = post_step(alice_client, "review", reference="x" * 41)

    assert review_errors(response)["reference"] == [
        "Ensure this value has at most 40 characters (it has 41)."
    ]
    alice_client.get(done_url(alice_client))
    assert not Case.objects.exists()


@pytest.mark.parametrize("reference", ["x" * 40, "MDT 2025/03 no. 12", "Tuesday list, 4th"])
def test_an_ordinary_reference_is_accepted(alice_client, reference):
    run_wizard(alice_client, LOCALISED_COLON, reference=reference)

    assert Case.objects.get().reference == reference


def test_the_reference_is_saved_without_surrounding_spaces(alice_client):
    run_wizard(alice_client, LOCALISED_COLON, reference="  MDT 9  ")

    assert Case.objects.get().reference == "MDT 9"


# --- All or nothing -----------------------------------------------------------------------


def test_a_failure_after_the_row_is_written_leaves_no_case(monkeypatch, alice_client_no_raise):
    written = []
    real_save = Case.save

    def save_then_fail(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        written.append(Case.objects.filter(pk=self.pk).exists())
        raise IntegrityError("simulated failure after the INSERT")

    monkeypatch.setattr(Case, "save", save_then_fail)

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON, reference="MDT 1")

    assert written == [True], "the failure did not come after the row was written"
    assert not Case.objects.exists()
    assert response.status_code != 500, "a failed save is a bare server error"


def test_a_failed_save_says_plainly_that_nothing_was_kept(monkeypatch, alice_client_no_raise):
    monkeypatch.setattr(Case, "save", refuse_to_save)

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON)

    assert response.status_code == 503
    html = response.content.decode()
    assert "This case could not be saved, and nothing about it was stored." in " ".join(
        html.split()
    )
    assert SAVED_MESSAGE not in html
    # The advice itself is still shown.
    assert 'data-section="curative-excision"' in html
    assert not Case.objects.exists()


def test_the_database_refusing_the_row_leaves_no_case(monkeypatch, alice_client_no_raise):
    # A real constraint failure, not a mock: a grade the check constraint does not allow.
    real_build = recommendation.build

    def build_with_bad_grade(**kwargs):
        return {**real_build(**kwargs), "grade": "G4"}

    monkeypatch.setattr(recommendation, "build", build_with_bad_grade)

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON)

    assert response.status_code == 503
    assert not Case.objects.exists()


def test_after_a_failed_save_running_the_case_again_saves_it_once(
    monkeypatch, alice_client_no_raise
):
    with monkeypatch.context() as patch:
        patch.setattr(Case, "save", refuse_to_save)
        assert run_wizard(alice_client_no_raise, LOCALISED_COLON).status_code == 503

    response = run_wizard(alice_client_no_raise, LOCALISED_COLON)

    case = Case.objects.get()
    assert response.url == the_case_url(case)


def test_after_a_failed_save_the_answers_are_kept_for_another_try(
    monkeypatch, alice_client_no_raise
):
    with monkeypatch.context() as patch:
        patch.setattr(Case, "save", refuse_to_save)
        assert run_wizard(alice_client_no_raise, LOCALISED_COLON).status_code == 503

    # The wizard reopens at the review with every answer still there; one submit saves it.
    review = alice_client_no_raise.get(step_url(alice_client_no_raise, "review"))
    assert review.status_code == 200
    assert "Colon" in review.content.decode()
    response = post_step(alice_client_no_raise, "review", reference="")
    done = alice_client_no_raise.get(response.url)
    assert done.url == the_case_url(Case.objects.get())


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
    alice, alice_client, published
):
    run_wizard(alice_client, LOCALISED_COLON)
    case = Case.objects.get()
    saved = case.snapshot["recommendations"][0]
    old_text = saved["text"]
    new_text = "Rewritten by the editors: this wording was never shown for this case."

    # The published text changed behind the app's back (the app itself refuses to).
    rows = Section.objects.filter(version=published, slug=saved["section"])
    edited = change_outside_the_app(rows, text=new_text)

    assert edited == 1
    html = alice_client.get(the_case_url(case)).content.decode()
    assert render_markdown(old_text) in html
    assert "Rewritten by the editors" not in html
    assert f'data-version="{published.label}"' in html
    assert f"version {published.label}" in html
    case.refresh_from_db()
    assert case.snapshot["recommendations"][0]["text"] == old_text
    # A case run now on the text read afresh quotes the new text: the edit did take effect.
    now = recommendation.build(facts=case_facts(**LOCALISED_COLON), text=content.load(published))
    assert now["recommendations"][0]["text"] == new_text


def test_the_guideline_version_a_case_used_cannot_be_deleted(alice, published):
    make_case(alice)
    sections = published.sections.count()

    with pytest.raises(ProtectedError):
        published.delete()
    with pytest.raises(ProtectedError):
        GuidelineVersion.objects.filter(pk=published.pk).delete()

    assert GuidelineVersion.objects.filter(pk=published.pk).exists()
    assert published.sections.count() == sections
    assert Case.objects.count() == 1


def test_a_clinician_with_saved_cases_cannot_be_deleted(alice):
    make_case(alice)

    with pytest.raises(ProtectedError):
        alice.delete()

    assert type(alice).objects.filter(pk=alice.pk).exists()
    assert Case.objects.filter(clinician=alice).count() == 1


# --- The admin shows cases read-only ------------------------------------------------------


def test_the_case_admin_grants_view_and_nothing_else(admin_user, alice):
    case = make_case(alice)
    request = RequestFactory().get("/admin/guidance/case/")
    request.user = admin_user
    case_admin = admin.site._registry[Case]

    assert case_admin.has_view_permission(request, case)
    assert not case_admin.has_add_permission(request)
    assert not case_admin.has_change_permission(request, case)
    assert not case_admin.has_delete_permission(request, case)


def test_a_superuser_sees_the_case_list_and_a_read_only_case_page(admin_client, alice):
    case = make_case(alice, reference="MDT 5")

    listing = admin_client.get("/admin/guidance/case/")
    page = admin_client.get(admin_url(case, "change"))

    assert listing.status_code == 200
    assert "MDT 5" in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "MDT 5" in html
    assert 'name="_save"' not in html
    assert not re.search(r'<(input|textarea|select)[^>]*name="reference"', html)


def test_posting_a_change_through_the_admin_is_forbidden(admin_client, alice):
    case = make_case(alice, reference="MDT 5")

    response = admin_client.post(
        admin_url(case, "change"), {"reference": "changed", "grade": "G3", "_save": "Save"}
    )

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).reference == "MDT 5"


def test_cases_cannot_be_added_or_deleted_through_the_admin(admin_client, alice):
    case = make_case(alice)

    assert admin_client.get("/admin/guidance/case/add/").status_code == 403
    assert admin_client.get(admin_url(case, "delete")).status_code == 403
    assert admin_client.post(admin_url(case, "delete"), {"post": "yes"}).status_code == 403
    admin_client.post(
        "/admin/guidance/case/",
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    assert Case.objects.filter(pk=case.pk).exists()


# --- Query count ----------------------------------------------------------------------------

# GET of the done URL for a logged-in clinician, whatever the number of sections and warnings,
# once the published text is in memory (after any earlier request in the process):
#   1. SELECT django_session        the session (the wizard's answers and the login)
#   2. SELECT auth_user             request.user
#   3. SELECT guidelineversion      the published version's id, publication time and
#      JOIN guideline               guideline title (one query, content.published()):
#                                   unchanged, so its text comes from memory
#   4. SAVEPOINT                    Case.record's transaction.atomic
#   5. INSERT guidance_case         the case and its snapshot
#   6. RELEASE SAVEPOINT
#   7. SAVEPOINT                    the session save's transaction.atomic
#   8. UPDATE django_session        the wizard's answers cleared, the message stored
#   9. RELEASE SAVEPOINT
# (Under the test's transaction each atomic block is a savepoint; in production they are
# BEGIN/COMMIT.) With nothing in memory, as after a restart, three more load the text:
# the version JOIN its guideline, all its sections, all its warning texts.
DONE_QUERIES = 9
LOADING_THE_TEXT = 3


@pytest.mark.parametrize("warm", [True, False], ids=["text in memory", "first request"])
@pytest.mark.parametrize(
    ("facts", "sections", "warnings"),
    [(SMALL_INSULINOMA, 1, 0), (METASTATIC_SMALL_BOWEL, 6, 0), (WARNED_RECTUM, 2, 5)],
    ids=["1-section", "6-sections", "with-warnings"],
)
def test_saving_runs_a_fixed_number_of_queries(
    alice_client, django_assert_num_queries, facts, sections, warnings, warm
):
    if warm:
        content.published()  # as any earlier request in this process would have done
    answer_steps(alice_client, facts)

    url = done_url(alice_client)
    with django_assert_num_queries(DONE_QUERIES if warm else DONE_QUERIES + LOADING_THE_TEXT):
        response = alice_client.get(url)

    assert response.status_code == 302
    snapshot = Case.objects.get().snapshot
    assert (len(snapshot["recommendations"]), len(snapshot["warnings"])) == (sections, warnings)


# --- One case per run of the wizard -------------------------------------------------------


def test_submitting_the_same_review_again_lands_on_the_case_already_saved(alice_client):
    first = Tab(alice_client)
    first.start(LOCALISED_COLON)
    second = Tab(alice_client)  # the review open twice (a second tab, or Back in the browser)
    second.open(first.url)

    first.answer("review", LOCALISED_COLON, reference="MDT 6")
    second.answer("review", LOCALISED_COLON, reference="MDT 6")

    case = Case.objects.get()
    assert first.url == second.url == the_case_url(case)
    assert second.status_code == 200


def test_the_database_refuses_a_second_case_from_the_same_run(alice, published):
    shown = recommendation.build(facts=case_facts(**LOCALISED_COLON), text=content.load(published))
    run = uuid.uuid4()
    Case.record(clinician=alice, guideline_version_id=published.pk, shown=shown, run_token=run)

    # Not a check in Python: the unique column itself refuses the row, however it comes.
    # (In a savepoint: bulk_create's own atomic block would otherwise doom the test's.)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.bulk_create(
            [
                Case(
                    clinician=alice,
                    guideline_version=published,
                    site="colon",
                    extent="localised",
                    warning_count=0,
                    snapshot=shown,
                    run_token=run,
                )
            ]
        )
    with pytest.raises(IntegrityError):
        Case.record(clinician=alice, guideline_version_id=published.pk, shown=shown, run_token=run)

    assert Case.objects.filter(run_token=run).count() == 1


SUBMITS = 4


# Transactional (the threads need their own connections), and with the guideline serialized
# and restored like the browser tests: a plain transactional test's flush would recreate
# the content types under new ids, and the browser tests that follow could not load theirs.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_submits_of_one_review_at_once_save_one_case(alice, client_for):
    # Four requests at once, each on its own database connection, as from four workers.
    browser = client_for(alice)
    tab = Tab(browser)
    tab.start(LOCALISED_COLON)
    tabs = []
    for _ in range(SUBMITS):
        client = Client()
        client.cookies = browser.cookies
        twin = Tab(client)
        twin.response, twin.url = tab.response, tab.url
        tabs.append(twin)
    ready = threading.Barrier(SUBMITS)

    def submit(twin: Tab) -> None:
        try:
            ready.wait()
            twin.answer("review", LOCALISED_COLON, reference="MDT 7")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(twin,)) for twin in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    case = Case.objects.get()
    assert [twin.url for twin in tabs] == [the_case_url(case)] * SUBMITS
    assert [twin.status_code for twin in tabs] == [200] * SUBMITS
    assert case.reference == "MDT 7"
