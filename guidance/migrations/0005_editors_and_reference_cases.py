"""The guideline editors' group, the seed reference cases, and history for what exists.

- "Guideline editors" may edit drafts, publish them and keep the reference cases.
- The reference cases come from guidance/data/reference_cases.json.
- Sections and warning texts loaded before history was recorded get a first history
  row, so every text has a recorded origin.
- Saved cases get the section slugs and warning codes they showed, for the impact report.
"""

import json
from pathlib import Path

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

REFERENCE_CASES = Path(__file__).resolve().parent.parent / "data" / "reference_cases.json"

EDITORS = "Guideline editors"
EDITOR_PERMISSIONS = [
    "view_guideline",
    "view_guidelineversion",
    "add_guidelineversion",
    "delete_guidelineversion",
    "publish_guidelineversion",
    "view_section",
    "add_section",
    "change_section",
    "delete_section",
    "view_warningtext",
    "change_warningtext",
    "view_referencecase",
    "add_referencecase",
    "change_referencecase",
    "view_historicalsection",
    "view_historicalwarningtext",
    "view_historicalreferencecase",
]


def forwards(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("guidance")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(
        Permission.objects.filter(
            content_type__app_label="guidance", codename__in=EDITOR_PERMISSIONS
        )
    )

    ReferenceCase = apps.get_model("guidance", "ReferenceCase")
    for item in json.loads(REFERENCE_CASES.read_text(encoding="utf-8")):
        ReferenceCase.objects.get_or_create(
            title=item["title"],
            defaults={
                "facts": item["facts"],
                "expected_grade": item["expected_grade"],
                "expected_sections": item["expected_sections"],
                "expected_warnings": item["expected_warnings"],
                "expected_phrases": item["expected_phrases"],
                "notes": "Seeded with the project.",
            },
        )

    now = timezone.now()
    reason = "Loaded verbatim from the source guideline"
    for name, fields in (
        ("Section", ["version_id", "slug", "group", "heading", "text", "order"]),
        ("WarningText", ["version_id", "code", "message"]),
    ):
        Live = apps.get_model("guidance", name)
        Historical = apps.get_model("guidance", f"Historical{name}")
        Historical.objects.bulk_create(
            Historical(
                id=row.id,
                history_date=now,
                history_type="+",
                history_change_reason=reason,
                **{field: getattr(row, field) for field in fields},
            )
            for row in Live.objects.exclude(id__in=Historical.objects.values("id"))
        )

    Case = apps.get_model("guidance", "Case")
    for case in Case.objects.filter(section_slugs=""):
        shown = case.snapshot
        Case.objects.filter(pk=case.pk).update(
            section_slugs=" " + " ".join(i["section"] for i in shown["recommendations"]) + " ",
            warning_codes=" " + " ".join(i["code"] for i in shown["warnings"]) + " ",
        )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()
    apps.get_model("guidance", "ReferenceCase").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0004_editing"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
