"""The editor's publish cycle, in the domain layer: draft, reference cases, impact, publish.

guidance.publishing holds the cycle (start_draft, run_reference_cases, check_gate, impact,
publish); guidance.models holds the rules every write obeys (only a draft is edited, the
engine's sections stay), guidance.checks the system check, and migrations 0005 to 0007 the
editors' group, the seeded reference cases, the first history rows and the gate of a draft
started before drafts recorded it. The admin pages that drive all this are tested in
test_admin_editing.py and test_admin_publishing_gate.py.

After migrations the database holds one guideline with version "1" published: 16 sections
(the 15 engine slugs and "overview", which the engine never returns) and 15 warning texts.
"""

from __future__ import annotations

import importlib
import json
import uuid
from dataclasses import asdict
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.core import checks
from django.db import IntegrityError, transaction
from django.utils import timezone

import guidance
from guidance import content, engine, recommendation
from guidance.checks import published_version_is_complete
from guidance.models import (
    Case,
    GuidelineVersion,
    ProtectedSection,
    ReadOnlyContent,
    ReferenceCase,
    Section,
    WarningText,
)
from guidance.publishing import (
    FieldChange,
    GateChange,
    PublishingError,
    ReferenceResult,
    SectionChange,
    check_gate,
    discard_draft,
    gating_cases,
    impact,
    publish,
    reference_case_problems,
    run_reference_cases,
    start_draft,
)
from tests.factories import (
    PLAIN_FACTS,
    case_facts,
    delete_outside_the_app,
    make_case,
    make_editor,
)

pytestmark = pytest.mark.django_db

SEED_FILE = Path(guidance.__file__).resolve().parent / "data" / "reference_cases.json"
SEED_REASON = "Loaded verbatim from the source guideline"
PUBLISHED = GuidelineVersion.Status.PUBLISHED
RETIRED = GuidelineVersion.Status.RETIRED
DRAFT = GuidelineVersion.Status.DRAFT

# Version 1's everolimus text, verbatim from the source (its "is a small number" typo too),
# and the corrected wording an editor publishes; it still names the drug, so the seeded
# reference case that expects the phrase "Everolimus" keeps passing.
OLD_EVEROLIMUS = "Everolimus may slow progression of disease is a small number of patients"
NEW_EVEROLIMUS = "Everolimus may slow progression of disease in a small number of patients."

# A colon NET with distant metastases shows metastatic-incurable, debulking-surgery,
# cytotoxic-minimal-benefit and everolimus; the plain localised colon NET shows
# curative-excision and lymph-node-dissection; regional nodes add the regional-nodes warning.
METASTATIC = {"extent": "distant_metastases"}
REGIONAL = {"extent": "regional_nodes"}


@pytest.fixture
def editor(db):
    """Erin keeps the guideline: staff, in the editors' group the migration made."""
    return make_editor("erin", last_name="Evans")


@pytest.fixture
def version_1(db):
    return GuidelineVersion.objects.current()


@pytest.fixture
def draft(editor):
    return start_draft(editor=editor, reason="Correct the everolimus wording")


def edit(item, editor, reason="Editorial correction", **changes):
    """Change a draft's section or warning text the way the admin does: with who and why."""
    for name, value in changes.items():
        setattr(item, name, value)
    item._history_user = editor
    item._change_reason = reason
    item.save()
    return item


def wrong_reference_case(**fields) -> ReferenceCase:
    """An editor's reference case expecting local excision for a colon NET (it gets a lymph
    node dissection instead): it fails against every version."""
    values = {
        "title": "Small colon NET (wrong expectation)",
        "facts": dict(PLAIN_FACTS),
        "expected_grade": "G1",
        "expected_sections": ["curative-excision", "local-excision"],
        **fields,
    }
    return ReferenceCase.objects.create(**values)


def publish_it(draft, editor, **kwargs):
    kwargs.setdefault("label", "2")
    kwargs.setdefault("change_summary", "Everolimus: corrected wording.")
    return publish(draft, editor=editor, **kwargs)


def statuses() -> dict[str, str]:
    return dict(GuidelineVersion.objects.values_list("label", "status"))


# --- Starting a draft ---------------------------------------------------------------------


def test_a_draft_is_a_copy_of_every_section_of_the_published_version(draft, version_1):
    fields = ("slug", "group", "heading", "text", "order")
    assert draft.status == DRAFT
    assert draft.based_on == version_1
    assert draft.guideline == version_1.guideline
    assert draft.citation == version_1.citation
    assert list(draft.sections.values_list(*fields)) == list(
        version_1.sections.values_list(*fields)
    )
    assert draft.sections.count() == 16
    # Copies, not the same rows: editing the draft must not touch the published text.
    assert not set(draft.sections.values_list("pk", flat=True)) & set(
        version_1.sections.values_list("pk", flat=True)
    )


def test_a_draft_is_a_copy_of_every_warning_text_of_the_published_version(draft, version_1):
    assert list(draft.warnings.values_list("code", "message")) == list(
        version_1.warnings.values_list("code", "message")
    )
    assert draft.warnings.count() == 15


