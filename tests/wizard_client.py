"""Driving the case wizard through the Django test client, and the cases the tests use.

Cases are dicts in the specification's field names (docs/decision-rules.md, section 1)
with JSON-style values: ``True``/``False`` for booleans, numbers for numbers, ``None`` for
"not given". ``run_wizard(client, case)`` walks the whole wizard for one case the way a
clinician would and returns what the done URL gives: the recommendation page for an
anonymous visitor, the redirect to the saved case for a logged-in clinician.

Each case is a run of the wizard with its own id in its URLs (``/cases/new/<run>/<step>/``),
started by a POST to ``/cases/new/``. ``start(client)`` starts one and remembers it on the
client (``client.wizard_run``): ``step_url(client, step)``, ``done_url(client)`` and
``post_step`` then address that run. ``Tab`` is a browser tab, for several runs at once.

The step names, their fields and the URLs are written out here rather than read from
the app, so that a renamed step or field fails these tests instead of following along.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.http import HttpResponse
from django.test import Client

NEW_CASE_URL = "/cases/new/"  # POST: a new run of the wizard
RUN_URL = re.compile(r"^/cases/new/(?P<run>[0-9a-f]{32})/")
REVIEW_OF_A_NEW_RUN = r"/cases/new/[0-9a-f]{32}/review/"  # a new run of the wizard, at its review
RUNS_SESSION_KEY = "case_wizard_runs"  # the runs in progress in a session, oldest first
REVIEWED_FIELD = "answers_shown"  # the review's digest of the answers it shows

# Every step in wizard order, with the case facts it asks for.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "tumour": ("site", "tumour_type", "hormonal_symptoms"),
    "pancreas": ("pancreas_region",),
    "stomach": ("gastric_type",),
    "pathology": ("differentiation", "ki67_percent", "mitoses_per_10hpf"),
    "extent": ("size_mm", "extent", "ssr_imaging"),
    "metastases": ("metastases_resectable",),
    "review": (),
}

# What a refused review says, whatever refused it; and what a saved case's page says first.
NOTHING_SAVED = "Nothing was saved."
SAVED_MESSAGE = "The case is saved in your history."

# The specification's defaults for facts a case may leave out.
DEFAULTS = {
    "gastric_type": "unknown",
    "metastases_resectable": "unknown",
    "ssr_imaging": "not_done",
}


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


# A non-functional tumour of the pancreatic head that has spread: every step applies.
PANCREATIC_METASTATIC = case(METASTATIC_SMALL_BOWEL, site="pancreas", pancreas_region="head")
# The same tumour, localised: the pancreas step applies, the metastases step does not.
PANCREATIC_LOCALISED = case(LOCALISED_COLON, site="pancreas", pancreas_region="head")
# A small type 1 gastric NET: the stomach step applies.
GASTRIC_TYPE_1 = case(LOCALISED_COLON, site="stomach", gastric_type="type_1", size_mm=8)
# An insulinoma of the pancreatic body with resectable liver metastases and negative SSR
# imaging: version 1 shows it the somatostatin analogue section, version 2 withholds it.
METASTATIC_INSULINOMA_SSR_NEGATIVE = case(
    SMALL_INSULINOMA,
    pancreas_region="body",
    size_mm=35,
    ki67_percent=5,
    mitoses_per_10hpf=3,
    extent="distant_metastases",
    metastases_resectable="yes",
    ssr_imaging="negative",
)


# --- Runs and their addresses ---------------------------------------------------------


def run_of(url: str) -> str:
    """The run a wizard URL belongs to."""
    match = RUN_URL.match(urlsplit(url).path)
    assert match, f"{url} is not a page of a run of the wizard"
    return match["run"]


def start(client: Client) -> HttpResponse:
    """Start a new case as "New case" does; return its first step's page.

    The run is remembered on the client (``client.wizard_run``) for the functions below.
    """
    page = client.post(NEW_CASE_URL, follow=True)
    path = page.request["PATH_INFO"]
    assert page.status_code == 200 and path.endswith("/tumour/"), (
        f"{NEW_CASE_URL} led to {path} ({page.status_code}), not a new case's first step"
    )
    client.wizard_run = run_of(path)
    return page


def step_url(client: Client, step: str, *, run: str | None = None) -> str:
    return f"/cases/new/{run or client.wizard_run}/{step}/"


def done_url(client: Client, *, run: str | None = None) -> str:
    return step_url(client, "done", run=run)


def management_field(client: Client, *, run: str | None = None) -> str:
    """The wizard's hidden step field: its name carries the run's id."""
    return f"case_wizard_{run or client.wizard_run}-current_step"


def session_key(client: Client, *, run: str | None = None) -> str:
    """Where formtools' session storage keeps the run's answers."""
    return f"wizard_case_wizard_{run or client.wizard_run}"


def answers_shown(client: Client) -> str:
    """The review page's digest of its answers, as a browser showing it would submit it."""
    return form_values(client.get(step_url(client, "review"))).get(REVIEWED_FIELD, "")


