"""The landing page (/): what NET Advisor is for, the guideline in force, *Start a case* (a
POST), and the queries it runs.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from guidance.models import GuidelineVersion
from tests.factories import GUIDELINE_TITLE, VERSION_TITLE, publish_noted_version
from tests.pages import parse, squashed

pytestmark = pytest.mark.django_db


# --- The landing page ------------------------------------------------------------------


def test_the_landing_page_says_what_netadvisor_is_for(client):
    html = squashed(client.get("/").content.decode())

    assert "Decision support for neuroendocrine tumours" in html
    assert "gastrointestinal tract or pancreas (GEP-NET)" in html
    assert "It is meant for clinicians" in html
    assert "It does not replace MDT discussion or clinical judgement." in html


def test_the_landing_page_names_the_guideline_and_version_in_force(client):
    html = squashed(client.get("/").content.decode())

    assert f"Guideline in force: <strong>{GUIDELINE_TITLE}</strong>, version 1." in html


def test_the_landing_page_names_a_newly_published_version(client):
    first = GuidelineVersion.objects.get(status=GuidelineVersion.Status.PUBLISHED)
    first.status = GuidelineVersion.Status.RETIRED
    first.save()
    GuidelineVersion.objects.create(
        guideline=first.guideline,
        label="2",
        status=GuidelineVersion.Status.PUBLISHED,
        citation="Source guideline, version 2",
        # Logic that compiles (a version's text is only used with its logic), no sections.
        grading=first.grading,
        category_rules=first.category_rules,
    )

    html = squashed(client.get("/").content.decode())

    assert f"Guideline in force: <strong>{GUIDELINE_TITLE}</strong>, version 2." in html
    assert "version 1." not in html


def test_the_landing_page_starts_a_new_case_with_a_post(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<form method="post" action="/cases/new/" class="d-inline d-print-none">' in html
        and '<button type="submit" class="btn btn-primary btn-lg">Start a case</button>' in html
    )
    started = client.post("/cases/new/", follow=True)
    assert re.fullmatch(r"/cases/new/[0-9a-f]{32}/tumour/", started.redirect_chain[-1][0])


def test_the_landing_page_says_when_no_guideline_is_published(client):
    GuidelineVersion.objects.update(status=GuidelineVersion.Status.RETIRED)

    html = client.get("/").content.decode()

    assert "No guideline is published, so no case can be run." in html
    assert "Start a case" not in html


def test_the_landing_page_runs_one_query(client, django_assert_num_queries):
    client.get("/")  # the first request loads the published text into memory

    # 1. the published version's id, publication time and guideline title (one query,
    #    content.published()): unchanged, so the rest comes from memory.
    # The page does not touch the session, so there is no session query.
    with django_assert_num_queries(1):
        response = client.get("/")

    assert response.status_code == 200


def test_the_first_landing_page_loads_the_guideline_text_in_four_queries(
    client, django_assert_num_queries
):
    # Nothing in memory (as after a restart):
    # 1. the published version's id, publication time and guideline title
    # 2. that version JOIN its guideline  3. all its sections  4. all its warning texts
    with django_assert_num_queries(4):
        response = client.get("/")

    assert f"<strong>{GUIDELINE_TITLE}</strong>" in response.content.decode()


# --- What the source is --------------------------------------------------------------------


def test_the_date_shown_is_when_the_version_came_into_use_here_never_the_sources(client):
    version_1 = GuidelineVersion.objects.current()

    html = squashed(client.get("/").content.decode())

    since = timezone.localdate(version_1.published_at)
    assert f"In use in NET Advisor since {since.day} {since:%B %Y}." in html
    assert "published" not in html.lower()


def test_without_words_of_its_own_the_source_is_described_by_its_citation(client):
    html = squashed(client.get("/").content.decode())

    citation = GuidelineVersion.objects.current().citation
    assert f'<p class="about-source mb-0">Cited as: {citation}.</p>' in html


def test_the_landing_page_describes_the_source_in_the_versions_words_under_its_title(
    client, editor, django_assert_num_queries
):
    publish_noted_version(editor)
    client.get("/")  # loads the new version's text into memory

    with django_assert_num_queries(1):  # as for any version
        html = squashed(client.get("/").content.decode())

    assert f"Guideline in force: <strong>{VERSION_TITLE}</strong>, version 2." in html
    assert GUIDELINE_TITLE not in html
    about = parse(html).one(cls="about-source")
    assert "<em>educational summary</em>" in about.source
    assert "<script>" not in html