def test_every_copied_text_starts_its_history_with_the_editor_and_the_reason(draft, editor):
    copies = [*draft.sections.all(), *draft.warnings.all()]
    assert len(copies) == 31
    for copy in copies:
        (row,) = copy.history.all()
        assert row.history_type == "+"
        assert row.history_user == editor
        assert row.history_change_reason == "Correct the everolimus wording"


def test_a_draft_started_without_a_reason_records_where_it_came_from(editor):
    draft = start_draft(editor=editor)
    reasons = set(
        Section.history.filter(version_id=draft.pk).values_list("history_change_reason", flat=True)
    )
    assert reasons == {"Draft started from version 1"}


def test_editing_a_draft_section_records_who_why_and_the_old_and_new_text(draft, editor):
    section = draft.sections.get(slug="everolimus")
    edit(section, editor, "Fix the typo 'is a small'", text=NEW_EVEROLIMUS)

    latest = section.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert latest.history_change_reason == "Fix the typo 'is a small'"
    assert latest.text == NEW_EVEROLIMUS
    assert latest.prev_record.text == OLD_EVEROLIMUS
    assert section.history.count() == 2


def test_a_second_draft_is_refused_while_one_exists(draft, editor):
    with pytest.raises(PublishingError, match="already a draft"):
        start_draft(editor=editor)
    assert GuidelineVersion.objects.filter(status=DRAFT).get() == draft


def test_the_database_itself_refuses_a_second_draft(draft, version_1):
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.create(
            guideline=version_1.guideline, label="rogue", status=DRAFT, citation="x"
        )
    assert GuidelineVersion.objects.filter(status=DRAFT).count() == 1


# --- Discarding a draft ---------------------------------------------------------------------

# An abandoned draft blocked every later one (one draft at a time). Discarding sets it
# aside, kept read-only with who, when and why; it is never published and never deleted.

DISCARDED = GuidelineVersion.Status.DISCARDED


def test_discarding_a_draft_keeps_it_as_a_record_with_who_when_and_why(draft, editor, version_1):
    before = timezone.now()

    discard_draft(draft, editor=editor, reason="  Superseded by the 2025 guideline  ")

    draft.refresh_from_db()
    assert draft.status == DISCARDED
    assert draft.discarded_by == editor
    assert before <= draft.discarded_at <= timezone.now()
    assert draft.discard_reason == "Superseded by the 2025 guideline"
    assert draft.published_at is None
    assert GuidelineVersion.objects.current() == version_1
    # Its texts and their history stay.
    assert draft.sections.count() == 16
    assert draft.warnings.count() == 15
    assert Section.history.filter(version_id=draft.pk).count() == 16


def test_after_a_draft_is_discarded_a_new_one_can_be_started_and_published(draft, editor):
    discard_draft(draft, editor=editor, reason="Abandoned")

    second = start_draft(editor=editor)
    publish_it(second, editor)

    assert statuses() == {"1": RETIRED, draft.label: DISCARDED, "2": PUBLISHED}
    # A third draft after a second discarded one: discarded drafts never count as drafts.
    discard_draft(start_draft(editor=editor), editor=editor, reason="Abandoned too")
    assert start_draft(editor=editor).is_draft
    assert GuidelineVersion.objects.filter(status=DISCARDED).count() == 2


def test_the_texts_of_a_discarded_draft_cannot_be_edited(draft, editor):
    discard_draft(draft, editor=editor, reason="Abandoned")
    section = Section.objects.get(version=draft, slug="everolimus")

    with pytest.raises(ReadOnlyContent, match="is discarded"):
        edit(section, editor, text=NEW_EVEROLIMUS)
    with pytest.raises(ReadOnlyContent, match="is discarded"):
        edit(WarningText.objects.get(version=draft, code="regional-nodes"), editor, message="x")
    assert Section.objects.get(pk=section.pk).text == OLD_EVEROLIMUS


def test_a_discarded_draft_cannot_be_published(draft, editor):
    discard_draft(draft, editor=editor, reason="Abandoned")

    with pytest.raises(PublishingError, match="Only a draft"):
        publish_it(draft, editor)
    assert GuidelineVersion.objects.get(pk=draft.pk).status == DISCARDED


def test_only_a_draft_can_be_discarded(draft, editor, version_1):
    with pytest.raises(PublishingError, match="Only a draft"):
        discard_draft(version_1, editor=editor, reason="Mistake")
    discard_draft(draft, editor=editor, reason="Abandoned")
    with pytest.raises(PublishingError, match="Only a draft"):
        discard_draft(draft, editor=editor, reason="Twice")
    assert GuidelineVersion.objects.get(pk=version_1.pk).status == PUBLISHED
    assert GuidelineVersion.objects.get(pk=draft.pk).discard_reason == "Abandoned"


def test_a_draft_is_not_discarded_without_a_reason(draft, editor):
    with pytest.raises(PublishingError, match="reason"):
        discard_draft(draft, editor=editor, reason="   ")
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.discarded_by is None


# --- Publishing ---------------------------------------------------------------------------