# --- Posting steps -------------------------------------------------------------------


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
    shown: str | None = None,
    **fields: Any,
) -> HttpResponse:
    """Post one step of the client's run: the management form plus ``fields``, prefixed.

    ``back_to`` presses the Back button (``wizard_goto_step``); ``return_to_review`` posts
    the hidden field a review "Change" link adds. The review step also posts the digest of
    the answers the review shows: ``shown``, or read from the review page as it is now.
    The response is not followed.
    """
    data = {management_field(client): step}
    data.update({f"{step}-{name}": encode(value) for name, value in fields.items()})
    if back_to is not None:
        data["wizard_goto_step"] = back_to
    if return_to_review:
        data["return_to_review"] = "1"
    if step == "review":
        data[REVIEWED_FIELD] = answers_shown(client) if shown is None else shown
    return client.post(url or step_url(client, step), data)


def steps_for(case: dict[str, Any]) -> list[str]:
    """The steps the wizard asks for this case, in order."""
    skipped = set()
    if case.get("site") != "pancreas":
        skipped.add("pancreas")
    if case.get("site") != "stomach":
        skipped.add("stomach")
    if case.get("extent") != "distant_metastases":
        skipped.add("metastases")
    return [step for step in STEP_FIELDS if step not in skipped]


def answers_for(step: str, case: dict[str, Any]) -> dict[str, Any]:
    """What a clinician enters on ``step`` for this case (defaults for facts left out)."""
    return {name: case.get(name, DEFAULTS.get(name)) for name in STEP_FIELDS[step]}


def run_wizard(client: Client, case: dict[str, Any], *, reference: str = "") -> HttpResponse:
    """Walk the whole wizard for ``case`` as a new case; return the done URL's response.

    ``reference`` is typed into the review step's optional case reference. For an anonymous
    client the response is the recommendation page (nothing is saved); for a logged-in
    clinician it is the redirect (302) to the case just saved.
    """
    answer_steps(client, case, reference=reference)
    return client.get(done_url(client))


