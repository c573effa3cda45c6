"""The exhaustive check of a draft's logic as a gate of publishing, in the domain and on the
admin's publish page.

A draft whose logic leaves cases without a section, lets two excluded sections apply
together, or has a condition that cannot be decided for some case, cannot be published, and
no recorded reason changes that (unlike a failing reference case). The publish page lists
each failure with an example case in words. The check itself is tested in
test_engine_check.py.
"""

from __future__ import annotations

import pytest

from guidance.models import GuidelineVersion
from guidance.publishing import PublishingError, check_gate
from tests.admin_client import ADMIN_PREAMBLE, START_DRAFT, publish, publish_url
from tests.commands import manage
from tests.drafts import DRAFT, edit, publish_it
from tests.pages import attribute, html_of, parse

pytestmark = pytest.mark.django_db

# The poorly-differentiated pathway limited to tumours that have spread: a localised poorly
# differentiated tumour is then left without any section.
POOR_IF_SPREAD = 'category == "poorly_differentiated" and extent != "localised"'
# Localised (13 sites, regions and gastric types × 14 types and symptoms × 3 sizes × 3 SSR
# imaging: 1,638) and poorly differentiated (poor: all 36 classes of the two indices; not
# known: the 11 that are G3): 1,638 × 47.
GAP = (
    "No section applies to 76,986 input classes: every one has differentiation not known "
    "or poorly differentiated; extent localised; category poorly differentiated."
)
# A section condition that compares Ki-67 whether or not it was given.
KI67_UNGUARDED = (
    'extent == "distant_metastases" and category == "well_differentiated" and ki67_percent < 50'
)


def with_condition(draft: GuidelineVersion, editor, slug: str, condition: str) -> None:
    edit(draft.sections.get(slug=slug), editor, "Narrower pathway", applies_when=condition)


@pytest.fixture
def gap_draft(draft, editor) -> GuidelineVersion:
    with_condition(draft, editor, "poorly-differentiated", POOR_IF_SPREAD)
    return draft


@pytest.fixture
def admin_draft(erin_client) -> GuidelineVersion:
    assert erin_client.post(START_DRAFT).status_code == 302
    return GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)


# --- The gate -----------------------------------------------------------------------------


def test_version_1_s_logic_passes_the_gate(draft):
    gate = check_gate(draft)

    assert gate.logic.passed
    assert gate.logic.classes == 884_520
    assert not gate.needs_reason


def test_a_gap_is_a_failure_of_the_gate_with_an_example(gap_draft):
    [failure] = check_gate(gap_draft).logic_failures

    assert failure.message == GAP
    assert failure.example.extent == "localised"
    assert failure.words.startswith("pancreas (head), non-functional, hormonal symptoms")


def test_a_gap_blocks_publishing_and_a_reason_cannot_accept_it(gap_draft, editor):
    with pytest.raises(PublishingError) as refused:
        publish_it(gap_draft, editor, accept_failures_reason="We know, publish anyway")

    assert GAP in str(refused.value)
    assert "For example: pancreas (head), non-functional" in str(refused.value)
    assert "cannot be accepted with a reason" in str(refused.value)
    assert GuidelineVersion.objects.get(pk=gap_draft.pk).status == DRAFT


def test_a_condition_that_cannot_be_decided_blocks_publishing(draft, editor):
    with_condition(draft, editor, "everolimus", KI67_UNGUARDED)

    with pytest.raises(PublishingError, match="section everolimus cannot be decided"):
        publish_it(draft, editor, accept_failures_reason="Ki-67 is always given")

    assert GuidelineVersion.objects.get(pk=draft.pk).status == DRAFT


def test_fixing_the_gap_lets_the_draft_through(gap_draft, editor):
    with_condition(
        gap_draft, editor, "poorly-differentiated", 'category == "poorly_differentiated"'
    )

    publish_it(gap_draft, editor)

    assert GuidelineVersion.objects.get(pk=gap_draft.pk).status == GuidelineVersion.Status.PUBLISHED


def test_publish_draft_refuses_a_gap_saying_where_whatever_the_reason(gap_draft):
    ran = manage(
        "publish_draft",
        *("--label", "2", "--summary", "Narrower pathway", "--editor", "erin"),
        *("--accept-failures", "We know"),
    )

    assert ran.status == 1
    assert GAP in ran.err
    assert "For example: pancreas (head), non-functional, hormonal symptoms, 19.9 mm" in ran.err
    assert GuidelineVersion.objects.get(pk=gap_draft.pk).status == DRAFT


# --- The publish page ---------------------------------------------------------------------


def test_the_publish_page_says_the_logic_passes_over_every_class(erin_client, admin_draft):
    page = parse(html_of(erin_client.get(publish_url(admin_draft))))

    passes = page.one(**{"data-check": "logic-passes"}).text()
    assert "Each of the 884,520 classes of valid cases" in passes
    assert "gets at least one section" in passes


def test_the_publish_page_lists_each_failure_with_its_example_case(erin_client, admin_draft, erin):
    with_condition(admin_draft, erin, "poorly-differentiated", POOR_IF_SPREAD)
    with_condition(admin_draft, erin, "everolimus", KI67_UNGUARDED)

    html = html_of(erin_client.get(publish_url(admin_draft)))
    page = parse(html)

    assert attribute(html, "data-logic-failure") == ["condition fails", "no section"]
    assert attribute(html, "data-rule") == ["section everolimus", "sections"]
    gap = page.one(**{"data-rule": "sections"})
    # Ki-67 is now split at 50 too: 8 classes, 48 with the mitotic count's 6, of which 23
    # are G3 (Ki-67 above 20 in 3 of its classes × 6, or the mitotic count above 20 × 5):
    # the gap is 1,638 × (48 + 23) classes.
    assert "No section applies to 116,298 input classes: every one has" in gap.text()
    assert "Pancreas (head), non-functional, hormonal symptoms, 19.9 mm, poorly differentiated" in (
        gap.text()
    )
    undecided = page.one(**{"data-rule": "section everolimus"})
    assert "Ki-67 not given" in undecided.text()
    assert "no reason can accept them" in page.one(**{"data-check": "logic-fails"}).text()


def test_the_publish_button_is_off_and_a_reason_does_not_publish(erin_client, admin_draft, erin):
    with_condition(admin_draft, erin, "poorly-differentiated", POOR_IF_SPREAD)

    page = html_of(erin_client.get(publish_url(admin_draft)))
    response = publish(erin_client, admin_draft, accept="Publish it anyway")

    assert 'value="Publish this draft" class="default" disabled' in page
    assert response.status_code == 200
    assert "cannot be accepted with a reason" in html_of(response)
    assert GuidelineVersion.objects.get(pk=admin_draft.pk).status == DRAFT


@pytest.mark.parametrize("broken", [False, True])
def test_the_publish_page_runs_as_many_queries_whether_the_logic_passes_or_not(
    erin_client, admin_draft, erin, django_assert_num_queries, broken
):
    if broken:
        with_condition(admin_draft, erin, "poorly-differentiated", POOR_IF_SPREAD)

    # 5. the draft JOIN its guideline; 6-7. its sections and warning texts, read afresh
    # once for every check; 8-13. approval_of: the logic of its base, the history of the
    # draft's sections, warnings and of the draft, who made the last logic change; 14. the
    # reference cases; 15. impact: the saved cases grouped by their facts (none). The
    # exhaustive check runs in memory on the logic read with the text: no query.
    with django_assert_num_queries(ADMIN_PREAMBLE + 11):
        response = erin_client.get(publish_url(admin_draft))

    assert bool(attribute(html_of(response), "data-logic-failure")) is broken
