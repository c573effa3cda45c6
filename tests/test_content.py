"""The published guideline's text in memory (guidance.content), on the real database.

``content.published()`` runs one small query per call (which version is published) and reads
the text only when that changes; ``content.load()`` reads any version's text afresh. Every
test starts with nothing in memory (the autouse fixture in conftest.py calls forget()).
"""

from __future__ import annotations

import dataclasses
import json
from types import MappingProxyType
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateformat import format as date_format

from guidance import content, recommendation
from guidance.forms import CaseForm, form_data
from guidance.models import Guideline, GuidelineVersion, Section, WarningText
from guidance.publishing import publish, start_draft
from tests import advice
from tests.factories import (
    change_outside_the_app,
    delete_outside_the_app,
    make_case,
)
from tests.wizard_client import LOCALISED_COLON

pytestmark = pytest.mark.django_db

API = "/api/v1/recommendations"
NEW_TEXT = "Edited in the draft: excise with clear margins."


def edit(item, editor, **changes):
    """Change a draft's section or warning text the way the admin does."""
    for name, value in changes.items():
        setattr(item, name, value)
    item._history_user = editor
    item._change_reason = "Test edit"
    item.save()


def publish_a_new_version(editor, label: str = "2") -> GuidelineVersion:
    """Start a draft, change one section's text and publish it, as an editor would."""
    draft = start_draft(editor=editor)
    edit(draft.sections.get(slug="curative-excision"), editor, text=NEW_TEXT)
    publish(draft, editor=editor, label=label, change_summary="A test edit.")
    draft.refresh_from_db()
    return draft


def facts_of(case: dict[str, Any]) -> advice.CaseFacts:
    form = CaseForm(data=form_data(case))
    assert form.is_valid(), form.errors
    return form.facts()


def post(client: Client, case: dict[str, Any]):
    return client.post(API, json.dumps(case), content_type="application/json")


# --- What is in memory ------------------------------------------------------------------------


def test_the_text_is_the_published_versions_words(version_1):
    text = content.published()

    assert text.version_id == version_1.pk
    assert (text.title, text.label, text.citation, text.published_at) == (
        version_1.guideline.title,
        version_1.label,
        version_1.citation,
        version_1.published_at,
    )
    fields = ("slug", "group", "heading", "text", "order", "voice", "citation", "source_heading")
    assert [dataclasses.astuple(section) for section in text.sections.values()] == list(
        version_1.sections.order_by("order").values_list(*fields)
    )
    assert all(slug == section.slug for slug, section in text.sections.items())
    assert dict(text.warnings) == dict(version_1.warnings.values_list("code", "message"))
    assert {code: (said.voice, said.citation) for code, said in text.warning_voices.items()} == {
        code: (voice, citation)
        for code, voice, citation in version_1.warnings.values_list("code", "voice", "citation")
    }
    assert (text.about_source, text.not_covered) == (
        version_1.about_source,
        version_1.not_covered,
    )
    assert set(advice.SECTION_SLUGS) <= set(text.sections)


def test_the_text_cannot_be_changed(version_1):
    text = content.published()
    section = next(iter(text.sections.values()))

    with pytest.raises(dataclasses.FrozenInstanceError):
        text.label = "2"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        section.text = "Changed."  # type: ignore[misc]
    with pytest.raises(TypeError):
        text.sections["overview"] = section  # type: ignore[index]
    with pytest.raises(TypeError):
        text.warnings["regional-nodes"] = "Changed."  # type: ignore[index]


def test_the_first_call_loads_the_text_in_four_queries(django_assert_num_queries):
    # 1. the published version's id, publication time and guideline title
    # 2. that version JOIN its guideline  3. its sections  4. its warning texts
    with django_assert_num_queries(4):
        text = content.published()

    assert text is not None


def test_the_second_call_runs_one_query_and_returns_the_same_object(django_assert_num_queries):
    first = content.published()

    with django_assert_num_queries(1) as captured:
        second = content.published()

    assert second is first
    # The one query only asks which version is published, with the guideline's title.
    (query,) = captured.captured_queries
    assert "guidance_section" not in query["sql"] and "guidance_warningtext" not in query["sql"]