def test_publishing_makes_the_draft_the_published_version_with_its_record(draft, editor, version_1):
    before = timezone.now()
    results = publish_it(draft, editor, label="2", change_summary="Everolimus: corrected wording.")

    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.label == "2"
    assert draft.change_summary == "Everolimus: corrected wording."
    assert draft.published_by == editor
    assert before <= draft.published_at <= timezone.now()
    # What the reference cases gave is kept with the version, one entry per case.
    assert len(results) == 14
    assert draft.reference_results == [asdict(result) for result in results]
    assert {row["title"] for row in draft.reference_results} == set(
        ReferenceCase.objects.values_list("title", flat=True)
    )
    assert all(row["passed"] for row in draft.reference_results)
    assert draft.accepted_failures_reason == ""


def test_publishing_retires_the_previous_version_and_leaves_one_published(draft, editor):
    publish_it(draft, editor)

    assert statuses() == {"1": RETIRED, "2": PUBLISHED}
    assert GuidelineVersion.objects.current() == draft
    # The retired version is still whole and readable.
    assert GuidelineVersion.objects.get(label="1").sections.count() == 16


def test_the_database_itself_refuses_two_published_versions(draft, editor):
    publish_it(draft, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.filter(label="1").update(status=PUBLISHED)
    assert GuidelineVersion.objects.published().count() == 1


def test_after_publishing_new_recommendations_quote_the_new_text(draft, editor):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    publish_it(draft, editor)

    shown = recommendation.build(facts=case_facts(**METASTATIC), text=content.published())
    texts = {item["section"]: item["text"] for item in shown["recommendations"]}
    assert texts["everolimus"] == NEW_EVEROLIMUS
    assert shown["guideline"]["version"] == "2"


def test_a_case_saved_before_publishing_keeps_its_text_and_its_version(
    draft, editor, alice, version_1
):
    saved = make_case(alice, **METASTATIC)
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    publish_it(draft, editor)

    saved = Case.objects.select_related("guideline_version").get(pk=saved.pk)
    assert saved.guideline_version == version_1
    assert saved.guideline_version.status == RETIRED
    texts = {item["section"]: item["text"] for item in saved.snapshot["recommendations"]}
    assert texts["everolimus"] == OLD_EVEROLIMUS
    assert saved.snapshot["guideline"]["version"] == "1"
    # A case saved now records the new version and its text.
    fresh = make_case(alice, **METASTATIC)
    assert fresh.guideline_version == draft
    assert NEW_EVEROLIMUS in [item["text"] for item in fresh.snapshot["recommendations"]]


def test_publishing_is_all_or_nothing_when_it_fails_after_retiring_the_old_version(
    draft, editor, version_1, monkeypatch
):
    """The failure comes at the last write, after the old version was retired inside the
    transaction: the retirement must be rolled back with it."""
    original_save = GuidelineVersion.save
    seen_during_publish = []

    def save_fails_for_the_draft(self, *args, **kwargs):
        if self.pk == draft.pk:
            seen_during_publish.append(
                GuidelineVersion.objects.values_list("status", flat=True).get(pk=version_1.pk)
            )
            raise RuntimeError("database went away")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(GuidelineVersion, "save", save_fails_for_the_draft)
    with pytest.raises(RuntimeError, match="went away"):
        publish_it(draft, editor)

    assert seen_during_publish == [RETIRED]  # the failure really came after the retire step
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}
    draft.refresh_from_db()
    assert draft.published_at is None
    assert draft.published_by is None
    assert draft.reference_results == []


def test_publish_refuses_a_version_that_is_not_a_draft(draft, editor, version_1):
    with pytest.raises(PublishingError, match="Only a draft"):
        publish_it(version_1, editor, label="1b")
    publish_it(draft, editor)
    with pytest.raises(PublishingError, match="Only a draft"):
        publish_it(version_1, editor, label="3")  # now retired
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}


def test_publish_refuses_a_label_that_already_exists(draft, editor):
    with pytest.raises(PublishingError, match="Version 1 already exists"):
        publish_it(draft, editor, label="1")
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_publish_refuses_a_draft_missing_a_section_the_engine_uses(draft, editor):
    # The model refuses to delete an engine section; a queryset delete goes round it.
    Section.objects.filter(version=draft, slug="everolimus").delete()

    with pytest.raises(PublishingError, match="no section for: everolimus"):
        publish_it(draft, editor)
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_a_draft_without_the_overview_can_be_published(draft, editor):
    # "overview" is not an engine slug: the draft may drop it.
    draft.sections.get(slug="overview").delete()
    publish_it(draft, editor)
    assert GuidelineVersion.objects.current() == draft


# --- Reference cases ----------------------------------------------------------------------


def test_the_fourteen_seeded_reference_cases_all_pass_against_version_1(version_1):
    seeded = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    assert len(seeded) == 14
    assert set(ReferenceCase.objects.values_list("title", flat=True)) == {
        item["title"] for item in seeded
    }

    results = run_reference_cases(version_1)

    assert len(results) == 14
    assert [(r.title, r.problems) for r in results if not r.passed] == []


