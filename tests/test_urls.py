"""What the routed pages answer, whatever the page: no copy of a case is kept by a cache.

Every response that carries case data or wizard state -- the wizard and its rejection
pages, the recommendation page, a saved case, its print view, re-check, delete confirmation
and start-from, the history, and the API, errors included -- says ``Cache-Control:
no-store, private``, so neither the browser nor a shared proxy keeps a copy of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, resolve

from guidance.models import Case, GuidelineVersion
from netadvisor import urls
from tests.factories import make_case
from tests.wizard_client import (
    DONE_URL,
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    SMALL_RECTUM,
    answer_steps,
    answers_for,
    post_step,
    run_wizard,
    step_url,
)

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/recommendations"

# Routes that carry no case data and no wizard state.
PUBLIC_ROUTES = {"home", "health", "login", "logout"}

API_CASE = json.dumps(SMALL_RECTUM)


def get(client: Client, url: str):
    return client.get(url)


def api(body: str) -> Callable[[Client, str], object]:
    return lambda client, url: client.post(url, data=body, content_type="application/json")


def at_the_review(client: Client, url: str):
    answer_steps(client, LOCALISED_COLON, until="review")
    return client.get(url)


def done_without_a_guideline(client: Client, url: str):
    answer_steps(client, LOCALISED_COLON)
    GuidelineVersion.objects.update(status=GuidelineVersion.Status.RETIRED)
    return client.get(url)


# (what, who asks, the URL ({case} is Alice's saved case), the status, how it is asked)
VISITS = [
    ("history", "alice", "/cases/", 200, get),
    ("history with a bad filter", "alice", "/cases/?date_from=x", 200, get),
    ("case page", "alice", "/cases/{case}/", 200, get),
    ("case page, HEAD", "alice", "/cases/{case}/", 200, lambda c, url: c.head(url)),
    ("case page, PUT refused", "alice", "/cases/{case}/", 405, lambda c, url: c.put(url)),
    ("case page, not logged in", "visitor", "/cases/{case}/", 302, get),
    ("print view", "alice", "/cases/{case}/print/", 200, get),
    ("re-check", "alice", "/cases/{case}/recheck/", 200, get),
    ("delete confirmation", "alice", "/cases/{case}/delete/", 200, get),
    ("delete", "alice", "/cases/{case}/delete/", 302, lambda c, url: c.post(url)),
    ("start from", "alice", "/cases/{case}/start/", 302, get),
    ("wizard start", "visitor", "/cases/new/", 302, get),
    ("wizard step", "visitor", step_url("tumour"), 200, get),
    (
        "wizard step with errors",
        "visitor",
        step_url("tumour"),
        200,
        lambda c, url: post_step(c, "tumour", site="x"),
    ),
    (
        "wizard step accepted",
        "visitor",
        step_url("tumour"),
        302,
        lambda c, url: post_step(c, "tumour", **answers_for("tumour", LOCALISED_COLON)),
    ),
    ("wizard review", "visitor", step_url("review"), 200, at_the_review),
    ("wizard rejection", "visitor", step_url("review"), 400, lambda c, url: post_step(c, "review")),
    (
        "recommendation page",
        "visitor",
        DONE_URL,
        200,
        lambda c, url: run_wizard(c, LOCALISED_COLON),
    ),
    (
        "recommendation saved",
        "alice",
        DONE_URL,
        302,
        lambda c, url: run_wizard(c, METASTATIC_SMALL_BOWEL),
    ),
    ("recommendation without a guideline", "visitor", DONE_URL, 503, done_without_a_guideline),
    ("api", "visitor", API_URL, 200, api(API_CASE)),
    ("api, bad JSON", "visitor", API_URL, 400, api("{")),
    ("api, bad field", "visitor", API_URL, 400, api('{"size_mm": NaN}')),
    ("api, GET refused", "visitor", API_URL, 405, get),
]


@pytest.fixture
def case(alice) -> Case:
    return make_case(alice, reference="MDT-14", **METASTATIC_SMALL_BOWEL)


@pytest.mark.parametrize(
    ("who", "url", "status", "ask"), [visit[1:] for visit in VISITS], ids=[v[0] for v in VISITS]
)
def test_every_page_with_case_data_or_wizard_state_says_no_store_private(
    client, alice_client, case, who, url, status, ask
):
    url = url.format(case=case.pk)

    response = ask(alice_client if who == "alice" else client, url)

    assert response.wsgi_request.get_full_path() == url  # the page named, not another
    assert response.status_code == status
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def test_the_pages_visited_are_every_route_but_the_public_ones_and_the_admin():
    routes = {
        pattern.name for pattern in urls.urlpatterns if isinstance(pattern, URLPattern)
    }
    visited = {resolve(url.format(case=1).partition("?")[0]).url_name for _, _, url, _, _ in VISITS}

    assert visited == routes - PUBLIC_ROUTES
