"""The guideline revisions the project ships, installed through the editors' own path.

Version 1 is loaded by the migrations. Version 2 (docs/version-2.md) is shipped as a
guideline file with its reference cases, and installed as an editor would make it: its
reference cases first, so that they gate the draft from its start; the file imported as a
draft by the project's content account; its logic approved by the project's review account,
a second account; then published through every gate of the publish page (the reference
cases, the exhaustive check of its logic, the second approval). All in one transaction: on
any refusal nothing is changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.color import color_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from guidance import guideline_file, publishing
from guidance.forms import CaseForm, form_data
from guidance.models import GuidelineVersion, ReferenceCase

DATA = Path(__file__).resolve().parent / "data"
VERSION_2_FILE = DATA / "guideline-version-2.json"
VERSION_2_REFERENCE_CASES = DATA / "reference_cases_version_2.json"
VERSION_1_REFERENCE_CASES = DATA / "reference_cases.json"  # as migration 0005 loaded them

BASE_LABEL = "1"
LABEL = "2"
CHANGE_SUMMARY = (
    "A safety revision: the source's words quoted verbatim beside NET Advisor's notes, each "
    "citing what it rests on; the source's advice withheld where it is unsafe, with a note "
    "or warning saying why; the gastric NET type and the VIPoma, glucagonoma and carcinoid "
    "syndrome tumour types used. Installed with the project, its logic approved by the "
    "project's review account (docs/version-2.md)."
)

# The project's own accounts: they make and approve what the project ships, and nobody
# logs in as them (no usable password, no admin access).
CONTENT_ACCOUNT = "netadvisor-content"
REVIEW_ACCOUNT = "netadvisor-review"
EDITORS = "Guideline editors"

REASON = "Version 2 installed with the project"
CASE_REASON = "Version 2's reference cases, installed with it"
RETIRED_CASE_REASON = "Replaced by version 2's reference cases, installed with it"
NEW_CASE_NOTES = "Installed with version 2 of the guideline (docs/version-2.md)."


class InstallationRefused(Exception):
    """Version 2 was not installed, and nothing was changed; the message says why."""


@dataclass(frozen=True)
class Installation:
    installed: bool  # False: version 2 was there already, nothing was done
    message: str


def install_guideline_revisions() -> Installation:
    """Publish version 2 in place of version 1, once; InstallationRefused says why not."""
    with transaction.atomic():
        # The published version locked first: a second installation at the same time waits
        # here, then finds version 2 there.
        published = GuidelineVersion.objects.select_for_update().filter(
            status=GuidelineVersion.Status.PUBLISHED
        ).first()
        # Published, or retired since by a later version: a draft never has the label.
        if GuidelineVersion.objects.filter(label=LABEL).exists():
            return Installation(False, f"Version {LABEL} is installed already: nothing to do.")
        _refuse_unless_ready(published)
        content, review = _account(CONTENT_ACCOUNT, "content"), _account(REVIEW_ACCOUNT, "review")
        try:
            _install_reference_cases(_reference_cases(), editor=content)
            draft = guideline_file.import_draft(
                VERSION_2_FILE.read_bytes(), editor=content, reason=REASON
            )
            publishing.approve_logic(draft, approver=review)
            results = publishing.publish(
                draft, editor=content, label=LABEL, change_summary=CHANGE_SUMMARY
            )
        except (guideline_file.FileRefused, publishing.PublishingError) as error:
            # Raised inside the transaction: the reference cases and the draft go with it.
            raise InstallationRefused(
                f"Version {LABEL} was not installed, and nothing was changed: {error}"
            ) from error
        except ValidationError as error:  # a reference case the model refuses
            raise InstallationRefused(
                f"Version {LABEL} was not installed, and nothing was changed: a reference "
                f"case was refused: {'; '.join(error.messages)}"
            ) from error
    return Installation(
        True,
        f"Version {LABEL} is published and version {published.label} retired: "
        f"{len(results)} reference cases pass; its logic approved by {REVIEW_ACCOUNT}.",
    )


def why_not_installed() -> str:
    """Why version 2 is not in use here, as its installation would say ("": it is)."""
    if GuidelineVersion.objects.filter(label=LABEL).exists():
        return ""
    try:
        _refuse_unless_ready(
            GuidelineVersion.objects.filter(status=GuidelineVersion.Status.PUBLISHED).first()
        )
    except InstallationRefused as refused:
        return str(refused)
    return f"Version {LABEL} is not installed yet: manage.py migrate installs it."


def install_after_migrate(*, using: str, plan=None, verbosity: int = 1, stdout=None, **kwargs):
    """``post_migrate``: a fresh install ends with version 2 published, as an upgrade does
    (unless settings.INSTALL_GUIDELINE_REVISIONS is off, as for the test suite).

    Only after ``migrate`` (``flush`` sends the signal too, without a plan) has brought the
    database fully up to date, since the installer uses the models as they are now. A
    refusal is written out, not raised: the migrations are applied and stay so, and the
    command named in it installs version 2 once the reason is dealt with.
    """
    if not settings.INSTALL_GUIDELINE_REVISIONS:
        return
    if plan is None or using != DEFAULT_DB_ALIAS or stdout is None:
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    style = color_style()
    try:
        installation = install_guideline_revisions()
    except InstallationRefused as refused:
        stdout.write(style.WARNING(str(refused)))
        return
    if verbosity >= 1 and installation.installed:
        stdout.write(style.SUCCESS(installation.message))


def _refuse_unless_ready(published: GuidelineVersion | None) -> None:
    if published is None:
        raise InstallationRefused(
            f"Version {LABEL} was not installed: no version is published, and it replaces "
            f"version {BASE_LABEL}."
        )
    if published.label != BASE_LABEL:
        raise InstallationRefused(
            f"Version {LABEL} was not installed: the published version is {published.label}, "
            f"not {BASE_LABEL}, which version {LABEL} was written to replace. An editor may "
            f"import {VERSION_2_FILE.name} as a draft and review it against version "
            f"{published.label} instead (manage.py import_guideline)."
        )
    draft = GuidelineVersion.objects.filter(status=GuidelineVersion.Status.DRAFT).first()
    if draft is not None:
        raise InstallationRefused(
            f"Version {LABEL} was not installed: there is a draft ({draft.label}). Publish or "
            "discard it, then run manage.py install_guideline_revisions."
        )


def _account(username: str, role: str):
    """The project's content or review account: an editor's rights, no way to log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": "NET Advisor", "last_name": f"{role} account"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=EDITORS))
    elif user.has_usable_password() or user.is_staff or user.is_superuser:
        # Someone could then make or approve the revision in the project's name.
        raise InstallationRefused(
            f"Version {LABEL} was not installed: the project's {role} account {username} can "
            "log in. Disable its password-based authentication and take away its admin "
            "access (the admin's Users page), then run manage.py install_guideline_revisions."
        )
    return user


