"""The JSON API: the same validation and engine as the wizard, for other systems."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guidance import content, recommendation, sensitivity
from guidance.forms import FACT_FIELDS, CaseForm, form_data

NUMBER_FIELDS = {"size_mm", "ki67_percent", "mitoses_per_10hpf"}
BOOLEAN_FIELDS = {"hormonal_symptoms"}

# Longest accepted request body; a case is a few hundred bytes.
MAX_BODY_BYTES = 16 * 1024


@dataclass(frozen=True)
class RefusedNumber:
    """A JSON number the API does not read as a value, kept so that its field can be named."""

    literal: str

    @property
    def message(self) -> str:
        if self.literal in ("NaN", "Infinity", "-Infinity"):
            return "Must be a number, not NaN or Infinity."
        return "Write the number in plain digits, without an exponent (100, not 1e2)."


def _number(literal: str) -> Decimal | RefusedNumber:
    # An exponent is how programs write binary floats (1e-05); a clinician's value never
    # needs one, and one rule for every number is clearer than "only where exact".
    if "e" in literal or "E" in literal:
        return RefusedNumber(literal)
    return Decimal(literal)


class RefusedBody(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def read_body(body: bytes) -> Any:
    """The JSON body with every number exactly as written, and every key given once.

    Numbers are Decimals of exactly the digits sent (a float would read 2.9999999999999999
    as 3), integers included (Python's int() refuses more than 4,300 digits). NaN, Infinity
    and numbers with an exponent are kept as ``RefusedNumber`` for their field to refuse.
    A key given twice in one object is refused: ``json.loads`` would keep the last.
    """
    repeated: list[tuple[dict[str, Any], list[str]]] = []

    def each_key_once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) < len(pairs):
            counts = Counter(key for key, _ in pairs)
            repeated.append((obj, [key for key, count in counts.items() if count > 1]))
        return obj

    try:
        payload = json.loads(
            body,
            parse_float=_number,
            parse_int=Decimal,
            parse_constant=RefusedNumber,
            object_pairs_hook=each_key_once,
        )
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RefusedBody({"__all__": ["The request body is not valid JSON."]}) from None
    if not repeated:
        return payload
    # A nested object is never valid here, so its repeated keys are named for the body.
    errors: dict[str, list[str]] = {}
    nested: dict[str, None] = {}
    for obj, keys in repeated:
        for key in keys:
            if obj is payload:
                errors[key] = ["Given more than once: give each field once."]
            else:
                nested[key] = None
    if nested:
        errors["__all__"] = [
            f"The key {json.dumps(key)} is given more than once in a nested object."
            for key in nested
        ]
    raise RefusedBody(errors)


def _type_errors(payload: dict[str, Any]) -> dict[str, list[str]]:
    """JSON type checks the form cannot make: it would accept "12" for 12 or "yes" for true."""
    errors: dict[str, list[str]] = {}
    for name, value in payload.items():
        if name not in FACT_FIELDS:
            errors[name] = ["Unknown field."]
        elif value is None:
            continue
        elif name in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                errors[name] = ["Must be true or false."]
        elif name in NUMBER_FIELDS:
            if isinstance(value, RefusedNumber):
                errors[name] = [value.message]
            elif not isinstance(value, Decimal):
                errors[name] = ["Must be a number."]
        elif not isinstance(value, str):
            errors[name] = ["Must be a string."]
    return errors


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _bad_request(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


@never_cache  # the answer is about one patient's case
@csrf_exempt  # a machine-to-machine endpoint: no cookies, no session, stores nothing
@require_POST
def recommendations(request: HttpRequest) -> JsonResponse:
    # Checked before reading the body, which Django would refuse above its own limit.
    if _content_length(request) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _bad_request({"__all__": ["The request body is too large."]})
    try:
        payload = read_body(request.body)
    except RefusedBody as refused:
        return _bad_request(refused.errors)
    if not isinstance(payload, dict):
        return _bad_request({"__all__": ["The request body must be a JSON object."]})

    errors = _type_errors(payload)
    if errors:
        return _bad_request(errors)
    form = CaseForm(data=form_data(payload))
    if not form.is_valid():
        return _bad_request({field: list(messages) for field, messages in form.errors.items()})

    text = content.published()
    if text is None:
        return JsonResponse({"errors": {"__all__": ["No guideline is published."]}}, status=503)
    shown = recommendation.build(facts=form.facts(), text=text)
    return JsonResponse(answer(shown))


def answer(shown: recommendation.Recommendation) -> dict[str, Any]:
    """What the API returns of a recommendation: what the page shows of it, without the
    inputs (the caller sent them), the category's wording and basis, or the sections' order
    (the list is in that order). Every recommendation and warning says whose words it is
    (``voice``) and what it is cited as (``citation``), as the page does; what would change
    the advice is each change as the engine states it, without the page's sentence."""
    return {
        "guideline": {key: shown["guideline"][key] for key in GUIDELINE_KEYS},
        "grade": shown["grade"],
        "grade_basis": shown["grade_basis"],
        "category": shown["category"],
        "recommendations": [
            {key: item[key] for key in RECOMMENDATION_KEYS} for item in shown["recommendations"]
        ],
        "warnings": [{key: item[key] for key in WARNING_KEYS} for item in shown["warnings"]],
        "sensitivity": [sensitivity.api_item(item) for item in shown["sensitivity"]],
    }


# What the API gives of the guideline, of each recommendation and of each warning.
GUIDELINE_KEYS = ("title", "version", "citation", "about_source", "not_covered", "in_use_since")
RECOMMENDATION_KEYS = (
    "section", "group", "heading", "source_heading", "voice", "citation", "text", "reasons",
)
WARNING_KEYS = ("code", "message", "voice", "citation", "detail")
