"""The ``version_2_for_the_module`` fixture (tests/conftest.py): version 2 installed once
for a module, each test still in a transaction of its own."""

from __future__ import annotations

import pytest

from guidance.models import GuidelineVersion
from guidance.publishing import start_draft
from tests.drafts import DRAFT, PUBLISHED, RETIRED, statuses

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("version_2_for_the_module")]


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_test_sees_version_2_published_and_nothing_another_test_did(run, editor):
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}
    assert GuidelineVersion.objects.current().logic_approved_by.username == "netadvisor-review"

    draft = start_draft(editor=editor)  # rolled back after the test

    assert statuses() == {"1": RETIRED, "2": PUBLISHED, draft.label: DRAFT}