def test_a_draft_that_drops_an_expected_phrase_fails_that_case_and_says_which(draft, editor):
    edit(
        draft.sections.get(slug="everolimus"),
        editor,
        text="mTOR inhibitors may slow progression of disease in a small number of patients.",
    )

    failures = [r for r in run_reference_cases(draft) if not r.passed]

    assert [(r.title, r.problems) for r in failures] == [
        (
            "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable",
            ["the quoted text no longer contains “Everolimus”"],
        )
    ]


def test_an_editor_added_reference_case_with_a_wrong_expectation_fails(version_1):
    case = wrong_reference_case()

    assert reference_case_problems(case, version_1) == [
        "section local-excision is missing",
        "section lymph-node-dissection is not expected",
    ]
    (result,) = [r for r in run_reference_cases(version_1) if r.title == case.title]
    assert not result.passed


def test_a_wrong_grade_warning_or_phrase_is_each_reported(version_1):
    case = wrong_reference_case(
        expected_grade="G2",
        expected_sections=["curative-excision", "lymph-node-dissection"],
        expected_warnings=["regional-nodes"],
        expected_phrases=["pancreatoduodenectomy"],
    )
    assert reference_case_problems(case, version_1) == [
        "grade G1, expected G2",
        "warning regional-nodes is missing",
        "the quoted text no longer contains “pancreatoduodenectomy”",
    ]


def test_a_failing_reference_case_blocks_publishing(draft, editor):
    wrong_reference_case()

    with pytest.raises(PublishingError, match="1 reference case"):
        publish_it(draft, editor)
    with pytest.raises(PublishingError, match="1 reference case"):
        publish_it(draft, editor, accept_failures_reason="   ")  # blank is no reason
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_an_editor_can_publish_despite_failures_with_a_recorded_reason(draft, editor):
    case = wrong_reference_case()
    reason = "The case's expectation is under review by the MDT; wording change is urgent."

    results = publish_it(draft, editor, accept_failures_reason=f"  {reason} ")

    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.accepted_failures_reason == reason
    (failed,) = [row for row in draft.reference_results if not row["passed"]]
    assert failed["title"] == case.title
    assert failed["problems"] == [
        "section local-excision is missing",
        "section lymph-node-dissection is not expected",
    ]
    assert len(results) == 15


def test_an_inactive_reference_case_is_not_run(draft, editor, version_1):
    case = wrong_reference_case(is_active=False)

    titles = [r.title for r in run_reference_cases(version_1)]

    assert case.title not in titles
    assert len(titles) == 14
    publish_it(draft, editor)  # no failure to accept
    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert case.title not in {row["title"] for row in draft.reference_results}


@pytest.mark.parametrize(
    ("facts", "named_field"),
    [
        ({**PLAIN_FACTS, "site": "mars"}, "site"),
        ({key: v for key, v in PLAIN_FACTS.items() if key != "extent"}, "extent"),
        ({**PLAIN_FACTS, "size_mm": -4}, "size_mm"),
        ({**PLAIN_FACTS, "ki67_percent": "lots"}, "ki67_percent"),
        # The admin form refuses facts that are not a JSON object, but a reference case can
        # also come from a fixture, the shell or a data migration: a problem, not a crash.
        (["colon", "localised"], "JSON object"),
    ],
    ids=["unknown-site", "missing-extent", "negative-size", "text-ki67", "not-an-object"],
)
def test_a_reference_case_with_invalid_facts_is_reported_not_a_crash(version_1, facts, named_field):
    case = wrong_reference_case(facts=facts)

    (result,) = [r for r in run_reference_cases(version_1) if r.title == case.title]

    assert not result.passed
    (problem,) = result.problems
    assert problem.startswith("The case's inputs are not")
    assert named_field in problem


# --- The gate: the reference cases active when the draft was started ------------------------

# An editor could untick "active" on the reference cases a draft fails, or drop the phrase
# a case expects, and then publish with no reason. The cases that gate a draft are those
# active when it was started, as they were then; any of them deactivated, edited or deleted
# since is a change to the gate, which needs the recorded reason like a failure.

METASTATIC_CASE = "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable"
GATE_CHANGED = "changed since the draft was started"


@pytest.fixture
def gating_failure(editor):
    """A wrong reference case that was active when the draft was started: it fails the draft."""
    case = wrong_reference_case()
    draft = start_draft(editor=editor)
    return case, draft


def test_a_draft_records_the_reference_cases_that_gate_it_as_they_were(editor):
    inactive = wrong_reference_case(title="Retired case", is_active=False)

    draft = start_draft(editor=editor)

    draft.refresh_from_db()
    active = list(ReferenceCase.objects.filter(is_active=True).order_by("pk"))
    assert len(active) == len(draft.gating_cases) == 14
    assert inactive.pk not in {entry["id"] for entry in draft.gating_cases}
    for entry, case in zip(draft.gating_cases, active, strict=True):
        assert entry == {
            "id": case.pk,
            "history_id": case.history.latest("history_id").history_id,
            "title": case.title,
            "facts": case.facts,
            "expected_grade": case.expected_grade,
            "expected_sections": case.expected_sections,
            "expected_warnings": case.expected_warnings,
            "expected_phrases": case.expected_phrases,
        }


