"""Test data made in one place: clinicians, editors and saved cases, guideline files, and
changes made to the database outside the app."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import QuerySet

from guidance import content, guideline_file, publishing, recommendation
from guidance.models import Case, GuidelineVersion, ReferenceCase, fingerprint
from tests import advice
from tests.wizard_client import LOCALISED_COLON, METASTATIC_SMALL_BOWEL

GUIDELINE_TITLE = "Management of neuroendocrine tumours of the gastrointestinal tract and pancreas"
PASSWORD = "a-long-enough-password-1"  # 24 characters: passes every validator
EDITORS = "Guideline editors"  # the group migration 0005 makes

# A plain localised colon NET, in the specification's field names (JSON values): the
# wizard's LOCALISED_COLON with every fact it leaves out given.
PLAIN_FACTS: dict[str, Any] = {
    "pancreas_region": None,
    "gastric_type": None,
    "metastases_resectable": "unknown",
    **LOCALISED_COLON,
}

# The seeded metastatic small-bowel reference case: its facts (JSON values) and the sections
# it must get.
METASTATIC_FACTS: dict[str, Any] = {**PLAIN_FACTS, **METASTATIC_SMALL_BOWEL}
METASTATIC_SECTIONS = [
    "metastatic-incurable",
    "debulking-surgery",
    "somatostatin-analogue",
    "interferon",
    "cytotoxic-minimal-benefit",
    "everolimus",
]


def make_clinician(username: str, **fields: Any):
    fields.setdefault("first_name", username.capitalize())
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def make_editor(username: str, **fields: Any):
    """A guideline editor: staff, in the editors' group, not a superuser."""
    user = make_clinician(username, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def case_facts(**overrides: Any) -> advice.CaseFacts:
    values = {**PLAIN_FACTS, **overrides}
    if values["site"] == "stomach" and values["gastric_type"] is None:
        values["gastric_type"] = "unknown"  # as the case form takes a stomach case without one
    for name in ("size_mm", "ki67_percent"):
        if values[name] is not None:
            values[name] = Decimal(str(values[name]))
    return advice.CaseFacts(**values)


def make_case(
    clinician,
    *,
    reference: str = "",
    version: GuidelineVersion | None = None,
    created_at: datetime | None = None,
    **overrides: Any,
) -> Case:
    """A saved case, made the way the wizard makes one: now, or at ``created_at``.

    The version's text is read afresh, not through the cache, so that making a case leaves
    ``content.published()`` as cold or as warm as it was.
    """
    version = version or GuidelineVersion.objects.current()
    shown = recommendation.build(facts=case_facts(**overrides), text=content.load(version))
    return Case.record(
        clinician=clinician,
        guideline_version_id=version.pk,
        shown=shown,
        run_token=uuid.uuid4(),
        reference=reference,
        created_at=created_at,
    )


def saved_before_the_gastric_type(case: Case) -> Case:
    """``case`` as it reads when it was saved before the gastric NET type was asked: its
    snapshot's facts without one, its fingerprint with a null in its place (as migration
    0016 leaves such a case). Changed outside the app, which never changes a saved case."""
    snapshot = case.snapshot
    del snapshot["facts"]["gastric_type"]
    change_outside_the_app(
        Case.objects.filter(pk=case.pk),
        snapshot=snapshot,
        fingerprint=fingerprint({**snapshot["facts"], "gastric_type": None}),
    )
    return Case.objects.get(pk=case.pk)


def record(clinician, shown: recommendation.Recommendation, reference: str = "") -> Case:
    """A case saved with exactly ``shown`` as its snapshot, whatever the engine gives today."""
    return Case.record(
        clinician=clinician,
        guideline_version_id=GuidelineVersion.objects.current().pk,
        shown=shown,
        run_token=uuid.uuid4(),
        reference=reference,
    )


def today(**overrides: Any) -> recommendation.Recommendation:
    """What the published guideline shows now for the plain case with ``overrides``."""
    return recommendation.build(
        facts=case_facts(**overrides), text=content.load(GuidelineVersion.objects.current())
    )


def published(model, **lookup) -> QuerySet:
    """The rows of ``model`` (sections or warning texts) that belong to the published version."""
    return model.objects.filter(version__status=GuidelineVersion.Status.PUBLISHED, **lookup)


def reference_case_form(case: ReferenceCase | None = None, **overrides: Any) -> dict[str, str]:
    """A reference case as the admin's form posts it: a new one, or ``case`` as it is saved,
    with ``overrides``. JSON fields go as JSON text; ``None`` leaves a field out, as a
    browser leaves out a box that is not ticked (``is_active=None`` deactivates)."""
    if case is None:
        values: dict[str, Any] = {
            "title": "Metastatic ileal NET, second look",
            "facts": METASTATIC_FACTS,
            "expected_grade": "G2",
            "expected_sections": METASTATIC_SECTIONS,
            "expected_warnings": [],
            "expected_phrases": ["Everolimus"],
            "notes": "Added by an editor.",
            "is_active": "on",
        }
    else:
        values = {
            name: getattr(case, name)
            for name in (
                "title", "facts", "expected_grade", "expected_sections", "expected_warnings",
                "expected_phrases", "notes",
            )
        }
        values["is_active"] = "on" if case.is_active else None
    values["change_reason"] = "Agreed at the MDT's review of the reference cases"
    values.update(overrides)
    return {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in values.items()
        if value is not None
    }


def change_outside_the_app(rows: QuerySet, **values: Any) -> int:
    """UPDATE ``rows`` with ``values`` in SQL of the test's own, as someone editing the
    database by hand would: the app itself refuses to change a published version's text.
    Returns how many rows changed."""
    meta = rows.model._meta
    pks = list(rows.values_list("pk", flat=True))
    if not pks:
        return 0
    quote = connection.ops.quote_name
    assignments, params = [], []
    for name, value in values.items():
        field = meta.get_field(name)
        assignments.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
            f"WHERE {quote(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})",
            [*params, *pks],
        )
        return cursor.rowcount


