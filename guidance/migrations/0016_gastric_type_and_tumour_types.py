"""A saved case's fingerprint holds the gastric NET's type, after the pancreatic region.

Cases saved before it was asked have none: their fingerprints get a null in its place, as
a case of any site other than the stomach has (or the type their snapshots hold, if this
migration was undone and done again), so that the impact report reads every fingerprint
alike. A stomach case saved before is run again as a gastric NET of unknown type, as the
case form takes a stomach case without one. The snapshots are left as they were shown.
The new tumour types need no change to a table: a case keeps its tumour type in its
fingerprint and snapshot only.

The cases are read and written in batches, as 0013 filled its columns. The facts' order
before and after is frozen here, so that a later change to
``guidance.models.FINGERPRINT_FACTS`` cannot change what this migration does.
"""

import json

from django.db import migrations

# Frozen: the fingerprint's facts before this migration (as 0013 wrote them) and after.
BEFORE = (
    "site",
    "pancreas_region",
    "tumour_type",
    "hormonal_symptoms",
    "differentiation",
    "extent",
    "metastases_resectable",
    "ssr_imaging",
)
AFTER = (
    "site",
    "pancreas_region",
    "gastric_type",
    "tumour_type",
    "hormonal_symptoms",
    "differentiation",
    "extent",
    "metastases_resectable",
    "ssr_imaging",
)
BATCH = 1000


def _rewrite(fingerprint, source, target, gastric_type):
    values = dict(zip(source, json.loads(fingerprint), strict=True))
    values["gastric_type"] = gastric_type
    return json.dumps([values[name] for name in target], separators=(",", ":"))


def _rewrite_all(apps, source, target):
    """Each fingerprint in ``source``'s form rewritten in ``target``'s, with the gastric NET
    type the case's snapshot holds (none for a case saved before it was asked)."""
    Case = apps.get_model("guidance", "Case")
    rows = Case.objects.order_by("pk").values_list("pk", "fingerprint", "snapshot")
    batch = []
    for pk, fingerprint, snapshot in rows.iterator(BATCH):
        if len(json.loads(fingerprint)) != len(source):
            continue  # already in the target's form
        gastric_type = snapshot["facts"].get("gastric_type")
        batch.append(Case(pk=pk, fingerprint=_rewrite(fingerprint, source, target, gastric_type)))
        if len(batch) == BATCH:
            _write(Case, batch)
            batch = []
    if batch:
        _write(Case, batch)


def _write(Case, batch):
    # The historical model has the plain manager, so this bulk update is allowed here (the
    # app's own manager refuses any update of a saved case). Only the fingerprint is written.
    Case.objects.bulk_update(batch, ["fingerprint"])


def add_gastric_type(apps, schema_editor):
    _rewrite_all(apps, BEFORE, AFTER)


def remove_gastric_type(apps, schema_editor):
    # The snapshot keeps the type a case was saved with: done again, it is read from there.
    _rewrite_all(apps, AFTER, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0015_voice_and_provenance")]

    operations = [migrations.RunPython(add_gastric_type, remove_gastric_type)]