def _reference_cases() -> list[dict[str, Any]]:
    """Version 2's reference cases from their file; InstallationRefused for a case the
    case form would not take (as the admin's reference case form checks its facts)."""
    cases = json.loads(VERSION_2_REFERENCE_CASES.read_text(encoding="utf-8"))
    for item in cases:
        form = CaseForm(data=form_data(item["facts"]))
        if not form.is_valid():
            raise InstallationRefused(
                f"Version {LABEL} was not installed: the reference case {item['title']!r} "
                f"has inputs the case form refuses: {form.errors.as_text()}"
            )
    return cases


def _install_reference_cases(cases: list[dict[str, Any]], *, editor) -> None:
    """The active reference cases become version 2's, each change in their history.

    A case with the title of one kept already is that case, updated (or reactivated); the
    others are added; a case version 1 was shipped with that version 2 replaces is
    deactivated, never deleted. The editors' own cases stay as they are, and gate version 2
    as they gated version 1. Done before the draft is started, so that these are the cases
    that gate it.
    """
    titles = {item["title"] for item in cases}
    replaced = [
        item["title"] for item in _version_1_reference_cases() if item["title"] not in titles
    ]
    for case in ReferenceCase.objects.filter(is_active=True, title__in=replaced):
        case.is_active = False
        _save(case, editor, RETIRED_CASE_REASON)
    existing = {case.title: case for case in ReferenceCase.objects.filter(title__in=titles)}
    for item in cases:
        case = existing.get(item["title"]) or ReferenceCase(
            title=item["title"], notes=NEW_CASE_NOTES
        )
        asked = {name: item[name] for name in publishing.GATE_FIELDS}
        if case.pk is not None and case.is_active and all(
            getattr(case, name) == value for name, value in asked.items()
        ):
            continue
        for name, value in asked.items():
            setattr(case, name, value)
        case.is_active = True
        _save(case, editor, CASE_REASON)


def _version_1_reference_cases() -> list[dict[str, Any]]:
    return json.loads(VERSION_1_REFERENCE_CASES.read_text(encoding="utf-8"))


def _save(case: ReferenceCase, editor, reason: str) -> None:
    case._change_reason = reason
    case._history_user = editor
    case.full_clean()
    case.save()
