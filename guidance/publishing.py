"""The editor's cycle: draft, check against the reference cases, see the impact, publish.

The reference cases that gate a draft are those active when it was started, as they were
then (``GuidelineVersion.gating_cases``). Checking a draft runs every reference case active
now, and lists every change to that gate since the start: a gating case deactivated,
edited or deleted (each of which needs the recorded reason, like a failure) or a case
added or reactivated (which only makes the gate stronger).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from guidance import content, engine, recommendation
from guidance.engine import check as logic_check
from guidance.engine import diff as logic_diff
from guidance.forms import CaseForm, form_data
from guidance.impact import AdviceChange, Impact, SectionChange, impact
from guidance.models import (
    LOGIC_FIELDS,
    GuidelineVersion,
    ReferenceCase,
    Section,
    WarningText,
    logic_document,
)

# The impact on saved cases lives in guidance.impact; publishing offers it with the rest.
__all__ = ["AdviceChange", "Impact", "PublishingError", "SectionChange", "impact"]


class PublishingError(Exception):
    """The draft cannot be published as it is; the message says why."""


@dataclass
class ReferenceResult:
    title: str
    passed: bool
    problems: list[str] = field(default_factory=list)


# What a reference case asks of a version; its title and notes only describe it.
GATE_FIELDS = (
    "facts",
    "expected_grade",
    "expected_sections",
    "expected_warnings",
    "expected_phrases",
)


def gating_cases() -> list[dict[str, Any]]:
    """The active reference cases as they are now: the gate of a draft started now.

    Each with its latest history record's id, so the gate can be traced in the audit
    trail, and what it asks, so a later change is seen however it was made. Two queries.
    """
    cases = list(ReferenceCase.objects.filter(is_active=True).order_by("pk"))
    latest = dict(
        ReferenceCase.history.filter(id__in=[case.pk for case in cases])
        .order_by()
        .values_list("id")
        .annotate(Max("history_id"))
    )
    return [
        {
            "id": case.pk,
            "history_id": latest.get(case.pk),
            "title": case.title,
            **{name: getattr(case, name) for name in GATE_FIELDS},
        }
        for case in cases
    ]


# What a draft is made of, beside what start_draft() sets itself: a version's citation,
# what it says of its source and its logic, and its sections' and warning texts' fields
# (their voice and citation among them), as content_of() reads them.
VERSION_CONTENT = (
    "citation", "title", "about_source", "not_covered", "grading", "category_rules", "exclusive",
)
SECTION_CONTENT = (
    "slug", "group", "heading", "source_heading", "voice", "citation", "text", "order",
    "applies_when", "reasons",
)
WARNING_CONTENT = ("code", "message", "voice", "citation", "order", "applies_when", "detail")


def content_of(version: GuidelineVersion) -> dict[str, Any]:
    """A version's text and logic, as start_draft() takes them: the fields above (2 queries)."""
    return {
        **{name: getattr(version, name) for name in VERSION_CONTENT},
        "sections": list(version.sections.order_by("order", "slug").values(*SECTION_CONTENT)),
        "warnings": list(version.warnings.order_by("order", "code").values(*WARNING_CONTENT)),
    }


