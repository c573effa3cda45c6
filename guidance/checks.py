"""System checks: the published guideline must hold every section the engine can return."""

from django.core import checks
from django.db import DatabaseError

from guidance.models import GuidelineVersion


@checks.register("guidance")
def published_version_is_complete(app_configs=None, **kwargs):
    try:
        version = GuidelineVersion.objects.published().first()
        missing = version.missing_sections() if version else []
    except DatabaseError:
        return []  # no tables yet (before the first migrate): nothing to check
    if version is None:
        return [
            checks.Warning(
                "No guideline version is published: no recommendation can be made.",
                hint="Publish a draft in the admin.",
                id="guidance.W001",
            )
        ]
    if missing:
        return [
            checks.Error(
                f"Published version {version.label} has no section for: {', '.join(missing)}.",
                hint="Publish a version that has them; the engine returns these slugs.",
                id="guidance.E001",
            )
        ]
    return []
