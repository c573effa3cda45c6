"""The impact on saved cases as the editor reads it on the publish page: how many cases would
be advised differently, each section and warning added to or removed from how many cases,
grade and category changed, and the wording as before; counts only.

The draft's logic is revised (a threshold moved), or cases are saved as a case saved under
earlier logic would be: a copy of what the published version shows today with an item taken
out or put in (see tests/test_impact.py for the report itself).
"""

from __future__ import annotations

import re

import pytest

from guidance.models import GuidelineVersion
from tests.admin_client import NEW_EVEROLIMUS, edit_section, publish_url, section
from tests.admin_client import start_draft_in_the_admin as start_draft
from tests.drafts import NEW_WARNING, SMALL_INSULINOMA_BELOW_15, add_warning, revise
from tests.factories import make_case, record, today
from tests.pages import attribute, html_of, squashed
from tests.wizard_client import METASTATIC_SMALL_BOWEL, SMALL_INSULINOMA, WARNED_RECTUM

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft(erin_client)


def impact_of(client, draft) -> str:
    """The impact part of the publish page, as one line of HTML."""
    html = squashed(html_of(client.get(publish_url(draft))))
    return html.split("<h2>Impact on saved cases</h2>", 1)[1].split("<h2>Publish</h2>", 1)[0]


def row(html: str, kind: str, key: str) -> list[str]:
    """The cells of the advice table's row for a section or warning, as text."""
    found = re.search(rf'data-impact-advice-{kind}="{re.escape(key)}">(.*?)</tr>', html)
    assert found, f"no row for {kind} {key}"
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", found[1])]


def without(shown, slug):
    """``shown`` without the section ``slug``, as if an earlier logic had not given it."""
    kept = [item for item in shown["recommendations"] if item["section"] != slug]
    return {**shown, "recommendations": kept}


def test_a_draft_that_moves_a_threshold_shows_which_sections_move_for_how_many_cases(
    erin, erin_client, draft, alice, bob
):
    revise(draft, erin, sections=SMALL_INSULINOMA_BELOW_15)
    for clinician, size in ((alice, 12), (alice, 16), (bob, 18.5), (bob, 25)):
        make_case(clinician, **{**SMALL_INSULINOMA, "size_mm": size})

    html = impact_of(erin_client, draft)

    assert "Of 4 saved cases, 2 would be advised differently" in html
    assert row(html, "section", "insulinoma-local-excision") == [
        "Insulinoma under 2 cm: local excision (insulinoma-local-excision)",
        "—",
        "removed from 2 cases",
    ]
    assert row(html, "section", "insulinoma-partial-pancreatectomy") == [
        "Larger insulinoma: partial pancreatectomy (insulinoma-partial-pancreatectomy)",
        "added to 2 cases",
        "—",
    ]
    assert 'data-impact-advice="warnings"' not in html
    assert "Of 4 saved cases, 0 would show different text" in html


def test_the_editor_reads_each_section_and_warning_added_or_removed_and_by_how_many_cases(
    erin_client, draft, alice, bob
):
    record(alice, without(today(**METASTATIC_SMALL_BOWEL), "everolimus"), reference="MDT-77")
    record(bob, without(today(**METASTATIC_SMALL_BOWEL), "everolimus"))
    warned = today(**WARNED_RECTUM)
    warned["warnings"].append({"code": "ssr-negative", "detail": "", "message": "Given then."})
    record(alice, warned)
    make_case(alice, **SMALL_INSULINOMA)  # advised as today: no change

    html = impact_of(erin_client, draft)

    assert "Of 4 saved cases, 3 would be advised differently" in html
    everolimus = row(html, "section", "everolimus")
    assert everolimus == ["Everolimus (everolimus)", "added to 2 cases", "—"]
    assert row(html, "warning", "ssr-negative") == ["ssr-negative", "—", "removed from 1 case"]
    assert attribute(html, "data-impact-advice-section") == ["everolimus"]
    assert attribute(html, "data-impact-advice-warning") == ["ssr-negative"]
    assert "Grade changed: 0 cases. Category changed: 0 cases." in re.sub(r"<[^>]+>", "", html)
    # Counts only: nothing of a case or of its clinician.
    for detail in ("MDT-77", "Adams", "Brown", "Given then."):
        assert detail not in html


