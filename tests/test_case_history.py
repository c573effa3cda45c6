"""The saved-case history at /cases/.

Who sees what, the order, each row, pagination, the filters and the reference search,
the number of SQL queries, the indexes the queries use, and the command that fills a
history with synthetic cases.

To control the order and the dates, the cases here are saved by ``Case.record`` (through
``make_case``) with an explicit ``created_at``: local wall-clock time, made aware in the
project's time zone.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from io import StringIO
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guidance.forms import FIRST_DAY, LAST_DAY, CaseFilterForm
from guidance.models import Case
from guidance.publishing import impact, start_draft
from guidance.views import CASES_PER_PAGE, HISTORY_COLUMNS
from tests.factories import make_case
from tests.wizard_client import WARNED_RECTUM

pytestmark = pytest.mark.django_db

HISTORY = "/cases/"

# Facts (overrides of the factory's plain localised colon G1 case) with a known grade.
G1 = {"ki67_percent": 1, "mitoses_per_10hpf": 1}
G2 = {"ki67_percent": 5, "mitoses_per_10hpf": 1}
G3 = {"ki67_percent": 25, "mitoses_per_10hpf": 25}
GRADE_UNKNOWN = {"ki67_percent": None, "mitoses_per_10hpf": None}
# WARNED_RECTUM (from the wizard's cases): a rectal gastrinoma with nodes and several
# warnings, G2 (Ki-67 G1, mitoses G2).
METASTATIC = {"site": "small_intestine", "extent": "distant_metastases"}


# --- Making cases --------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in the project's time zone."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def saved_at(clinician, when: datetime, *, reference: str = "", **facts: Any) -> Case:
    return make_case(clinician, reference=reference, created_at=when, **facts)


def many_cases(
    clinician, count: int, *, newest: datetime | None = None, **facts: Any
) -> list[Case]:
    """``count`` cases an hour apart, references LIST-000 (newest) onwards; newest first."""
    newest = newest or local(2025, 6, 1)
    for i in range(count):
        saved_at(clinician, newest - timedelta(hours=i), reference=f"LIST-{i:03d}", **facts)
    return list(Case.objects.owned_by(clinician))


# --- Reading the page ----------------------------------------------------------------


class _Rows(HTMLParser):
    """The history table: each <tr data-case> as (case id, [cell texts])."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, list[str]]] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr" and attributes.get("data-case"):
            self.rows.append((int(attributes["data-case"]), []))
        elif tag == "td" and self.rows:
            self.rows[-1][1].append("")
            self._in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            cells = self.rows[-1][1]
            cells[-1] = " ".join((cells[-1] + " " + data).split())


def rows(response) -> list[tuple[int, list[str]]]:
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser.rows


def listed(response) -> list[int]:
    """The ids of the cases the page lists, in order."""
    return [pk for pk, _ in rows(response)]


def references(response) -> list[str]:
    return [cells[1] for _, cells in rows(response)]


def pagination_links(response) -> list[str]:
    return re.findall(r'class="page-link" href="([^"]*)"', response.content.decode())


def field_errors(response) -> dict[str, list[str]]:
    return response.context["form"].errors


def get(client, query: str = ""):
    response = client.get(HISTORY + query)
    assert response.status_code == 200, response.status_code
    return response


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


# --- Filters and search --------------------------------------------------------------


def test_the_site_filter_shows_only_cases_of_that_site(alice, alice_client):
    rectum = saved_at(alice, local(2025, 3, 1), site="rectum")
    saved_at(alice, local(2025, 3, 2), site="colon")

    response = get(alice_client, "?site=rectum")

    assert listed(response) == [rectum.pk]
    assert '<option value="rectum" selected>' in response.content.decode()


def test_the_extent_filter_shows_only_cases_of_that_extent(alice, alice_client):
    metastatic = saved_at(alice, local(2025, 3, 1), **METASTATIC)
    saved_at(alice, local(2025, 3, 2), site="small_intestine", extent="localised")

    assert listed(get(alice_client, "?extent=distant_metastases")) == [metastatic.pk]


