"""A saved case compared with the current guideline (/cases/<id>/recheck/).

Re-check differences that the published guideline cannot produce on its own (sections
or warnings added or removed) are made by saving a case whose snapshot differs from
what the engine gives today: a copy of today's snapshot with an item taken out or put in.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.utils.html import escape

from guidance import content
from guidance.installing import install_guideline_revisions
from guidance.markdown import render_markdown
from guidance.models import Case, GuidelineVersion, Section, WarningText
from tests.drafts import (
    GASTRIC_TYPE_UNKNOWN,
    SMALL_INSULINOMA_BELOW_15,
    publish_gastric_type_warning,
    publish_it,
    revise,
)
from tests.factories import (
    NOTE_SECTION,
    NOTE_WARNING,
    change_outside_the_app,
    delete_outside_the_app,
    make_case,
    publish_noted_version,
    published,
    record,
    saved_before_the_gastric_type,
    today,
    unvoiced,
)
from tests.pages import detail, html_of
from tests.wizard_client import (
    METASTATIC_INSULINOMA_SSR_NEGATIVE,
    METASTATIC_SMALL_BOWEL,
    SMALL_INSULINOMA,
    WARNED_RECTUM,
)

pytestmark = pytest.mark.django_db


# Facts are overrides of the factory's plain localised colon case (JSON values); the
# wizard's cases serve as they are: SMALL_INSULINOMA (one section, the pancreas step),
# METASTATIC_SMALL_BOWEL (six sections, the metastases step), WARNED_RECTUM (several
# warnings with details, a decimal size and Ki-67).
# No grade: neither Ki-67 nor mitoses given.
UNGRADED_COLON = {"ki67_percent": None, "mitoses_per_10hpf": None}


# --- Re-check ------------------------------------------------------------------------


def recheck(client, case: Case) -> str:
    return html_of(client.get(detail(case) + "recheck/"))


def diffs(html: str) -> list[tuple[str, str]]:
    """Each difference shown: (data-diff, the section slug or warning code)."""
    return re.findall(r'data-diff="([^"]+)" data-(?:section|warning)="([^"]+)"', html)


def diff_block(html: str, kind: str, key: str) -> str:
    match = re.search(
        rf'data-diff="{kind}" data-(?:section|warning)="{re.escape(key)}">(.*?)</(?:article|div)>',
        html,
        re.S,
    )
    assert match, f"no {kind} for {key}"
    return match.group(1)


@pytest.mark.parametrize(
    "facts",
    [SMALL_INSULINOMA, METASTATIC_SMALL_BOWEL, WARNED_RECTUM, UNGRADED_COLON],
    ids=["insulinoma", "metastatic small bowel", "warned rectum", "ungraded colon"],
)
def test_the_re_check_says_plainly_when_nothing_has_changed(alice, alice_client, facts):
    saved = make_case(alice, **facts)

    html = recheck(alice_client, saved)

    assert 'class="alert alert-success no-changes"' in html
    assert "Nothing has changed" in html
    assert diffs(html) == []
    assert "has-changes" not in html


def test_the_re_check_shows_a_changed_section_text_side_by_side(alice_client, case):
    item = case.snapshot["recommendations"][1]
    change_outside_the_app(published(Section, slug=item["section"]), text="The **new** advice.")

    html = recheck(alice_client, case)

    assert diffs(html) == [
        ("section-changed", item["section"]),
        ("section-changed-current", item["section"]),
    ]
    assert render_markdown(item["text"]) in diff_block(html, "section-changed", item["section"])
    now = diff_block(html, "section-changed-current", item["section"])
    assert "The <strong>new</strong> advice." in now
    assert render_markdown(item["text"]) not in now
    assert "has-changes" in html and "no-changes" not in html


def test_the_re_check_shows_a_reworded_warning_side_by_side(alice_client, warned):
    warning = warned.snapshot["warnings"][0]
    change_outside_the_app(
        published(WarningText, code=warning["code"]), message="A reworded warning."
    )

    html = recheck(alice_client, warned)

    assert diffs(html) == [
        ("warning-reworded", warning["code"]),
        ("warning-reworded-current", warning["code"]),
    ]
    assert escape(warning["message"]) in diff_block(html, "warning-reworded", warning["code"])
    assert "A reworded warning." in diff_block(html, "warning-reworded-current", warning["code"])


def test_the_re_check_shows_a_section_that_now_applies(alice, alice_client):
    shown = today(**METASTATIC_SMALL_BOWEL)
    missing = shown["recommendations"].pop(2)
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("section-added", missing["section"])]
    block = diff_block(html, "section-added", missing["section"])
    assert "Now applies" in block
    assert render_markdown(missing["text"]) in block


def test_the_re_check_shows_a_section_that_no_longer_applies(alice, alice_client):
    shown = today(**METASTATIC_SMALL_BOWEL)
    gone = {
        "section": "poorly-differentiated",
        "group": "",
        "heading": "Poorly differentiated (saved then)",
        "text": "This was advised *then*.",
        "order": 99,
        "reasons": ["a reason given then"],
    }
    assert gone["section"] not in [item["section"] for item in shown["recommendations"]]
    shown["recommendations"].append(gone)
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("section-removed", "poorly-differentiated")]
    block = diff_block(html, "section-removed", "poorly-differentiated")
    assert "No longer applies" in block
    assert "This was advised <em>then</em>." in block


def test_the_re_check_shows_a_warning_that_is_now_given(alice, alice_client):
    shown = today(**WARNED_RECTUM)
    new = shown["warnings"].pop()
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("warning-added", new["code"])]
    assert escape(new["message"]) in diff_block(html, "warning-added", new["code"])


def test_the_re_check_shows_a_warning_that_is_no_longer_given(alice, alice_client):
    shown = today(**WARNED_RECTUM)
    shown["warnings"].append(
        {"code": "resectability-unknown", "detail": "", "message": "A warning given then."}
    )
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert diffs(html) == [("warning-removed", "resectability-unknown")]
    assert "A warning given then." in diff_block(html, "warning-removed", "resectability-unknown")


def test_the_re_check_shows_a_changed_grade_and_category(alice, alice_client):
    shown = today(**METASTATIC_SMALL_BOWEL)
    assert shown["grade"] == "G2"
    shown["grade"] = "G1"
    shown["category"], shown["category_label"] = "poor", "Poorly differentiated (saved)"
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    summary = html.split('class="table table-sm w-auto diff-summary"', 1)[1].split("</table>", 1)[0]
    assert "<td>G1</td><td>G2</td>" in summary
    assert "Poorly differentiated (saved)" in summary
    assert "has-changes" in html


def test_the_re_check_says_a_reworded_section_was_reworded(alice_client, case):
    item = case.snapshot["recommendations"][1]
    change_outside_the_app(published(Section, slug=item["section"]), text="The **new** advice.")

    block = diff_block(recheck(alice_client, case), "section-changed", item["section"])

    assert "Its text was reworded." in block
    assert "data-condition" not in block


def test_the_re_check_names_the_condition_that_now_decides_each_section_added_or_removed(
    alice, alice_client, editor, fay, draft
):
    saved = make_case(alice, **{**SMALL_INSULINOMA, "size_mm": 16})  # local excision then
    revise(draft, editor, sections=SMALL_INSULINOMA_BELOW_15)
    publish_it(draft, editor, approver=fay, accept_failures_reason="Small now means below 15 mm")

    html = recheck(alice_client, saved)

    assert diffs(html) == [
        ("section-removed", "insulinoma-local-excision"),
        ("section-added", "insulinoma-partial-pancreatectomy"),
    ]
    gone = diff_block(html, "section-removed", "insulinoma-local-excision")
    assert "The current guideline&#x27;s condition for this section does not hold" in gone
    assert escape(SMALL_INSULINOMA_BELOW_15["insulinoma-local-excision"]) in gone
    now = diff_block(html, "section-added", "insulinoma-partial-pancreatectomy")
    assert "The current guideline&#x27;s condition for this section holds for this case." in now
    assert escape(SMALL_INSULINOMA_BELOW_15["insulinoma-partial-pancreatectomy"]) in now
    assert "size 16 mm is 15 mm or more" in now  # the reasons, from the new condition


def test_the_re_check_names_the_condition_of_a_warning_now_given_or_no_longer_given(
    alice, alice_client, editor, fay, draft
):
    saved = make_case(alice, **WARNED_RECTUM)  # regional nodes: warned
    localised = 'extent == "localised"'
    revise(draft, editor, warnings={"regional-nodes": localised})
    publish_it(
        draft, editor, approver=fay, accept_failures_reason="Warn for localised disease instead"
    )

    block = diff_block(recheck(alice_client, saved), "warning-removed", "regional-nodes")

    assert "condition for this warning does not hold for this case" in block
    assert escape(localised) in block


def test_the_re_check_names_both_versions(alice_client, case):
    html = recheck(alice_client, case)

    label = GuidelineVersion.objects.current().label
    assert f"advised from version {label}, run again through version {label} (published)" in html


def test_the_re_check_shows_every_section_the_published_guideline_has_lost(alice_client, case):
    # Two sections that applied are lost from the published version, their conditions with
    # them: the re-check shows both removed, and no warning of text missing.
    lost = ["interferon", "everolimus"]
    assert set(lost) <= {item["section"] for item in case.snapshot["recommendations"]}
    assert delete_outside_the_app(published(Section, slug__in=lost)) == 2

    html = recheck(alice_client, case)

    assert [kind for kind, _ in diffs(html)].count("section-removed") == 2
    assert 'data-warning="section-missing"' not in html


def test_the_re_check_changes_nothing_saved(alice_client, case):
    item = case.snapshot["recommendations"][0]
    change_outside_the_app(published(Section, slug=item["section"]), text="Changed.")
    before = copy.deepcopy(case.snapshot)

    recheck(alice_client, case)

    assert Case.objects.get(pk=case.pk).snapshot == before
    assert Case.objects.count() == 1


def test_the_re_check_explains_when_no_guideline_is_published(alice_client, case):
    GuidelineVersion.objects.filter(status="published").update(status="retired")

    html = recheck(alice_client, case)

    assert "No guideline is published, so the case cannot be re-checked." in html
    assert diffs(html) == []
    assert "no-changes" not in html


def test_a_gastric_case_saved_before_its_type_was_asked_is_re_checked_as_of_unknown_type(
    alice, alice_client, editor, fay, draft
):
    saved = saved_before_the_gastric_type(make_case(alice, site="stomach", size_mm=8))
    assert recheck(alice_client, saved).count("Nothing has changed") == 1  # version 1

    publish_gastric_type_warning(draft, editor, fay)  # reads the type: warns where unknown
    html = recheck(alice_client, saved)

    assert diffs(html) == [("warning-added", "regional-nodes")]
    block = diff_block(html, "warning-added", "regional-nodes")
    assert "condition for this warning holds for this case" in block
    assert escape(GASTRIC_TYPE_UNKNOWN) in block
    # The case itself is as it was saved: no type.
    assert "gastric_type" not in Case.objects.get(pk=saved.pk).snapshot["facts"]


def test_a_gastric_case_saved_with_its_type_is_re_checked_with_it(
    alice, alice_client, editor, fay, draft
):
    typed = make_case(alice, site="stomach", size_mm=8, gastric_type="type_1")
    unknown = make_case(alice, site="stomach", size_mm=8, gastric_type="unknown")
    publish_gastric_type_warning(draft, editor, fay)

    assert diffs(recheck(alice_client, typed)) == []
    assert diffs(recheck(alice_client, unknown)) == [("warning-added", "regional-nodes")]


def test_the_re_check_explains_when_the_saved_inputs_are_no_longer_accepted(alice, alice_client):
    shown = today()
    shown["facts"]["size_mm"] = 400  # above today's limit of 300 mm
    saved = record(alice, shown)

    html = recheck(alice_client, saved)

    assert "The saved inputs are no longer accepted: size_mm:" in html
    assert diffs(html) == []


# The re-check, measured, once the published text is in memory (after any earlier request):
#   1. the session, 2. the clinician, 3. the case (joined as above),
#   4. the published version's id, publication time and guideline title (one query,
#   content.published()): unchanged, so the sections and warning texts come from memory.
# With nothing in memory (as after a restart), three more load the text: the version joined
# to its guideline, all its sections, all its warning texts.
RECHECK_QUERIES = 4
LOADING_THE_TEXT = 3


@pytest.mark.parametrize("warm", [True, False], ids=["text in memory", "first request"])
@pytest.mark.parametrize(
    ("facts", "sections", "warnings"),
    [
        pytest.param(SMALL_INSULINOMA, 1, 0, id="1 section, no warning"),
        pytest.param(METASTATIC_SMALL_BOWEL, 6, 0, id="6 sections, no warning"),
        pytest.param(
            {"differentiation": "poor", "ki67_percent": 1}, 1, 1, id="1 section, 1 warning"
        ),
        pytest.param(
            {**METASTATIC_SMALL_BOWEL, "ssr_imaging": "negative"}, 6, 1, id="6 sections, 1 warning"
        ),
        pytest.param(WARNED_RECTUM, 2, 5, id="2 sections, 5 warnings"),
    ],
)
def test_the_re_check_runs_a_fixed_number_of_queries(
    alice, alice_client, django_assert_num_queries, facts, sections, warnings, warm
):
    saved = make_case(alice, **facts)  # reads the text afresh: leaves the memory as it was
    assert len(saved.snapshot["recommendations"]) == sections
    assert len(saved.snapshot["warnings"]) == warnings
    if warm:
        content.published()  # as any earlier request in this process would have done

    with django_assert_num_queries(RECHECK_QUERIES if warm else RECHECK_QUERIES + LOADING_THE_TEXT):
        response = alice_client.get(detail(saved) + "recheck/")

    assert "no-changes" in html_of(response)


# --- Whose words -----------------------------------------------------------------------------


def test_the_re_check_says_a_quote_is_now_a_net_advisor_note(alice_client, case, editor):
    publish_noted_version(editor)

    html = recheck(alice_client, case)

    assert diffs(html) == [
        ("section-changed", NOTE_SECTION),
        ("section-changed-current", NOTE_SECTION),
    ]
    was = diff_block(html, "section-changed", NOTE_SECTION)
    assert "It is now a NET Advisor note, not the source guideline&#x27;s words." in was
    assert "Quoted verbatim from the source guideline." in was
    assert "NET Advisor note — not in the source guideline" in diff_block(
        html, "section-changed-current", NOTE_SECTION
    )


def test_the_re_check_says_a_warning_is_now_a_net_advisor_note(alice, alice_client, editor):
    saved = make_case(alice, **WARNED_RECTUM)
    publish_noted_version(editor)

    html = recheck(alice_client, saved)

    assert ("warning-reworded", NOTE_WARNING) in diffs(html)
    was = diff_block(html, "warning-reworded", NOTE_WARNING)
    assert "It is now a NET Advisor note" in was
    assert "NET Advisor note — not in the source guideline:" in diff_block(
        html, "warning-reworded-current", NOTE_WARNING
    )


def test_a_case_saved_before_texts_had_a_voice_is_unchanged_against_the_same_version(
    alice, alice_client
):
    old = record(alice, unvoiced(today(**WARNED_RECTUM)))

    html = recheck(alice_client, old)

    assert "no-changes" in html


# --- What would change the advice ----------------------------------------------------


def sensitivity_diffs(html: str) -> list[tuple[str, str, str]]:
    """Each change of what would change the advice: (data-diff, the input, the sentence)."""
    return re.findall(
        r'<li data-diff="(sensitivity-[a-z]+)" data-field="([^"]+)">([^<]*)</li>', html
    )


def test_the_re_check_says_when_only_what_would_change_the_advice_has_changed(
    alice, alice_client, editor, fay, draft
):
    # Ki-67 4 %: G2 by either version, whose sections and warnings are the same for it.
    saved = make_case(alice, ki67_percent=4, mitoses_per_10hpf=None)
    revise(draft, editor, grading={"ki67_percent": {"G3_above": "15"}})
    publish_it(draft, editor, approver=fay, accept_failures_reason="NET G3 from 15 %")

    html = recheck(alice_client, saved)

    assert diffs(html) == []
    assert "sensitivity-only" in html and "no-changes" not in html
    assert "The advice for this case is the same, but what would change it has changed" in html
    changed = sensitivity_diffs(html)
    assert [(kind, field) for kind, field, _ in changed] == [
        ("sensitivity-removed", "ki67_percent"),
        ("sensitivity-added", "ki67_percent"),
    ]
    assert changed[0][2].startswith("Ki-67 4 % is 16 below the G2/G3 boundary: at 20.1 %")
    assert changed[1][2].startswith("Ki-67 4 % is 11 below the G2/G3 boundary: at 15.1 %")


def test_a_case_saved_before_it_was_shown_is_not_said_to_have_changed(alice, alice_client):
    shown = today(**SMALL_INSULINOMA)
    before = record(alice, {key: value for key, value in shown.items() if key != "sensitivity"})

    html = recheck(alice_client, before)

    assert "no-changes" in html and sensitivity_diffs(html) == []
    assert "and the same changes would change its advice" not in html


# --- After version 2 is installed ------------------------------------------------------------

# METASTATIC_INSULINOMA_SSR_NEGATIVE, saved under version 1, was shown the somatostatin
# analogue section, which version 2 withholds for it (docs/version-2.md, finding 1).


def test_a_case_saved_under_version_1_keeps_what_it_showed_once_version_2_is_installed(
    alice, alice_client
):
    saved = make_case(alice, reference="MDT-21", **METASTATIC_INSULINOMA_SSR_NEGATIVE)
    shown = copy.deepcopy(saved.snapshot)
    assert "somatostatin-analogue" in [item["section"] for item in shown["recommendations"]]

    install_guideline_revisions()

    page = html_of(alice_client.get(detail(saved)))
    assert re.findall(r'data-(?:section|warning)="([^"]+)"', page) == [
        *(warning["code"] for warning in shown["warnings"]),
        *(item["section"] for item in shown["recommendations"]),
    ]
    assert Case.objects.get(pk=saved.pk).snapshot == shown


def test_its_re_check_lists_what_version_2_changes_for_it(
    alice, alice_client, django_assert_num_queries
):
    saved = make_case(alice, reference="MDT-21", **METASTATIC_INSULINOMA_SSR_NEGATIVE)
    install_guideline_revisions()

    with django_assert_num_queries(RECHECK_QUERIES + LOADING_THE_TEXT):
        html = recheck(alice_client, saved)

    assert "advised from version 1, run again through version 2 (published)" in html
    shown = diffs(html)
    assert {
        ("section-removed", "somatostatin-analogue"),
        ("section-removed", "metastatic-incurable"),
        ("section-added", "insulinoma-glucose-control"),
        ("section-added", "malignant-insulinoma"),
        ("section-added", "curative-liver-resection"),
        ("warning-removed", "ssa-insulinoma"),
        ("warning-added", "ssa-withheld-insulinoma"),
    } <= set(shown)
    withheld = published(WarningText, code="ssa-withheld-insulinoma").get()
    assert escape(withheld.message) in diff_block(html, "warning-added", "ssa-withheld-insulinoma")
    assert "No longer applies" in diff_block(html, "section-removed", "somatostatin-analogue")
