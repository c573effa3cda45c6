"""The system check (guidance.checks): a published version that lacks a section the engine
uses is an error; nothing published is a warning.
"""

from __future__ import annotations

import pytest
from django.core import checks

from guidance.checks import published_version_is_complete
from guidance.models import GuidelineVersion, Section
from tests.drafts import RETIRED
from tests.factories import delete_outside_the_app

pytestmark = pytest.mark.django_db


# --- System check -------------------------------------------------------------------------


def test_the_system_check_is_quiet_for_the_seeded_guideline(version_1):
    assert published_version_is_complete() == []


def test_the_system_check_reports_a_published_version_missing_an_engine_section(version_1):
    delete_outside_the_app(Section.objects.filter(version=version_1, slug="everolimus"))

    (error,) = published_version_is_complete()

    assert isinstance(error, checks.Error)
    assert error.id == "guidance.E001"
    assert "everolimus" in error.msg
    assert "Published version 1" in error.msg


def test_the_system_check_warns_when_nothing_is_published(version_1):
    GuidelineVersion.objects.filter(pk=version_1.pk).update(status=RETIRED)

    (warning,) = published_version_is_complete()

    assert isinstance(warning, checks.Warning)
    assert not isinstance(warning, checks.Error)
    assert warning.id == "guidance.W001"