@pytest.mark.parametrize(
    ("grade", "facts"),
    [("G1", G1), ("G2", G2), ("G3", G3), ("unknown", GRADE_UNKNOWN)],
)
def test_the_grade_filter_shows_only_cases_of_that_grade(alice, alice_client, grade, facts):
    by_grade = {
        name: saved_at(alice, local(2025, 3, day), reference=name, **values)
        for day, (name, values) in enumerate(
            [("G1", G1), ("G2", G2), ("G3", G3), ("unknown", GRADE_UNKNOWN)], start=1
        )
    }
    assert by_grade[grade].grade == ("" if grade == "unknown" else grade)

    assert listed(get(alice_client, f"?grade={grade}")) == [by_grade[grade].pk]


def test_the_date_range_includes_both_ends_as_whole_local_days(alice, alice_client):
    before = saved_at(alice, local(2025, 3, 9, 23, 59), reference="BEFORE")
    first_minute = saved_at(alice, local(2025, 3, 10, 0, 0), reference="FIRST-MINUTE")
    last_minute = saved_at(alice, local(2025, 3, 12, 23, 59), reference="LAST-MINUTE")
    after = saved_at(alice, local(2025, 3, 13, 0, 0), reference="AFTER")

    assert references(get(alice_client, "?date_from=2025-03-10&date_to=2025-03-12")) == [
        "LAST-MINUTE",
        "FIRST-MINUTE",
    ]
    assert listed(get(alice_client, "?date_from=2025-03-13")) == [after.pk]
    assert listed(get(alice_client, "?date_to=2025-03-09")) == [before.pk]
    assert listed(get(alice_client, "?date_from=2025-03-12&date_to=2025-03-12")) == [last_minute.pk]
    assert first_minute.pk in listed(get(alice_client, "?date_from=2025-03-10&date_to=2025-03-10"))


def test_the_date_range_uses_local_days_in_summer_time(alice, alice_client):
    # Just after local midnight in summer: in UTC this may still be the day before.
    just_after_midnight = saved_at(alice, local(2025, 7, 10, 0, 30))
    saved_at(alice, local(2025, 7, 9, 23, 30))

    assert listed(get(alice_client, "?date_from=2025-07-10&date_to=2025-07-10")) == [
        just_after_midnight.pk
    ]


def test_an_end_date_before_the_start_date_is_a_field_error(alice, alice_client):
    saved_at(alice, local(2025, 3, 10))

    response = get(alice_client, "?date_from=2025-03-12&date_to=2025-03-10")

    assert field_errors(response) == {"date_to": ["The end date is before the start date."]}
    assert "The end date is before the start date." in response.content.decode()


def test_the_reference_search_is_a_case_insensitive_substring_match(alice, alice_client):
    upper = saved_at(alice, local(2025, 3, 1), reference="MDT-07-A")
    inside = saved_at(alice, local(2025, 3, 2), reference="list mdt-070")
    saved_at(alice, local(2025, 3, 3), reference="MDT-08")
    saved_at(alice, local(2025, 3, 4))

    assert listed(get(alice_client, "?q=mdt-07")) == [inside.pk, upper.pk]
    assert listed(get(alice_client, "?q=Dt-07-a")) == [upper.pk]


def test_the_reference_search_ignores_surrounding_spaces(alice, alice_client):
    wanted = saved_at(alice, local(2025, 3, 1), reference="MDT-07")
    saved_at(alice, local(2025, 3, 2), reference="OTHER")

    assert listed(get(alice_client, "?q=" + quote("  mdt-07 "))) == [wanted.pk]


@pytest.mark.parametrize(("search", "expected"), [("_", "A_1"), ("%", "B%2")])
def test_the_reference_search_takes_wildcard_characters_literally(
    alice, alice_client, search, expected
):
    for day, reference in enumerate(["A_1", "AB1", "B%2", "BX2"], start=1):
        saved_at(alice, local(2025, 3, day), reference=reference)

    assert references(get(alice_client, "?q=" + quote(search))) == [expected]


