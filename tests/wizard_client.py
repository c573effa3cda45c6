"""Driving the case wizard through the Django test client, and the cases the tests use.

Cases are dicts in the specification's field names (design/decision-rules.md, section 1)
with JSON-style values: ``True``/``False`` for booleans, numbers for numbers, ``None`` for
"not given". ``run_wizard(client, case)`` walks the whole wizard for one case the way a
clinician would and returns what the done URL gives: the recommendation page for an
anonymous visitor, the redirect to the saved case for a logged-in clinician.

The step names, their fields and the URLs are written out here rather than read from
the app, so that a renamed step or field fails these tests instead of following along.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse
from django.test import Client

START_URL = "/cases/new/?reset=1"
DONE_URL = "/cases/new/done/"
MANAGEMENT_FIELD = "case_wizard-current_step"
SESSION_KEY = "wizard_case_wizard"  # where formtools' session storage keeps the wizard

# Every step in wizard order, with the case facts it asks for.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "tumour": ("site", "tumour_type", "hormonal_symptoms"),
    "pancreas": ("pancreas_region",),
    "pathology": ("differentiation", "ki67_percent", "mitoses_per_10hpf"),
    "extent": ("size_mm", "extent", "ssr_imaging"),
    "metastases": ("metastases_resectable",),
    "review": (),
}

# The specification's defaults for facts a case may leave out.
DEFAULTS = {"metastases_resectable": "unknown", "ssr_imaging": "not_done"}


# --- The cases -----------------------------------------------------------------------

# A small, localised, well-differentiated G1 NET of the colon: the plainest case.
LOCALISED_COLON = {
    "site": "colon",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 15,
    "differentiation": "well",
    "ki67_percent": 1,
    "mitoses_per_10hpf": 1,
    "extent": "localised",
    "ssr_imaging": "not_done",
}

# The README's small rectal NET: local excision.
SMALL_RECTUM = {
    "site": "rectum",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 7,
    "differentiation": "well",
    "ki67_percent": 1.5,
    "mitoses_per_10hpf": 1,
    "extent": "localised",
}

# One section (insulinoma-local-excision), and the pancreas step.
SMALL_INSULINOMA = {
    "site": "pancreas",
    "pancreas_region": "tail",
    "tumour_type": "insulinoma",
    "hormonal_symptoms": True,
    "size_mm": 12,
    "differentiation": "well",
    "ki67_percent": 1,
    "mitoses_per_10hpf": 0,
    "extent": "localised",
    "ssr_imaging": "not_done",
}

# Six sections, and the metastases step.
METASTATIC_SMALL_BOWEL = {
    "site": "small_intestine",
    "tumour_type": "other_functional",
    "hormonal_symptoms": True,
    "size_mm": 30,
    "differentiation": "well",
    "ki67_percent": 4,
    "mitoses_per_10hpf": 2,
    "extent": "distant_metastases",
    "metastases_resectable": "yes",
    "ssr_imaging": "positive",
}

# Five warnings as well as two sections: nodal disease, a discordant grade, a gastrinoma
# of the rectum without symptoms, differentiation not known.
WARNED_RECTUM = {
    "site": "rectum",
    "tumour_type": "gastrinoma",
    "hormonal_symptoms": False,
    "size_mm": 25.5,
    "differentiation": "unknown",
    "ki67_percent": 2.9,
    "mitoses_per_10hpf": 5,
    "extent": "regional_nodes",
    "ssr_imaging": "negative",
}


# Poorly differentiated: one section whatever the site and extent.
POORLY_DIFFERENTIATED = {
    "site": "pancreas",
    "pancreas_region": "body",
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": 45,
    "differentiation": "poor",
    "ki67_percent": 80,
    "mitoses_per_10hpf": 60,
    "extent": "distant_metastases",
    "metastases_resectable": "no",
    "ssr_imaging": "not_done",
}


def case(base: dict[str, Any] = LOCALISED_COLON, **overrides: Any) -> dict[str, Any]:
    """A copy of a named case with some facts changed."""
    return {**base, **overrides}


# --- Posting steps -------------------------------------------------------------------


def step_url(step: str) -> str:
    return f"/cases/new/{step}/"


def encode(value: Any) -> str:
    """A JSON-style value as a form posts it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def post_step(
    client: Client,
    step: str,
    *,
    back_to: str | None = None,
    return_to_review: bool = False,
    url: str | None = None,
    **fields: Any,
) -> HttpResponse:
    """Post one step: the management form plus ``fields`` prefixed with the step name.

    ``back_to`` presses the Back button (``wizard_goto_step``); ``return_to_review`` posts
    the hidden field a review "Change" link adds. The response is not followed.
    """
    data = {MANAGEMENT_FIELD: step}
    data.update({f"{step}-{name}": encode(value) for name, value in fields.items()})
    if back_to is not None:
        data["wizard_goto_step"] = back_to
    if return_to_review:
        data["return_to_review"] = "1"
    return client.post(url or step_url(step), data)