def test_a_draft_with_its_gate_untouched_has_no_gate_changes(draft):
    check = check_gate(draft)

    assert check.changes == []
    assert not check.needs_reason
    assert len(check.results) == 14


def test_deactivating_a_failing_reference_case_during_a_draft_does_not_open_the_gate(
    gating_failure, editor
):
    case, draft = gating_failure
    edit(case, editor, "Not relevant any more", is_active=False)

    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor)
    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor, accept_failures_reason="  ")
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_a_deactivated_gating_case_is_listed_and_run_as_it_was_when_the_draft_started(
    gating_failure, editor
):
    case, draft = gating_failure
    edit(case, editor, "Not relevant any more", is_active=False)

    check = check_gate(draft)

    assert case.title not in {result.title for result in check.results}  # it no longer runs
    (change,) = check.changes
    assert (change.case_id, change.title, change.kind) == (case.pk, case.title, "deactivated")
    assert change.fields == []
    # What the gate would have said: the case as it was at the start fails the draft.
    assert change.as_started == ReferenceResult(
        case.title,
        False,
        ["section local-excision is missing", "section lymph-node-dissection is not expected"],
    )
    assert check.needs_reason


def test_weakening_a_gating_case_is_listed_with_the_fields_that_changed(draft, editor):
    case = ReferenceCase.objects.get(title=METASTATIC_CASE)
    edit(draft.sections.get(slug="everolimus"), editor, text="mTOR inhibition may help some.")
    edit(case, editor, "The drug name moved to the warning", expected_phrases=["Octreotide"])

    check = check_gate(draft)

    assert all(result.passed for result in check.results)  # the edited case now passes
    (change,) = check.changes
    assert (change.title, change.kind) == (METASTATIC_CASE, "edited")
    assert change.fields == [
        FieldChange("expected phrases", '["Octreotide", "Everolimus"]', '["Octreotide"]')
    ]
    assert change.as_started == ReferenceResult(
        METASTATIC_CASE, False, ["the quoted text no longer contains “Everolimus”"]
    )
    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor)


def test_a_change_made_with_a_queryset_update_and_no_history_is_seen_too(draft):
    ReferenceCase.objects.filter(title=METASTATIC_CASE).update(expected_grade="G3")

    (change,) = check_gate(draft).changes

    assert change.kind == "edited"
    assert change.fields == [FieldChange("expected grade", '"G2"', '"G3"')]


def test_a_gating_case_deleted_during_a_draft_is_listed_by_the_title_it_had(gating_failure, editor):
    case, draft = gating_failure
    ReferenceCase.objects.filter(pk=case.pk).delete()  # the admin refuses; the ORM does not

    check = check_gate(draft)

    (change,) = check.changes
    assert (change.case_id, change.title, change.kind) == (case.pk, case.title, "deleted")
    assert not change.as_started.passed
    with pytest.raises(PublishingError, match=GATE_CHANGED):
        publish_it(draft, editor)


def test_a_case_added_during_a_draft_strengthens_the_gate_runs_and_needs_no_reason(draft, editor):
    added = wrong_reference_case(
        title="Small colon NET", expected_sections=["curative-excision", "lymph-node-dissection"]
    )

    check = check_gate(draft)

    (change,) = check.changes
    assert (change.title, change.kind, change.as_started) == (added.title, "added", None)
    assert not check.needs_reason
    assert added.title in {result.title for result in check.results if result.passed}
    publish_it(draft, editor)
    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.accepted_failures_reason == ""


def test_a_case_reactivated_during_a_draft_is_added_to_the_gate(editor):
    retired = wrong_reference_case(
        title="Small colon NET",
        expected_sections=["curative-excision", "lymph-node-dissection"],
        is_active=False,
    )
    draft = start_draft(editor=editor)
    edit(retired, editor, "Back in use", is_active=True)

    (change,) = check_gate(draft).changes

    assert (change.title, change.kind) == (retired.title, "added")


def test_a_change_undone_before_publishing_leaves_the_gate_as_it_was(gating_failure, editor):
    case, draft = gating_failure
    edit(case, editor, "Not relevant any more", is_active=False, notes="Retired.")
    edit(case, editor, "Deactivated by mistake", is_active=True)

    check = check_gate(draft)

    assert check.changes == []  # its notes changed, which gate nothing
    assert [result.title for result in check.results if not result.passed] == [case.title]


def test_publishing_over_a_changed_gate_records_the_changes_and_the_reason(gating_failure, editor):
    case, draft = gating_failure
    edit(case, editor, "Wrong expectation: the MDT agreed", is_active=False)
    reason = "The deactivated case expected a local excision the guideline never advised."

    results = publish_it(draft, editor, accept_failures_reason=reason)

    draft.refresh_from_db()
    assert draft.status == PUBLISHED
    assert draft.accepted_failures_reason == reason
    assert all(result.passed for result in results)
    (recorded,) = draft.gate_changes
    assert recorded == asdict(check_gate_change(case, "deactivated"))
    assert recorded["as_started"]["passed"] is False
    assert len(draft.reference_results) == 14


