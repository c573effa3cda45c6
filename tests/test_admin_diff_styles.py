"""The editors' diff pages under the Content-Security-Policy: their styles come from a file.

The policy allows styles only from the app itself (``style-src 'self'``), so the browser
ignored the diff pages' inline ``<style>`` and ``style=``: removed and added words lost
their colours and the texts their line breaks. The same rules now live in a stylesheet
the pages link to. In a real browser: tests/e2e/test_editor.py.
"""

from __future__ import annotations

import re

import pytest

from guidance.models import GuidelineVersion, Section
from tests.admin_client import COMPARE, START_DRAFT

pytestmark = pytest.mark.django_db

STYLESHEET = "/static/css/editors.css"
LINK = f'<link rel="stylesheet" href="{STYLESHEET}">'
NEW_EVEROLIMUS = "Everolimus may slow progression of disease\n\nin a small number of patients."


def edit(section: Section, editor, text: str) -> None:
    section.text = text
    section._history_user = editor
    section._change_reason = "Line break and typo"
    section.save()


@pytest.fixture
def everolimus(erin, erin_client) -> Section:
    """Version 2 published with the everolimus section changed: both diff pages have a diff."""
    erin_client.post(START_DRAFT)
    draft = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    section = draft.sections.get(slug="everolimus")
    edit(section, erin, NEW_EVEROLIMUS)
    response = erin_client.post(
        f"/admin/guidance/guidelineversion/{draft.pk}/publish/",
        {"label": "2", "change_summary": "Everolimus: typo."},
    )
    assert response.status_code == 302
    return section


def diff_pages(section: Section) -> dict[str, str]:
    return {"text history": f"/admin/guidance/section/{section.pk}/diff/", "compare": COMPARE}


@pytest.mark.parametrize("diff_page", ["text history", "compare"])
def test_a_diff_page_has_no_inline_style_and_links_the_editors_stylesheet(
    erin_client, everolimus, diff_page
):
    response = erin_client.get(diff_pages(everolimus)[diff_page])

    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>" in html and "<del>" in html  # there is a diff to colour
    assert "<style" not in html
    assert " style=" not in html
    assert html.count(LINK) == 1
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_editors_stylesheet_is_served_with_the_diff_rules(erin_client, everolimus):
    response = erin_client.get(STYLESHEET)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    css = b"".join(response.streaming_content).decode()
    without_comments = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = {
        selector.strip(): body
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", without_comments)
    }
    assert "background" in rules[".diff ins"]
    assert "background" in rules[".diff del"]
    assert "white-space: pre-wrap" in rules[".diff"]


@pytest.mark.parametrize("diff_page", ["text history", "compare"])
def test_every_diff_on_a_diff_page_is_inside_an_element_the_stylesheet_styles(
    erin_client, everolimus, diff_page
):
    html = erin_client.get(diff_pages(everolimus)[diff_page]).content.decode()

    diff = re.compile(r'<(div|td) class="(?:[^"]* )?diff(?: [^"]*)?">.*?</\1>', re.S)
    assert diff.search(html)
    outside = diff.sub("", html)
    assert "<ins>" not in outside
    assert "<del>" not in outside