def answer_steps(
    client: Client, case: dict[str, Any], *, until: str = "done", reference: str = ""
) -> HttpResponse:
    """Start a new case and answer every step ``case`` needs before ``until``.

    Returns the last step's response: the redirect to ``until``. Each step must accept its
    answers and lead to the next step the case needs; if one does not, this fails with
    the step's errors rather than carry on to a misleading page. ``reference`` is what is
    typed into the review step's case reference (posted empty, as a browser does, if not
    given).
    """
    response = start(client)
    steps = steps_for(case)
    if until != "done" and until not in steps:
        raise ValueError(f"{until!r} is not a step this case goes through: {steps}")
    for step, following in zip(steps, [*steps[1:], "done"], strict=True):
        if step == until:
            break
        answers = answers_for(step, case)
        if step == "review":
            answers["reference"] = reference
        response = post_step(client, step, **answers)
        _expect(
            response.status_code == 302 and response.url == step_url(client, following),
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


def current_step(response) -> str:
    return response.context["wizard"]["steps"].current


def progress(response) -> str:
    match = re.search(r"Step \d+ of \d+", response.content.decode())
    assert match, "the page has no progress indicator"
    return match.group()


def change_url(client, step: str) -> str:
    return step_url(client, step) + "?change=1"


def path(url: str) -> str:
    return urlsplit(url).path


def lands_on(client, url: str) -> str:
    """Where a GET of ``url`` ends up, redirects followed."""
    response = client.get(url, follow=True)
    return response.redirect_chain[-1][0] if response.redirect_chain else url


def submit(client, page, url: str, **answers):
    """Submit a rendered step as the browser would: the form as shown, to the page's URL."""
    step = current_step(page)
    data = form_values(page)
    data.update({f"{step}-{name}": encode(value) for name, value in answers.items()})
    return client.post(url, data)


def expect_step_values(response, step: str, facts: dict) -> None:
    """The step's inputs show the case's answers (radios checked, numbers filled in)."""
    shown = form_values(response)
    for name, value in answers_for(step, facts).items():
        assert shown[f"{step}-{name}"] == encode(value), name


def review_rows(response) -> list[tuple[str, str]]:
    """The (question, answer) rows the review lists, in order."""
    return re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", response.content.decode())


def tamper(client, step: str, field: str, value: str) -> None:
    """Change one stored answer behind the wizard's back, as a forged session would."""
    session = client.session
    wizard = session[session_key(client)]
    wizard["step_data"][step][f"{step}-{field}"] = [value]
    session[session_key(client)] = wizard
    session.save()


# --- A browser tab -------------------------------------------------------------------


class _Controls(HTMLParser):
    """The links and forms of a page, each with what a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (text, href)
        self.forms: list[dict[str, Any]] = []
        self._text: list[str] | None = None
        self._href: str | None = None
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            self._href, self._text = attributes["href"], []
        elif tag == "form":
            self.forms.append(
                {
                    "action": attributes.get("action", ""),
                    "method": attributes.get("method", "get").lower(),
                    "fields": [],
                    "buttons": [],
                }
            )
        elif tag == "input" and self.forms and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attributes:
                return
            if kind != "submit":
                self.forms[-1]["fields"].append((attributes["name"], attributes.get("value", "")))
        elif tag == "button" and self.forms:
            self._button = {
                "name": attributes.get("name", ""),
                "value": attributes.get("value", ""),
            }
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text or []).split()), self._href))
            self._href, self._text = None, None
        elif tag == "button" and self._button is not None:
            self._button["text"] = " ".join("".join(self._text or []).split())
            self.forms[-1]["buttons"].append(self._button)
            self._button, self._text = None, None


class Tab:
    """One browser tab on a test client: several tabs on one client share its session.

    A tab keeps the page it shows and uses its links and buttons as a browser would: a link
    is followed, a button submits its form as it was rendered (with what is typed), and
    redirects are followed. Nothing is read from the app but the pages themselves.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.response: HttpResponse | None = None
        self.url = ""

    @property
    def html(self) -> str:
        assert self.response is not None, "the tab shows no page yet"
        return self.response.content.decode()

    @property
    def status_code(self) -> int:
        assert self.response is not None, "the tab shows no page yet"
        return self.response.status_code

    def open(self, url: str) -> HttpResponse:
        return self._arrive(url, self.client.get(url, follow=True))

    def press(self, text: str, typed: dict[str, Any] | None = None) -> HttpResponse:
        """Press the button or follow the link labelled ``text`` (the first, if several).

        ``typed`` is what is typed or chosen in the button's form first, by field name.
        """
        controls = _Controls()
        controls.feed(self.html)
        for form in controls.forms:
            for button in form["buttons"]:
                if button["text"] == text:
                    return self._submit(form, button, typed or {})
        for link_text, href in controls.links:
            if link_text == text:
                assert not typed, f"{text!r} is a link: nothing is typed"
                return self.open(urljoin(self.url, href))
        raise AssertionError(f"no button or link {text!r} on {self.url}")

    def answer(self, step: str, case: dict[str, Any], *, reference: str = "") -> HttpResponse:
        """On ``step``'s page, give ``case``'s answers and press the button that goes on."""
        assert urlsplit(self.url).path.rstrip("/").rsplit("/", 1)[-1] == step, (
            f"{self.url} is not the {step} step"
        )
        if step == "review":
            return self.press("Show recommendations", {"review-reference": reference})
        typed = {f"{step}-{name}": encode(value) for name, value in answers_for(step, case).items()}
        return self.press("Next", typed)

    def start(self, case: dict[str, Any], *, until: str = "review") -> HttpResponse:
        """Press "New case" in the navigation; answer the steps ``case`` needs before ``until``."""
        if self.response is None:
            self.open("/")
        response = self.press("New case")
        for step in steps_for(case):
            if step == until:
                break
            response = self.answer(step, case)
        return response

    def _submit(self, form: dict[str, Any], button: dict[str, str], typed: dict[str, Any]):
        fields: dict[str, list[str]] = {}
        for name, value in form["fields"]:
            fields.setdefault(name, []).append(value)
        fields.update({name: [value] for name, value in typed.items()})
        if button["name"]:
            fields[button["name"]] = [button["value"]]
        url = urljoin(self.url, form["action"]) if form["action"] else self.url
        if form["method"] == "post":
            return self._arrive(url, self.client.post(url, fields, follow=True))
        return self._arrive(url, self.client.get(url, fields, follow=True))

    def _arrive(self, url: str, response: HttpResponse) -> HttpResponse:
        self.response = response
        self.url = response.redirect_chain[-1][0] if response.redirect_chain else url
        return response
