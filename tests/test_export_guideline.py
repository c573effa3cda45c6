"""``manage.py export_guideline``: a version, text and logic, as one JSON document on standard
output (the published one unless --version names another)."""

from __future__ import annotations

import json

import pytest

from guidance import guideline_file
from tests.commands import manage

pytestmark = pytest.mark.django_db


def test_the_published_version_is_written_by_default(version_1):
    ran = manage("export_guideline")

    assert ran.status == 0
    assert json.loads(ran.out) == guideline_file.export(version_1)
    assert ran.out == guideline_file.dumps(guideline_file.export(version_1))


def test_a_version_is_chosen_by_its_label(version_1, draft):
    ran = manage("export_guideline", "--version", draft.label)

    assert ran.status == 0
    document = json.loads(ran.out)
    assert document["version"]["label"] == draft.label
    assert document == guideline_file.export(draft)
    assert json.loads(manage("export_guideline", "--version", "1").out)["version"]["label"] == "1"


def test_an_unknown_label_is_refused_naming_the_versions_there_are(version_1):
    ran = manage("export_guideline", "--version", "7")

    assert ran.status == 1
    assert ran.out == ""
    assert "There is no version '7'. The versions: 1." in ran.err


def test_with_nothing_published_it_says_so(version_1):
    type(version_1).objects.filter(pk=version_1.pk).update(status="retired")

    ran = manage("export_guideline")

    assert ran.status == 1
    assert "No version is published" in ran.err
    assert manage("export_guideline", "--version", "1").status == 0