def test_the_filters_and_the_search_combine(alice, alice_client):
    wanted = saved_at(alice, local(2025, 3, 10), reference="MDT-1", site="rectum", **G2)
    saved_at(alice, local(2025, 3, 10), reference="MDT-2", site="colon", **G2)  # site
    saved_at(alice, local(2025, 3, 10), reference="MDT-3", site="rectum", **G1)  # grade
    saved_at(alice, local(2025, 3, 10), reference="XYZ-4", site="rectum", **G2)  # search
    saved_at(alice, local(2025, 2, 10), reference="MDT-5", site="rectum", **G2)  # date
    saved_at(
        alice, local(2025, 3, 10), reference="MDT-6", site="rectum", extent="regional_nodes", **G2
    )  # extent

    response = get(
        alice_client,
        "?site=rectum&extent=localised&grade=G2&date_from=2025-03-01&date_to=2025-03-31&q=mdt",
    )

    assert listed(response) == [wanted.pk]
    assert not field_errors(response)


@pytest.mark.parametrize(
    ("query", "field", "kept_filter"),
    [
        ("site=mars&extent=localised", "site", "extent"),
        ("extent=everywhere&site=rectum", "extent", "site"),
        ("grade=G4&site=rectum", "grade", "site"),
        ("date_from=notadate&site=rectum", "date_from", "site"),
        ("date_to=2025-13-01&site=rectum", "date_to", "site"),
        ("q=" + "x" * 41 + "&site=rectum", "q", "site"),
    ],
)
def test_an_invalid_filter_is_a_field_error_and_the_valid_ones_still_apply(
    alice, alice_client, query, field, kept_filter
):
    rectum = saved_at(alice, local(2025, 3, 1), site="rectum")
    colon = saved_at(alice, local(2025, 3, 2), site="colon")
    expected = [rectum.pk] if kept_filter == "site" else [colon.pk, rectum.pk]

    response = get(alice_client, "?" + query)

    assert list(field_errors(response)) == [field]
    assert f'<div id="id_{field}_error" class="invalid-feedback">' in response.content.decode()
    assert listed(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_to=9999-12-31", "date_to"),
        ("date_from=9999-12-31&date_to=9999-12-31", "date_to"),
        ("date_from=0001-01-01", "date_from"),
    ],
)
def test_a_date_out_of_any_plausible_range_is_a_field_error_not_a_crash(
    alice, alice_client, query, field
):
    # This was a 500: filter() adds a day to date_to, and date.max + 1 day overflows.
    case = make_case(alice)

    response = get(alice_client, "?" + query)

    assert field in field_errors(response)
    assert listed(response) == [case.pk]


def test_the_date_range_accepts_the_first_and_last_plausible_days_only(alice, alice_client):
    case = make_case(alice)
    day = timedelta(days=1)

    inside = get(alice_client, f"?date_from={FIRST_DAY}&date_to={LAST_DAY}")
    outside = get(alice_client, f"?date_from={FIRST_DAY - day}&date_to={LAST_DAY + day}")

    assert not field_errors(inside)
    assert listed(inside) == [case.pk]
    assert sorted(field_errors(outside)) == ["date_from", "date_to"]


def test_an_empty_filter_form_lists_every_case(alice, alice_client):
    cases = [make_case(alice), make_case(alice)]

    response = get(alice_client, "?site=&extent=&grade=&date_from=&date_to=&q=")

    assert sorted(listed(response)) == sorted(case.pk for case in cases)
    assert not field_errors(response)


def test_the_cases_matching_filters_are_asked_for_by_name(alice):
    rectum = saved_at(alice, local(2025, 3, 1), site="rectum", reference="MDT-1", **G2)
    ungraded = saved_at(alice, local(2025, 3, 2), **GRADE_UNKNOWN)
    cases = Case.objects.owned_by(alice)

    assert list(cases.matching()) == [ungraded, rectum]
    assert list(cases.matching(site=None, grade=None)) == [ungraded, rectum]
    assert list(cases.matching(grade="")) == [ungraded]
    assert list(cases.matching(grade="G2", reference_contains="mdt")) == [rectum]
    assert list(cases.matching(saved_from=date(2025, 3, 2), saved_to=date(2025, 3, 2))) == [
        ungraded
    ]
    with pytest.raises(TypeError):
        cases.matching("rectum")


# --- Query counts --------------------------------------------------------------------

# The history page, measured:
#   1. the session (django_session)
#   2. the logged-in clinician (auth_user)
#   3. the paginator's COUNT(*) of the clinician's (filtered) cases
#   4. the page of cases: one SELECT ... ORDER BY created_at DESC, id DESC LIMIT 25
# (An empty result skips query 4: the paginator does not fetch an empty slice.)
HISTORY_QUERIES = 4


