"""``manage.py import_guideline FILE``: a draft made from a guideline file, all or nothing;
every problem in the file listed at once, each naming the section or warning it is in.

And the round trip: export -> import -> publish of version 1 gives exactly its advice.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guidance import content, guideline_file, recommendation
from guidance.forms import CaseForm, form_data
from guidance.models import GuidelineVersion, ReferenceCase, Section, WarningText
from guidance.publishing import run_reference_cases
from tests.commands import manage
from tests.drafts import DRAFT, PUBLISHED, RETIRED, statuses
from tests.factories import (
    OUTSIDE_CHOICES_CONDITION,
    TYPO_CONDITION,
    UNKNOWN_SECTION_CONDITION,
    case_facts,
    changed_document,
    guideline_document,
    write_guideline_file,
)

pytestmark = pytest.mark.django_db

EXAMPLES = json.loads(Path(__file__).with_name("example_cases.json").read_text(encoding="utf-8"))


def everything() -> tuple[int, ...]:
    """How many versions, texts and history rows there are: unchanged by a refused import."""
    return (
        GuidelineVersion.objects.count(),
        Section.objects.count(),
        WarningText.objects.count(),
        GuidelineVersion.history.count(),
        Section.history.count(),
        WarningText.history.count(),
    )


def the_draft() -> GuidelineVersion:
    return GuidelineVersion.objects.get(status=DRAFT)


def advice(facts, version: GuidelineVersion) -> recommendation.Recommendation:
    """What ``version`` shows for ``facts``, without the citation of the version itself."""
    shown = recommendation.build(facts=facts, text=content.load(version))
    del shown["guideline"]
    return shown


def facts_of(case: dict):
    form = CaseForm(data=form_data(case))
    assert form.is_valid(), form.errors
    return form.facts()


# --- The round trip ---------------------------------------------------------------------------


def test_export_import_publish_of_version_1_gives_exactly_its_advice(version_1, editor, tmp_path):
    exported = manage("export_guideline")
    path = write_guideline_file(tmp_path / "v1.json", exported.out)

    imported = manage("import_guideline", path, "--editor", editor.username)
    published = manage(
        "publish_draft", "--label", "1.1", "--summary", "Re-imported.", "--editor", "erin"
    )

    assert (exported.status, imported.status, published.status) == (0, 0, 0), (
        imported.err + published.err
    )
    assert statuses() == {"1": RETIRED, "1.1": PUBLISHED}
    again = GuidelineVersion.objects.current()
    assert guideline_document(again) | {"version": None} == guideline_document(version_1) | {
        "version": None
    }
    cases = [facts_of(example["case"]) for example in EXAMPLES]
    cases += [facts_of(case.facts) for case in ReferenceCase.objects.all()]
    cases += [case_facts(extent=extent) for extent in ("localised", "regional_nodes")]
    assert len(cases) >= 19
    for facts in cases:
        assert advice(facts, again) == advice(facts, version_1), facts
    assert all(result.passed for result in run_reference_cases(again))


def test_a_threshold_moved_in_the_file_moves_the_advice(version_1, editor, tmp_path):
    document = guideline_document(version_1)
    document["grading"]["ki67_percent"]["G3_above"] = "25"
    path = write_guideline_file(tmp_path / "g3-above-25.json", document)

    assert manage("import_guideline", path).status == 0

    ki67_22 = case_facts(ki67_percent=22, mitoses_per_10hpf=None)
    assert advice(ki67_22, version_1)["grade"] == "G3"
    assert advice(ki67_22, the_draft())["grade"] == "G2"


def test_a_version_with_changed_logic_round_trips_too(version_1, editor, fay, tmp_path):
    # Version 2: G3 only above 25 % Ki-67, published through the commands.
    document = guideline_document(version_1)
    document["grading"]["ki67_percent"]["G3_above"] = "25"
    path = write_guideline_file(tmp_path / "v2.json", document)
    assert manage("import_guideline", path).status == 0
    publish = (
        "publish_draft", "--summary", "G3 above 25 %.", "--editor", "erin", "--approver", "fay"
    )
    assert manage(*publish, "--label", "2", "--accept-failures", "Trial thresholds").status == 0
    version_2 = GuidelineVersion.objects.current()

    again = write_guideline_file(tmp_path / "v2-again.json", manage("export_guideline").out)
    assert manage("import_guideline", again).status == 0
    assert manage(*publish, "--label", "3", "--accept-failures", "Trial thresholds").status == 0

    version_3 = GuidelineVersion.objects.current()
    cases = [facts_of(example["case"]) for example in EXAMPLES]
    cases += [case_facts(ki67_percent=ki67, mitoses_per_10hpf=None) for ki67 in (20, 22, 25, 26)]
    for facts in cases:
        assert advice(facts, version_3) == advice(facts, version_2), facts
    assert advice(cases[-2], version_3)["grade"] == "G2"


def test_the_file_may_come_on_standard_input(version_1):
    ran = manage("import_guideline", "-", stdin=manage("export_guideline").out)

    assert ran.status == 0, ran.err
    assert f"Draft {the_draft().label} created from -: 16 sections, 15 warnings." in ran.out


def test_the_draft_records_who_imported_it_and_why(version_1, editor, version_1_file):
    ran = manage(
        "import_guideline", version_1_file, "--editor", "erin", "--reason", "ENETS 2023 review"
    )

    assert ran.status == 0, ran.err
    draft = the_draft()
    assert draft.based_on == version_1
    record = draft.sections.get(slug="everolimus").history.get()
    assert (record.history_user, record.history_change_reason) == (editor, "ENETS 2023 review")


# --- Refusals ---------------------------------------------------------------------------------


def test_every_error_is_listed_at_once_each_with_where_and_nothing_is_created(
    version_1, tmp_path
):
    document = changed_document(
        guideline_document(version_1),
        sections={
            "local-excision": {"applies_when": TYPO_CONDITION},
            "everolimus": {"heading": ""},
        },
        warnings={
            "ssr-negative": {"applies_when": OUTSIDE_CHOICES_CONDITION},
            "local-excision-size": {"applies_when": UNKNOWN_SECTION_CONDITION},
        },
    )
    path = write_guideline_file(tmp_path / "typos.json", document)
    before = everything()

    ran = manage("import_guideline", path)

    assert ran.status == 1
    assert "The file was not imported" in ran.err and "Nothing was created." in ran.err
    lines = ran.err.splitlines()
    for where, word in (
        ("section local-excision, applies_when", "sise_mm"),
        ("section everolimus, heading", "blank"),
        ("warning ssr-negative, applies_when", "rectal"),
        ("warning local-excision-size, applies_when", "local-exision"),
    ):
        assert any(where in line and word in line for line in lines), (where, ran.err)
    assert everything() == before


def test_a_file_is_not_imported_while_a_draft_exists(draft, version_1_file):
    before = everything()

    ran = manage("import_guideline", version_1_file)

    assert ran.status == 1
    assert "There is already a draft: publish or discard it first." in ran.err
    assert everything() == before


def test_a_file_that_cannot_be_read_is_refused(version_1, tmp_path):
    ran = manage("import_guideline", str(tmp_path / "missing.json"))

    assert ran.status == 1
    assert "Cannot read" in ran.err
    assert not GuidelineVersion.objects.filter(status=DRAFT).exists()


def test_a_file_that_is_not_json_is_refused(version_1, tmp_path):
    ran = manage("import_guideline", write_guideline_file(tmp_path / "x.json", "{not json"))

    assert ran.status == 1
    assert "file: not a valid JSON document" in ran.err


def test_an_editor_who_may_not_start_drafts_is_refused(version_1, alice, version_1_file):
    ran = manage("import_guideline", version_1_file, "--editor", "alice")

    assert ran.status == 1
    assert "alice may not start a draft." in ran.err
    assert manage("import_guideline", version_1_file, "--editor", "nobody").status == 1
    assert not GuidelineVersion.objects.filter(status=DRAFT).exists()


def test_the_output_is_the_problem_list_describe_gives(version_1, tmp_path):
    document = changed_document(
        guideline_document(version_1), sections={"local-excision": {"applies_when": TYPO_CONDITION}}
    )
    path = write_guideline_file(tmp_path / "typo.json", document)
    with pytest.raises(guideline_file.FileRefused) as refused:
        guideline_file.read(json.dumps(document))

    ran = manage("import_guideline", path)

    for problem in refused.value.problems:
        assert guideline_file.describe(problem) in ran.err
