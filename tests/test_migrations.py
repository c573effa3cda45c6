"""What the migrations seeded: the editors' group and its permissions, the first history
row of every seeded text, the gate of a draft started before drafts recorded one
(migration 0007), version 1's logic as content (migration 0012), the impact columns
of cases saved before they existed (0013), the gastric NET type in their fingerprints
(0016), and the editors' adding and removing of warnings (0017).
"""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from guidance.models import (
    NUMBER_FACTS,
    Case,
    GuidelineVersion,
    ReferenceCase,
    Section,
    WarningText,
    facts_of,
)
from guidance.publishing import gating_cases, start_draft
from tests.drafts import METASTATIC_CASE, OLD_EVEROLIMUS, SEED_REASON, edit
from tests.factories import change_outside_the_app, make_case, saved_before_the_gastric_type
from tests.wizard_client import METASTATIC_SMALL_BOWEL, SMALL_INSULINOMA, WARNED_RECTUM

pytestmark = pytest.mark.django_db

GASTRIC_TYPE_MIGRATION = importlib.import_module(
    "guidance.migrations.0016_gastric_type_and_tumour_types"
)
WARNINGS_MIGRATION = importlib.import_module(
    "guidance.migrations.0017_editors_add_and_remove_warnings"
)


# --- What the migrations seeded ----------------------------------------------------------------

# Editors edit drafts, publish them and keep the reference cases: nothing about saved
# cases (clinical records) or accounts.
EDITOR_PERMISSIONS = {
    "view_guideline",
    "view_guidelineversion",
    "add_guidelineversion",
    "delete_guidelineversion",
    "publish_guidelineversion",
    "view_section",
    "add_section",
    "change_section",
    "delete_section",
    "view_warningtext",
    "add_warningtext",
    "change_warningtext",
    "delete_warningtext",
    "view_referencecase",
    "add_referencecase",
    "change_referencecase",
    "view_historicalsection",
    "view_historicalwarningtext",
    "view_historicalreferencecase",
}


def test_the_guideline_editors_group_has_exactly_the_editing_and_publishing_permissions(db):
    group = Group.objects.get(name="Guideline editors")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert granted == {("guidance", codename) for codename in EDITOR_PERMISSIONS}
    codenames = {codename for _, codename in granted}
    assert {"publish_guidelineversion", "change_section"} <= codenames
    assert not {"delete_case", "change_case", "add_case", "delete_referencecase"} & codenames
    assert not {app for app, _ in granted} & {"auth", "admin", "contenttypes", "sessions"}


def test_migration_0017_undone_and_done_again_takes_and_gives_the_warnings_add_and_delete(db):
    group = Group.objects.get(name="Guideline editors")
    granted = set(group.permissions.values_list("codename", flat=True))

    WARNINGS_MIGRATION.withdraw(django_apps, None)
    withdrawn = set(group.permissions.values_list("codename", flat=True))
    WARNINGS_MIGRATION.grant(django_apps, None)

    assert granted - withdrawn == {"add_warningtext", "delete_warningtext"}
    assert set(group.permissions.values_list("codename", flat=True)) == granted


def test_an_editor_has_the_publish_permission_and_a_clinician_has_not(editor, alice):
    assert editor.has_perm("guidance.publish_guidelineversion")
    assert editor.has_perm("guidance.change_section")
    assert not editor.has_perm("guidance.change_case")
    assert not alice.has_perm("guidance.publish_guidelineversion")
    assert not alice.is_staff


def test_migration_0007_gates_a_draft_started_before_with_the_cases_active_then(editor):
    gate_existing_drafts = importlib.import_module(
        "guidance.migrations.0007_gate_of_a_draft"
    ).gate_existing_drafts
    draft = start_draft(editor=editor)
    GuidelineVersion.objects.filter(pk=draft.pk).update(gating_cases=[])  # as before 0007
    retired = ReferenceCase.objects.get(title=METASTATIC_CASE)
    edit(retired, editor, "Retired", is_active=False)

    gate_existing_drafts(django_apps, None)

    draft.refresh_from_db()
    assert draft.gating_cases == gating_cases()
    assert len(draft.gating_cases) == 13
    assert GuidelineVersion.objects.get(label="1").gating_cases == []  # drafts only