def check_gate_change(case, kind):
    """The change the publish page listed for ``case``, as publishing records it."""
    return GateChange(
        case_id=case.pk,
        title=case.title,
        kind=kind,
        fields=[],
        as_started=ReferenceResult(
            case.title,
            False,
            ["section local-excision is missing", "section lymph-node-dissection is not expected"],
        ),
    )


def test_the_gate_of_the_next_draft_is_the_cases_active_when_it_is_started(gating_failure, editor):
    case, draft = gating_failure
    edit(case, editor, "Wrong expectation: the MDT agreed", is_active=False)
    publish_it(draft, editor, accept_failures_reason="Agreed at the MDT")

    second = start_draft(editor=editor)

    assert case.pk not in {entry["id"] for entry in second.gating_cases}
    assert check_gate(second).changes == []


# --- Impact report ------------------------------------------------------------------------

# A saved case counts once, whatever the default ordering of cases adds to a DISTINCT.


@pytest.fixture
def saved_cases(alice, bob):
    """Five cases saved on version 1: three showed everolimus, two did not. References are
    there to show the report never quotes a case's contents."""
    return [
        make_case(alice, reference="MDT-101", **METASTATIC),
        make_case(alice, reference="MDT-102", **METASTATIC, hormonal_symptoms=True),
        make_case(bob, reference="MDT-103", **METASTATIC, size_mm=40),
        make_case(alice, reference="MDT-104"),
        make_case(bob, reference="MDT-105", size_mm=8),
    ]


def test_changing_a_sections_text_counts_the_cases_that_showed_it(draft, editor, saved_cases):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)

    report = impact(draft)

    assert report.cases == 5
    assert report.affected == 3
    assert report.changes == [SectionChange("everolimus", "Everolimus", "text changed", 3)]
    assert report.by_kind() == {"text changed": report.changes}


def test_changing_only_a_heading_is_reported_as_heading_changed(draft, editor, saved_cases):
    edit(
        draft.sections.get(slug="curative-excision"),
        editor,
        heading="Localised tumours: curative surgery",
    )

    report = impact(draft)

    assert report.affected == 2
    assert report.changes == [
        SectionChange(
            "curative-excision",
            "Localised tumours: curative surgical excision",  # the heading the cases showed
            "heading changed",
            2,
        )
    ]


def test_rewording_a_warning_counts_the_cases_that_showed_that_warning(draft, editor, alice):
    make_case(alice, **REGIONAL)
    make_case(alice, **REGIONAL, site="stomach")
    make_case(alice)  # no warning
    edit(
        draft.warnings.get(code="regional-nodes"),
        editor,
        message="Regional nodal disease is treated as resectable locoregional disease.",
    )

    report = impact(draft)

    assert report.cases == 3
    assert report.affected == 2
    assert report.by_kind() == {
        "warning reworded": [
            SectionChange("regional-nodes", "regional-nodes", "warning reworded", 2)
        ]
    }


def test_a_draft_with_no_changes_affects_no_case(draft, saved_cases):
    report = impact(draft)
    assert report.cases == 5
    assert report.affected == 0
    assert report.changes == []


def test_the_impact_report_gives_counts_and_sections_never_case_contents(
    draft, editor, saved_cases
):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    report = repr(impact(draft))
    assert "everolimus" in report
    for case in saved_cases:
        assert case.reference not in report
        assert case.clinician.username not in report


def test_the_impact_report_runs_the_same_queries_for_5_or_50_cases(
    draft, editor, alice, django_assert_num_queries
):
    edit(draft.sections.get(slug="everolimus"), editor, text=NEW_EVEROLIMUS)
    version_1 = draft.based_on
    shown = recommendation.build(facts=case_facts(**METASTATIC), text=content.load(version_1))

    def save_cases(count):
        for _ in range(count):
            Case.record(
                clinician=alice,
                guideline_version_id=version_1.pk,
                shown=shown,
                run_token=uuid.uuid4(),
            )

    # 1. the draft's sections   2. the draft's warning texts
    # 3. the versions the saved cases used (one here)
    # per used version: 4. its sections  5. its warning texts  6. its cases' slugs and codes
    # 7. the count of all saved cases
    save_cases(5)
    with django_assert_num_queries(7):
        five = impact(draft)
    save_cases(45)
    with django_assert_num_queries(7):
        fifty = impact(draft)
    assert (five.affected, fifty.affected) == (5, 50)


# --- Model rules --------------------------------------------------------------------------


def test_a_section_of_the_published_version_cannot_be_edited(version_1, editor):
    section = version_1.sections.get(slug="everolimus")
    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        edit(section, editor, text="Everolimus is first line.")
    assert Section.objects.get(pk=section.pk).text == OLD_EVEROLIMUS
    assert section.history.count() == 1


