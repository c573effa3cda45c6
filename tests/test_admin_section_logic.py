"""A draft section's logic in the admin: its condition beside its text, where it applies
(how many classes of valid cases, three examples in words), the reference cases a save
changes, adding a section with a condition, removing one unless something names it, and
its conditions in the audit trail."""

from __future__ import annotations

import re

import pytest

from guidance import content
from guidance.engine import check
from guidance.models import GuidelineVersion, ProtectedSection, Section
from guidance.publishing import approval_of
from tests.admin_client import (
    change_url,
    diff_url,
    section,
    section_form,
    start_draft_in_the_admin,
)
from tests.drafts import BRACKETED_EVEROLIMUS, EVEROLIMUS_CONDITION
from tests.pages import attribute, html_of, parse

pytestmark = pytest.mark.django_db

ADD_SECTION = "/admin/guidance/section/add/"
METASTATIC_CASE = "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable"


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


def examples_on(html: str) -> list[str]:
    return [element.text() for element in parse(html).iter() if "data-example" in element.attrs]


def messages_on(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def new_section_form(draft, **changes) -> dict[str, str]:
    values = {
        "version": draft.pk,
        "slug": "surveillance-small-rectal",
        "group": "Localised disease",
        "heading": "Surveillance",
        "order": 99,
        "voice": "guideline",
        "text": "Endoscopic surveillance may be offered.",
        "applies_when": 'site == "rectum" and size_mm < 10',
        "reasons": "{}",
        "change_reason": "ENETS 2023: small rectal NETs",
        **changes,
    }
    return {name: str(value) for name, value in values.items()}


def test_the_condition_is_on_the_same_line_as_the_text(erin_client, draft):
    html = html_of(erin_client.get(change_url(section(draft))))

    assert re.search(r'class="form-row field-text field-applies_when"', html)


def test_the_section_page_says_how_many_classes_it_applies_to_and_shows_three(
    erin_client, draft
):
    logic = content.load(draft).logic

    html = html_of(erin_client.get(change_url(section(draft))))

    count = check.classes_where(logic, "everolimus")
    assert attribute(html, "data-applies-to") == [str(count)]
    assert f"Applies to {count:,} of {check.classes(logic):,} classes of valid cases" in html
    examples = examples_on(html)
    assert examples == [
        check.describe(case).capitalize() for case in check.examples(logic, "everolimus")
    ]
    assert len(examples) == 3
    assert all("distant metastases" in example for example in examples)


def test_a_section_that_never_applies_says_so(erin_client, draft):
    html = html_of(erin_client.get(change_url(section(draft, "overview"))))

    assert attribute(html, "data-applies-to") == ["0"]
    assert "Applies to no case" in html
    assert examples_on(html) == []


def test_saving_a_condition_names_the_reference_cases_whose_result_changes(erin_client, draft):
    everolimus = section(draft)
    condition = f"{EVEROLIMUS_CONDITION} and hormonal_symptoms"
    form = section_form(everolimus, applies_when=condition, change_reason="Symptomatic only")

    response = erin_client.post(change_url(everolimus), form, follow=True)

    [changed] = [m for m in messages_on(response) if m.startswith("Reference cases")]
    assert (
        "“Metastatic pancreatic NET, not resectable, no symptoms” now fails: section "
        "everolimus is missing"
    ) in changed
    assert METASTATIC_CASE not in changed  # it has symptoms: its result is the same


def test_a_save_that_changes_no_result_says_so(erin_client, draft):
    everolimus = section(draft)
    form = section_form(everolimus, applies_when=BRACKETED_EVEROLIMUS, change_reason="Brackets")

    response = erin_client.post(change_url(everolimus), form, follow=True)

    assert "No reference case's result changed with this save." in messages_on(response)


def test_an_editor_adds_a_section_with_a_condition(erin, erin_client, draft):
    response = erin_client.post(ADD_SECTION, new_section_form(draft))

    assert response.status_code == 302
    added = draft.sections.get(slug="surveillance-small-rectal")
    assert added.applies_when == 'site == "rectum" and size_mm < 10'
    record = added.history.get()
    assert (record.history_user, record.history_change_reason) == (
        erin, "ENETS 2023: small rectal NETs"
    )
    assert "surveillance-small-rectal" in [c.rule for c in approval_of(draft).changes]


def test_a_condition_with_a_typo_is_an_error_on_its_field_and_nothing_is_added(
    erin_client, draft
):
    response = erin_client.post(ADD_SECTION, new_section_form(draft, applies_when="sise_mm < 10"))

    assert response.status_code == 200
    assert "applies_when" in response.context["adminform"].form.errors
    assert not draft.sections.filter(slug="surveillance-small-rectal").exists()


def test_a_section_nothing_names_is_removed_from_the_draft(erin_client, draft):
    erin_client.post(ADD_SECTION, new_section_form(draft))
    added = draft.sections.get(slug="surveillance-small-rectal")

    url = f"/admin/guidance/section/{added.pk}/delete/"
    assert erin_client.get(url).status_code == 200
    assert erin_client.post(url, {"reason": "Not agreed at the MDT"}).status_code == 302
    assert not Section.objects.filter(pk=added.pk).exists()
    record = added.history.latest("history_id")
    assert (record.history_type, record.history_change_reason) == ("-", "Not agreed at the MDT")


def test_a_section_an_exclusion_names_is_not_removed(erin_client, draft):
    erin_client.post(ADD_SECTION, new_section_form(draft))
    draft.exclusive = [*draft.exclusive, ["surveillance-small-rectal", "local-excision"]]
    draft.save()
    added = draft.sections.get(slug="surveillance-small-rectal")

    response = erin_client.post(f"/admin/guidance/section/{added.pk}/delete/",
                                {"reason": "Not agreed"}, follow=True)  # fmt: skip

    assert messages_on(response)[-1] == (
        "The section surveillance-small-rectal cannot be removed from the draft: the exclusion "
        "of surveillance-small-rectal and local-excision names it. Change those first."
    )
    assert Section.objects.filter(pk=added.pk).exists()


def test_a_section_another_condition_names_is_not_removed_whatever_the_path(erin_client, draft):
    erin_client.post(ADD_SECTION, new_section_form(draft))
    erin_client.post(ADD_SECTION, new_section_form(
        draft, slug="follow-up", order=100,
        applies_when='applies["surveillance-small-rectal"]',
    ))  # fmt: skip
    added = draft.sections.get(slug="surveillance-small-rectal")

    with pytest.raises(ProtectedSection, match="the condition of the section follow-up"):
        added.delete()
    assert Section.objects.filter(pk=added.pk).exists()


def test_the_delete_selected_action_is_not_offered_for_sections(erin_client, draft):
    html = html_of(erin_client.get("/admin/guidance/section/"))

    assert 'value="delete_selected"' not in html


def test_the_history_shows_each_change_of_the_condition(erin_client, draft):
    everolimus = section(draft)
    form = section_form(everolimus, applies_when=BRACKETED_EVEROLIMUS, change_reason="Brackets")
    erin_client.post(change_url(everolimus), form)

    history = html_of(erin_client.get(f"/admin/guidance/section/{everolimus.pk}/history/"))
    assert "Brackets" in history
    # The history's changes column shows the condition's old and new text.
    assert re.search(
        r"<strong>Applies when:</strong>\s*extent == &quot;distant_metastases&quot;.*?"
        r"&rarr;&nbsp;&nbsp;\(extent",
        history,
        re.DOTALL,
    )

    records = list(everolimus.history.order_by("history_id"))
    html = html_of(erin_client.get(diff_url(everolimus, records[0], records[-1])))
    assert "Applies when:" in html
    assert "<ins>(extent</ins>" in html
