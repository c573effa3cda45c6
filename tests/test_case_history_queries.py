"""The history page's SQL: a fixed number of queries whatever the number of cases, filters
and search adding none, and every query on cases read through a history index.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guidance.forms import CaseFilterForm
from guidance.models import Case
from guidance.views import CASES_PER_PAGE, HISTORY_COLUMNS
from tests.history_page import HISTORY, get, listed, many_cases
from tests.wizard_client import WARNED_RECTUM

pytestmark = pytest.mark.django_db


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

    for _ in ("rendered", "kept"):  # the page's fragments rendered, then kept (settings.CACHES)
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

    for _ in ("rendered", "kept"):
        with django_assert_num_queries(HISTORY_QUERIES):
            response = alice_client.get(HISTORY + query)

        assert listed(response)


def test_an_empty_history_needs_one_query_fewer(alice, alice_client, django_assert_num_queries):
    # session, clinician, COUNT(*); no page to fetch.
    for _ in ("rendered", "kept"):
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