def test_the_editor_reads_how_many_cases_would_get_another_grade_or_category(
    erin_client, draft, alice
):
    graded = today(**METASTATIC_SMALL_BOWEL)
    graded["grade"] = "G3"
    record(alice, graded)
    categorised = today(**SMALL_INSULINOMA)
    categorised["category"] = "poorly_differentiated"
    record(alice, categorised)
    record(alice, categorised)

    html = impact_of(erin_client, draft)

    text = re.sub(r"<[^>]+>", "", html)
    assert "Grade changed: 1 case. Category changed: 2 cases." in text
    assert "Of 3 saved cases, 3 would be advised differently" in text
    assert attribute(html, "data-impact-advice-section") == []


def test_a_draft_that_changes_only_wording_advises_no_case_differently(erin_client, draft, alice):
    make_case(alice, **METASTATIC_SMALL_BOWEL)
    make_case(alice, **SMALL_INSULINOMA)
    edit_section(erin_client, section(draft), NEW_EVEROLIMUS)

    html = impact_of(erin_client, draft)

    assert "Of 2 saved cases, 0 would be advised differently" in html
    assert 'data-impact-advice="sections"' not in html
    assert 'data-impact-advice="warnings"' not in html
    # The wording, as before: the one case that showed everolimus would read differently.
    assert "Of 2 saved cases, 1 would show different text" in html
    wording = r'data-impact-section="everolimus"><td>Everolimus \(everolimus\)</td><td>1<'
    assert re.search(wording, html)


def test_the_editor_is_told_of_cases_whose_saved_inputs_can_no_longer_be_run(
    erin_client, draft, alice
):
    shown = today()
    shown["facts"]["size_mm"] = 400  # above today's limit of 300 mm
    record(alice, shown)
    make_case(alice)

    html = impact_of(erin_client, draft)

    assert attribute(html, "data-impact-not-rerun") == ["1"]
    assert "1 saved case cannot be run again: its saved inputs are no longer accepted." in html
    assert "Of 2 saved cases, 0 would be advised differently" in html


def test_with_no_saved_cases_the_editor_reads_that_none_would_change(erin_client, draft):
    html = impact_of(erin_client, draft)

    assert "Of 0 saved cases, 0 would be advised differently" in html
    assert "Of 0 saved cases, 0 would show different text" in html
    assert "data-impact-not-rerun" not in html


def test_the_editor_is_told_of_cases_a_condition_of_the_draft_cannot_decide(
    erin, erin_client, draft, alice
):
    # Ki-67 compared where it may be absent (the exhaustive check refuses the draft too).
    condition = 'extent == "regional_nodes" and ki67_percent > 10'
    revise(draft, erin, warnings={"regional-nodes": condition})
    make_case(alice, extent="regional_nodes", ki67_percent=None)
    make_case(alice, extent="regional_nodes", ki67_percent=12)

    html = impact_of(erin_client, draft)

    assert attribute(html, "data-impact-undecided") == ["1"]
    assert (
        "For 1 saved case a condition of the draft cannot be decided: it compares a number "
        "that case does not give."
    ) in html


def test_a_warning_added_to_the_draft_and_one_removed_are_counted_for_the_cases_they_change(
    erin, erin_client, draft, alice, bob
):
    make_case(alice, site="stomach", gastric_type="unknown")
    make_case(bob, site="stomach", gastric_type="type_1")
    make_case(alice, **WARNED_RECTUM)
    add_warning(draft, erin)
    removed = draft.warnings.get(code="functional-without-symptoms")  # nothing names it
    removed._change_reason, removed._history_user = "Said by the section", erin
    removed.delete()

    html = impact_of(erin_client, draft)

    assert "Of 3 saved cases, 2 would be advised differently" in html
    assert row(html, "warning", NEW_WARNING["code"]) == [
        NEW_WARNING["code"], "added to 1 case", "—"
    ]
    assert row(html, "warning", "functional-without-symptoms") == [
        "functional-without-symptoms", "—", "removed from 1 case"
    ]
