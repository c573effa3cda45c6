"""Working on the guideline as the publishing module sees it, without the admin: a draft's
texts edited with who and why, publishing with a label, a reference case that fails, and the
words and statuses the publishing tests look for.

After migrations the database holds one guideline with version "1" published: 16 sections
(the 15 engine slugs and "overview", which the engine never returns) and 15 warning texts.
The fixtures ``editor``, ``version_1`` and ``draft`` are in conftest.py.
"""

from __future__ import annotations

import copy
from pathlib import Path

import guidance
from guidance.models import GuidelineVersion, ReferenceCase, Section, WarningText
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


# A section and a warning an editor adds to a draft: small rectal NETs under surveillance,
# and a warning where a gastric NET's type is not known.
NEW_SECTION = {
    "slug": "surveillance-small-rectal",
    "group": "Localised disease",
    "heading": "Surveillance",
    "order": 99,
    "text": "Endoscopic surveillance may be offered.",
    "applies_when": 'site == "rectum" and size_mm < 10',
}
NEW_WARNING = {
    "code": "gastric-type-unknown",
    "message": "The gastric NET's type is not known: it decides the treatment.",
    "order": 99,
    "applies_when": 'site == "stomach" and gastric_type == "unknown"',
    "detail": "",
}


def add_section(draft, editor, reason="ENETS 2023: small rectal NETs", **fields) -> Section:
    """Add NEW_SECTION (with ``fields`` changed) to the draft, with who and why."""
    return edit(Section(version=draft), editor, reason, **{**NEW_SECTION, **fields})


def add_warning(draft, editor, reason="Gastric NET types", **fields) -> WarningText:
    """Add NEW_WARNING (with ``fields`` changed) to the draft, with who and why."""
    return edit(WarningText(version=draft), editor, reason, **{**NEW_WARNING, **fields})


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


def revise(draft, editor, *, sections=None, warnings=None, grading=None, reason="New evidence"):
    """Change a draft's logic the way an editor does, with who and why: conditions by slug
    or code, grading thresholds by number (``{"ki67_percent": {"G3_above": "15"}}``)."""
    for slug, condition in (sections or {}).items():
        section = draft.sections.get(slug=slug)
        # The editor's words for a part of the condition go with that part.
        kept = {part: words for part, words in section.reasons.items() if part in condition}
        edit(section, editor, reason, applies_when=condition, reasons=kept)
    for code, condition in (warnings or {}).items():
        edit(draft.warnings.get(code=code), editor, reason, applies_when=condition)
    if grading:
        thresholds = copy.deepcopy(draft.grading)
        for name, values in grading.items():
            thresholds[name].update(values)
        draft.grading = thresholds
        draft.save()
    return draft


# Small insulinomas, as version 1 has them (below 20 mm), and as a draft that moves the
# threshold to 15 mm (both sections of the pair, so that exactly one still applies).
SMALL_INSULINOMA_BELOW_15 = {
    "insulinoma-local-excision": 'tumour_type == "insulinoma" and size_mm < 15 and extent == '
    '"localised" and category == "well_differentiated"',
    "insulinoma-partial-pancreatectomy": 'tumour_type == "insulinoma" and (size_mm >= 15 and '
    'extent == "localised" or extent == "regional_nodes") and category == "well_differentiated"',
}


# Version 1's everolimus condition, and the same condition in brackets: a change to the
# logic (its text differs) that changes no advice, so the reference cases keep passing.
EVEROLIMUS_CONDITION = 'extent == "distant_metastases" and category == "well_differentiated"'
BRACKETED_EVEROLIMUS = f"({EVEROLIMUS_CONDITION})"


def change_logic(draft, editor, applies_when=BRACKETED_EVEROLIMUS, reason="Clearer condition"):
    """Change the draft's everolimus condition, with who and why, as the admin does."""
    return edit(
        draft.sections.get(slug="everolimus"), editor, reason=reason, applies_when=applies_when
    )


# A published version whose logic reads the gastric NET type: its regional-nodes warning
# fires for a gastric NET of unknown type instead (version 1 reads no gastric type).
GASTRIC_TYPE_UNKNOWN = 'site == "stomach" and gastric_type == "unknown"'


def publish_gastric_type_warning(draft, editor, approver):
    revise(draft, editor, warnings={"regional-nodes": GASTRIC_TYPE_UNKNOWN})
    return publish_it(
        draft,
        editor,
        approver=approver,
        change_summary="Warn where a gastric NET's type is not known.",
        accept_failures_reason="The regional-nodes warning now warns of an unknown gastric type",
    )