def start_draft(
    *, editor, reason: str = "", content: dict[str, Any] | None = None
) -> GuidelineVersion:
    """A new draft, gated by the reference cases active now: a copy of the published
    version's text and logic, or ``content`` (as content_of() gives it) when given.

    All or nothing: if any part of it is refused, no draft is left behind.
    """
    with transaction.atomic():
        base = GuidelineVersion.objects.select_for_update().get(
            status=GuidelineVersion.Status.PUBLISHED
        )
        if GuidelineVersion.objects.filter(status=GuidelineVersion.Status.DRAFT).exists():
            raise PublishingError("There is already a draft: publish or discard it first.")
        if content is None:
            content = content_of(base)
        why = reason or f"Draft started from version {base.label}"
        draft = GuidelineVersion(
            guideline=base.guideline,
            label=f"{base.label} (draft {timezone.now():%Y-%m-%d %H:%M:%S.%f})",
            status=GuidelineVersion.Status.DRAFT,
            based_on=base,
            gating_cases=gating_cases(),
            **{name: content[name] for name in VERSION_CONTENT},
        )
        draft._change_reason = why
        draft._history_user = editor
        draft.save()
        # One save each, not bulk_create, so that every row starts its history. Sections
        # first, in order, so that each condition may name the sections before it.
        for model, fields, rows in (
            (Section, SECTION_CONTENT, content["sections"]),
            (WarningText, WARNING_CONTENT, content["warnings"]),
        ):
            for row in rows:
                copy = model(version=draft, **{name: row[name] for name in fields})
                copy._change_reason = why
                copy._history_user = editor
                copy.save()
    return draft


def discard_draft(draft: GuidelineVersion, *, editor, reason: str) -> GuidelineVersion:
    """Set the draft aside without publishing it, so that another can be started.

    Nothing is deleted: the version, its sections and warning texts and their history stay,
    read-only, with who discarded it, when and why.
    """
    reason = reason.strip()
    if not reason:
        raise PublishingError("Give the reason for discarding the draft.")
    with transaction.atomic():
        draft = GuidelineVersion.objects.select_for_update().get(pk=draft.pk)
        if not draft.is_draft:
            raise PublishingError("Only a draft can be discarded.")
        draft.status = GuidelineVersion.Status.DISCARDED
        draft.discarded_at = timezone.now()
        draft.discarded_by = editor
        draft.discard_reason = reason
        draft._history_user = editor
        draft._change_reason = f"Discarded: {reason}"[:100]
        draft.save()
    return draft


def reference_case_problems(
    case: ReferenceCase, version: GuidelineVersion | content.GuidelineText
) -> list[str]:
    """How the version's advice for ``case`` differs from what it must be (empty: it passes).

    Given a version rather than its text, its text is read afresh (three queries at most).
    """
    if not isinstance(case.facts, dict):
        return ["The case's inputs are not a JSON object."]
    form = CaseForm(data=form_data(case.facts))
    if not form.is_valid():
        return [f"The case's inputs are not valid: {form.errors.as_text()}"]
    text = version if isinstance(version, content.GuidelineText) else content.load(version)
    shown: recommendation.Recommendation = recommendation.build(
        facts=form.facts(), text=text, what_would_change=False
    )
    problems = []
    grade = shown["grade"] or "unknown"
    if grade != case.expected_grade:
        problems.append(f"grade {grade}, expected {case.expected_grade}")
    got = [item["section"] for item in shown["recommendations"]]
    codes = [item["code"] for item in shown["warnings"]]
    problems += _mismatches("section", got, case.expected_sections)
    problems += _mismatches("warning", codes, case.expected_warnings)
    quoted = " ".join(item["text"] for item in shown["recommendations"])
    problems += [
        f"the quoted text no longer contains “{phrase}”"
        for phrase in case.expected_phrases
        if phrase.lower() not in quoted.lower()
    ]
    return problems


def _mismatches(kind: str, got: list[str], expected: list[str]) -> list[str]:
    return [f"{kind} {name} is missing" for name in expected if name not in got] + [
        f"{kind} {name} is not expected" for name in got if name not in expected
    ]


def run_reference_cases(version: GuidelineVersion) -> list[ReferenceResult]:
    # The version's text read once, afresh: a draft's text changes, so it is never cached.
    text = content.load(version)
    return [run(case, text) for case in ReferenceCase.objects.filter(is_active=True)]


def reference_results(version: GuidelineVersion) -> dict[str, ReferenceResult] | None:
    """Each active reference case's result against the version, by title; None if the
    version's logic does not compile."""
    try:
        return {result.title: result for result in run_reference_cases(version)}
    except engine.LogicError:
        return None


