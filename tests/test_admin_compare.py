"""The whole-guideline diff between two published versions (*Compare published versions*),
and its queries.
"""

from __future__ import annotations

import re

import pytest

from guidance.models import GuidelineVersion
from tests.admin_client import ADMIN_PREAMBLE, COMPARE, publish_version_2, start_draft_in_the_admin
from tests.pages import html_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(erin_client) -> GuidelineVersion:
    return start_draft_in_the_admin(erin_client)


# --- Whole-guideline diff --------------------------------------------------------------------


def test_after_version_2_is_published_the_compare_page_lists_the_changed_section(
    erin_client, draft
):
    publish_version_2(erin_client, draft)

    html = html_of(erin_client.get(COMPARE))

    assert "1 change from version 1 to version 2." in html
    rows = re.findall(r'<tr data-change="([^"]+)" data-key="([^"]+)">', html)
    assert rows == [("changed", "everolimus")]
    assert "<ins>" in html and "<del>" in html


def test_the_compare_page_compares_the_versions_chosen(erin_client, draft):
    version_2 = publish_version_2(erin_client, draft)
    version_1 = GuidelineVersion.objects.get(label="1")

    html = html_of(erin_client.get(f"{COMPARE}?from={version_2.pk}&to={version_1.pk}"))

    assert "1 change from version 2 to version 1." in html
    assert "<del>the </del>" in html  # from the newer text back to the older one
    assert "<del>patients.</del><ins>small number of patients</ins>" in html


def test_the_compare_page_runs_a_fixed_number_of_queries(
    erin_client, draft, django_assert_num_queries
):
    publish_version_2(erin_client, draft)

    # 1-4. session, user, user permissions, group permissions
    # 5. the published and retired versions, oldest first
    # 6-7. the sections of the older version, then of the newer one
    # 8-9. the warning texts of the older version, then of the newer one
    # 10-13. the logic of each: its sections' conditions, its warnings' conditions
    with django_assert_num_queries(ADMIN_PREAMBLE + 9):
        response = erin_client.get(COMPARE)

    assert "1 change from version 1 to version 2." in html_of(response)
