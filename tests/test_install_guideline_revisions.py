"""``manage.py install_guideline_revisions``: version 2 published as ``migrate`` publishes it
(guidance.installing), nothing to do once it is, or refused with a non-zero exit saying why."""

from __future__ import annotations

import pytest

from guidance.models import ReferenceCase
from tests.commands import manage
from tests.drafts import DRAFT, PUBLISHED, RETIRED, publish_it, statuses

pytestmark = pytest.mark.django_db


def test_it_publishes_version_2_and_says_so(version_1):
    ran = manage("install_guideline_revisions")

    assert (ran.status, ran.err) == (0, "")
    active = ReferenceCase.objects.filter(is_active=True).count()
    assert ran.out == (
        f"Version 2 is published and version 1 retired: {active} reference cases pass; its "
        "logic approved by netadvisor-review.\n"
    )
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}


def test_run_again_it_succeeds_doing_nothing(version_2):
    ran = manage("install_guideline_revisions")

    assert (ran.status, ran.err) == (0, "")
    assert ran.out == "Version 2 is installed already: nothing to do.\n"
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}


def test_a_draft_in_progress_is_a_non_zero_exit_with_the_reason(draft):
    ran = manage("install_guideline_revisions")

    assert (ran.status, ran.out) == (1, "")
    assert ran.err == (
        f"CommandError: Version 2 was not installed: there is a draft ({draft.label}). Publish "
        "or discard it, then run manage.py install_guideline_revisions.\n"
    )
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}


def test_another_published_version_is_a_non_zero_exit_with_the_reason(draft, editor):
    publish_it(draft, editor, label="1.1")

    ran = manage("install_guideline_revisions")

    assert ran.status == 1
    assert "the published version is 1.1, not 1, which version 2 was written to replace" in (
        ran.err
    )
    assert statuses() == {"1": RETIRED, "1.1": PUBLISHED}
