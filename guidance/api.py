"""The JSON API: the same validation and engine as the wizard, for other systems."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guidance import content, recommendation
from guidance.forms import FACT_FIELDS, CaseForm, form_data

NUMBER_FIELDS = {"size_mm", "ki67_percent", "mitoses_per_10hpf"}
BOOLEAN_FIELDS = {"hormonal_symptoms"}

# Longest accepted request body; a case is a few hundred bytes.
MAX_BODY_BYTES = 16 * 1024


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
            if isinstance(value, bool) or not isinstance(value, int | float):
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


@csrf_exempt  # a machine-to-machine endpoint: no cookies, no session, stores nothing
@require_POST
def recommendations(request: HttpRequest) -> JsonResponse:
    # Checked before reading the body, which Django would refuse above its own limit.
    if _content_length(request) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _bad_request({"__all__": ["The request body is too large."]})
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _bad_request({"__all__": ["The request body is not valid JSON."]})
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
    return JsonResponse(
        {
            "guideline": shown["guideline"],
            "grade": shown["grade"],
            "grade_basis": shown["grade_basis"],
            "category": shown["category"],
            "recommendations": [
                {key: item[key] for key in ("section", "group", "heading", "text", "reasons")}
                for item in shown["recommendations"]
            ],
            "warnings": [
                {key: item[key] for key in ("code", "message", "detail")}
                for item in shown["warnings"]
            ],
        }
    )
