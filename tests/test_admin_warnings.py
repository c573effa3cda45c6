"""Adding a warning to a draft and removing one from it, in the admin: with who, when and
why in its history; a bad code, condition or detail an error on its field, and nothing
added; a removal refused, saying what names it, while a reference case expects the warning.
"""

from __future__ import annotations

import pytest

from guidance import content, recommendation
from guidance.models import GuidelineVersion, ReferenceCase, WarningText
from guidance.publishing import approval_of
from tests.admin_client import ADMIN_PREAMBLE, field_errors, published, start_draft_in_the_admin
from tests.drafts import NEW_WARNING
from tests.factories import case_facts, reference_case_form
from tests.pages import html_of

pytestmark = pytest.mark.django_db

WARNINGS = "/admin/guidance/warningtext/"
ADD_WARNING = f"{WARNINGS}add/"
STOMACH_OF_UNKNOWN_TYPE = {"site": "stomach", "gastric_type": "unknown"}
# A warning nothing names (no reference case expects it), and one a reference case expects.
UNNAMED = "type-site-mismatch"
EXPECTED = "regional-nodes"


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


def new_warning_form(draft, **changes) -> dict[str, str]:
    """The add form as the browser posts it: NEW_WARNING, a quote, with a reason."""
    values = {
        **NEW_WARNING,
        "version": draft.pk,
        "voice": "guideline",
        "citation": "",
        "change_reason": "Gastric NET types",
        **changes,
    }
    return {name: str(value) for name, value in values.items()}


def remove_url(warning: WarningText) -> str:
    return f"{WARNINGS}{warning.pk}/delete/"


def messages_on(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Adding ----------------------------------------------------------------------------------


def test_an_editor_adds_a_warning_that_a_clinician_then_reads(erin, erin_client, draft):
    response = erin_client.post(ADD_WARNING, new_warning_form(draft))

    assert response.status_code == 302
    added = draft.warnings.get(code=NEW_WARNING["code"])
    record = added.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", erin, "Gastric NET types"
    )  # fmt: skip
    assert [(c.part, c.rule, c.change) for c in approval_of(draft).changes] == [
        ("warning", NEW_WARNING["code"], "added")
    ]
    shown = recommendation.build(
        facts=case_facts(**STOMACH_OF_UNKNOWN_TYPE), text=content.load(draft)
    )
    [warning] = [item for item in shown["warnings"] if item["code"] == NEW_WARNING["code"]]
    assert warning["message"] == NEW_WARNING["message"]
    assert (warning["voice"], warning["detail"]) == ("guideline", "")
    # Warnings are shown in their order: it comes after version 1's.
    assert shown["warnings"][-1] is warning
    assert published().warnings.filter(code=NEW_WARNING["code"]).count() == 0


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"code": "Gastric type!"}, "code", "Enter a valid “slug”"),
        ({"code": EXPECTED}, "code", "two warnings have this code"),
        ({"applies_when": 'site == "stomach" and sise_mm < 10'}, "applies_when", "sise_mm"),
        ({"applies_when": 'site == "gastric"'}, "applies_when", "gastric"),
        ({"detail": "Type: {gastric_typ}."}, "detail", "gastric_typ"),
        ({"voice": "note"}, "citation", "A NET Advisor note must cite the publication"),
        ({"change_reason": ""}, "change_reason", "This field is required."),
    ],
    ids=[
        "code-not-a-slug", "code-taken", "condition-typo", "condition-outside-choices",
        "detail-unknown-placeholder", "note-without-citation", "no-reason",
    ],
)  # fmt: skip
def test_a_bad_warning_is_an_error_on_its_field_and_nothing_is_added(
    erin_client, draft, changes, field, message
):
    before = WarningText.objects.count()

    response = erin_client.post(ADD_WARNING, new_warning_form(draft, **changes))

    assert response.status_code == 200
    errors = field_errors(response, field)
    assert any(message in error for error in errors), errors
    assert WarningText.objects.count() == before


def test_a_warning_cannot_be_added_to_the_published_version(erin_client, draft):
    response = erin_client.post(ADD_WARNING, new_warning_form(draft, version=published().pk))

    assert response.status_code == 200
    assert field_errors(response, "version") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not WarningText.objects.filter(code=NEW_WARNING["code"]).exists()


