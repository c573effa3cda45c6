"""Working on the guideline as the publishing module sees it, without the admin: a draft's
texts edited with who and why, publishing with a label, a reference case that fails, and the
words and statuses the publishing tests look for.

After migrations the database holds one guideline with version "1" published: 16 sections
(the 15 engine slugs and "overview", which the engine never returns) and 15 warning texts.
The fixtures ``editor``, ``version_1`` and ``draft`` are in conftest.py.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import guidance
from guidance import content, engine
from guidance.models import GuidelineVersion, ReferenceCase
from guidance.publishing import publish
from tests.factories import PLAIN_FACTS

SEED_FILE = Path(guidance.__file__).resolve().parent / "data" / "reference_cases.json"
SEED_REASON = "Loaded verbatim from the source guideline"
PUBLISHED = GuidelineVersion.Status.PUBLISHED
RETIRED = GuidelineVersion.Status.RETIRED
DRAFT = GuidelineVersion.Status.DRAFT
DISCARDED = GuidelineVersion.Status.DISCARDED

# Version 1's everolimus text, verbatim from the source (its "is a small number" typo too),
# and the corrected wording an editor publishes; it still names the drug, so the seeded
# reference case that expects the phrase "Everolimus" keeps passing.
OLD_EVEROLIMUS = "Everolimus may slow progression of disease is a small number of patients"
NEW_EVEROLIMUS = "Everolimus may slow progression of disease in a small number of patients."

# A colon NET with distant metastases shows metastatic-incurable, debulking-surgery,
# cytotoxic-minimal-benefit and everolimus; the plain localised colon NET shows
# curative-excision and lymph-node-dissection; regional nodes add the regional-nodes warning.
METASTATIC = {"extent": "distant_metastases"}
REGIONAL = {"extent": "regional_nodes"}

# The title of a seeded reference case.
METASTATIC_CASE = "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable"


def edit(item, editor, reason="Editorial correction", **changes):
    """Change a draft's section or warning text the way the admin does: with who and why."""
    for name, value in changes.items():
        setattr(item, name, value)
    item._history_user = editor
    item._change_reason = reason
    item.save()
    return item


def wrong_reference_case(**fields) -> ReferenceCase:
    """An editor's reference case expecting local excision for a colon NET (it gets a lymph
    node dissection instead): it fails against every version."""
    values = {
        "title": "Small colon NET (wrong expectation)",
        "facts": dict(PLAIN_FACTS),
        "expected_grade": "G1",
        "expected_sections": ["curative-excision", "local-excision"],
        **fields,
    }
    return ReferenceCase.objects.create(**values)


def publish_it(draft, editor, **kwargs):
    kwargs.setdefault("label", "2")
    kwargs.setdefault("change_summary", "Everolimus: corrected wording.")
    return publish(draft, editor=editor, **kwargs)


def statuses() -> dict[str, str]:
    return dict(GuidelineVersion.objects.values_list("label", "status"))


def revised_logic(*, sections=None, warnings=None, grading=None) -> engine.Logic:
    """Version 1's logic with some conditions (by slug or code) or grading thresholds
    replaced, as an editor's draft would hold it."""
    data = json.loads(content.VERSION_1_LOGIC.read_text())
    for slug, condition in (sections or {}).items():
        rule = data["sections"][slug]
        rule["applies_when"] = condition
        # The editor's words for a part of the condition go with that part.
        kept = {part: words for part, words in rule["reasons"].items() if part in condition}
        rule["reasons"] = kept
    for code, condition in (warnings or {}).items():
        data["warnings"][code]["applies_when"] = condition
    for name, thresholds in (grading or {}).items():
        data["grading"][name].update(thresholds)
    return engine.compile_logic(content.logic_file_document(data))


def give_logic(monkeypatch, version: GuidelineVersion, logic: engine.Logic) -> None:
    """Make ``version``'s text, wherever the app loads it, carry ``logic``.

    Until each version stores its own logic every version's text carries version 1's; this
    stands in for a draft whose conditions an editor changed.
    """
    load = content.load

    def load_with_logic(which):
        text = load(which)
        return dataclasses.replace(text, logic=logic) if text.version_id == version.pk else text

    monkeypatch.setattr(content, "load", load_with_logic)


# Small insulinomas, as version 1 has them (below 20 mm), and as a draft that moves the
# threshold to 15 mm (both sections of the pair, so that exactly one still applies).
SMALL_INSULINOMA_BELOW_15 = {
    "insulinoma-local-excision": 'tumour_type == "insulinoma" and size_mm < 15 and extent == '
    '"localised" and category == "well_differentiated"',
    "insulinoma-partial-pancreatectomy": 'tumour_type == "insulinoma" and (size_mm >= 15 and '
    'extent == "localised" or extent == "regional_nodes") and category == "well_differentiated"',
}
