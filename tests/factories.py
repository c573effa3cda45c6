"""Test data made in one place: clinicians and saved cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from guidance import content, engine, recommendation
from guidance.models import Case, GuidelineVersion
from tests.wizard_client import LOCALISED_COLON

PASSWORD = "a-long-enough-password-1"  # 24 characters: passes every validator

# A plain localised colon NET, in the specification's field names (JSON values): the
# wizard's LOCALISED_COLON with every fact it leaves out given.
PLAIN_FACTS: dict[str, Any] = {
    "pancreas_region": None,
    "metastases_resectable": "unknown",
    **LOCALISED_COLON,
}


def make_clinician(username: str, **fields: Any):
    fields.setdefault("first_name", username.capitalize())
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def case_facts(**overrides: Any) -> engine.CaseFacts:
    values = {**PLAIN_FACTS, **overrides}
    for name in ("size_mm", "ki67_percent"):
        if values[name] is not None:
            values[name] = Decimal(str(values[name]))
    return engine.CaseFacts(**values)


def make_case(
    clinician, *, reference: str = "", version: GuidelineVersion | None = None, **overrides: Any
) -> Case:
    """A saved case, made the way the wizard makes one.

    The version's text is read afresh, not through the cache, so that making a case leaves
    ``content.published()`` as cold or as warm as it was.
    """
    version = version or GuidelineVersion.objects.current()
    shown = recommendation.build(facts=case_facts(**overrides), text=content.load(version))
    return Case.record(
        clinician=clinician, guideline_version_id=version.pk, shown=shown, reference=reference
    )
