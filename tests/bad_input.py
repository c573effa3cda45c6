"""Bad input at scale, with Hypothesis: the values, strategies and checks the bad-input tests
of the API, the wizard and saving share.

Every test class that uses these is a ``hypothesis.extra.django.TestCase``: each example runs
in its own transaction, rolled back after it (``@given`` with pytest-django's ``db`` fixture
would let one example's rows leak into the next). Generation is derandomized and the example
database is off (``fuzz``), so a run is the same on every machine.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from django.apps import apps
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st

from guidance.api import NUMBER_FIELDS
from guidance.forms import FACT_FIELDS
from tests import advice
from tests.wizard_client import (
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    POORLY_DIFFERENTIATED,
    REVIEWED_FIELD,
    SMALL_INSULINOMA,
    STEP_FIELDS,
    WARNED_RECTUM,
    answers_for,
    case,
    encode,
    steps_for,
)

API_URL = "/api/v1/recommendations"


def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,  # a request through the whole stack is slow and its time uneven
        derandomize=True,  # the same examples on every run, so CI is deterministic
        database=None,
        # No "explain" phase: on a failure it reruns the test hundreds of times through the
        # whole request stack; the shrunk failing example is what a reader needs.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


def choices(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    return [value for value, _ in pairs]


# The valid value of every choice field, and the fields themselves.
CHOICES = {
    "site": choices(advice.SITES),
    "pancreas_region": choices(advice.PANCREAS_REGIONS),
    "gastric_type": choices(advice.GASTRIC_TYPES),
    "tumour_type": choices(advice.TUMOUR_TYPES),
    "differentiation": choices(advice.DIFFERENTIATIONS),
    "extent": choices(advice.EXTENTS),
    "metastases_resectable": choices(advice.RESECTABILITY),
    "ssr_imaging": choices(advice.SSR_IMAGING),
}
ALL_CHOICES = sorted({value for values in CHOICES.values() for value in values})
STEP_NAMES = list(STEP_FIELDS)


# --- Values ---------------------------------------------------------------------------

# Strings that look almost right: a choice in the wrong case or with padding, numbers
# written the ways people (and programs) write them.
NEAR_MISSES = [
    "",
    " ",
    "\x00",
    "0E+1000",
    "0e999999999999999999",
    "-0E+5",
    "sNaN",
    "2.00000",
    "٣٠",  # Arabic-Indic thirty
    "Pancreas",
    " pancreas",
    "pancreas\x00",
    "distant metastases",
    "yes",
    "no",
    "true",
    "True",
    "1",
    "0",
    "-0",
    "-0.0",
    "0.05",
    "1_5",
    "15.",
    ".5",
    "1e1",
    "1E+2",
    "3.0E+2",
    "1e308",
    "1e-400",
    "1e999999999",
    "NaN",
    "nan",
    "-Infinity",
    "inf",
    "300.05",
    "100.1",
    "501",
    "2.0",
    "2.5",
    "0x10",
    "１２",  # fullwidth digits
    "٣",  # an Arabic-Indic three
    "1" + "0" * 30,
]
# More digits than Python's int() converts by default (4300).
MANY_DIGITS = st.sampled_from(["9", "1", "0"]).map(lambda digit: digit * 5000)

huge_ints = st.one_of(
    st.integers(),
    # Up to 4300 digits, the most json.dumps() writes (and json.loads() reads) by default.
    st.builds(
        lambda sign, power, offset: sign * 10**power + offset,
        st.sampled_from([1, -1]),
        st.integers(min_value=9, max_value=4299),
        st.integers(min_value=-1, max_value=1),
    ),
)
long_text = st.builds(
    lambda unit, times: (unit * times)[:20_000],
    st.text(min_size=1, max_size=8),
    st.integers(min_value=1_000, max_value=20_000),
)
number_strings = st.one_of(
    st.integers().map(str),
    huge_ints.map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.from_regex(r"\A[ +-]?\d{0,6}([.,]\d{0,4})?([eE][+-]?\d{1,4})?\s?\Z"),
)
# What a text field or a posted form value can be (surrogates excluded: they cannot be
# encoded as UTF-8, so neither a browser nor a JSON client can send them).
texts = st.one_of(
    st.text(max_size=50),
    st.sampled_from(ALL_CHOICES),
    st.sampled_from(NEAR_MISSES),
    MANY_DIGITS,
    number_strings,
    long_text,
)

special_floats = st.sampled_from(
    [math.nan, math.inf, -math.inf, -0.0, 0.0, 1e308, -1e308, 5e-324, 1e-5, 0.1, 300.05, 100.04]
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    huge_ints,
    st.floats(),
    special_floats,
    texts,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)

MISSING = object()  # a key left out of the payload


def valid_value(name: str) -> st.SearchStrategy[Any]:
    if name in CHOICES:
        return st.sampled_from(CHOICES[name])
    if name == "hormonal_symptoms":
        return st.booleans()
    if name == "size_mm":
        return tenths(1, 3000)
    if name == "ki67_percent":
        return st.none() | tenths(0, 1000)
    if name == "mitoses_per_10hpf":
        return st.none() | st.integers(min_value=0, max_value=500)
    raise AssertionError(name)


def tenths(low: int, high: int) -> st.SearchStrategy[int | float]:
    """A number with at most one decimal place, low/10 to high/10, as JSON writes it."""
    return st.builds(
        lambda n, whole: n // 10 if whole and n % 10 == 0 else n / 10,
        st.integers(min_value=low, max_value=high),
        st.booleans(),
    )


@st.composite
def valid_cases(draw) -> dict[str, Any]:
    """A valid case in JSON values: optional facts left out or null at random."""
    site = draw(st.sampled_from(CHOICES["site"]))
    extent = draw(st.sampled_from(CHOICES["extent"]))
    values: dict[str, Any] = {
        "site": site,
        "tumour_type": draw(valid_value("tumour_type")),
        "hormonal_symptoms": draw(st.booleans()),
        "size_mm": draw(valid_value("size_mm")),
        "differentiation": draw(valid_value("differentiation")),
        "extent": extent,
        "ki67_percent": draw(valid_value("ki67_percent") | st.just(MISSING)),
        "mitoses_per_10hpf": draw(valid_value("mitoses_per_10hpf") | st.just(MISSING)),
        "ssr_imaging": draw(valid_value("ssr_imaging") | st.none() | st.just(MISSING)),
    }
    if site == "pancreas":
        values["pancreas_region"] = draw(valid_value("pancreas_region"))
    else:
        values["pancreas_region"] = draw(st.sampled_from([None, "", MISSING]))
    if site == "stomach":  # a type, or none given: not known
        values["gastric_type"] = draw(valid_value("gastric_type") | st.sampled_from([None, ""]))
    else:
        values["gastric_type"] = draw(st.sampled_from([None, "", MISSING]))
    if extent == "distant_metastases":
        values["metastases_resectable"] = draw(
            valid_value("metastases_resectable") | st.just(MISSING)
        )
    else:
        values["metastases_resectable"] = draw(st.sampled_from(["unknown", None, MISSING]))
    return {name: value for name, value in values.items() if value is not MISSING}


def wrong_value(name: str) -> st.SearchStrategy[Any]:
    """Anything for this field, with values of its own kind (numbers, text) made likely."""
    if name in NUMBER_FIELDS:
        near = st.one_of(huge_ints, st.floats(), special_floats, tenths(-1_000, 100_000))
    elif name == "hormonal_symptoms":
        near = st.sampled_from([0, 1, "yes", "no", "true", "false", ""])
    else:
        near = texts
    return st.one_of(st.just(MISSING), near, json_values)


@st.composite
def mixed_payloads(draw) -> dict[str, Any]:
    """A valid case with some of its fields changed to anything or left out, and extra keys.

    Starting from a valid case means most payloads get past the JSON type checks, so the
    form's own parsing of each value (numbers above all) is what is exercised.
    """
    payload = draw(valid_cases())
    for name in draw(st.sets(st.sampled_from(FACT_FIELDS), max_size=len(FACT_FIELDS))):
        value = draw(wrong_value(name))
        if value is MISSING:
            payload.pop(name, None)
        else:
            payload[name] = value
    extra = draw(st.dictionaries(st.text(max_size=20), json_values, max_size=2))
    return {**extra, **payload} if draw(st.booleans()) else {**payload, **extra}


def assert_within_spec(payload: dict[str, Any]) -> None:
    """An accepted case: every value within the specification's table of case facts.

    Written out independently of the app's forms, so a loosened check there fails here.
    """
    assert set(payload) <= set(FACT_FIELDS), payload
    for name in ("site", "tumour_type", "differentiation", "extent"):
        assert payload.get(name) in CHOICES[name], (name, payload)
    assert isinstance(payload["hormonal_symptoms"], bool), payload

    def number(name: str) -> Decimal | None:
        value = payload.get(name)
        if value is None:
            return None
        assert isinstance(value, int | float | Decimal) and not isinstance(value, bool), (
            name,
            value,
        )
        # A float is read as the digits json.dumps() writes for it, as the API reads them.
        number = value if isinstance(value, Decimal) else Decimal(repr(value))
        assert number.is_finite(), (name, value)
        return number

    size, ki67, mitoses = number("size_mm"), number("ki67_percent"), number("mitoses_per_10hpf")
    assert size is not None and 0 < size <= advice.SIZE_MAX_MM, payload
    assert size.as_tuple().exponent >= -1, payload  # one decimal place at most
    if ki67 is not None:
        assert 0 <= ki67 <= advice.KI67_MAX and ki67.as_tuple().exponent >= -1, payload
    if mitoses is not None:
        assert mitoses == mitoses.to_integral_value() and 0 <= mitoses <= 500, payload
    region = payload.get("pancreas_region")
    if payload["site"] == "pancreas":
        assert region in CHOICES["pancreas_region"], payload
    else:
        assert region in (None, ""), payload
    gastric_type = payload.get("gastric_type")
    if payload["site"] == "stomach":
        assert gastric_type in (None, "", *CHOICES["gastric_type"]), payload
    else:
        assert gastric_type in (None, ""), payload
    resectable = payload.get("metastases_resectable")
    assert resectable in (None, "", *CHOICES["metastases_resectable"]), payload
    if payload["extent"] != "distant_metastases":
        assert resectable in (None, "", "unknown"), payload
    assert payload.get("ssr_imaging") in (None, "", *CHOICES["ssr_imaging"]), payload


def expected_grade(payload: dict[str, Any]) -> advice.GradeAssessment:
    """The grade of an accepted case (a count sent as 2.0 is the whole number 2)."""
    ki67, mitoses = payload.get("ki67_percent"), payload.get("mitoses_per_10hpf")
    return advice.grade_from(
        ki67_percent=None if ki67 is None else Decimal(str(ki67)),
        mitoses_per_10hpf=None if mitoses is None else int(Decimal(str(mitoses))),
    )


def is_json(text: str) -> bool:
    try:
        read_exactly(text)
    except ValueError:
        return False
    return True


def read_exactly(text: str) -> Any:
    """A JSON text with its numbers as the digits written, never rounded through a float."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