def test_a_section_of_a_retired_version_cannot_be_edited(draft, editor, version_1):
    publish_it(draft, editor)
    section = GuidelineVersion.objects.get(pk=version_1.pk).sections.get(slug="interferon")
    with pytest.raises(ReadOnlyContent, match="retired"):
        edit(section, editor, heading="Interferon (historical)")


def test_the_slug_of_an_engine_section_cannot_change_even_in_a_draft(draft, editor):
    section = draft.sections.get(slug="everolimus")
    with pytest.raises(ProtectedSection, match="everolimus"):
        edit(section, editor, slug="mtor-inhibitors")
    assert draft.sections.filter(slug="everolimus").exists()


def test_an_engine_section_cannot_be_deleted_even_in_a_draft(draft):
    section = draft.sections.get(slug="everolimus")
    with pytest.raises(ProtectedSection, match="everolimus"):
        section.delete()
    assert draft.sections.filter(slug="everolimus").exists()


def test_a_section_the_engine_does_not_use_can_be_deleted_from_a_draft(draft):
    assert "overview" not in engine.SECTION_SLUGS
    draft.sections.get(slug="overview").delete()
    assert not draft.sections.filter(slug="overview").exists()
    assert GuidelineVersion.objects.current().sections.filter(slug="overview").exists()


def test_a_section_the_engine_does_not_use_cannot_be_deleted_from_the_published_version(
    version_1,
):
    with pytest.raises(ReadOnlyContent):
        version_1.sections.get(slug="overview").delete()
    assert version_1.sections.filter(slug="overview").exists()


def test_no_section_can_be_added_to_the_published_version(version_1):
    with pytest.raises(ReadOnlyContent):
        Section.objects.create(version=version_1, slug="new", heading="New", text="x", order=999)
    assert not version_1.sections.filter(slug="new").exists()


def test_a_section_cannot_move_from_a_draft_to_the_published_version(draft, version_1):
    section = draft.sections.get(slug="overview")
    section.version = version_1
    with pytest.raises(ReadOnlyContent):
        section.save()
    assert Section.objects.get(pk=section.pk).version == draft


def test_a_warning_text_of_the_published_version_cannot_be_deleted(version_1):
    warning = version_1.warnings.get(code="regional-nodes")
    with pytest.raises(ReadOnlyContent):
        warning.delete()
    assert WarningText.objects.filter(pk=warning.pk).exists()


def test_the_code_of_a_warning_the_engine_uses_cannot_change_even_in_a_draft(draft):
    warning = draft.warnings.get(code="regional-nodes")
    warning.code = "nodes"
    with pytest.raises(ProtectedSection):
        warning.save()
    assert draft.warnings.filter(code="regional-nodes").exists()


def test_publish_refuses_an_empty_label(draft, editor):
    with pytest.raises(PublishingError, match="label"):
        publish(draft, editor=editor, label="  ", change_summary="No label.")
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_warning_text_of_the_published_version_cannot_be_saved(version_1, editor):
    warning = version_1.warnings.get(code="regional-nodes")
    original = warning.message
    with pytest.raises(ReadOnlyContent):
        edit(warning, editor, message="Reworded in place.")
    assert WarningText.objects.get(pk=warning.pk).message == original


def test_a_warning_text_of_a_draft_can_be_saved(draft, editor):
    warning = edit(draft.warnings.get(code="regional-nodes"), editor, message="Reworded.")
    assert WarningText.objects.get(pk=warning.pk).message == "Reworded."
    assert warning.history.first().history_change_reason == "Editorial correction"


# Writes that skip save() and delete(): the querysets keep them to drafts too.

TEXT_FIELD = {Section: "text", WarningText: "message"}
SECTION_AND_WARNING = pytest.mark.parametrize(
    ("model", "key"), [(Section, {"slug": "overview"}), (WarningText, {"code": "regional-nodes"})]
)


def texts(model, **lookup) -> dict[int, str]:
    return dict(model.objects.filter(**lookup).values_list("pk", TEXT_FIELD[model]))


@SECTION_AND_WARNING
def test_an_update_of_the_published_versions_text_is_refused_and_changes_nothing(
    version_1, model, key
):
    before = texts(model, version=version_1)

    with pytest.raises(ReadOnlyContent, match="Version 1 is published: edit a draft instead"):
        model.objects.filter(version=version_1, **key).update(**{TEXT_FIELD[model]: "Changed."})
    related = version_1.sections if model is Section else version_1.warnings
    with pytest.raises(ReadOnlyContent):
        related.update(**{TEXT_FIELD[model]: "Changed."})

    assert texts(model, version=version_1) == before


@SECTION_AND_WARNING
def test_an_update_spanning_a_draft_and_the_published_version_changes_neither(
    draft, version_1, model, key
):
    rows = model.objects.filter(**key)
    assert {row.version_id for row in rows} == {draft.pk, version_1.pk}
    before = texts(model, **key)

    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        rows.update(**{TEXT_FIELD[model]: "Changed."})

    assert texts(model, **key) == before