def test_forget_makes_the_next_call_load_the_text_again(django_assert_num_queries):
    first = content.published()
    content.forget()

    with django_assert_num_queries(4):
        again = content.published()

    assert again is not first
    assert again == first


def test_with_nothing_published_there_is_no_text(version_1):
    content.published()
    GuidelineVersion.objects.update(status=GuidelineVersion.Status.RETIRED)

    assert content.published() is None

    GuidelineVersion.objects.filter(pk=version_1.pk).update(
        status=GuidelineVersion.Status.PUBLISHED
    )
    assert content.published().version_id == version_1.pk


# --- Publishing and other changes -------------------------------------------------------------


def test_publishing_a_new_version_is_seen_on_the_next_call(
    editor, version_1, django_assert_num_queries
):
    before = content.published()
    old_text = before.sections["curative-excision"].text

    version_2 = publish_a_new_version(editor)
    with django_assert_num_queries(4):  # the id changed: the new version's text is read
        after = content.published()

    assert (after.version_id, after.label) == (version_2.pk, "2")
    assert after.published_at == version_2.published_at
    assert after.sections["curative-excision"].text == NEW_TEXT
    # The text handed out before is untouched: whoever holds it still has version 1's words.
    assert (before.version_id, before.label) == (version_1.pk, "1")
    assert before.sections["curative-excision"].text == old_text != NEW_TEXT
    with django_assert_num_queries(1):
        assert content.published() is after


def test_the_api_quotes_a_newly_published_version_on_the_next_request(client, editor):
    def shown() -> tuple[str, str]:
        answer = post(client, LOCALISED_COLON).json()
        texts = {item["section"]: item["text"] for item in answer["recommendations"]}
        return answer["guideline"]["version"], texts["curative-excision"]

    assert shown()[0] == "1" and shown()[1] != NEW_TEXT
    publish_a_new_version(editor)

    assert shown() == ("2", NEW_TEXT)


def test_renaming_the_guideline_is_seen_on_the_next_call(version_1, django_assert_num_queries):
    content.published()
    guideline = Guideline.objects.get()
    guideline.title = "A renamed guideline"
    guideline.save()  # as the admin's guideline page would

    with django_assert_num_queries(4):
        text = content.published()

    assert text.title == "A renamed guideline"


def test_a_new_publication_time_for_the_same_id_is_loaded_again(
    version_1, django_assert_num_queries
):
    # As when SQLite gives a new version the id of one whose publication was rolled back.
    first = content.published()
    GuidelineVersion.objects.filter(pk=version_1.pk).update(published_at=timezone.now())

    with django_assert_num_queries(4):
        again = content.published()

    assert again is not first
    assert again.published_at == GuidelineVersion.objects.get(pk=version_1.pk).published_at


def test_text_changed_outside_the_app_is_not_seen_until_forget(version_1):
    # The documented trade-off: the published text is read-only in the app, so a change
    # behind its back (SQL typed into the database) is seen only after a restart or forget().
    before = content.published().sections["curative-excision"].text
    change_outside_the_app(
        Section.objects.filter(version=version_1, slug="curative-excision"), text="Changed."
    )

    assert content.published().sections["curative-excision"].text == before

    content.forget()
    assert content.published().sections["curative-excision"].text == "Changed."


# --- Drafts: read afresh, never cached ----------------------------------------------------------


def test_a_drafts_text_loaded_afresh_reflects_its_edits(editor, version_1):
    published = content.published()
    draft = start_draft(editor=editor)
    before = content.load(draft)

    edit(draft.sections.get(slug="curative-excision"), editor, text=NEW_TEXT)
    edit(draft.warnings.get(code="regional-nodes"), editor, message="A reworded warning.")
    after = content.load(draft)

    assert after.version_id == draft.pk and after.published_at is None
    assert after.sections["curative-excision"].text == NEW_TEXT
    assert after.warnings["regional-nodes"] == "A reworded warning."
    assert before.sections["curative-excision"].text != NEW_TEXT
    # The published text in memory is not the draft's.
    assert content.published() is published
    assert published.sections["curative-excision"].text != NEW_TEXT