def changed_results(
    before: dict[str, ReferenceResult] | None, after: dict[str, ReferenceResult] | None
) -> list[ReferenceResult] | None:
    """The results of ``after`` that differ from ``before`` (a case new to ``after`` among
    them), in title order; None if either could not be run."""
    if before is None or after is None:
        return None
    return [
        result
        for title, result in sorted(after.items())
        if title not in before
        or (before[title].passed, before[title].problems) != (result.passed, result.problems)
    ]


def run(case: ReferenceCase, text: content.GuidelineText) -> ReferenceResult:
    problems = reference_case_problems(case, text)
    return ReferenceResult(case.title, not problems, problems)


@dataclass
class FieldChange:
    field: str  # as the admin labels it
    before: str  # JSON
    after: str  # JSON


@dataclass
class GateChange:
    """A reference case whose part in the gate changed since the draft was started."""

    case_id: int
    title: str
    kind: str  # "deactivated", "edited", "deleted": these need a reason; or "added"
    fields: list[FieldChange] = field(default_factory=list)  # what it asks, before and after
    # The case as it was when the draft was started, run against the draft (not for "added").
    as_started: ReferenceResult | None = None

    @property
    def needs_reason(self) -> bool:
        return self.kind != "added"


@dataclass
class GateCheck:
    """A draft against its gate: every active reference case run, the gate's changes, and
    the exhaustive check of its logic over every valid case."""

    results: list[ReferenceResult]
    changes: list[GateChange]
    logic: logic_check.CheckResult

    @property
    def logic_failures(self) -> tuple[logic_check.Failure, ...]:
        """What no recorded reason can accept: a case without advice, excluded sections
        together, a condition that cannot be decided."""
        return self.logic.failures

    @property
    def logic_classes(self) -> str:
        """The number of classes of valid cases checked, as the page writes it: 884,520."""
        return f"{self.logic.classes:,}"

    @property
    def failures(self) -> list[ReferenceResult]:
        return [result for result in self.results if not result.passed]

    @property
    def changes_needing_reason(self) -> list[GateChange]:
        return [change for change in self.changes if change.needs_reason]

    @property
    def needs_reason(self) -> bool:
        return bool(self.failures or self.changes_needing_reason)


def check_gate(draft: GuidelineVersion, text: content.GuidelineText | None = None) -> GateCheck:
    """Run the reference cases against the draft and list the changes to its gate.

    The cases run are those active now, as they are now: a case edited to fix it is run
    as it now is, and a case added since the start runs too. Every gating case that was
    deactivated, edited or deleted since is also run as it was at the start, so the editor
    sees what the change hides. The draft's text is read afresh (two queries, or three if
    its guideline is not loaded) unless given as ``text``, then the reference cases active
    now or gating the draft (one), whatever their number. Its logic is checked over every
    class of valid cases, in memory.
    """
    if text is None:
        text = content.load(draft)
    proof = logic_check.check(text.logic)
    started = {entry["id"]: entry for entry in draft.gating_cases}
    cases = list(ReferenceCase.objects.filter(Q(is_active=True) | Q(pk__in=started)))
    results = [run(case, text) for case in cases if case.is_active]
    changes = []
    for case in cases:
        entry = started.get(case.pk)
        if entry is None:
            changes.append(GateChange(case.pk, case.title, "added"))
            continue
        fields = _changed_fields(entry, case)
        if case.is_active and not fields:
            continue
        kind = "edited" if case.is_active else "deactivated"
        changes.append(GateChange(case.pk, case.title, kind, fields, _run_as_started(entry, text)))
    present = {case.pk for case in cases}
    changes += [
        GateChange(entry["id"], entry["title"], "deleted", [], _run_as_started(entry, text))
        for entry in draft.gating_cases
        if entry["id"] not in present
    ]
    return GateCheck(results, changes, proof)