@SECTION_AND_WARNING
def test_an_update_of_a_drafts_text_alone_is_allowed(draft, version_1, model, key):
    published_before = texts(model, version=version_1)
    rows = model.objects.filter(version=draft, **key)

    assert rows.update(**{TEXT_FIELD[model]: "Reworded."}) == 1

    assert set(texts(model, version=draft, **key).values()) == {"Reworded."}
    assert texts(model, version=version_1) == published_before


def test_an_update_cannot_move_a_drafts_text_to_another_version(draft, version_1):
    for move in ({"version": version_1}, {"version_id": version_1.pk}):
        with pytest.raises(ReadOnlyContent, match="cannot move"):
            Section.objects.filter(version=draft, slug="overview").update(**move)
    with pytest.raises(ReadOnlyContent, match="cannot move"):
        Section.objects.bulk_update(list(draft.sections.filter(slug="overview")), ["version"])

    assert draft.sections.filter(slug="overview").exists()
    assert version_1.sections.filter(slug="overview").count() == 1


@SECTION_AND_WARNING
def test_a_queryset_delete_spanning_the_published_version_is_refused_and_deletes_nothing(
    draft, version_1, model, key
):
    before = texts(model)

    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        model.objects.filter(version=version_1, **key).delete()
    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        model.objects.filter(**key).delete()  # the draft's row and the published one

    assert texts(model) == before


def test_a_queryset_delete_of_a_drafts_text_alone_is_allowed(draft, version_1):
    deleted, _ = Section.objects.filter(version=draft, slug="overview").delete()

    assert deleted == 1
    assert not draft.sections.filter(slug="overview").exists()
    assert version_1.sections.filter(slug="overview").exists()


def test_bulk_create_into_a_version_that_is_not_a_draft_is_refused_and_creates_nothing(
    draft, version_1
):
    def new_section(version, slug):
        return Section(version=version, slug=slug, heading="New", text="New text.", order=999)

    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        Section.objects.bulk_create([new_section(draft, "new-1"), new_section(version_1, "new-2")])
    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        WarningText.objects.bulk_create([WarningText(version=version_1, code="new", message="x")])

    assert not Section.objects.filter(slug__in=["new-1", "new-2"]).exists()
    assert not WarningText.objects.filter(code="new").exists()
    assert len(Section.objects.bulk_create([new_section(draft, "new-1")])) == 1


@SECTION_AND_WARNING
def test_bulk_update_of_text_that_is_not_a_drafts_is_refused_and_changes_nothing(
    draft, version_1, model, key
):
    field = TEXT_FIELD[model]
    rows = list(model.objects.filter(**key))  # the draft's row and the published one
    for row in rows:
        setattr(row, field, "Changed.")
    before = texts(model, **key)

    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        model.objects.bulk_update(rows, [field])

    assert texts(model, **key) == before
    drafts = [row for row in rows if row.version_id == draft.pk]
    assert model.objects.bulk_update(drafts, [field]) == 1
    assert set(texts(model, version=draft, **key).values()) == {"Changed."}


def test_the_text_of_retired_and_discarded_versions_refuses_bulk_writes_too(
    draft, editor, version_1
):
    publish_it(draft, editor)  # version 1 is retired
    second = start_draft(editor=editor)
    discard_draft(second, editor=editor, reason="Not needed")

    for version, status in ((version_1, "retired"), (second, "discarded")):
        with pytest.raises(ReadOnlyContent, match=f"is {status}"):
            version.sections.update(text="Changed.")
        with pytest.raises(ReadOnlyContent, match=f"is {status}"):
            version.warnings.all().delete()
        assert not version.sections.filter(text="Changed.").exists()
        assert version.warnings.count() == version_1.warnings.count()


# --- System check -------------------------------------------------------------------------


def test_the_system_check_is_quiet_for_the_seeded_guideline(version_1):
    assert published_version_is_complete() == []


def test_the_system_check_reports_a_published_version_missing_an_engine_section(version_1):
    delete_outside_the_app(Section.objects.filter(version=version_1, slug="everolimus"))

    (error,) = published_version_is_complete()

    assert isinstance(error, checks.Error)
    assert error.id == "guidance.E001"
    assert "everolimus" in error.msg
    assert "Published version 1" in error.msg


def test_the_system_check_warns_when_nothing_is_published(version_1):
    GuidelineVersion.objects.filter(pk=version_1.pk).update(status=RETIRED)

    (warning,) = published_version_is_complete()

    assert isinstance(warning, checks.Warning)
    assert not isinstance(warning, checks.Error)
    assert warning.id == "guidance.W001"


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
    "change_warningtext",
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
        rows = model.history.filter(version_id=version_1.pk)
        assert rows.count() == count
        assert set(rows.values_list("id", flat=True)) == set(
            model.objects.filter(version=version_1).values_list("id", flat=True)
        )
        assert set(rows.values_list("history_type", "history_change_reason")) == {
            ("+", SEED_REASON)
        }
    section = version_1.sections.get(slug="everolimus")
    (row,) = section.history.all()
    assert row.text == OLD_EVEROLIMUS
    assert row.history_user is None  # loaded by the migration, not by a person