# --- Removing --------------------------------------------------------------------------------


def test_an_editor_removes_a_warning_nothing_names_with_a_reason(erin, erin_client, draft):
    warning = draft.warnings.get(code=UNNAMED)

    page = erin_client.get(remove_url(warning))
    unreasoned = erin_client.post(remove_url(warning), {"reason": ""})
    response = erin_client.post(
        remove_url(warning), {"reason": "Covered by the case form"}, follow=True
    )

    assert page.status_code == 200
    assert 'name="reason"' in html_of(page)
    assert unreasoned.status_code == 200
    assert unreasoned.context["form"].errors == {"reason": ["This field is required."]}
    assert response.redirect_chain == [(WARNINGS, 302)]
    assert messages_on(response)[-1] == f"The warning {UNNAMED} was removed from the draft."
    assert not draft.warnings.filter(code=UNNAMED).exists()
    record = warning.history.latest("history_id")
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "-", erin, "Covered by the case form"
    )  # fmt: skip
    assert [(c.rule, c.change) for c in approval_of(draft).changes] == [(UNNAMED, "removed")]
    assert published().warnings.filter(code=UNNAMED).exists()
    shown = recommendation.build(
        facts=case_facts(site="stomach", pancreas_region="head"), text=content.load(draft)
    )
    assert UNNAMED not in [item["code"] for item in shown["warnings"]]


def test_a_warning_a_reference_case_expects_is_not_removed_and_the_refusal_says_which(
    erin_client, draft
):
    warning = draft.warnings.get(code=EXPECTED)

    [title] = [
        case.title for case in ReferenceCase.objects.filter(is_active=True)
        if EXPECTED in case.expected_warnings
    ]  # fmt: skip

    for method, data in (("get", {}), ("post", {"reason": "Not needed"})):
        response = getattr(erin_client, method)(remove_url(warning), data, follow=True)

        assert response.redirect_chain == [(f"{WARNINGS}{warning.pk}/change/", 302)]
        assert messages_on(response)[-1] == (
            f"The warning {EXPECTED} cannot be removed from the draft: the reference case "
            f"“{title}” expects it. Change those first."
        )
        assert draft.warnings.filter(code=EXPECTED).exists()


def test_a_warning_a_reference_case_came_to_expect_since_the_page_was_shown_stays(
    erin_client, draft
):
    warning = draft.warnings.get(code=UNNAMED)
    assert erin_client.get(remove_url(warning)).status_code == 200
    form = reference_case_form(title="Pancreatic region given for the stomach",
                               expected_warnings=[UNNAMED])  # fmt: skip
    assert erin_client.post("/admin/guidance/referencecase/add/", form).status_code == 302

    response = erin_client.post(remove_url(warning), {"reason": "Not needed"}, follow=True)

    assert (
        f"The warning {UNNAMED} cannot be removed from the draft: the reference case "
        "“Pancreatic region given for the stomach” expects it. Change those first."
    ) in messages_on(response)
    assert draft.warnings.filter(code=UNNAMED).exists()


def test_a_warning_of_the_published_version_cannot_be_removed(erin_client, draft):
    live = published().warnings.get(code=UNNAMED)

    assert erin_client.get(remove_url(live)).status_code == 403
    assert erin_client.post(remove_url(live), {"reason": "In place"}).status_code == 403
    assert published().warnings.filter(code=UNNAMED).exists()


def test_warnings_are_not_removed_together(erin_client, draft):
    warning = draft.warnings.get(code=UNNAMED)

    html = html_of(erin_client.get(WARNINGS))
    erin_client.post(WARNINGS, {
        "action": "delete_selected", "_selected_action": [warning.pk], "post": "yes",
    })  # fmt: skip

    assert 'value="delete_selected"' not in html
    assert draft.warnings.filter(code=UNNAMED).exists()


def test_the_removal_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries
):
    warning = draft.warnings.get(code=UNNAMED)

    # 1. session  2. user
    # 3. the warning  4-5. user permissions, group permissions
    # 6. its version (has_delete_permission: is it a draft?)
    # 7. the active reference cases: does any expect it? (a warning's own version names
    #    no warning: nothing more to read)
    with django_assert_num_queries(ADMIN_PREAMBLE + 3):
        response = erin_client.get(remove_url(warning))

    assert response.status_code == 200
