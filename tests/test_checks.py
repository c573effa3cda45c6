"""The system check (guidance.checks): a published version whose logic names a section it
lacks, or does not compile, is an error; nothing published is a warning.
"""

from __future__ import annotations

import pytest
from django.core import checks

from guidance.checks import published_version_is_complete
from guidance.models import GuidelineVersion, Section
from tests.drafts import RETIRED
from tests.factories import TYPO_CONDITION, change_outside_the_app, delete_outside_the_app

pytestmark = pytest.mark.django_db


# --- System check -------------------------------------------------------------------------


def test_the_system_check_is_quiet_for_the_seeded_guideline(version_1):
    assert published_version_is_complete() == []


def test_the_system_check_reports_a_published_version_missing_a_section_it_excludes(version_1):
    # An exclusion names lymph-node-dissection; no condition does.
    delete_outside_the_app(Section.objects.filter(version=version_1, slug="lymph-node-dissection"))

    missing, *_ = published_version_is_complete()

    assert isinstance(missing, checks.Error)
    assert missing.id == "guidance.E001"
    assert "lymph-node-dissection" in missing.msg
    assert "Published version 1" in missing.msg


def test_the_system_check_reports_published_logic_that_does_not_compile(version_1):
    change_outside_the_app(
        Section.objects.filter(version=version_1, slug="everolimus"), applies_when=TYPO_CONDITION
    )

    (error,) = published_version_is_complete()

    assert error.id == "guidance.E002"
    assert "section everolimus, applies_when" in error.msg and "sise_mm" in error.msg


def test_the_sections_of_a_published_version_are_its_own(version_1):
    # Everolimus is neither excluded nor named by another rule: without it, version 1 is a
    # guideline that never recommends it, and its logic still compiles.
    delete_outside_the_app(Section.objects.filter(version=version_1, slug="everolimus"))

    assert published_version_is_complete() == []


def test_the_system_check_warns_when_nothing_is_published(version_1):
    GuidelineVersion.objects.filter(pk=version_1.pk).update(status=RETIRED)

    (warning,) = published_version_is_complete()

    assert isinstance(warning, checks.Warning)
    assert not isinstance(warning, checks.Error)
    assert warning.id == "guidance.W001"