def _changed_fields(entry: dict[str, Any], case: ReferenceCase) -> list[FieldChange]:
    return [
        FieldChange(
            str(ReferenceCase._meta.get_field(name).verbose_name),
            json.dumps(entry[name], ensure_ascii=False),
            json.dumps(getattr(case, name), ensure_ascii=False),
        )
        for name in GATE_FIELDS
        if entry[name] != getattr(case, name)
    ]


def _run_as_started(entry: dict[str, Any], text: content.GuidelineText) -> ReferenceResult:
    case = ReferenceCase(title=entry["title"], **{name: entry[name] for name in GATE_FIELDS})
    return run(case, text)


PUBLISH_PERMISSION = "guidance.publish_guidelineversion"


def editor_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "no one"


@dataclass
class Approval:
    """Whether a draft's logic needs a second editor's approval, and whether it has it.

    The logic needs it when it differs from the version the draft is based on
    (guidance.engine.diff says what counts as logic). The approver may not be the editor who
    made the last change to the logic, as the history records it; the approval is of the
    logic as it was then (its digest), so any later change to it voids the approval.
    """

    based_on: str  # the label of the version the draft is compared with
    changes: list[logic_diff.RuleChange]  # the logic, rule by rule, from that version
    digest: str  # of the draft's logic as it is now
    author: Any  # who made the last change to the logic (None: not recorded)
    changed_at: Any  # when (None: not recorded)
    approved_by: Any
    approved_at: Any
    approved_digest: str

    @property
    def needed(self) -> bool:
        return bool(self.changes)

    @property
    def approved(self) -> bool:
        """Approved, and of the logic as it is now."""
        return self.approved_by is not None and self.approved_digest == self.digest

    @property
    def voided(self) -> bool:
        """Approved once, but the logic changed since."""
        return self.approved_by is not None and not self.approved

    def refusal(self, user) -> str:
        """Why ``user`` may not approve the draft's logic now ("": they may)."""
        if not self.needed:
            return (
                f"The draft's logic is the same as version {self.based_on}'s: there is "
                "nothing to approve."
            )
        if self.approved:
            return f"The draft's logic is already approved by {editor_name(self.approved_by)}."
        if not (user.is_active and user.has_perm(PUBLISH_PERMISSION)):
            return f"{editor_name(user)} may not approve a guideline's logic."
        if self.author is not None and user.pk == self.author.pk:
            return (
                f"{editor_name(user)} made the last change to the draft's logic: a second "
                "editor must approve it."
            )
        return ""

    def why_unapproved(self) -> str:
        """Why publishing needs an approval first (for a draft that needs one, unapproved)."""
        rules = f"{len(self.changes)} rule" + ("" if len(self.changes) == 1 else "s")
        who = (
            f", not {editor_name(self.author)}, who made the last change to it"
            if self.author is not None
            else ""
        )
        needed = (
            f"The draft's logic differs from version {self.based_on}'s in {rules} and needs "
            f"the approval of a second editor{who}."
        )
        if self.voided:
            return (
                f"The approval of the draft's logic by {editor_name(self.approved_by)} was "
                f"voided by a later change to the logic. {needed}"
            )
        return needed


def approval_of(
    draft: GuidelineVersion, text: content.GuidelineText | None = None
) -> Approval:
    """The draft's logic compared with the version it is based on, and its approval.

    Seven queries, or eight if the approver is not loaded with the draft, whatever the
    number of changes: the two versions' logic (the version it is based on, then two each),
    the history of the draft's sections, warnings and of the draft itself, the author. Two
    fewer given the draft's ``text``, just read: its logic is then taken from there.
    """
    document = draft.logic_document() if text is None else logic_document_of(draft, text.logic)
    base = draft.based_on
    old = base.logic_document() if base is not None else {}
    author_id, changed_at = _last_logic_change(draft)
    author = (
        get_user_model().objects.filter(pk=author_id).first() if author_id is not None else None
    )
    return Approval(
        based_on=base.label if base is not None else "none",
        changes=logic_diff.logic_diff(old, document),
        digest=logic_diff.logic_digest(document),
        author=author,
        changed_at=changed_at,
        approved_by=draft.logic_approved_by,
        approved_at=draft.logic_approved_at,
        approved_digest=draft.logic_approved_digest,
    )