def test_every_seeded_section_and_warning_has_one_initial_history_row(version_1):
    for model, count in ((Section, 16), (WarningText, 15)):
        # Migration 0012's rows, which add the logic, are changes ("~"): see below.
        rows = model.history.filter(version_id=version_1.pk, history_type="+")
        assert rows.count() == count
        assert set(rows.values_list("id", flat=True)) == set(
            model.objects.filter(version=version_1).values_list("id", flat=True)
        )
        assert set(rows.values_list("history_type", "history_change_reason")) == {
            ("+", SEED_REASON)
        }
    section = version_1.sections.get(slug="everolimus")
    (row,) = section.history.filter(history_type="+")
    assert row.text == OLD_EVEROLIMUS
    assert row.history_user is None  # loaded by the migration, not by a person


# --- Migration 0012: the logic becomes content ---------------------------------------------------

LOGIC_MIGRATION = "0012_logic_as_content"


def frozen_logic() -> dict:
    module = importlib.import_module(f"guidance.migrations.{LOGIC_MIGRATION}")
    return json.loads(module.LOGIC.read_text(encoding="utf-8"))


def test_migration_0012_gives_version_1_the_logic_of_the_frozen_file(version_1):
    logic = frozen_logic()

    assert (version_1.grading, version_1.category_rules, version_1.exclusive) == (
        logic["grading"],
        logic["category"],
        logic["exclusive"],
    )
    sections = {s.slug: s for s in version_1.sections.all()}
    for slug, rule in logic["sections"].items():
        assert (sections[slug].applies_when, sections[slug].reasons) == (
            rule["applies_when"],
            rule["reasons"],
        )
    assert sections["overview"].applies_when == "false"
    warnings = list(version_1.warnings.order_by("order"))
    assert [w.code for w in warnings] == list(logic["warnings"])
    assert [w.order for w in warnings] == list(range(1, 16))
    for warning in warnings:
        rule = logic["warnings"][warning.code]
        assert (warning.applies_when, warning.detail) == (rule["applies_when"], rule["detail"])


def test_migration_0012_records_the_change_in_every_texts_history(version_1):
    reason = "Logic moved from the engine's code into the guideline"
    for model, changed in ((Section, 15), (WarningText, 15)):
        rows = model.history.filter(version_id=version_1.pk, history_type="~")
        assert rows.count() == changed
        assert set(rows.values_list("history_change_reason", "history_user")) == {(reason, None)}
    everolimus = version_1.sections.get(slug="everolimus").history.latest("history_id")
    assert everolimus.applies_when == version_1.sections.get(slug="everolimus").applies_when
    (record,) = version_1.history.all()
    assert (record.history_type, record.history_change_reason, record.grading) == (
        "+",
        reason,
        version_1.grading,
    )


def test_migration_0012_fills_every_version_draft_or_not(editor, version_1):
    # The migration's function, with the models as they were at 0012 (plain managers, as in
    # a migration), on a draft and version 1 whose logic is cleared as before 0012.
    forwards = importlib.import_module(
        f"guidance.migrations.{LOGIC_MIGRATION}"
    ).give_every_version_version_1s_logic
    draft = start_draft(editor=editor)
    for version in (version_1, draft):
        change_outside_the_app(
            GuidelineVersion.objects.filter(pk=version.pk), grading={}, category_rules=[],
            exclusive=[],
        )
        change_outside_the_app(Section.objects.filter(version=version), applies_when="false")
        change_outside_the_app(WarningText.objects.filter(version=version), order=0)
    state = MigrationLoader(connection).project_state(("guidance", LOGIC_MIGRATION))

    forwards(state.apps, None)

    logic = frozen_logic()
    for version in (version_1, draft):
        version.refresh_from_db()
        assert version.exclusive == logic["exclusive"]
        assert version.logic_problems() == []
        assert version.sections.get(slug="everolimus").applies_when == (
            logic["sections"]["everolimus"]["applies_when"]
        )
        assert list(version.warnings.order_by("order").values_list("code", flat=True)) == list(
            logic["warnings"]
        )