@pytest.mark.parametrize("count", [1, 60])
def test_the_history_runs_a_fixed_number_of_queries_whatever_the_number_of_cases(
    alice, alice_client, django_assert_num_queries, count
):
    many_cases(alice, count, **WARNED_RECTUM)

    with django_assert_num_queries(HISTORY_QUERIES):
        response = alice_client.get(HISTORY)

    assert len(listed(response)) == min(count, 25)


@pytest.mark.parametrize(
    "query",
    [
        "?site=rectum",
        "?extent=regional_nodes",
        "?grade=G2",
        "?date_from=2025-05-01&date_to=2025-06-30",
        "?q=list-0",
        "?site=rectum&extent=regional_nodes&grade=G2&date_from=2025-05-01&q=LIST&page=2",
        "?site=mars&date_from=notadate&q=list",
    ],
)
def test_filters_and_search_add_no_queries(alice, alice_client, django_assert_num_queries, query):
    many_cases(alice, 60, **WARNED_RECTUM)

    with django_assert_num_queries(HISTORY_QUERIES):
        response = alice_client.get(HISTORY + query)

    assert listed(response)


def test_an_empty_history_needs_one_query_fewer(alice, alice_client, django_assert_num_queries):
    # session, clinician, COUNT(*); no page to fetch.
    with django_assert_num_queries(HISTORY_QUERIES - 1):
        response = alice_client.get(HISTORY)

    assert "No cases yet" in response.content.decode()


# --- Indexes -------------------------------------------------------------------------

FILTERS = [
    pytest.param("", id="no filter"),
    pytest.param("site=rectum", id="site"),
    pytest.param("extent=regional_nodes", id="extent"),
    pytest.param("grade=G2", id="grade"),
    pytest.param("grade=unknown", id="grade unknown"),
    pytest.param("date_from=2025-05-01&date_to=2025-06-30", id="date range"),
    pytest.param("q=list-0", id="reference search"),
    pytest.param(
        "site=rectum&extent=regional_nodes&grade=G2&date_from=2025-05-01&q=list", id="all at once"
    ),
]

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's"
)


def query_plan(sql: str, params=()) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def assert_no_full_scan(plan: list[str]) -> None:
    on_cases = [line for line in plan if "guidance_case" in line]
    assert on_cases, plan
    # "SCAN guidance_case" with no index is a full table scan (the rows carry the snapshot).
    assert all(re.search(r"USING (COVERING )?INDEX ", line) for line in on_cases), plan


def assert_uses_a_history_index(plan: list[str]) -> None:
    assert_no_full_scan(plan)
    assert any(re.search(r"USING (COVERING )?INDEX case_history", line) for line in plan), plan


@sqlite_only
@pytest.mark.parametrize("query", FILTERS)
def test_the_page_of_cases_is_read_through_a_history_index(alice, bob, query):
    many_cases(alice, 3, **WARNED_RECTUM)
    many_cases(bob, 3)
    form = CaseFilterForm(dict(pair.split("=") for pair in query.split("&") if pair))
    cases = (
        Case.objects.owned_by(alice)
        .matching(**form.filters())
        .only(*HISTORY_COLUMNS)
        .order_by("-created_at", "-id")[:CASES_PER_PAGE]
    )

    sql, params = cases.query.sql_with_params()

    assert_uses_a_history_index(query_plan(sql, params))


@sqlite_only
@pytest.mark.parametrize("query", FILTERS)
def test_every_query_the_history_page_runs_on_cases_uses_a_history_index(
    alice, bob, alice_client, query
):
    many_cases(alice, 3, **WARNED_RECTUM)
    many_cases(bob, 3)
    with CaptureQueriesContext(connection) as captured:
        response = get(alice_client, "?" + query)
    found = response.context["page"].paginator.count

    on_cases = [q["sql"] for q in captured.captured_queries if "guidance_case" in q["sql"]]

    counts = [sql for sql in on_cases if "COUNT(*)" in sql]
    pages = [sql for sql in on_cases if "ORDER BY" in sql]
    # The COUNT(*), then the page unless nothing matched (grade unknown matches nothing).
    assert len(counts) == 1 and len(pages) == (1 if found else 0), on_cases
    assert found == (0 if query == "grade=unknown" else 3)
    # The COUNT(*) may seek the clinician's foreign-key index (covering) when unfiltered;
    # either way it never reads the table itself.
    assert_no_full_scan(query_plan(counts[0]))
    if query:
        assert_uses_a_history_index(query_plan(counts[0]))
    for sql in pages:
        assert_uses_a_history_index(query_plan(sql))