def test_loading_by_id_and_by_version_agree(editor, version_1, django_assert_num_queries):
    draft = start_draft(editor=editor)
    with_guideline = GuidelineVersion.objects.select_related("guideline").get(pk=draft.pk)

    with django_assert_num_queries(3):  # the version JOIN its guideline, sections, warnings
        by_id = content.load(draft.pk)
    with django_assert_num_queries(2):  # the version is at hand: its sections, warnings
        by_version = content.load(with_guideline)

    assert by_id == by_version
    assert by_id.label == draft.label and by_id.citation == draft.citation


def test_an_unknown_version_cannot_be_loaded(db):
    with pytest.raises(GuidelineVersion.DoesNotExist):
        content.load(10**9)


# --- build() quotes the text it is given ------------------------------------------------------


def test_build_quotes_a_drafts_edited_text_in_the_drafts_own_order(editor):
    draft = start_draft(editor=editor)
    edit(draft.sections.get(slug="curative-excision"), editor, text=NEW_TEXT)
    edit(draft.warnings.get(code="regional-nodes"), editor, message="A reworded warning.")
    for section in draft.sections.all():  # the guideline's order reversed
        edit(section, editor, order=1000 - section.order)
    regional = facts_of({**LOCALISED_COLON, "extent": "regional_nodes"})

    shown = recommendation.build(facts=regional, text=content.load(draft))

    sections = {section.slug: section for section in draft.sections.all()}
    slugs = [item["section"] for item in shown["recommendations"]]
    assert sorted(slugs) == sorted(advice.recommend(regional).slugs)
    assert slugs == sorted(slugs, key=lambda slug: sections[slug].order)
    assert slugs != list(advice.recommend(regional).slugs)  # the source's order, reversed
    for item in shown["recommendations"]:
        quoted = sections[item["section"]]
        assert (item["group"], item["heading"], item["text"], item["order"]) == (
            quoted.group,
            quoted.heading,
            quoted.text,
            quoted.order,
        )
    texts = {item["section"]: item["text"] for item in shown["recommendations"]}
    assert texts["curative-excision"] == NEW_TEXT
    assert {item["code"]: item["message"] for item in shown["warnings"]}["regional-nodes"] == (
        "A reworded warning."
    )
    assert shown["guideline"] == {
        "title": draft.guideline.title,
        "version": draft.label,
        "citation": draft.citation,
        "about_source": "",
        "not_covered": "",
        "in_use_since": None,  # a draft is not in use
    }


def test_build_flags_a_missing_section_first_and_words_a_missing_warning_text(version_1):
    # Words the logic needs, missing from the text it is given (the models keep each
    # condition with its words, so only a text put together by hand lacks them): build()
    # must still warn about the missing section and fall back to its own message for the
    # missing warning text.
    loaded = content.published()
    text = dataclasses.replace(
        loaded,
        sections=MappingProxyType(
            {slug: s for slug, s in loaded.sections.items() if slug != "curative-excision"}
        ),
        warnings=MappingProxyType(
            {code: m for code, m in loaded.warnings.items() if code != "regional-nodes"}
        ),
    )

    regional = facts_of({**LOCALISED_COLON, "extent": "regional_nodes"})
    shown = recommendation.build(facts=regional, text=text)
    codes = [warning["code"] for warning in shown["warnings"]]
    assert codes[0] == recommendation.MISSING_SECTION
    assert "regional-nodes" in codes
    assert codes == [recommendation.MISSING_SECTION, *advice.recommend(regional).warning_codes]
    assert shown["warnings"][0]["detail"] == "curative-excision"
    assert shown["warnings"][0]["message"] == (
        "The published guideline has no text for a section that applies to this case "
        "(curative-excision). Do not rely on this recommendation; tell the guideline editors."
    )
    assert shown["warnings"][1]["message"] == (
        "The published guideline has no text for this warning (regional-nodes)."
    )
    assert [item["section"] for item in shown["recommendations"]] == ["lymph-node-dissection"]