def delete_outside_the_app(rows: QuerySet) -> int:
    """DELETE ``rows`` in SQL of the test's own, as a hand-edited or damaged database would
    lose them: the app refuses to delete a published version's text. Returns how many."""
    meta = rows.model._meta
    pks = list(rows.values_list("pk", flat=True))
    if not pks:
        return 0
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(meta.db_table)} "  # noqa: S608 - only names from _meta
            f"WHERE {quote(meta.pk.column)} IN ({', '.join(['%s'] * len(pks))})",
            pks,
        )
        return cursor.rowcount


# --- Guideline files -------------------------------------------------------------------------

# A condition with a typo in a name, one with a value outside a field's choices, one that
# names a section that does not exist: what an editor's slip looks like.
TYPO_CONDITION = 'extent == "localised" and sise_mm < 20'
OUTSIDE_CHOICES_CONDITION = 'site == "rectal"'
UNKNOWN_SECTION_CONDITION = 'applies["local-exision"] and size_mm > 20'


def guideline_document(version: GuidelineVersion | None = None) -> dict[str, Any]:
    """A version (the published one unless given) as its guideline file holds it: a copy
    the test may change."""
    version = version or GuidelineVersion.objects.current()
    return json.loads(guideline_file.dumps(guideline_file.export(version)))


def changed_document(document: dict[str, Any], **parts: dict[str, dict[str, Any]]) -> dict:
    """A copy of ``document`` with some sections and warnings changed:
    ``changed_document(doc, sections={"everolimus": {"applies_when": ...}})``. A change of
    None removes that key."""
    document = json.loads(json.dumps(document))
    for part, changes in parts.items():
        key = "slug" if part == "sections" else "code"
        items = {item[key]: item for item in document[part]}
        for name, fields in changes.items():
            for field, value in fields.items():
                if value is None:
                    items[name].pop(field, None)
                else:
                    items[name][field] = value
    return document


# --- A version with NET Advisor's notes beside the source's words ------------------------------

# Test data, not clinical content: the publication is made up, so that no test cites one
# it has not verified.
NOTE_CITATION = (
    "Example A, Sample B. A publication for the tests. J Test Med. 2024;1:1-2. "
    "doi:10.0000/test.0001"
)
VERSION_TITLE = "An educational summary of the management of GEP-NETs"
ABOUT_SOURCE = "An undated *educational summary*, quoted verbatim. <script>alert(1)</script>"
NOT_COVERED = "The source does not cover **gastric NET types**."
# The source's own heading for the localised tumours' passage.
SOURCE_HEADING = "Other Grade 1-2 GEP-NETs"
# What the noted version makes notes of: a section of METASTATIC_SMALL_BOWEL's, a warning
# of WARNED_RECTUM's; and the quote of both cases it gives its source heading.
NOTE_SECTION, NOTE_WARNING, HEADED_SECTION = "everolimus", "regional-nodes", "curative-excision"


def noted_document(version: GuidelineVersion | None = None) -> dict[str, Any]:
    """The version's guideline file with a section and a warning made NET Advisor notes,
    a quote given its source heading, and what the version says of its source."""
    note = {"voice": "note", "citation": NOTE_CITATION}
    document = changed_document(
        guideline_document(version),
        sections={NOTE_SECTION: note, HEADED_SECTION: {"source_heading": SOURCE_HEADING}},
        warnings={NOTE_WARNING: note},
    )
    document["guideline"]["title"] = VERSION_TITLE
    document["version"].update(about_source=ABOUT_SOURCE, not_covered=NOT_COVERED)
    return document


def noted_draft(editor) -> GuidelineVersion:
    """A draft made from noted_document(), as an editor imports one."""
    return guideline_file.import_draft(
        guideline_file.dumps(noted_document()), editor=editor, reason="Mark our own notes"
    )


def publish_noted_version(editor) -> GuidelineVersion:
    """Version 2: version 1's text and logic, with the notes of noted_document(), published
    through the editors' path (its logic is version 1's: it needs no second editor)."""
    draft = noted_draft(editor)
    publishing.publish(
        draft, editor=editor, label="2", change_summary="Our own notes marked as ours."
    )
    draft.refresh_from_db()
    content.forget()
    return draft


def unvoiced(shown: recommendation.Recommendation) -> dict[str, Any]:
    """``shown`` as a snapshot saved before texts had a voice: without the keys since added."""
    old = json.loads(json.dumps(shown))
    for key in ("about_source", "not_covered", "in_use_since"):
        del old["guideline"][key]
    for item in old["recommendations"]:
        for key in ("voice", "citation", "source_heading"):
            del item[key]
    for item in old["warnings"]:
        for key in ("voice", "citation"):
            del item[key]
    return old


def write_guideline_file(path, document: dict[str, Any] | str) -> str:
    """Write ``document`` (or text as it is) to ``path``; its name, as a command takes it."""
    text = document if isinstance(document, str) else guideline_file.dumps(document)
    path.write_text(text, encoding="utf-8")
    return str(path)