# --- Synthetic cases -----------------------------------------------------------------


def test_the_synthetic_cases_command_fills_a_clinicians_history(alice, bob, alice_client):
    output = StringIO()

    call_command("create_synthetic_cases", "alice", "30", stdout=output)

    assert "Created 30 synthetic cases for alice." in output.getvalue()
    assert Case.objects.owned_by(alice).count() == 30
    assert not Case.objects.owned_by(bob).exists()
    first, second = get(alice_client), get(alice_client, "?page=2")
    assert first.context["page"].paginator.count == 30
    assert references(first) == [f"SYN-{i:05d}" for i in range(25)]
    assert references(second) == [f"SYN-{i:05d}" for i in range(25, 30)]


def test_synthetic_cases_carry_consistent_columns_and_snapshots(alice):
    call_command("create_synthetic_cases", "alice", "30", stdout=StringIO())

    for case in Case.objects.owned_by(alice):
        shown = case.snapshot
        assert case.site == shown["facts"]["site"]
        assert case.extent == shown["facts"]["extent"]
        assert case.grade == (shown["grade"] or "")
        assert case.warning_count == len(shown["warnings"])
        assert case.section_slugs.split() == [item["section"] for item in shown["recommendations"]]
        assert case.warning_codes.split() == [item["code"] for item in shown["warnings"]]
        assert shown["recommendations"], case.reference


def test_synthetic_cases_count_in_the_impact_of_a_draft_that_changes_a_section_they_showed(
    alice, erin
):
    call_command("create_synthetic_cases", "alice", "30", stdout=StringIO())
    shown_by_case = [
        [item["section"] for item in case.snapshot["recommendations"]]
        for case in Case.objects.owned_by(alice)
    ]
    slug = Counter(slug for slugs in shown_by_case for slug in slugs).most_common(1)[0][0]
    showing = sum(slug in slugs for slugs in shown_by_case)
    assert 0 < showing < 30
    draft = start_draft(editor=erin)
    section = draft.sections.get(slug=slug)
    section.text = "Reworded in the draft."
    section._change_reason = "Test edit"
    section.save()

    report = impact(draft)

    assert (report.cases, report.affected) == (30, showing)
    assert [(change.slug, change.kind, change.cases) for change in report.changes] == [
        (slug, "text changed", showing)
    ]


def test_the_synthetic_cases_command_can_be_filtered_like_real_cases(alice, alice_client):
    call_command("create_synthetic_cases", "alice", "30", stdout=StringIO())
    site = Case.objects.owned_by(alice).first().site

    response = get(alice_client, f"?site={site}")

    expected = Case.objects.owned_by(alice).filter(site=site).count()
    assert response.context["page"].paginator.count == expected
    assert all(
        cells[2] == dict(Case._meta.get_field("site").choices)[site] for _, cells in rows(response)
    )


def test_the_synthetic_cases_command_leaves_fresh_planner_statistics(alice):
    # Measurements after a bulk load should see the history as a live database (with its
    # statistics kept current) serves it.
    table = Case._meta.db_table
    with connection.cursor() as cursor:
        call_command("create_synthetic_cases", "alice", "30", stdout=StringIO())
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            stats = [row[0] for row in cursor.fetchall()]
            # "rows-in-table rows-per-key...": the 30 cases are counted.
            assert stats and all(stat.split()[0] == "30" for stat in stats)
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            assert cursor.fetchone()[0] == 30


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["alice", "0"], "at least 1"), (["nobody", "5"], "No account named 'nobody'")],
)
def test_the_synthetic_cases_command_refuses_bad_arguments(alice, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_synthetic_cases", *arguments, stdout=StringIO())

    assert not Case.objects.exists()
