"""Saving a case: finishing the wizard logged in saves exactly one case, its snapshot exactly
as shown with the columns the history filters on, in a fixed number of queries, and one case
per run of the wizard however often its review is submitted.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from guidance import content, recommendation
from guidance.models import Case, facts_of
from tests import advice
from tests.factories import case_facts, record, today
from tests.pages import detail
from tests.wizard_client import (
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    SAVED_MESSAGE,
    SMALL_INSULINOMA,
    WARNED_RECTUM,
    Tab,
    answer_steps,
    done_url,
    run_wizard,
)

pytestmark = pytest.mark.django_db


# --- What is saved -------------------------------------------------------------------------


def test_finishing_the_wizard_logged_in_saves_exactly_one_case(alice, alice_client, version_1):
    before = timezone.now()

    response = run_wizard(alice_client, WARNED_RECTUM, reference="MDT list 14, item 3")

    case = Case.objects.get()
    assert case.clinician == alice
    assert case.guideline_version == version_1
    assert case.reference == "MDT list 14, item 3"
    assert before <= case.created_at <= timezone.now()
    assert response.status_code == 302
    assert response.url == detail(case)


def test_a_case_is_recorded_now_unless_it_is_given_the_time_it_was_shown(alice, version_1):
    shown = recommendation.build(facts=case_facts(**LOCALISED_COLON), text=content.load(version_1))
    shown_at = timezone.make_aware(datetime(2025, 3, 14, 9, 5))

    before = timezone.now()
    now = Case.record(
        clinician=alice, guideline_version_id=version_1.pk, shown=shown, run_token=uuid.uuid4()
    )
    after = timezone.now()
    then = Case.record(
        clinician=alice,
        guideline_version_id=version_1.pk,
        shown=shown,
        run_token=uuid.uuid4(),
        created_at=shown_at,
    )

    assert before <= Case.objects.get(pk=now.pk).created_at <= after
    assert Case.objects.get(pk=then.pk).created_at == shown_at
    # Either way the columns the history and the impact report read come from what was shown.
    assert then.section_slugs == now.section_slugs != "  "
    assert then.warning_codes == now.warning_codes


def test_the_snapshot_is_the_recommendation_exactly_as_built(alice_client, version_1):
    run_wizard(alice_client, WARNED_RECTUM)

    snapshot = Case.objects.get().snapshot  # read back from the database's JSON
    assert snapshot == recommendation.build(
        facts=case_facts(**WARNED_RECTUM), text=content.load(version_1)
    )


def test_the_snapshot_holds_the_sections_text_reasons_warnings_grade_and_category(
    alice_client, version_1
):
    run_wizard(alice_client, WARNED_RECTUM)

    snapshot = Case.objects.get().snapshot
    result = advice.recommend(case_facts(**WARNED_RECTUM))
    texts = {section.slug: section for section in version_1.sections.all()}
    assert [item["section"] for item in snapshot["recommendations"]] == list(result.slugs)
    for item in snapshot["recommendations"]:
        assert item["text"] == texts[item["section"]].text
        assert item["heading"] == texts[item["section"]].heading
        assert item["reasons"]
    messages = dict(version_1.warnings.values_list("code", "message"))
    assert [w["code"] for w in snapshot["warnings"]] == list(result.warning_codes)
    assert len(snapshot["warnings"]) == 5
    for warning in snapshot["warnings"]:
        assert warning["message"] == messages[warning["code"]]
    assert snapshot["grade"] == "G2"
    assert snapshot["category"] == result.category.value
    assert snapshot["category_label"] == result.category.label
    assert snapshot["guideline"]["version"] == version_1.label
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


def test_the_facts_and_category_are_copied_into_columns_the_impact_report_groups_by(
    alice_client,
):
    run_wizard(alice_client, WARNED_RECTUM)

    case = Case.objects.get()
    assert case.fingerprint == (
        '["rectum",null,null,"gastrinoma",false,"unknown","regional_nodes","unknown","negative"]'
    )
    assert (case.size_mm, case.ki67_percent, case.mitoses_per_10hpf) == (
        Decimal("25.5"),
        Decimal("2.9"),
        5,
    )
    assert case.category == case.snapshot["category"] == "well_differentiated"
    # The fingerprint and the numbers give back exactly the facts saved.
    numbers = {"size_mm": 25.5, "ki67_percent": 2.9, "mitoses_per_10hpf": 5}
    assert facts_of(case.fingerprint, numbers) == case.snapshot["facts"]


def test_numbers_not_given_are_saved_as_null(alice_client):
    run_wizard(alice_client, LOCALISED_COLON | {"ki67_percent": None, "mitoses_per_10hpf": None})

    case = Case.objects.get()
    assert (case.ki67_percent, case.mitoses_per_10hpf) == (None, None)


def test_a_number_the_columns_cannot_hold_exactly_is_refused_and_nothing_saved(alice):
    shown = today()
    shown["facts"]["size_mm"] = 12.25  # two decimal places: never from the forms

    with pytest.raises(ValidationError, match="1 decimal place"):
        record(alice, shown)

    assert not Case.objects.exists()


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
    assert (again.status_code, again.url) == (302, detail(Case.objects.get()))
    assert Case.objects.count() == 1


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
    answer_steps(alice_client, facts)  # the pathology step reads the published grading
    if warm:
        content.published()  # as any earlier request in this process would have done
    else:
        content.forget()  # as after a restart

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
    assert first.url == second.url == detail(case)
    assert second.status_code == 200


def test_the_database_refuses_a_second_case_from_the_same_run(alice, version_1):
    shown = recommendation.build(facts=case_facts(**LOCALISED_COLON), text=content.load(version_1))
    run = uuid.uuid4()
    Case.record(clinician=alice, guideline_version_id=version_1.pk, shown=shown, run_token=run)

    # Not a check in Python: the unique column itself refuses the row, however it comes.
    # (In a savepoint: bulk_create's own atomic block would otherwise doom the test's.)
    with pytest.raises(IntegrityError), transaction.atomic():
        copy = Case.of(
            clinician=alice, guideline_version_id=version_1.pk, shown=shown, run_token=run
        )
        Case.objects.bulk_create([copy])
    with pytest.raises(IntegrityError):
        Case.record(clinician=alice, guideline_version_id=version_1.pk, shown=shown, run_token=run)

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
    assert [twin.url for twin in tabs] == [detail(case)] * SUBMITS
    assert [twin.status_code for twin in tabs] == [200] * SUBMITS
    assert case.reference == "MDT 7"


def test_the_snapshot_holds_what_would_change_the_advice_as_shown(alice_client, version_1):
    run_wizard(alice_client, WARNED_RECTUM)

    snapshot = Case.objects.get().snapshot
    items = snapshot["sensitivity"]
    # Ki-67 2.9 % is a tenth below the G1/G2 boundary: the nearest change, weighed first.
    assert items[0]["field"] == "ki67_percent"
    assert (items[0]["value"], items[0]["to"], items[0]["near"]) == (2.9, 3, True)
    assert items[0]["sentence"].startswith("Ki-67 2.9 % is 0.1 below the threshold of 3 %")
    differentiation = [item for item in items if item["field"] == "differentiation"]
    assert differentiation and all(item["near"] for item in differentiation)  # not known