def steps_for(case: dict[str, Any]) -> list[str]:
    """The steps the wizard asks for this case, in order."""
    skipped = set()
    if case.get("site") != "pancreas":
        skipped.add("pancreas")
    if case.get("extent") != "distant_metastases":
        skipped.add("metastases")
    return [step for step in STEP_FIELDS if step not in skipped]


def answers_for(step: str, case: dict[str, Any]) -> dict[str, Any]:
    """What a clinician enters on ``step`` for this case (defaults for facts left out)."""
    return {name: case.get(name, DEFAULTS.get(name)) for name in STEP_FIELDS[step]}


def run_wizard(client: Client, case: dict[str, Any], *, reference: str = "") -> HttpResponse:
    """Walk the whole wizard for ``case`` from a fresh start; return the done URL's response.

    ``reference`` is typed into the review step's optional case reference. For an anonymous
    client the response is the recommendation page (nothing is saved); for a logged-in
    clinician it is the redirect (302) to the case just saved.
    """
    answer_steps(client, case, reference=reference)
    return client.get(DONE_URL)


def answer_steps(
    client: Client, case: dict[str, Any], *, until: str = "done", reference: str = ""
) -> HttpResponse:
    """Start afresh and answer every step ``case`` needs before ``until``.

    Returns the last step's response: the redirect to ``until``. Each step must accept its
    answers and lead to the next step the case needs; if one does not, this fails with
    the step's errors rather than carry on to a misleading page. ``reference`` is what is
    typed into the review step's case reference (posted empty, as a browser does, if not
    given).
    """
    start = client.get(START_URL, follow=True)
    _expect(
        start.status_code == 200 and start.request["PATH_INFO"] == step_url("tumour"),
        f"{START_URL} did not lead to the first step",
        start,
    )
    steps = steps_for(case)
    if until != "done" and until not in steps:
        raise ValueError(f"{until!r} is not a step this case goes through: {steps}")
    response = start
    for step, following in zip(steps, [*steps[1:], "done"], strict=True):
        if step == until:
            break
        answers = answers_for(step, case)
        if step == "review":
            answers["reference"] = reference
        response = post_step(client, step, **answers)
        _expect(
            response.status_code == 302 and response.url == step_url(following),
            f"the {step} step did not lead to {following}",
            response,
        )
    return response


def _expect(condition: bool, message: str, response: HttpResponse) -> None:
    if condition:
        return
    errors = None
    if response.context and "wizard" in response.context:
        errors = response.context["wizard"]["form"].errors.get_json_data()
    location = response.get("Location")
    raise AssertionError(
        f"{message}: status {response.status_code}, location {location}, errors {errors}"
    )


# --- Reading a rendered step ---------------------------------------------------------


class _FormValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag != "input" or not name:
            return
        if attributes.get("type") in ("radio", "checkbox"):
            if "checked" in attributes:
                self.values[name] = attributes.get("value") or ""
            else:
                self.values.setdefault(name, "")
        else:
            self.values[name] = attributes.get("value") or ""


def form_values(response: HttpResponse) -> dict[str, str]:
    """Each input on the page as a browser would submit it ("" for an unchecked radio)."""
    parser = _FormValues()
    parser.feed(response.content.decode())
    return parser.values
