"""The gate of a draft: the reference cases active when it was started, and its changes.

A draft started before this has no record of what gated it; the best that can be said is
the reference cases active now, so it is gated by those from here on.
"""

from django.db import migrations, models
from django.db.models import Max

GATE_FIELDS = [
    "facts",
    "expected_grade",
    "expected_sections",
    "expected_warnings",
    "expected_phrases",
]


def gate_existing_drafts(apps, schema_editor):
    GuidelineVersion = apps.get_model("guidance", "GuidelineVersion")
    ReferenceCase = apps.get_model("guidance", "ReferenceCase")
    Historical = apps.get_model("guidance", "HistoricalReferenceCase")
    cases = list(ReferenceCase.objects.filter(is_active=True).order_by("pk"))
    latest = dict(
        Historical.objects.filter(id__in=[case.pk for case in cases])
        .order_by()
        .values_list("id")
        .annotate(Max("history_id"))
    )
    gate = [
        {
            "id": case.pk,
            "history_id": latest.get(case.pk),
            "title": case.title,
            **{name: getattr(case, name) for name in GATE_FIELDS},
        }
        for case in cases
    ]
    GuidelineVersion.objects.filter(status="draft").update(gating_cases=gate)


class Migration(migrations.Migration):
    dependencies = [("guidance", "0006_reference_case_history")]

    operations = [
        migrations.AddField(
            model_name="guidelineversion",
            name="gate_changes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="guidelineversion",
            name="gating_cases",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(gate_existing_drafts, migrations.RunPython.noop),
    ]
