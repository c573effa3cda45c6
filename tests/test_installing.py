"""guidance.installing: version 2 published in place of version 1 through the editors' own
path (its reference cases, the file imported as a draft, a second account's approval, every
gate of publishing), once, all or nothing, or refused saying why; and ``migrate`` running it."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from guidance import installing
from guidance.models import GuidelineVersion, ReferenceCase
from guidance.publishing import approval_of
from tests.drafts import DRAFT, PUBLISHED, RETIRED, publish_it, statuses, wrong_reference_case
from tests.factories import make_editor

pytestmark = pytest.mark.django_db

VERSION_2_TITLES = {
    item["title"]
    for item in json.loads(installing.VERSION_2_REFERENCE_CASES.read_text(encoding="utf-8"))
}
# Version 1's reference cases that version 2's replace: each required advice version 2
# withdraws (docs/version-2.md).
REPLACED = {
    "Differentiation unknown with Ki-67 30 %",
    "Duodenal NET without Ki-67 or mitotic count",
    "Metastatic insulinoma with a negative SSR scan",
}
KEPT_TITLE = "Localised ileal NET"  # one of version 1's, kept in version 2's with its title


def state() -> dict:
    """What an installation changes: the versions, the reference cases and their history,
    the accounts."""
    return {
        "versions": sorted(GuidelineVersion.objects.values_list("label", "status")),
        "cases": sorted(
            ReferenceCase.objects.values_list("title", "is_active", "expected_sections")
        ),
        "case history": ReferenceCase.history.count(),
        "accounts": sorted(get_user_model().objects.values_list("username", flat=True)),
    }


def test_version_2_is_published_and_version_1_retired(version_1):
    installation = installing.install_guideline_revisions()

    assert installation.installed
    assert installation.message == (
        f"Version 2 is published and version 1 retired: {len(VERSION_2_TITLES)} reference "
        "cases pass; its logic approved by netadvisor-review."
    )
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}
    version_2 = GuidelineVersion.objects.current()
    assert version_2.change_summary == installing.CHANGE_SUMMARY
    assert version_2.based_on == version_1
    # The file's words, as an editor's import of it gives them.
    document = json.loads(installing.VERSION_2_FILE.read_text(encoding="utf-8"))
    assert version_2.citation == document["version"]["citation"]
    assert version_2.effective_title == document["guideline"]["title"]
    assert sorted(version_2.sections.values_list("slug", flat=True)) == sorted(
        section["slug"] for section in document["sections"]
    )
    assert list(version_2.warnings.order_by("order").values_list("code", flat=True)) == [
        warning["code"] for warning in document["warnings"]
    ]


def test_its_logic_is_approved_by_the_review_account_not_its_author(version_1):
    installing.install_guideline_revisions()

    version_2 = GuidelineVersion.objects.current()
    approval = approval_of(version_2)
    assert approval.needed and approval.approved
    assert approval.author.username == "netadvisor-content"
    assert version_2.logic_approved_by.username == "netadvisor-review"
    assert version_2.published_by.username == "netadvisor-content"
    reasons = list(
        GuidelineVersion.history.filter(id=version_2.pk)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", "history_user__username")
    )
    assert reasons == [
        ("Version 2 installed with the project", "netadvisor-content"),
        ("Logic approved by NET Advisor review account", "netadvisor-review"),
        ("Published as version 2", "netadvisor-content"),
    ]


def test_nobody_can_log_in_as_the_project_s_accounts(version_1):
    installing.install_guideline_revisions()

    for username in ("netadvisor-content", "netadvisor-review"):
        account = get_user_model().objects.get(username=username)
        assert not account.has_usable_password()
        assert not account.is_staff and not account.is_superuser
        assert account.has_perm("guidance.publish_guidelineversion")  # the second approval's rule
        assert not account.check_password("")


def test_a_project_account_someone_could_log_in_as_refuses_it(version_1):
    # An editor's account with the review account's name: a password, admin access.
    make_editor(installing.REVIEW_ACCOUNT)
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    assert str(refused.value) == (
        "Version 2 was not installed: the project's review account netadvisor-review can log "
        "in. Disable its password-based authentication and take away its admin access (the "
        "admin's Users page), then run manage.py install_guideline_revisions."
    )
    assert state() == before


def test_version_2_s_reference_cases_gate_it_from_the_start_and_all_pass(version_1):
    installing.install_guideline_revisions()

    version_2 = GuidelineVersion.objects.current()
    assert {entry["title"] for entry in version_2.gating_cases} == VERSION_2_TITLES
    assert version_2.gate_changes == []
    assert version_2.accepted_failures_reason == ""
    assert {result["title"] for result in version_2.reference_results} == VERSION_2_TITLES
    assert [r for r in version_2.reference_results if not r["passed"]] == []


def test_the_reference_cases_it_replaces_are_deactivated_and_the_kept_ones_updated(version_1):
    ileal_before = ReferenceCase.objects.get(title=KEPT_TITLE).expected_sections

    installing.install_guideline_revisions()

    active = set(ReferenceCase.objects.filter(is_active=True).values_list("title", flat=True))
    assert active == VERSION_2_TITLES
    assert set(ReferenceCase.objects.filter(is_active=False).values_list("title", flat=True)) == (
        REPLACED
    )
    for title in REPLACED:
        latest = ReferenceCase.history.filter(title=title).latest("history_date")
        assert (latest.is_active, latest.history_change_reason, latest.history_user.username) == (
            False,
            installing.RETIRED_CASE_REASON,
            "netadvisor-content",
        )
    # Unchanged in version 2, so no history record of a change that changed nothing.
    assert ReferenceCase.objects.get(title=KEPT_TITLE).expected_sections == ileal_before
    assert ReferenceCase.history.filter(title=KEPT_TITLE).count() == 1
    changed = ReferenceCase.history.filter(
        title="Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable"
    ).latest("history_date")
    assert changed.history_change_reason == installing.CASE_REASON
    assert changed.facts["tumour_type"] == "carcinoid_syndrome"


def test_an_editor_s_own_reference_case_still_gates_version_2(version_1):
    # It fails against version 2 (and against version 1): the installation is refused,
    # naming the gate, and nothing is changed.
    wrong_reference_case()
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    assert str(refused.value) == (
        "Version 2 was not installed, and nothing was changed: 1 reference case(s) fail. Fix "
        "the draft, or publish with a recorded reason."
    )
    assert state() == before
    assert statuses() == {"1": PUBLISHED}


def test_a_reference_case_the_model_refuses_is_a_refusal_and_nothing_changed(
    version_1, tmp_path, monkeypatch
):
    cases = json.loads(installing.VERSION_2_REFERENCE_CASES.read_text(encoding="utf-8"))
    cases[-1]["expected_grade"] = "G4"
    broken = tmp_path / "reference_cases_version_2.json"
    broken.write_text(json.dumps(cases), encoding="utf-8")
    monkeypatch.setattr(installing, "VERSION_2_REFERENCE_CASES", broken)
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    assert str(refused.value) == (
        "Version 2 was not installed, and nothing was changed: a reference case was refused: "
        "Value 'G4' is not a valid choice."
    )
    assert state() == before


def test_logic_that_fails_the_exhaustive_check_is_refused_and_nothing_changed(
    version_1, tmp_path, monkeypatch
):
    document = json.loads(installing.VERSION_2_FILE.read_text(encoding="utf-8"))
    for section in document["sections"]:
        if section["slug"] == "establish-differentiation":
            # Metastatic G3 tumours of unknown differentiation are left without advice.
            section["applies_when"] = 'category == "undetermined" and extent == "localised"'
    broken = tmp_path / "guideline-version-2.json"
    broken.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(installing, "VERSION_2_FILE", broken)
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    message = str(refused.value)
    assert message.startswith(
        "Version 2 was not installed, and nothing was changed: The exhaustive check of the "
        "draft's logic fails: No section applies to "
    )
    assert "differentiation not known; extent distant metastases or regional lymph nodes " in (
        message
    )
    assert message.endswith("these failures cannot be accepted with a reason.")
    assert state() == before


def test_installing_again_does_nothing(version_1):
    installing.install_guideline_revisions()
    before = state()

    installation = installing.install_guideline_revisions()

    assert not installation.installed
    assert installation.message == "Version 2 is installed already: nothing to do."
    assert state() == before


def test_a_version_2_retired_since_by_a_later_version_is_not_installed_again(version_1, editor):
    installing.install_guideline_revisions()
    publish_it(installing.publishing.start_draft(editor=editor), editor, label="2.1")
    before = state()

    assert not installing.install_guideline_revisions().installed
    assert state() == before


def test_a_draft_in_progress_refuses_it_and_nothing_is_changed(draft):
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    assert str(refused.value) == (
        f"Version 2 was not installed: there is a draft ({draft.label}). Publish or discard "
        "it, then run manage.py install_guideline_revisions."
    )
    assert state() == before
    assert GuidelineVersion.objects.get(pk=draft.pk).status == DRAFT


def test_a_published_version_other_than_1_refuses_it_and_nothing_is_changed(draft, editor):
    publish_it(draft, editor, label="1.1")
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    assert str(refused.value) == (
        "Version 2 was not installed: the published version is 1.1, not 1, which version 2 "
        "was written to replace. An editor may import guideline-version-2.json as a draft "
        "and review it against version 1.1 instead (manage.py import_guideline)."
    )
    assert state() == before


def test_without_a_published_version_it_is_refused(version_1):
    GuidelineVersion.objects.filter(status=PUBLISHED).update(status=RETIRED)
    before = state()

    with pytest.raises(installing.InstallationRefused) as refused:
        installing.install_guideline_revisions()

    assert str(refused.value) == (
        "Version 2 was not installed: no version is published, and it replaces version 1."
    )
    assert state() == before


# --- migrate ---------------------------------------------------------------------------


def migrate() -> str:
    out = io.StringIO()
    call_command("migrate", interactive=False, stdout=out)
    return out.getvalue()


def test_migrate_publishes_version_2(version_1, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = True

    out = migrate()

    assert "Version 2 is published and version 1 retired" in out
    assert statuses() == {"1": RETIRED, "2": PUBLISHED}


def test_migrate_leaves_version_1_published_when_the_setting_is_off(version_1, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = False

    out = migrate()

    assert "Version 2" not in out
    assert statuses() == {"1": PUBLISHED}


def test_migrate_says_why_it_did_not_install_version_2_and_still_succeeds(draft, settings):
    settings.INSTALL_GUIDELINE_REVISIONS = True

    out = migrate()

    assert f"Version 2 was not installed: there is a draft ({draft.label})." in out
    assert statuses() == {"1": PUBLISHED, draft.label: DRAFT}
