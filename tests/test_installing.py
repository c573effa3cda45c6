"""guidance.installing: version 2 published in place of version 1 through the editors' own
path (reference cases, import, a second account's approval, every gate of publishing), once,
all or nothing, or refused saying why."""

from __future__ import annotations

import pytest

from guidance import installing
from guidance.models import GuidelineVersion
from tests.drafts import PUBLISHED, RETIRED, statuses

pytestmark = pytest.mark.django_db


def test_version_2_is_published_and_version_1_retired(version_1):
    installation = installing.install_guideline_revisions()

    assert installation.installed
    assert installation.message == (
        "Version 2 is published and version 1 retired: 42 reference cases pass; its logic "
        "approved by netadvisor-review."
    )
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}
    version_2 = GuidelineVersion.objects.current()
    assert version_2.change_summary == installing.CHANGE_SUMMARY
    assert version_2.based_on == version_1
    assert len(version_2.reference_results) == 42
    assert all(result["passed"] for result in version_2.reference_results)
