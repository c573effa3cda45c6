"""The history's filters (site, extent, grade, a date range) and the reference search, on the
page: what each lists, how they combine, and field errors that leave the valid filters
applied; the rendered form, kept for each set of submitted values. The filter form itself is
tested in test_forms.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest

from guidance.forms import FIRST_DAY, LAST_DAY, CaseFilterForm
from guidance.models import Case
from tests.factories import make_case
from tests.form_markup import HOSTILE
from tests.history_page import (
    G1,
    G2,
    G3,
    GRADE_UNKNOWN,
    METASTATIC,
    field_errors,
    fragments_not_kept,
    get,
    listed,
    local,
    many_cases,
    markup,
    references,
    saved_at,
)

pytestmark = pytest.mark.django_db


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


# --- The filter form, kept rendered --------------------------------------------------

# Submitted values whose forms differ, some only just: a value left out and an empty one
# (which selects "Any ..."), the words None and null, a repeated value (the last counts),
# hostile text, and each kind of field error; a page number and an unknown name, which
# change nothing of the form.
SUBMITTED = [
    "",
    "?page=2",
    "?colour=blue",
    "?site=",
    "?site=&extent=&grade=&date_from=&date_to=&q=",
    "?q=None",
    "?q=null",
    "?site=rectum",
    "?site=colon&site=rectum",
    "?site=rectum&extent=regional_nodes&grade=G2&date_from=2025-05-01&date_to=2025-06-30&q=li",
    "?q=" + quote(HOSTILE),
    "?site=mars&grade=G4&date_from=notadate&q=" + "x" * 41,
    "?date_from=2025-06-01&date_to=2025-05-01",
    "?date_to=9999-12-31&extent=regional_nodes",
]


def test_each_page_is_the_same_whether_its_filter_form_was_kept_or_rendered_afresh(
    alice, alice_client
):
    many_cases(alice, 30, site="rectum", extent="regional_nodes", **G2)
    with fragments_not_kept():
        afresh = {query: markup(get(alice_client, query)) for query in SUBMITTED}

    first = {query: markup(get(alice_client, query)) for query in SUBMITTED}  # each one kept
    kept = {query: markup(get(alice_client, query)) for query in SUBMITTED}  # ... and shown

    assert first == afresh
    assert kept == afresh
    # What a key that mixed them up would get wrong: these pages differ.
    assert len({afresh[query] for query in ["", "?site=", "?q=None", "?q=null"]}) == 4


@pytest.fixture
def renders(monkeypatch) -> list[CaseFilterForm]:
    """Each filter form crispy renders: crispy asks the form for its helper to render it."""
    rendered: list[CaseFilterForm] = []
    helper = CaseFilterForm.helper

    def counted(form):
        if not any(form is seen for seen in rendered):
            rendered.append(form)
        return helper.fget(form)

    monkeypatch.setattr(CaseFilterForm, "helper", property(counted))
    return rendered


def test_the_filter_form_is_rendered_once_for_each_set_of_values_whoever_submits_them(
    alice, bob, alice_client, bob_client, renders
):
    saved_at(alice, local(2025, 3, 1), reference="ALICE-1", site="rectum")
    saved_at(bob, local(2025, 3, 1), reference="BOB-1", site="rectum")

    get(alice_client)
    get(alice_client, "?page=2")
    bobs = get(bob_client)
    assert len(renders) == 1
    assert references(bobs) == ["BOB-1"]

    get(alice_client, "?site=")
    get(bob_client, "?site=rectum")
    alices = get(alice_client, "?site=rectum")
    assert len(renders) == 3
    assert references(alices) == ["ALICE-1"]
    assert '<option value="rectum" selected>' in alices.content.decode()

    get(alice_client, "?date_from=notadate")
    bobs = get(bob_client, "?date_from=notadate")
    assert len(renders) == 4
    assert list(field_errors(bobs)) == ["date_from"]
    assert '<div id="id_date_from_error" class="invalid-feedback">' in bobs.content.decode()
