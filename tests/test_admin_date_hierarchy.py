"""The admin's date drill-down refuses a date the calendar cannot hold, never with a 500.

The saved cases' list (a superuser's) and django-axes' login records have a date hierarchy
(``?created_at__year=…&created_at__month=…&created_at__day=…``). Django already sends a
date it cannot build (year 99999, month 13) to its "?e=1" redirect; the dates below got
past that and raised instead: a range that runs past the last day of year 9999, a number
too large for a date at all, and a range that leaves the calendar when it is converted to
UTC for the database (year 1 east of Greenwich). A date lookup typed into the address
(``?created_at__gte=0001-01-01``) failed the same way on SQLite, where TIME_ZONE is set
east or west of Greenwich.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from tests.factories import make_case

pytestmark = pytest.mark.django_db

CASES = "/admin/guidance/case/"
HUGE = "9" * 30  # far beyond any integer a date can hold

OUT_OF_RANGE = {
    "the-year-9999": {"year": "9999"},  # the range would end on 1 January 10000
    "december-9999": {"year": "9999", "month": "12"},
    "31-december-9999": {"year": "9999", "month": "12", "day": "31"},
    "a-huge-year": {"year": HUGE},
    "a-huge-negative-year": {"year": "-" + HUGE},
    "a-huge-month": {"year": "2024", "month": HUGE},
    "a-huge-day": {"year": "2024", "month": "1", "day": HUGE},
}


@pytest.fixture
def root_client(client_for, root):
    """A superuser, the one account that may open the saved cases' list, with a case saved."""
    make_case(root)
    return client_for(root)


def drill_down(field: str, date: dict[str, str]) -> str:
    return "&".join(f"{field}__{part}={value}" for part, value in date.items())


def assert_refused_clearly(client: Client, url: str, query: str) -> None:
    response = client.get(f"{url}?{query}")

    # The admin's usual answer to a filter it cannot apply: back to the list, flagged.
    assert response.status_code == 302, response.status_code
    assert response["Location"] == f"{url}?e=1"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert [str(message) for message in get_messages(page.wsgi_request)] == [
        "There is no such date to filter by: it is outside the calendar."
    ]


@pytest.mark.parametrize("date", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_a_date_past_the_calendar_in_the_saved_cases_list_is_refused_clearly(root_client, date):
    assert_refused_clearly(root_client, CASES, drill_down("created_at", date))


@pytest.mark.parametrize(
    "date",
    [{"year": "1"}, {"year": "1", "month": "1"}, {"year": "1", "month": "1", "day": "1"}],
    ids=["the-year-1", "january-1", "1-january-1"],
)
def test_a_date_that_leaves_the_calendar_in_utc_is_refused_clearly(root_client, settings, date):
    settings.TIME_ZONE = "Asia/Tokyo"  # 1 January of year 1 here is still year 0 in UTC

    assert_refused_clearly(root_client, CASES, drill_down("created_at", date))


@pytest.mark.parametrize(
    "url, field",
    [
        ("/admin/axes/accessattempt/", "attempt_time"),
        ("/admin/axes/accesslog/", "attempt_time"),
        ("/admin/axes/accessfailurelog/", "attempt_time"),
    ],
    ids=["access-attempts", "access-log", "access-failures"],
)
@pytest.mark.parametrize("date", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_a_date_past_the_calendar_in_the_login_records_is_refused_clearly(
    root_client, url, field, date
):
    assert_refused_clearly(root_client, url, drill_down(field, date))


@pytest.mark.parametrize(
    "time_zone, lookup",
    [
        ("Asia/Tokyo", "__gte=0001-01-01"),  # still year 0 in UTC
        ("Asia/Tokyo", "__gte=0001-01-01+00:00:00"),
        ("America/New_York", "__lt=9999-12-31+23:59:59"),  # already year 10000 in UTC
        ("America/New_York", "__exact=9999-12-31+23:59:59"),
    ],
    ids=["tokyo-gte-date", "tokyo-gte-datetime", "new-york-lt", "new-york-exact"],
)
@pytest.mark.parametrize(
    "url, field",
    [
        (CASES, "created_at"),
        ("/admin/axes/accessattempt/", "attempt_time"),
        ("/admin/guidance/guidelineversion/", "published_at"),
        ("/admin/auth/user/", "date_joined"),
    ],
    ids=["saved-cases", "access-attempts", "guideline-versions", "accounts"],
)
# Typed as a person would: a naive date, which Django warns about and reads in TIME_ZONE.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_a_date_lookup_at_the_calendars_edge_typed_into_the_address_is_no_500(
    root_client, settings, time_zone, lookup, url, field
):
    settings.TIME_ZONE = time_zone

    response = root_client.get(f"{url}?{field}{lookup}")

    if connection.vendor == "sqlite":
        # SQLite's adapter converts the date to UTC, where it is outside the calendar.
        assert response.status_code == 302
        assert response["Location"] == f"{url}?e=1"
        page = root_client.get(response["Location"])
        assert [str(message) for message in get_messages(page.wsgi_request)] == [
            "There is no such date to filter by: it is outside the calendar."
        ]
    else:
        # PostgreSQL takes the date with its offset, and filters the list by it.
        assert response.status_code == 200
        assert "cl" in response.context
        assert not list(get_messages(response.wsgi_request))


def test_the_error_flag_with_a_date_past_the_calendar_shows_the_admins_error_page(root_client):
    query = drill_down("created_at", OUT_OF_RANGE["31-december-9999"])

    response = root_client.get(f"{CASES}?{query}&e=1")

    assert response.status_code == 200
    assert response.templates[0].name == "admin/invalid_setup.html"


@pytest.mark.parametrize(
    "date",
    [
        {"year": "9999", "month": "12", "day": "30"},  # the last day the range can hold
        {"year": "9998"},
        {"year": "1", "month": "1", "day": "1"},  # in London, still inside the calendar
        {"year": "2024", "month": "2", "day": "29"},
    ],
    ids=["30-december-9999", "the-year-9998", "1-january-1-in-london", "a-leap-day"],
)
def test_a_date_inside_the_calendar_still_filters_the_list(root_client, date):
    response = root_client.get(f"{CASES}?{drill_down('created_at', date)}")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert not list(get_messages(response.wsgi_request))


def test_a_date_the_calendar_cannot_build_still_gets_djangos_redirect(root_client):
    response = root_client.get(f"{CASES}?created_at__year=99999")

    assert response.status_code == 302
    assert response["Location"] == f"{CASES}?e=1"