def logic_document_of(version: GuidelineVersion, logic: engine.Logic) -> dict[str, Any]:
    """The version's logic document (as ``logic_document()`` reads it from the database)
    from its compiled ``logic``: its own grading, category rules and exclusions as stored,
    and each section's and warning's condition as the editor wrote it, in the same order.
    No query."""
    return logic_document(
        grading=version.grading,
        category=version.category_rules,
        exclusive=version.exclusive,
        sections=[
            (rule.slug, rule.condition.text, dict(rule.condition.words))
            for rule in logic.sections
        ],
        warnings=[(rule.code, rule.condition.text, rule.detail) for rule in logic.warnings],
    )


@dataclass
class Review:
    """What the publish page shows of a draft: its gate, the impact on saved cases, the
    approval of its logic and the sections its exclusions name that it lacks; or, when its
    logic does not compile, that logic's problems instead of the gate and the impact."""

    approval: Approval
    missing: list[str]
    gate: GateCheck | None = None
    impact: Impact | None = None
    logic_problems: list[engine.LogicProblem] = field(default_factory=list)


def review(draft: GuidelineVersion) -> Review:
    """Everything the publish page checks of the draft, from one reading of its text and one
    compilation of its logic (the gate, the impact and the approval share them).

    A draft whose logic does not compile (a section its rules name deleted with a bulk
    delete, say) cannot run: its problems are given instead of the gate and the impact.
    """
    try:
        text = content.load(draft)
    except engine.LogicError as failure:
        return Review(
            approval=approval_of(draft),
            missing=draft.missing_sections(),
            logic_problems=failure.problems,
        )
    return Review(
        approval=approval_of(draft, text),
        missing=draft.missing_sections(present=text.sections),
        gate=check_gate(draft, text),
        impact=impact(draft, text),
    )


def _last_logic_change(draft: GuidelineVersion) -> tuple[int | None, Any]:
    """Who made the draft's last change to its logic, and when, from the history (three
    queries): the latest record of a section or warning added or removed, of a condition
    changed, or of the version's own logic changed (its first record included: a draft
    made from a file brings its logic with it)."""
    latest: tuple[Any, int | None] | None = None
    for records, fields in (
        (Section.history.filter(version_id=draft.pk), ("slug", "applies_when")),
        (WarningText.history.filter(version_id=draft.pk), ("code", "applies_when")),
        (GuidelineVersion.history.filter(id=draft.pk), LOGIC_FIELDS),
    ):
        previous: dict[int, list[Any]] = {}
        rows = records.order_by("history_date", "history_id").values_list(
            "id", "history_type", "history_date", "history_user_id", *fields
        )
        for object_id, kind, when, user_id, *logic in rows:
            if (kind != "~" or previous.get(object_id) != logic) and (
                latest is None or when >= latest[0]
            ):
                latest = (when, user_id)
            previous[object_id] = logic
    return (None, None) if latest is None else (latest[1], latest[0])


def approve_logic(draft: GuidelineVersion, *, approver) -> GuidelineVersion:
    """Record ``approver``'s approval of the draft's logic as it is now, in its history."""
    with transaction.atomic():
        draft = GuidelineVersion.objects.select_for_update().get(pk=draft.pk)
        if not draft.is_draft:
            raise PublishingError("Only a draft's logic can be approved.")
        approval = approval_of(draft)
        refusal = approval.refusal(approver)
        if refusal:
            raise PublishingError(refusal)
        _record_approval(draft, approver, approval.digest)
    return draft


