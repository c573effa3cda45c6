"""Driving the editors' admin through the Django test client, as an editor's browser does.

The admin's URLs are written out here rather than reversed, so that a moved page fails the
tests instead of following along. ``start_draft_in_the_admin`` presses *Start a draft*;
``edit_section`` and ``publish`` post the section's change form and the publish form as a
browser would; the page readers pick out the preview and the quoted text.
"""

from __future__ import annotations

import json
import re

from django.test import Client

from guidance.models import GuidelineVersion, ReferenceCase, Section, WarningText
from tests.factories import METASTATIC_FACTS, METASTATIC_SECTIONS
from tests.pages import html_of, parse

ADMIN = "/admin/"
START_DRAFT = "/admin/guidance/guidelineversion/start-draft/"
COMPARE = "/admin/guidance/guidelineversion/compare/"
VERSIONS = "/admin/guidance/guidelineversion/"
REFERENCE_CASES = "/admin/guidance/referencecase/"
ADD_REFERENCE_CASE = "/admin/guidance/referencecase/add/"

# Every admin page begins with the same four queries: the session; the user; the user's own
# permissions; the permissions of the user's groups.
ADMIN_PREAMBLE = 4

# The everolimus section, as version 1 has it, and an editor's rewording that drops
# "a small number of patients" but keeps "Everolimus" (a seeded reference case needs it).
OLD_EVEROLIMUS = "Everolimus may slow progression of disease is a small number of patients"
NEW_EVEROLIMUS = "Everolimus may slow the progression of disease in some patients."


def start_draft_in_the_admin(client: Client) -> GuidelineVersion:
    """A draft started the way Erin starts one: the button on the versions page."""
    response = client.post(START_DRAFT)
    assert response.status_code == 302
    return GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)


def published() -> GuidelineVersion:
    return GuidelineVersion.objects.current()


def section(version: GuidelineVersion, slug: str = "everolimus") -> Section:
    return Section.objects.get(version=version, slug=slug)


def change_url(obj: Section) -> str:
    return f"/admin/guidance/section/{obj.pk}/change/"


def publish_url(version: GuidelineVersion) -> str:
    return f"/admin/guidance/guidelineversion/{version.pk}/publish/"


def diff_url(obj: Section, older=None, newer=None) -> str:
    url = f"/admin/guidance/section/{obj.pk}/diff/"
    if older is not None:
        url += f"?from={older.history_id}&to={newer.history_id}"
    return url


def section_form(obj: Section, **changes) -> dict[str, str]:
    """The section's change form as the browser posts it: every field, as it is saved,
    with ``changes``."""
    values = {
        "group": obj.group,
        "heading": obj.heading,
        "order": obj.order,
        "voice": obj.voice,
        "citation": obj.citation,
        "source_heading": obj.source_heading,
        "text": obj.text,
        "applies_when": obj.applies_when,
        "reasons": json.dumps(obj.reasons),
        **changes,
    }
    return {name: str(value) for name, value in values.items()}


def warning_form(obj: WarningText, **changes) -> dict[str, str]:
    """The warning text's change form as the browser posts it, with ``changes``."""
    values = {
        "order": obj.order,
        "voice": obj.voice,
        "citation": obj.citation,
        "message": obj.message,
        "applies_when": obj.applies_when,
        "detail": obj.detail or "",
        **changes,
    }
    return {name: str(value) for name, value in values.items()}


def edit_section(client: Client, obj: Section, text: str, reason: str = "Newer evidence"):
    """Post the section's change form as the browser does: every field, the text changed."""
    return client.post(change_url(obj), section_form(obj, text=text, change_reason=reason))


def publish(client: Client, version: GuidelineVersion, label: str = "2", accept: str = ""):
    return client.post(
        publish_url(version),
        {
            "label": label,
            "change_summary": "Everolimus reworded.",
            "accept_failures_reason": accept,
        },
    )


def publish_version_2(client: Client, draft: GuidelineVersion) -> GuidelineVersion:
    assert edit_section(client, section(draft), NEW_EVEROLIMUS).status_code == 302
    assert publish(client, draft).status_code == 302
    return GuidelineVersion.objects.get(pk=draft.pk)


def failing_reference_case() -> ReferenceCase:
    """A reference case that needs words NEW_EVEROLIMUS no longer has."""
    return ReferenceCase.objects.create(
        title="Everolimus keeps its caution about few patients",
        facts=METASTATIC_FACTS,
        expected_grade="G2",
        expected_sections=METASTATIC_SECTIONS,
        expected_phrases=["small number of patients"],
    )


# --- Reading the admin's pages -------------------------------------------------------------


def field_names(html: str) -> set[str]:
    """The names of the inputs, text areas and selects a browser would submit."""
    return set(re.findall(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', html))


def preview_of(html: str) -> str:
    match = re.search(r'<div class="guideline-preview">(.*?)</div>', html, re.DOTALL)
    assert match, "no preview on the page"
    return match.group(1)


def quoted_text(html: str, slug: str = "everolimus") -> str:
    """The guideline text a recommendation page quotes for one section."""
    match = re.search(
        rf'data-section="{slug}">.*?<blockquote class="guideline-text[^"]*">(.*?)</blockquote>',
        html,
        re.DOTALL,
    )
    assert match, f"no {slug} section on the page"
    return match.group(1)


def field_errors(response, name: str) -> list[str]:
    """The error messages the page shows in one field's row of the admin's form; where a
    row holds two fields, beside the field's own box (the innermost of its class)."""
    box = parse(html_of(response)).find_all("div", cls=f"field-{name}")[-1]
    lists = box.find_all("ul", cls="errorlist") or box.parent.find_all("ul", cls="errorlist")
    return [item.text() for errors in lists for item in errors.iter()]