# --- Checks ---------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows in every table of every installed model, sessions and cases included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def assert_documented_answer(response) -> dict[str, Any] | None:
    """A 200 in the documented shape, or a 400 with field errors; returns a 200's body."""
    assert response.status_code in (200, 400), (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/json"
    assert not response.cookies, response.cookies  # no session, no CSRF cookie: stateless
    body = json.loads(response.content)
    event(f"status {response.status_code}")
    if response.status_code == 400:
        assert set(body) == {"errors"}, body
        assert isinstance(body["errors"], dict) and body["errors"], body
        for field, messages in body["errors"].items():
            assert isinstance(field, str)
            assert isinstance(messages, list) and messages, body
            assert all(isinstance(m, str) and m.strip() for m in messages), body
        return None
    assert set(body) == {
        "guideline",
        "grade",
        "grade_basis",
        "category",
        "recommendations",
        "warnings",
        "sensitivity",
    }, body
    assert set(body["guideline"]) == {
        "title", "version", "citation", "about_source", "not_covered", "in_use_since",
    }
    assert body["grade"] in (None, "G1", "G2", "G3")
    assert all(isinstance(reason, str) for reason in body["grade_basis"])
    assert body["category"] in ("well_differentiated", "poorly_differentiated")
    assert body["recommendations"]
    for item in body["recommendations"]:
        assert set(item) == {
            "section", "group", "heading", "source_heading", "voice", "citation", "text",
            "reasons",
        }
        assert item["section"] in advice.SECTION_SLUGS
        assert item["voice"] in ("guideline", "note")
    for item in body["warnings"]:
        assert set(item) == {"code", "message", "voice", "citation", "detail"}
        assert item["voice"] in ("guideline", "note")
    return body


# --- The wizard -----------------------------------------------------------------------

# Every step but the stomach's applies to a pancreatic tumour with distant metastases; every
# step but the pancreas's to a gastric NET with them.
EVERY_STEP_CASE = case(METASTATIC_SMALL_BOWEL, site="pancreas", pancreas_region="head")
GASTRIC_CASE = case(METASTATIC_SMALL_BOWEL, site="stomach", gastric_type="type_3")
# The steps the wizard asks for EVERY_STEP_CASE.
CASE_STEPS = steps_for(EVERY_STEP_CASE)
VALID_CASES = [
    LOCALISED_COLON,
    SMALL_INSULINOMA,
    METASTATIC_SMALL_BOWEL,
    WARNED_RECTUM,
    POORLY_DIFFERENTIATED,
    EVERY_STEP_CASE,
]

# A posted value: one string, or several for the same key (a duplicated field).
posted = st.one_of(
    texts,
    st.lists(texts, min_size=2, max_size=4),
)


@st.composite
def step_answers(draw, step: str, base: dict[str, Any] = EVERY_STEP_CASE) -> dict[str, Any]:
    """The step's valid answers for ``base``, some of them changed to anything or left out."""
    valid = answers_for(step, base)
    answers = {f"{step}-{name}": encode(value) for name, value in valid.items()}
    if step == "review":
        answers["review-reference"] = ""
    for key in draw(st.sets(st.sampled_from(sorted(answers)), min_size=1)):
        # A valid answer first (Hypothesis leans to the first branch), so that a fair share
        # of examples is accepted and goes on to the next step and the done URL.
        value = draw(st.one_of(valid_posted(key.partition("-")[2]), posted, st.just(MISSING)))
        if value is MISSING:
            del answers[key]
        else:
            answers[key] = value
    return answers


def valid_posted(name: str) -> st.SearchStrategy[str]:
    """A valid answer for the field, as a form posts it (perhaps not the case's own)."""
    if name == "reference":
        return st.text(alphabet="ABCXYZ/ -", max_size=40)
    return valid_value(name).map(encode)


# Extra keys: another step's fields, the wizard's own buttons, anything.
extra_keys = st.dictionaries(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            ["wizard_goto_step", "return_to_review", "csrfmiddlewaretoken", "case_wizard-foo"]
            + [REVIEWED_FIELD]
            + [f"{step}-{name}" for step, names in STEP_FIELDS.items() for name in names]
        ),
    ),
    st.one_of(st.sampled_from(STEP_NAMES), st.just("1"), posted),
    max_size=3,
)