def test_a_section_deleted_outside_the_app_takes_its_condition_with_it(version_1):
    # Neither is named by another rule: the version without them still compiles.
    delete_outside_the_app(Section.objects.filter(version=version_1, slug="everolimus"))
    delete_outside_the_app(
        WarningText.objects.filter(version=version_1, code="no-symptom-guidance")
    )
    text = content.published()

    metastatic = facts_of({**LOCALISED_COLON, "extent": "distant_metastases"})
    shown = recommendation.build(facts=metastatic, text=text)

    slugs = [item["section"] for item in shown["recommendations"]]
    codes = [warning["code"] for warning in shown["warnings"]]
    assert "everolimus" not in slugs and "metastatic-incurable" in slugs
    assert "no-symptom-guidance" not in codes
    assert recommendation.MISSING_SECTION not in codes


# --- The logic, compiled with the text ----------------------------------------------------------


def test_the_logic_is_compiled_once_with_the_text_and_kept_beside_it(
    version_1, django_assert_num_queries
):
    with django_assert_num_queries(4):
        first = content.published()
    with django_assert_num_queries(1):
        second = content.published()

    assert second.logic is first.logic
    assert first.logic.slugs == tuple(first.sections)
    conditions = dict(first.logic.section_conditions)
    for section in version_1.sections.all():
        assert conditions[section.slug].text == section.applies_when
        assert dict(conditions[section.slug].words) == section.reasons
    assert first.logic.codes == tuple(version_1.warnings.order_by("order").values_list(
        "code", flat=True
    ))


def test_a_drafts_changed_condition_is_what_build_runs_for_the_draft(editor, version_1):
    draft = start_draft(editor=editor)
    edit(draft.sections.get(slug="everolimus"), editor, applies_when="false", reasons={})
    metastatic = facts_of({**LOCALISED_COLON, "extent": "distant_metastases"})

    def slugs(version):
        shown = recommendation.build(facts=metastatic, text=content.load(version))
        return [item["section"] for item in shown["recommendations"]]

    assert "everolimus" in slugs(version_1)
    assert "everolimus" not in slugs(draft)
    assert content.published().version_id == version_1.pk  # the published text is untouched


# --- The pages ----------------------------------------------------------------------------------


def test_the_text_is_loaded_once_for_every_page_and_again_after_publishing(
    client, alice, alice_client, editor, django_assert_num_queries
):
    saved = make_case(alice)  # reads the text afresh: nothing in memory yet

    # The first request of the process loads the text: 1 query + 3.
    with django_assert_num_queries(4):
        client.get("/")
    # Every later one, on any page, asks only which version is published.
    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200
    with django_assert_num_queries(1):
        assert post(client, LOCALISED_COLON).status_code == 200
    # the session, the clinician, the case, the published version
    with django_assert_num_queries(4):
        assert alice_client.get(f"/cases/{saved.pk}/recheck/").status_code == 200

    publish_a_new_version(editor)
    with django_assert_num_queries(4):
        assert post(client, LOCALISED_COLON).json()["guideline"]["version"] == "2"
    with django_assert_num_queries(1):
        post(client, LOCALISED_COLON)


def test_the_landing_page_shows_the_published_versions_title_label_and_date(version_1, client):
    html = " ".join(client.get("/").content.decode().split())

    in_use_since = date_format(timezone.localtime(version_1.published_at), "j F Y")
    assert (
        f"Guideline in force: <strong>{version_1.guideline.title}</strong>, "
        f"version {version_1.label}."
    ) in html
    # The day the version came into use here: never given as the source's date.
    assert f"In use in NET Advisor since {in_use_since}." in html
    assert f"published {in_use_since}" not in html


def test_the_recheck_names_the_published_version(alice, alice_client, editor):
    saved = make_case(alice)
    publish_a_new_version(editor)

    html = " ".join(alice_client.get(f"/cases/{saved.pk}/recheck/").content.decode().split())

    assert "advised from version 1, run again through version 2 (published)" in html
