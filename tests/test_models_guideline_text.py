"""The rules every write to the guideline's text obeys (guidance.models): only a draft's text
is edited, a section's slug or a warning's code stays while a reference case or the
version's logic names it, and the published, retired and discarded versions' text refuses
bulk writes too.
"""

from __future__ import annotations

import pytest

from guidance.models import (
    GuidelineVersion,
    ProtectedSection,
    ReadOnlyContent,
    Section,
    WarningText,
)
from guidance.publishing import PublishingError, discard_draft, publish, start_draft
from tests import advice
from tests.drafts import OLD_EVEROLIMUS, add_section, edit, publish_it

pytestmark = pytest.mark.django_db


# --- Model rules --------------------------------------------------------------------------


def test_a_section_of_the_published_version_cannot_be_edited(version_1, editor):
    section = version_1.sections.get(slug="everolimus")
    recorded = section.history.count()
    with pytest.raises(ReadOnlyContent, match="Version 1 is published"):
        edit(section, editor, text="Everolimus is first line.")
    assert Section.objects.get(pk=section.pk).text == OLD_EVEROLIMUS
    assert section.history.count() == recorded


def test_a_section_of_a_retired_version_cannot_be_edited(draft, editor, version_1):
    publish_it(draft, editor)
    section = GuidelineVersion.objects.get(pk=version_1.pk).sections.get(slug="interferon")
    with pytest.raises(ReadOnlyContent, match="retired"):
        edit(section, editor, heading="Interferon (historical)")


def test_the_slug_of_a_section_a_reference_case_expects_cannot_change_even_in_a_draft(
    draft, editor
):
    section = draft.sections.get(slug="everolimus")
    with pytest.raises(ProtectedSection) as refused:
        edit(section, editor, slug="mtor-inhibitors")
    assert str(refused.value) == (
        "The section everolimus cannot be renamed: the reference case “Metastatic insulinoma "
        "with a negative SSR scan” expects it; the reference case “Metastatic pancreatic NET, "
        "not resectable, no symptoms” expects it; the reference case “Metastatic small-bowel "
        "NET with carcinoid syndrome, liver disease resectable” expects it. Change those first."
    )
    assert draft.sections.filter(slug="everolimus").exists()
    assert not draft.sections.filter(slug="mtor-inhibitors").exists()


def test_the_slug_of_a_section_another_condition_names_cannot_change(draft, editor):
    add_section(draft, editor)
    add_section(draft, editor, slug="follow-up", order=100,
                applies_when='applies["surveillance-small-rectal"]')  # fmt: skip
    section = draft.sections.get(slug="surveillance-small-rectal")

    with pytest.raises(ProtectedSection, match=(
        "The section surveillance-small-rectal cannot be renamed: the condition of the section "
        "follow-up names it. Change those first."
    )):  # fmt: skip
        edit(section, editor, slug="rectal-surveillance")
    assert draft.sections.filter(slug="surveillance-small-rectal").exists()


def test_the_slug_of_a_section_nothing_names_may_change_in_a_draft(draft, editor):
    assert "overview" not in advice.SECTION_SLUGS
    edit(draft.sections.get(slug="overview"), editor, "Clearer slug", slug="introduction")

    assert list(draft.sections.filter(slug__in=["overview", "introduction"]).values_list(
        "slug", flat=True
    )) == ["introduction"]  # fmt: skip
    record = draft.sections.get(slug="introduction").history.latest("history_id")
    assert (record.history_user, record.history_change_reason) == (editor, "Clearer slug")


def test_a_section_a_reference_case_expects_cannot_be_deleted_even_in_a_draft(draft):
    section = draft.sections.get(slug="everolimus")
    with pytest.raises(ProtectedSection, match="everolimus"):
        section.delete()
    assert draft.sections.filter(slug="everolimus").exists()


def test_a_section_the_engine_does_not_use_can_be_deleted_from_a_draft(draft):
    assert "overview" not in advice.SECTION_SLUGS
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


def test_the_code_of_a_warning_a_reference_case_expects_cannot_change_even_in_a_draft(draft):
    warning = draft.warnings.get(code="regional-nodes")
    warning.code = "nodes"
    with pytest.raises(ProtectedSection, match=(
        "The warning regional-nodes cannot be renamed: the reference case .* expects it"
    )):  # fmt: skip
        warning.save()
    assert draft.warnings.filter(code="regional-nodes").exists()
    assert not draft.warnings.filter(code="nodes").exists()


def test_the_code_of_a_warning_nothing_names_may_change_in_a_draft(draft, editor):
    edit(draft.warnings.get(code="type-site-mismatch"), editor, "Plainer", code="site-and-type")

    assert draft.warnings.filter(code="site-and-type").exists()
    assert not draft.warnings.filter(code="type-site-mismatch").exists()
    assert GuidelineVersion.objects.current().warnings.filter(code="type-site-mismatch").exists()


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
