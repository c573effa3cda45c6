"""The system check (guidance.checks): a published version whose logic names a section it
lacks, or does not compile, is an error; nothing published is a warning.
"""

from __future__ import annotations

import pytest
from django.core import checks

from guidance.checks import guideline_revisions_are_installed, published_version_is_complete
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


# --- The guideline revisions the project ships ---------------------------------------------------


def test_the_system_check_says_version_2_is_not_installed_yet(version_1, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = True

    (warning,) = guideline_revisions_are_installed()

    assert isinstance(warning, checks.Warning)
    assert (warning.id, warning.msg) == (
        "guidance.W002",
        "Version 2 is not installed yet: manage.py migrate installs it.",
    )
    assert "safety revision" in warning.hint


def test_the_system_check_says_why_version_2_could_not_be_installed(draft, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = True

    (warning,) = guideline_revisions_are_installed()

    assert warning.msg == (
        f"Version 2 was not installed: there is a draft ({draft.label}). Publish or discard "
        "it, then run manage.py install_guideline_revisions."
    )


def test_the_system_check_is_quiet_once_version_2_is_installed(version_2, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = True

    assert guideline_revisions_are_installed() == []
    assert published_version_is_complete() == []


def test_the_system_check_is_quiet_when_the_revisions_are_not_to_be_installed(version_1, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = False

    assert guideline_revisions_are_installed() == []
