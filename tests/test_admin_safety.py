"""Safety rails: markdown saved in the admin is rendered, sanitised, exactly as clinicians read
it on the recommendation page and the print view.
"""

from __future__ import annotations

import pytest
from django.test import Client

from guidance.markdown import render_markdown
from guidance.models import Case, GuidelineVersion
from tests.admin_client import (
    change_url,
    edit_section,
    preview_of,
    publish,
    quoted_text,
    section,
    start_draft_in_the_admin,
)
from tests.pages import html_of
from tests.wizard_client import METASTATIC_SMALL_BOWEL, run_wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


# --- Safety rails: payloads saved in the admin, rendered where clinicians read them ----------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="#" onclick="x()">y</a>',
    "<b>html</b>",
]
FORBIDDEN = ["<script", "onerror", "onclick", "javascript:", "data:text", "<iframe", "<b>"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_markdown_payload_saved_in_the_admin_is_neutralised_where_clinicians_read_it(
    erin_client, draft, alice_client, payload
):
    everolimus = section(draft)
    text = f"Everolimus may slow progression. Before the payload.\n\n{payload}\n\nAfter it."
    assert edit_section(erin_client, everolimus, text, "Safety test").status_code == 302
    assert section(draft).text == text  # saved as typed: neutralised when rendered
    preview = preview_of(html_of(erin_client.get(change_url(everolimus))))
    assert publish(erin_client, draft).status_code == 302

    recommendation_page = html_of(run_wizard(Client(), METASTATIC_SMALL_BOWEL))
    saved = run_wizard(alice_client, METASTATIC_SMALL_BOWEL)
    assert saved.status_code == 302
    print_view = html_of(alice_client.get(f"{saved.url}print/"))

    for name, html in [
        ("admin preview", preview),
        ("recommendation page", recommendation_page),
        ("print view", print_view),
    ]:
        assert "After it." in html, name  # the payload did not swallow the text after it
        lowered = html.lower()
        for marker in FORBIDDEN:
            assert marker not in lowered, f"{marker} reached the {name}"
    assert Case.objects.get().guideline_version.label == "2"


def test_the_admin_preview_renders_exactly_as_the_recommendation_page(erin_client, draft):
    text = (
        "Everolimus **may** slow _progression_.\n\n- one\n- two\n\n"
        "[A trial](https://example.org/trial) and <b>raw</b> [bad](javascript:alert(1))."
    )
    edit_section(erin_client, section(draft), text)
    preview = preview_of(html_of(erin_client.get(change_url(section(draft)))))
    publish(erin_client, draft)

    page = html_of(run_wizard(Client(), METASTATIC_SMALL_BOWEL))

    assert preview == quoted_text(page) == str(render_markdown(text))
    assert '<a href="https://example.org/trial" rel="noopener noreferrer nofollow">' in preview
