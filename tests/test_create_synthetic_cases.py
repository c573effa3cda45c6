"""``manage.py create_synthetic_cases``: a clinician's history filled with cases saved as the
wizard saves them, so that the history, its filters and the impact report count them.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guidance.identifiers import validate_reference
from guidance.management.commands.create_synthetic_cases import reference
from guidance.models import Case
from guidance.publishing import impact, start_draft
from tests.history_page import get, references, rows

pytestmark = pytest.mark.django_db


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


def test_synthetic_cases_are_the_rows_case_record_saves(alice):
    call_command("create_synthetic_cases", "alice", "30", "--distinct", "7", stdout=StringIO())
    saved = list(Case.objects.owned_by(alice).order_by("pk"))
    columns = [
        field.attname for field in Case._meta.concrete_fields if field.attname != "id"
    ]
    made = {case.run_token: [getattr(case, name) for name in columns] for case in saved}
    Case.objects.all().delete()

    for case in saved:
        Case.record(
            clinician=alice,
            guideline_version_id=case.guideline_version_id,
            shown=case.snapshot,
            run_token=case.run_token,
            reference=case.reference,
            created_at=case.created_at,
        )

    recorded = Case.objects.all()
    assert {case.run_token: [getattr(case, name) for name in columns] for case in recorded} == made
    assert len({case.fingerprint for case in saved}) <= 7 < len(saved)


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


def test_synthetic_references_never_look_like_a_patients_number():
    for i in (0, 99_999, 100_000, 123_456, 999_999, 9_999_999):
        validate_reference(reference(i))
    assert [reference(i) for i in (7, 100_007, 1_234_567)] == [
        "SYN-00007",
        "SYN-1-00007",
        "SYN-12-34567",
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["alice", "0"], "at least 1"),
        (["alice", "5", "--distinct", "0"], "distinct cases must be at least 1"),
        (["nobody", "5"], "No account named 'nobody'"),
    ],
)
def test_the_synthetic_cases_command_refuses_bad_arguments(alice, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_synthetic_cases", *arguments, stdout=StringIO())

    assert not Case.objects.exists()
