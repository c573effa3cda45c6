"""A first history row for every reference case that has none, so each has a recorded origin.

The seeded reference cases were loaded before any history was recorded; from now on every
change to a reference case is recorded with who, when and why.
"""

from django.db import migrations
from django.utils import timezone

FIELDS = [
    "title",
    "facts",
    "expected_grade",
    "expected_sections",
    "expected_warnings",
    "expected_phrases",
    "notes",
    "is_active",
]


def forwards(apps, schema_editor):
    ReferenceCase = apps.get_model("guidance", "ReferenceCase")
    Historical = apps.get_model("guidance", "HistoricalReferenceCase")
    now = timezone.now()
    Historical.objects.bulk_create(
        Historical(
            id=case.id,
            history_date=now,
            history_type="+",
            history_change_reason="Seeded with the project",
            **{field: getattr(case, field) for field in FIELDS},
        )
        for case in ReferenceCase.objects.exclude(id__in=Historical.objects.values("id"))
    )


class Migration(migrations.Migration):
    dependencies = [("guidance", "0005_editors_and_reference_cases")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
