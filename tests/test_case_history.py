"""The saved-case history at /cases/: who sees what, the order, each row, and pagination.

The rows are kept rendered (Django's template fragment cache, settings.CACHES); the tests
here see them as a clinician does, kept or not. The filters and the search are tested in
test_case_history_filters.py, the queries and the indexes they use in
test_case_history_queries.py; tests/history_page.py makes the cases and reads the page.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone, translation

from guidance.views import CASES_PER_PAGE
from tests.factories import make_case
from tests.history_page import (
    GRADE_UNKNOWN,
    HISTORY,
    METASTATIC,
    fragments_not_kept,
    get,
    listed,
    local,
    many_cases,
    markup,
    pagination_links,
    references,
    rows,
    saved_at,
)
from tests.wizard_client import WARNED_RECTUM

pytestmark = pytest.mark.django_db


# --- Who sees what -------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_brought_back(client):
    response = client.get(HISTORY + "?site=colon")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=" + quote("/cases/?site=colon", safe="/")


def test_the_history_lists_only_the_clinicians_own_cases(alice, bob, alice_client, bob_client):
    alices = [make_case(alice, reference="ALICE-1"), make_case(alice, reference="ALICE-2")]
    bobs = [make_case(bob, reference="BOB-1")]

    alice_page = get(alice_client)
    bob_page = get(bob_client)

    assert sorted(listed(alice_page)) == sorted(case.pk for case in alices)
    assert "BOB-1" not in alice_page.content.decode()
    assert listed(bob_page) == [bobs[0].pk]
    assert "ALICE" not in bob_page.content.decode()


def test_another_clinicians_cases_are_not_found_by_any_filter_or_search(alice, bob, alice_client):
    make_case(bob, reference="SHARED-REF", site="rectum")

    response = get(alice_client, "?site=rectum&q=shared")

    assert listed(response) == []
    assert response.context["page"].paginator.count == 0


def test_cases_are_listed_newest_first_whatever_order_they_were_saved_in(alice, alice_client):
    middle = saved_at(alice, local(2025, 3, 2), reference="MIDDLE")
    newest = saved_at(alice, local(2025, 3, 3), reference="NEWEST")
    oldest = saved_at(alice, local(2025, 3, 1), reference="OLDEST")

    assert listed(get(alice_client)) == [newest.pk, middle.pk, oldest.pk]


def test_cases_saved_in_the_same_instant_list_the_later_saved_first(alice, alice_client):
    when = local(2025, 3, 1)
    first = saved_at(alice, when, reference="FIRST")
    second = saved_at(alice, when, reference="SECOND")

    assert listed(get(alice_client)) == [second.pk, first.pk]


def test_cases_made_one_after_another_list_the_last_made_first(alice, alice_client):
    made = [make_case(alice, reference=f"RUN-{i}") for i in range(3)]

    assert listed(get(alice_client)) == [case.pk for case in reversed(made)]


def test_each_row_shows_the_date_reference_site_grade_extent_and_number_of_warnings(
    alice, alice_client
):
    case = saved_at(alice, local(2025, 3, 14, 9, 5), reference="MDT 14/3 #2", **WARNED_RECTUM)
    warning_count = len(case.snapshot["warnings"])
    assert warning_count >= 2  # the row must show a real count, not a default

    [(pk, cells)] = rows(get(alice_client))

    assert pk == case.pk
    assert cells == [
        "14 Mar 2025, 09:05",
        "MDT 14/3 #2",
        "Rectum",
        "G2",
        "Regional lymph nodes involved",
        str(warning_count),
    ]


def test_a_row_without_reference_or_grade_says_so(alice, alice_client):
    saved_at(alice, local(2025, 3, 14, 17, 45), **GRADE_UNKNOWN, **METASTATIC)

    [(_, cells)] = rows(get(alice_client))

    assert cells[:5] == [
        "14 Mar 2025, 17:45",
        "—",
        "Small intestine",
        "Unknown",
        "Distant metastases",
    ]


def test_a_reference_with_markup_in_it_is_shown_as_text(alice, alice_client):
    saved_at(alice, local(2025, 3, 14), reference="\"><b>MDT</b> & 'list'")

    response = get(alice_client)

    assert references(response) == ["\"><b>MDT</b> & 'list'"]
    assert "&quot;&gt;&lt;b&gt;MDT&lt;/b&gt; &amp; &#x27;list&#x27;" in response.content.decode()
    assert "<b>MDT</b>" not in response.content.decode()


def test_each_row_links_to_its_case_page(alice, alice_client):
    cases = [make_case(alice), make_case(alice)]

    html = get(alice_client).content.decode()

    for case in cases:
        assert f'href="/cases/{case.pk}/"' in html


def test_the_page_says_how_many_cases_there_are(alice, alice_client):
    make_case(alice)
    assert '<p class="small" id="case-count">1 case</p>' in get(alice_client).content.decode()

    make_case(alice)
    assert '<p class="small" id="case-count">2 cases</p>' in get(alice_client).content.decode()


def test_a_clinician_with_no_cases_is_invited_to_run_one(alice, bob, alice_client):
    make_case(bob)

    html = get(alice_client).content.decode()

    assert "No cases yet" in html
    invitation = html.split('<div class="no-cases mb-3">', 1)[1].split("</div>", 1)[0]
    assert '<form method="post" action="/cases/new/"' in invitation
    assert ">run your first case</button>" in invitation
    assert "<table" not in html


def test_filters_that_match_nothing_say_so(alice, alice_client):
    make_case(alice, site="colon")

    html = get(alice_client, "?site=rectum").content.decode()

    assert "No cases match these filters." in html
    assert "run your first case" not in html


# --- Pagination ----------------------------------------------------------------------


def test_twenty_six_cases_make_two_pages_of_twenty_five_and_one(alice, alice_client):
    cases = many_cases(alice, 26)

    first = get(alice_client)
    second = get(alice_client, "?page=2")

    assert CASES_PER_PAGE == 25
    assert listed(first) == [case.pk for case in cases[:25]]
    assert listed(second) == [cases[25].pk]
    assert references(second) == ["LIST-025"]  # the oldest
    assert "Page 1 of 2" in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()
    assert pagination_links(first) == ["?page=2"]
    assert pagination_links(second) == ["?page=1"]


def test_twenty_five_cases_fit_on_one_page_without_pagination(alice, alice_client):
    many_cases(alice, 25)

    response = get(alice_client)

    assert len(listed(response)) == 25
    assert 'aria-label="Pages of cases"' not in response.content.decode()


def test_the_pagination_links_keep_the_filters(alice, alice_client):
    many_cases(alice, 26, site="rectum")
    many_cases(alice, 5, site="colon")

    first = get(alice_client, "?site=rectum&grade=G1&q=list")
    second = get(alice_client, "?site=rectum&grade=G1&q=list&page=2")

    assert pagination_links(first) == ["?site=rectum&amp;grade=G1&amp;q=list&amp;page=2"]
    assert pagination_links(second) == ["?site=rectum&amp;grade=G1&amp;q=list&amp;page=1"]
    assert len(listed(second)) == 1
    assert references(second) == ["LIST-025"]


def test_a_search_with_an_ampersand_survives_the_pagination_links(alice, alice_client):
    for i in range(26):
        saved_at(alice, local(2025, 1, 1) - timedelta(hours=i), reference=f"A&B {i}")

    response = get(alice_client, "?q=" + quote("a&b"))

    assert response.context["page"].paginator.count == 26
    assert pagination_links(response) == ["?q=a%26b&amp;page=2"]


def test_a_page_that_is_not_a_number_shows_the_first_page(alice, alice_client):
    cases = many_cases(alice, 26)

    response = get(alice_client, "?page=abc")

    assert listed(response) == [case.pk for case in cases[:25]]


@pytest.mark.parametrize("page", ["999", "-1", "0", "2.5", ""])
def test_a_page_out_of_range_does_not_break_the_history(alice, alice_client, page):
    many_cases(alice, 26)

    response = get(alice_client, f"?page={page}")

    assert len(listed(response)) in (1, 25)


def test_a_page_past_the_end_shows_the_last_page(alice, alice_client):
    cases = many_cases(alice, 26)

    response = get(alice_client, "?page=999")

    assert listed(response) == [cases[-1].pk]
    assert "Page 2 of 2" in response.content.decode()


# --- The rows, kept rendered -----------------------------------------------------------


def test_each_page_of_rows_is_the_same_whether_it_was_kept_or_rendered_afresh(
    alice, alice_client
):
    many_cases(alice, 30, **WARNED_RECTUM)
    saved_at(alice, local(2025, 7, 1), reference="\"><b>MDT</b>", **GRADE_UNKNOWN, **METASTATIC)
    queries = ["", "?page=2", "?page=3", "?site=small_intestine", "?q=list-02", "?grade=G3"]
    with fragments_not_kept():
        afresh = {query: markup(get(alice_client, query)) for query in queries}

    first = {query: markup(get(alice_client, query)) for query in queries}  # each one kept
    kept = {query: markup(get(alice_client, query)) for query in queries}  # ... and shown

    assert first == afresh
    assert kept == afresh


def test_a_case_saved_or_deleted_shows_at_once_on_pages_already_kept(alice, alice_client):
    cases = many_cases(alice, 26)
    get(alice_client)
    get(alice_client, "?page=2")

    new = make_case(alice, reference="NEW")  # now: the newest
    assert listed(get(alice_client)) == [new.pk] + [case.pk for case in cases[:24]]
    assert listed(get(alice_client, "?page=2")) == [case.pk for case in cases[24:]]

    cases[0].delete_on_record(clinician=alice)
    cases[1].delete_on_record(clinician=alice)
    assert listed(get(alice_client)) == [new.pk] + [case.pk for case in cases[2:]]
    assert "Page 2" not in get(alice_client).content.decode()


def test_rows_alike_but_for_whose_cases_they_are_are_kept_apart(
    alice, bob, alice_client, bob_client
):
    alices = saved_at(alice, local(2025, 3, 1), reference="SAME", **WARNED_RECTUM)
    bobs = saved_at(bob, local(2025, 3, 1), reference="SAME", **WARNED_RECTUM)

    assert listed(get(alice_client)) == [alices.pk]
    assert listed(get(bob_client)) == [bobs.pk]
    assert f'href="/cases/{bobs.pk}/"' not in get(alice_client).content.decode()


def test_the_rows_follow_the_time_zone_and_language_they_are_shown_in(alice, alice_client):
    saved_at(alice, local(2025, 3, 14, 9, 5))

    def first_date() -> str:
        return rows(get(alice_client))[0][1][0]

    assert first_date() == "14 Mar 2025, 09:05"
    with timezone.override("America/New_York"):
        assert first_date() == "14 Mar 2025, 05:05"
    with translation.override("de"):
        assert first_date() == "14 Mär 2025, 09:05"
    assert first_date() == "14 Mar 2025, 09:05"
