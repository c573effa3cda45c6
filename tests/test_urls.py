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
from django.urls import URLPattern, URLResolver, resolve

from guidance.models import GuidelineVersion
from netadvisor import urls
from tests.wizard_client import (
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    SMALL_RECTUM,
    answer_steps,
    answers_for,
    done_url,
    post_step,
    run_wizard,
    start,
    step_url,
)

pytestmark = pytest.mark.django_db

API_URL = "/api/v1/recommendations"

# Routes that carry no case data and no wizard state.
PUBLIC_ROUTES = {"guidance:home", "guidance:health", "login", "logout"}

API_CASE = json.dumps(SMALL_RECTUM)

Ask = Callable[[Client, str], object]


def get(url: str) -> Ask:
    return lambda client, case: client.get(url.format(case=case))


def api(body: str) -> Ask:
    return lambda client, case: client.post(API_URL, data=body, content_type="application/json")


def on_a_new_case(ask: Callable[[Client], object]) -> Ask:
    """Start a run of the wizard (each run has its own URLs), then ask."""

    def asked(client: Client, case: str):
        start(client)
        return ask(client)

    return asked


def at_the_review(client: Client):
    answer_steps(client, LOCALISED_COLON, until="review")
    return client.get(step_url(client, "review"))


def done_without_a_guideline(client: Client):
    answer_steps(client, LOCALISED_COLON)
    GuidelineVersion.objects.update(status=GuidelineVersion.Status.RETIRED)
    return client.get(done_url(client))


def recommendation(case: dict) -> Ask:
    def asked(client: Client, saved: str):
        response = run_wizard(client, case)
        assert response.wsgi_request.path == done_url(client)
        return response

    return asked


# (what, who asks, the route asked for, the status, how it is asked: {case} is Alice's case)
VISITS = [
    ("history", "alice", "guidance:case-list", 200, get("/cases/")),
    ("history with a bad filter", "alice", "guidance:case-list", 200, get("/cases/?date_from=x")),
    ("case page", "alice", "guidance:case-detail", 200, get("/cases/{case}/")),
    (
        "case page, HEAD",
        "alice",
        "guidance:case-detail",
        200,
        lambda c, case: c.head(f"/cases/{case}/"),
    ),
    (
        "case page, PUT refused",
        "alice",
        "guidance:case-detail",
        405,
        lambda c, case: c.put(f"/cases/{case}/"),
    ),
    ("case page, not logged in", "visitor", "guidance:case-detail", 302, get("/cases/{case}/")),
    ("print view", "alice", "guidance:case-print", 200, get("/cases/{case}/print/")),
    ("re-check", "alice", "guidance:case-recheck", 200, get("/cases/{case}/recheck/")),
    ("delete confirmation", "alice", "guidance:case-delete", 200, get("/cases/{case}/delete/")),
    (
        "delete",
        "alice",
        "guidance:case-delete",
        302,
        lambda c, case: c.post(f"/cases/{case}/delete/"),
    ),
    (
        "start from",
        "alice",
        "guidance:case-start-from",
        302,
        lambda c, case: c.post(f"/cases/{case}/start/"),
    ),
    (
        "start from, GET refused",
        "alice",
        "guidance:case-start-from",
        405,
        get("/cases/{case}/start/"),
    ),
    ("wizard start", "visitor", "guidance:case-new", 302, lambda c, case: c.post("/cases/new/")),
    ("wizard start, GET", "visitor", "guidance:case-new", 302, get("/cases/new/")),
    (
        "wizard run",
        "visitor",
        "guidance:case-run",
        302,
        on_a_new_case(lambda c: c.get(step_url(c, "tumour").removesuffix("tumour/"))),
    ),
    (
        "wizard step",
        "visitor",
        "guidance:case-new-step",
        200,
        on_a_new_case(lambda c: c.get(step_url(c, "tumour"))),
    ),
    (
        "wizard step with errors",
        "visitor",
        "guidance:case-new-step",
        200,
        on_a_new_case(lambda c: post_step(c, "tumour", site="x")),
    ),
    (
        "wizard step accepted",
        "visitor",
        "guidance:case-new-step",
        302,
        on_a_new_case(lambda c: post_step(c, "tumour", **answers_for("tumour", LOCALISED_COLON))),
    ),
    ("wizard review", "visitor", "guidance:case-new-step", 200, lambda c, case: at_the_review(c)),
    (
        "wizard rejection",
        "visitor",
        "guidance:case-new-step",
        400,
        on_a_new_case(lambda c: post_step(c, "review", shown="answers changed since")),
    ),
    (
        "recommendation page",
        "visitor",
        "guidance:case-new-step",
        200,
        recommendation(LOCALISED_COLON),
    ),
    (
        "recommendation saved",
        "alice",
        "guidance:case-new-step",
        302,
        recommendation(METASTATIC_SMALL_BOWEL),
    ),
    (
        "recommendation without a guideline",
        "visitor",
        "guidance:case-new-step",
        503,
        lambda c, case: done_without_a_guideline(c),
    ),
    ("api", "visitor", "guidance:api-recommendations", 200, api(API_CASE)),
    ("api, bad JSON", "visitor", "guidance:api-recommendations", 400, api("{")),
    ("api, bad field", "visitor", "guidance:api-recommendations", 400, api('{"size_mm": NaN}')),
    (
        "api, GET refused",
        "visitor",
        "guidance:api-recommendations",
        405,
        lambda c, case: c.get(API_URL),
    ),
]


@pytest.mark.parametrize(
    ("who", "route", "status", "ask"), [visit[1:] for visit in VISITS], ids=[v[0] for v in VISITS]
)
def test_every_page_with_case_data_or_wizard_state_says_no_store_private(
    client, alice_client, case, who, route, status, ask
):
    response = ask(alice_client if who == "alice" else client, case.pk)

    assert resolve(response.wsgi_request.path).view_name == route  # the page named, not another
    assert response.status_code == status
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control


def route_names(patterns, namespace: str = "") -> set[str]:
    """The names of the routes, as ``{% url %}`` takes them, of the included patterns too."""
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                names |= route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_the_pages_visited_are_every_route_but_the_public_ones_and_the_admin():
    routes = route_names(urls.urlpatterns)
    visited = {route for _, _, route, _, _ in VISITS}

    assert {"guidance:case-list", "login"} <= routes
    assert visited == routes - PUBLIC_ROUTES
