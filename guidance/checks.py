"""System checks: the published guideline's logic must compile, and name only its own sections;
the guideline revisions the project ships must be installed."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from guidance import installing
from guidance.models import GuidelineVersion


@checks.register("guidance")
def published_version_is_complete(app_configs=None, **kwargs):
    try:
        version = GuidelineVersion.objects.published().first()
        missing = version.missing_sections() if version else []
        problems = version.logic_problems() if version else []
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
    errors = []
    if missing:
        errors.append(
            checks.Error(
                f"Published version {version.label} has no section for: {', '.join(missing)}.",
                hint="Publish a version that has them; its exclusions name these slugs.",
                id="guidance.E001",
            )
        )
    if problems:
        errors.append(
            checks.Error(
                f"Published version {version.label}'s logic does not compile: "
                + "; ".join(f"{p.where}, {p.field}: {p.message}" for p in problems),
                hint="Publish a version whose logic compiles (manage.py export_guideline "
                "shows it); it was changed outside the app.",
                id="guidance.E002",
            )
        )
    return errors


@checks.register("guidance")
def guideline_revisions_are_installed(app_configs=None, **kwargs):
    """Version 2 corrects advice of version 1 that is unsafe: an installation still showing
    version 1 (its installation refused at ``migrate``) says so whenever it starts."""
    if not settings.INSTALL_GUIDELINE_REVISIONS:
        return []
    try:
        reason = installing.why_not_installed()
    except DatabaseError:
        return []  # no tables yet (before the first migrate): nothing to check
    if not reason:
        return []
    return [
        checks.Warning(
            reason,
            hint="Version 2 is a safety revision (docs/version-2.md): until it is installed, "
            "version 1's advice is shown.",
            id="guidance.W002",
        )
    ]