def test_migration_0013_fills_the_impact_columns_of_cases_saved_before_from_their_snapshots(
    alice, bob
):
    migration = importlib.import_module("guidance.migrations.0013_case_facts_for_impact")
    cases = [
        make_case(alice, **SMALL_INSULINOMA),
        make_case(bob, **{**METASTATIC_SMALL_BOWEL, "ki67_percent": None}),
        make_case(alice, **WARNED_RECTUM),
    ]
    columns = ("category", "fingerprint", "size_mm", "ki67_percent", "mitoses_per_10hpf")
    expected = [tuple(getattr(case, name) for name in columns) for case in cases]
    # As before 0013 (the columns were added empty; size_mm cannot be null here).
    change_outside_the_app(
        Case.objects.all(),
        category="",
        fingerprint="",
        size_mm=0,
        ki67_percent=None,
        mitoses_per_10hpf=None,
    )
    # The models as that migration sees them: the plain manager, which may update.
    state = MigrationExecutor(connection).loader.project_state(
        ("guidance", "0013_case_facts_for_impact")
    )

    migration.fill_from_snapshots(state.apps, None)
    # Then 0016 gives the fingerprint its gastric NET type (none for these sites).
    GASTRIC_TYPE_MIGRATION.add_gastric_type(state.apps, None)

    filled = Case.objects.order_by("pk").values_list(*columns)
    assert list(filled) == expected


def as_before_0016(case: Case) -> None:
    """The case as it was saved before the gastric NET type was asked: its snapshot's facts
    without one, its fingerprint of the facts 0013 knew."""
    facts = saved_before_the_gastric_type(case).snapshot["facts"]
    before = [facts[name] for name in GASTRIC_TYPE_MIGRATION.BEFORE]
    change_outside_the_app(
        Case.objects.filter(pk=case.pk), fingerprint=json.dumps(before, separators=(",", ":"))
    )


def test_migration_0016_gives_the_cases_saved_before_a_gastric_type_of_null(alice, bob):
    cases = [
        make_case(alice, **WARNED_RECTUM),
        make_case(bob, site="stomach", size_mm=8),
        make_case(alice, **SMALL_INSULINOMA),
        make_case(bob, site="stomach", size_mm=9),  # the same fingerprint as the other one
    ]
    for case in cases:
        as_before_0016(case)
    snapshots = list(Case.objects.order_by("pk").values_list("snapshot", flat=True))
    state = MigrationExecutor(connection).loader.project_state(
        ("guidance", "0016_gastric_type_and_tumour_types")
    )

    GASTRIC_TYPE_MIGRATION.add_gastric_type(state.apps, None)

    saved = Case.objects.order_by("pk")
    assert [json.loads(case.fingerprint) for case in saved] == [
        ["rectum", None, None, "gastrinoma", False, "unknown", "regional_nodes", "unknown",
         "negative"],
        ["stomach", None, None, "non_functional", False, "well", "localised", "unknown",
         "not_done"],
        ["pancreas", "tail", None, "insulinoma", True, "well", "localised", "unknown",
         "not_done"],
        ["stomach", None, None, "non_functional", False, "well", "localised", "unknown",
         "not_done"],
    ]
    # The fingerprint reads back as the facts saved, with no gastric type; the snapshots
    # are as they were shown.
    for case in saved:
        facts = case.snapshot["facts"]
        numbers = {name: facts[name] for name in NUMBER_FACTS}
        assert facts_of(case.fingerprint, numbers) == {**facts, "gastric_type": None}
    assert [case.snapshot for case in saved] == snapshots


def test_migration_0016_undone_and_done_again_gives_the_fingerprints_of_before_and_after(
    alice, bob
):
    make_case(alice, **WARNED_RECTUM)
    make_case(bob, site="stomach", gastric_type="type_1")
    current = list(Case.objects.order_by("pk").values_list("fingerprint", flat=True))
    state = MigrationExecutor(connection).loader.project_state(
        ("guidance", "0016_gastric_type_and_tumour_types")
    )

    GASTRIC_TYPE_MIGRATION.remove_gastric_type(state.apps, None)

    fingerprints = Case.objects.order_by("pk").values_list("fingerprint", flat=True)
    before = [json.loads(fingerprint) for fingerprint in fingerprints]
    assert before == [
        [value for index, value in enumerate(json.loads(fingerprint)) if index != 2]
        for fingerprint in current
    ]
    assert before[1][:3] == ["stomach", None, "non_functional"]
    # Done again, the stomach case's type comes back from its snapshot.
    GASTRIC_TYPE_MIGRATION.add_gastric_type(state.apps, None)
    assert list(fingerprints.all()) == current
