"""Each saved case keeps its facts in columns of their own, for the impact report: the
category shown, a fingerprint of the facts that are choices or yes/no answers, and the three
numbers exactly; with one index over everything the report groups by.

Cases saved before get them from their snapshots: the columns are added as nullable, filled,
then made required. The fingerprint is written by a frozen copy of
``guidance.models.fingerprint`` as it was when this migration was written, so that a later
change there cannot change what this migration does.
"""

import json
from decimal import Decimal

from django.db import migrations, models

# Frozen: the facts of engine.CaseFacts that are not numbers, in their order at the time.
FINGERPRINT_FACTS = (
    "site",
    "pancreas_region",
    "tumour_type",
    "hormonal_symptoms",
    "differentiation",
    "extent",
    "metastases_resectable",
    "ssr_imaging",
)
BATCH = 1000


def _fingerprint(facts):
    return json.dumps([facts.get(name) for name in FINGERPRINT_FACTS], separators=(",", ":"))


def _decimal(value):
    if value is None:
        return None
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def fill_from_snapshots(apps, schema_editor):
    Case = apps.get_model("guidance", "Case")
    # The historical model has the plain manager, so this bulk update is allowed here (the
    # app's own manager refuses any update of a saved case). Only the new columns are written.
    columns = ["category", "fingerprint", "size_mm", "ki67_percent", "mitoses_per_10hpf"]
    batch = []
    for pk, snapshot in Case.objects.order_by("pk").values_list("pk", "snapshot").iterator(BATCH):
        facts = snapshot["facts"]
        batch.append(
            Case(
                pk=pk,
                category=snapshot["category"],
                fingerprint=_fingerprint(facts),
                size_mm=_decimal(facts["size_mm"]),
                ki67_percent=_decimal(facts.get("ki67_percent")),
                mitoses_per_10hpf=facts.get("mitoses_per_10hpf"),
            )
        )
        if len(batch) == BATCH:
            Case.objects.bulk_update(batch, columns)
            batch = []
    if batch:
        Case.objects.bulk_update(batch, columns)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0012_logic_as_content")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="category",
            field=models.CharField(max_length=30, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="fingerprint",
            field=models.CharField(max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="size_mm",
            field=models.DecimalField(decimal_places=1, max_digits=4, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="ki67_percent",
            field=models.DecimalField(decimal_places=1, max_digits=4, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="mitoses_per_10hpf",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(fill_from_snapshots, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="category",
            field=models.CharField(
                help_text="The category shown (an engine value).", max_length=30
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="fingerprint",
            field=models.CharField(max_length=300),
        ),
        migrations.AlterField(
            model_name="case",
            name="size_mm",
            field=models.DecimalField(decimal_places=1, max_digits=4),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=[
                    "fingerprint",
                    "size_mm",
                    "ki67_percent",
                    "mitoses_per_10hpf",
                    "guideline_version",
                    "grade",
                    "category",
                    "section_slugs",
                    "warning_codes",
                ],
                name="case_advice",
            ),
        ),
    ]