def _record_approval(draft: GuidelineVersion, approver, digest: str) -> None:
    draft.logic_approved_by = approver
    draft.logic_approved_at = timezone.now()
    draft.logic_approved_digest = digest
    draft._history_user = approver
    draft._change_reason = f"Logic approved by {editor_name(approver)}"[:100]
    draft.save()


def publish(
    draft: GuidelineVersion,
    *,
    editor,
    label: str,
    change_summary: str,
    accept_failures_reason: str = "",
    approver=None,
) -> list[ReferenceResult]:
    """Publish the draft in one transaction; the published version it replaces is retired.

    A draft whose logic changed needs a second editor's approval: given beforehand (the
    publish page's Approve button, ``approve_logic()``), or as ``approver``, recorded first.
    """
    with transaction.atomic():
        draft = GuidelineVersion.objects.select_for_update().get(pk=draft.pk)
        if not draft.is_draft:
            raise PublishingError("Only a draft can be published.")
        missing = draft.missing_sections()
        if missing:
            raise PublishingError(
                "The draft has no section for: " + ", ".join(missing) + ". Its exclusions name "
                "them."
            )
        # The models store no logic that does not compile; this refuses one changed outside
        # the app, before the reference cases run on it. Read and compiled once, here, for
        # every check below.
        try:
            text = content.load(draft)
        except engine.LogicError as failure:
            raise PublishingError(
                "The draft's logic does not compile: "
                + "; ".join(f"{p.where}, {p.field}: {p.message}" for p in failure.problems)
            ) from failure
        label = label.strip()
        if not label:
            raise PublishingError("Give the version a label.")
        if GuidelineVersion.objects.filter(guideline=draft.guideline, label=label).exists():
            raise PublishingError(f"Version {label} already exists.")
        gate = check_gate(draft, text)
        # Logic that leaves cases without advice is refused whoever approves it.
        if gate.logic_failures:
            raise PublishingError(_why_the_logic_fails(gate))
        approval = approval_of(draft, text)
        if approval.needed and not approval.approved:
            if approver is None:
                raise PublishingError(approval.why_unapproved())
            refusal = approval.refusal(approver)
            if refusal:
                raise PublishingError(f"{refusal} {approval.why_unapproved()}")
            _record_approval(draft, approver, approval.digest)
        reason = accept_failures_reason.strip()
        if gate.needs_reason and not reason:
            raise PublishingError(_why_a_reason_is_needed(gate))
        GuidelineVersion.objects.filter(status=GuidelineVersion.Status.PUBLISHED).update(
            status=GuidelineVersion.Status.RETIRED
        )
        draft.status = GuidelineVersion.Status.PUBLISHED
        draft.label = label
        draft.change_summary = change_summary
        draft.published_at = timezone.now()
        draft.published_by = editor
        draft.reference_results = [asdict(result) for result in gate.results]
        draft.gate_changes = [asdict(change) for change in gate.changes]
        draft.accepted_failures_reason = reason if gate.needs_reason else ""
        draft._history_user = editor  # the version's history: who published it, and as what
        draft._change_reason = f"Published as version {label}"[:100]
        draft.save()
    return gate.results


def _why_the_logic_fails(gate: GateCheck) -> str:
    failures = " ".join(
        f"{failure.message} For example: {failure.words}." for failure in gate.logic_failures
    )
    return (
        f"The exhaustive check of the draft's logic fails: {failures} Correct the logic: "
        "these failures cannot be accepted with a reason."
    )


def _why_a_reason_is_needed(gate: GateCheck) -> str:
    problems = []
    if gate.failures:
        problems.append(f"{len(gate.failures)} reference case(s) fail")
    if gate.changes_needing_reason:
        problems.append(
            f"{len(gate.changes_needing_reason)} reference case(s) that gate this draft were "
            "deactivated, edited or deleted: the gate changed since the draft was started"
        )
    return "; ".join(problems) + ". Fix the draft, or publish with a recorded reason."
