"""The logic a version stores (guidance.models): each problem the engine finds on the field
it is in, nothing invalid saved whatever the path, a published version's logic read-only,
and every change in the history with who, when and why."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from guidance.models import GuidelineVersion, ReadOnlyContent, Section, WarningText
from guidance.publishing import discard_draft, publish, start_draft
from tests.drafts import edit
from tests.factories import (
    OUTSIDE_CHOICES_CONDITION,
    TYPO_CONDITION,
    UNKNOWN_SECTION_CONDITION,
    delete_outside_the_app,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        obj.full_clean()
    return refused.value.message_dict


# --- Field-level errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "named"),
    [
        (TYPO_CONDITION, "sise_mm"),  # an unknown name
        ('size_mm == "big"', "size_mm"),  # a wrong type
        (OUTSIDE_CHOICES_CONDITION, "rectal"),  # a value outside the field's choices
        ('applies["local-exision"]', "local-exision"),  # a section that does not exist
    ],
    ids=["unknown name", "wrong type", "outside the choices", "unknown section"],
)
def test_a_sections_condition_problem_is_an_error_on_its_field(draft, condition, named):
    everolimus = draft.sections.get(slug="everolimus")
    everolimus.applies_when = condition

    errors = errors_of(everolimus)

    assert list(errors) == ["applies_when"]
    assert any(named in message for message in errors["applies_when"]), errors


def test_a_warnings_condition_problem_is_an_error_on_its_field(draft):
    warning = draft.warnings.get(code="local-excision-size")
    warning.applies_when = UNKNOWN_SECTION_CONDITION

    errors = errors_of(warning)

    assert list(errors) == ["applies_when"]
    assert any("local-exision" in message for message in errors["applies_when"])


def test_a_valid_condition_passes(draft):
    everolimus = draft.sections.get(slug="everolimus")
    everolimus.applies_when = (
        'extent == "distant_metastases" and category == "well_differentiated" and size_mm >= 10'
    )

    everolimus.full_clean()


def test_words_for_a_part_the_condition_no_longer_has_are_an_error(draft):
    # Everolimus's reasons leave out its category == "well_differentiated" part.
    everolimus = draft.sections.get(slug="everolimus")
    everolimus.applies_when = 'extent == "distant_metastases"'

    errors = errors_of(everolimus)

    assert any('category == "well_differentiated"' in m for m in errors["applies_when"])
    everolimus.reasons = {}
    everolimus.full_clean()


def test_a_new_section_is_checked_with_the_version_around_it(draft):
    new = Section(
        version=draft, slug="ssa-trial", heading="A trial", text="Consider the trial.", order=99,
        applies_when='applies["somatostatin-analogue"] and sise_mm > 10',
    )

    errors = errors_of(new)

    assert any("sise_mm" in message for message in errors["applies_when"])


def test_breaking_what_another_rule_names_is_an_error_of_the_whole_form(draft):
    # The warning local-excision-size names this section: renaming it breaks the warning.
    local = draft.sections.get(slug="local-excision")
    local.slug = "local-excision-2"

    errors = errors_of(local)

    assert any(
        message.startswith("warning local-excision-size") for message in errors[NON_FIELD_ERRORS]
    ), errors


def test_a_field_the_form_does_not_show_gets_its_error_on_the_whole_form(draft):
    everolimus = draft.sections.get(slug="everolimus")
    everolimus.applies_when = TYPO_CONDITION

    with pytest.raises(ValidationError) as refused:
        everolimus.full_clean(exclude=["applies_when"])

    (message,) = refused.value.message_dict[NON_FIELD_ERRORS]
    assert message.startswith("section everolimus, applies_when: ") and "sise_mm" in message


def test_a_versions_exclusion_naming_no_section_is_an_error_on_exclusive(draft):
    draft.exclusive = [*draft.exclusive, ["local-excision", "no-such-section"]]

    errors = errors_of(draft)

    assert list(errors) == ["exclusive"]
    assert any("no-such-section" in message for message in errors["exclusive"])


def test_a_versions_category_rule_with_a_typo_is_an_error_on_category_rules(draft):
    draft.category_rules = [
        {**draft.category_rules[0], "applies_when": 'diferentiation == "poor"'},
        *draft.category_rules[1:],
    ]

    errors = errors_of(draft)

    assert list(errors) == ["category_rules"]
    assert any("diferentiation" in message for message in errors["category_rules"])


def test_the_seeded_versions_logic_is_valid(version_1):
    version_1.full_clean()
    assert version_1.logic_problems() == []
    for row in [*version_1.sections.all(), *version_1.warnings.all()]:
        row.full_clean()


# --- Nothing invalid stored, whatever the path ------------------------------------------------


def test_saving_a_condition_that_does_not_compile_is_refused(draft, editor):
    everolimus = draft.sections.get(slug="everolimus")
    before = everolimus.applies_when

    with pytest.raises(ValidationError) as refused:
        edit(everolimus, editor, applies_when=TYPO_CONDITION)

    assert list(refused.value.message_dict) == ["applies_when"]
    assert Section.objects.get(pk=everolimus.pk).applies_when == before
    assert everolimus.history.count() == 1  # the copy's only


def test_saving_words_for_a_part_the_condition_does_not_have_is_refused(draft, editor):
    everolimus = draft.sections.get(slug="everolimus")

    with pytest.raises(ValidationError) as refused:
        edit(everolimus, editor, reasons={"size_mm < 5": "small"})

    assert list(refused.value.message_dict) == ["applies_when"]
    assert Section.objects.get(pk=everolimus.pk).reasons == everolimus.history.get().reasons


def test_saving_a_detail_naming_no_fact_is_refused(draft, editor):
    warning = draft.warnings.get(code="local-excision-size")

    with pytest.raises(ValidationError) as refused:
        edit(warning, editor, detail="Size {sise_mm} mm.")

    assert refused.value.message_dict == {
        "detail": ["{sise_mm} is not a fact that can be named here"]
    }


def test_adding_a_warning_whose_condition_does_not_compile_is_refused(draft):
    with pytest.raises(ValidationError):
        WarningText.objects.create(
            version=draft, code="new", message="New.", applies_when=OUTSIDE_CHOICES_CONDITION
        )

    assert not draft.warnings.filter(code="new").exists()


def test_a_changed_condition_is_in_the_history_with_who_and_why(draft, editor):
    everolimus = draft.sections.get(slug="everolimus")
    condition = 'extent == "distant_metastases" and size_mm >= 10'

    edit(everolimus, editor, "ENETS 2023", applies_when=condition, reasons={})

    record = everolimus.history.latest("history_id")
    assert (record.applies_when, record.history_user, record.history_change_reason) == (
        condition,
        editor,
        "ENETS 2023",
    )
    assert record.prev_record.applies_when != condition


def test_publishing_and_discarding_are_in_the_versions_history_with_who(draft, editor):
    publish(draft, editor=editor, label="2", change_summary="Everolimus reworded.")

    latest = draft.history.latest("history_id")
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "published",
        editor,
        "Published as version 2",
    )
    second = start_draft(editor=editor)
    discard_draft(second, editor=editor, reason="Started by mistake")
    latest = second.history.latest("history_id")
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "discarded",
        editor,
        "Discarded: Started by mistake",
    )


def test_a_draft_starts_its_own_history_with_who_started_it(draft, editor, version_1):
    (record,) = draft.history.all()

    assert record.history_type == "+"
    assert record.history_user == editor
    assert record.history_change_reason == "Correct the everolimus wording"
    assert (record.grading, record.category_rules, record.exclusive) == (
        version_1.grading,
        version_1.category_rules,
        version_1.exclusive,
    )


# --- A published version's logic is a record --------------------------------------------------


def test_a_published_versions_logic_cannot_change(version_1):
    version_1.grading = {**version_1.grading, "combine": "lower"}

    with pytest.raises(ReadOnlyContent):
        version_1.save()
    with pytest.raises(ReadOnlyContent):
        GuidelineVersion.objects.filter(pk=version_1.pk).update(exclusive=[])

    version_1.refresh_from_db()
    assert version_1.grading["combine"] == "higher" and version_1.exclusive


def test_a_drafts_logic_can_change(draft):
    GuidelineVersion.objects.filter(pk=draft.pk).update(exclusive=[])
    draft.refresh_from_db()
    draft.exclusive = [["local-excision", "lymph-node-dissection"]]
    draft.save()

    assert GuidelineVersion.objects.get(pk=draft.pk).exclusive == draft.exclusive


def test_a_published_sections_condition_cannot_change(version_1, editor):
    everolimus = version_1.sections.get(slug="everolimus")

    with pytest.raises(ReadOnlyContent):
        edit(everolimus, editor, applies_when="false")


# --- Missing sections -------------------------------------------------------------------------


def test_missing_sections_are_those_an_exclusion_names_that_the_version_lacks(version_1):
    assert version_1.missing_sections() == []

    delete_outside_the_app(version_1.sections.filter(slug="lymph-node-dissection"))

    assert version_1.missing_sections() == ["lymph-node-dissection"]
