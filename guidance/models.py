"""Guideline content: the words the recommendation page quotes, and the logic that decides them.

A guideline has versions; exactly one is published at a time. A version holds the
sections (addressed by their slugs) and the warning texts, and its logic: the grading
thresholds, the category rules and the pairs of sections that exclude each other on the
version, and each section's and warning's condition on the section or warning itself.
The engine (guidance.engine) checks and runs that logic; here it is stored, validated
before anything is stored (``clean()`` gives field-level errors for the admin's forms;
``save()`` refuses a condition that does not compile, whatever the path) and recorded in
the history with who, when and why, like the text.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from guidance import engine
from guidance.engine.conditions import check_words
from guidance.identifiers import validate_reference
from guidance.markdown import render_markdown

if TYPE_CHECKING:  # guidance.recommendation reads the models, through guidance.content
    from guidance.recommendation import Recommendation


class Voice(models.TextChoices):
    """Whose words a section or warning is: the source's, quoted, or NET Advisor's own."""

    GUIDELINE = "guideline", "Source guideline, quoted verbatim"
    NOTE = "note", "NET Advisor note"


NOTE_WITHOUT_CITATION = (
    "A NET Advisor note must cite the publication it rests on, with its DOI where it has one."
)


class Guideline(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.title


class GuidelineVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Like the versions' save(): the logic and the words of a version that is not a draft
        # are a record.
        if set(kwargs) & {*LOGIC_FIELDS, *VERSION_TEXT_FIELDS}:
            with transaction.atomic(using=self.db):
                if self.exclude(status=GuidelineVersion.Status.DRAFT).exists():
                    raise ReadOnlyContent("Only a draft's logic and words can change.")
                return super().update(**kwargs)
        return super().update(**kwargs)

    def published(self) -> GuidelineVersionQuerySet:
        return self.filter(status=GuidelineVersion.Status.PUBLISHED)

    def current(self) -> GuidelineVersion:
        """The published version in force (raises DoesNotExist if there is none)."""
        return self.published().select_related("guideline").get()


class GuidelineVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"
        # Set aside without being published; kept, read-only, as a record.
        DISCARDED = "discarded", "Discarded"

    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=50, help_text="The version as cited, e.g. 1 or 2.1.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    citation = models.CharField(max_length=300, help_text="How the source is cited.")
    # What the clinician reads about the source; a default in the database too, like
    # logic_approved_digest's, for the data migrations written against an earlier state.
    title = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="The guideline's title as this version gives it; empty: the guideline's title.",
    )
    about_source = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Markdown: what the source is, shown wherever the source is named.",
    )
    not_covered = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Markdown: what the source does not cover, shown after the warnings.",
    )
    change_summary = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="drafts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="published_versions",
    )
    # What the reference cases gave when this version was published, and, if an editor
    # published despite failures, why.
    reference_results = models.JSONField(default=list, blank=True)
    accepted_failures_reason = models.TextField(blank=True)
    # The reference cases that gate the draft: those active when it was started, with what
    # they asked then (see guidance.publishing.gating_cases).
    gating_cases = models.JSONField(default=list, blank=True)
    # What changed in that gate while it was a draft, as it was when it was published.
    gate_changes = models.JSONField(default=list, blank=True)
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discarded_versions",
    )
    discard_reason = models.TextField(blank=True)
    # The version's logic beyond its sections' and warnings' conditions, as the guideline
    # file holds it (docs/guideline-format.md): checked by the engine before it is stored.
    grading = models.JSONField(
        default=dict, blank=True, help_text="The Ki-67 and mitotic thresholds of each grade."
    )
    category_rules = models.JSONField(
        default=list,
        blank=True,
        help_text="How differentiation and grade give the category: the first rule that holds.",
    )
    exclusive = models.JSONField(
        default=list, blank=True, help_text="Pairs of section slugs that never apply together."
    )

    # The second editor who approved the draft's logic, and when; recorded with the version.
    # The digest is of the logic as approved (guidance.engine.diff.logic_digest): a later
    # change to it, by whatever path, no longer matches, which voids the approval.
    logic_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_versions",
    )
    logic_approved_at = models.DateTimeField(null=True, blank=True)
    # A default in the database too, so that a data migration written against an earlier
    # state (0012's, say) can still add versions and their history rows.
    logic_approved_digest = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )

    objects = GuidelineVersionQuerySet.as_manager()
    # Who changed the logic (or anything else of a version), when and why; the snapshots of
    # the gate are records already and are not copied into every row.
    history = HistoricalRecords(
        excluded_fields=["reference_results", "gating_cases", "gate_changes"]
    )

    class Meta:
        permissions = [("publish_guidelineversion", "Can publish a draft guideline version")]
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "label"], name="unique_version_label_per_guideline"
            ),
            # Discarded drafts do not count: they never block the next one.
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="draft"), name="one_draft_version"
            ),
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="published"),
                name="one_published_version",
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.effective_title}, version {self.label} ({self.get_status_display()})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            old = (
                GuidelineVersion.objects.filter(pk=self.pk)
                .values_list("status", *LOGIC_FIELDS, *VERSION_TEXT_FIELDS)
                .first()
            )
            if old is not None and old[0] != self.Status.DRAFT:
                logic = old[1 : 1 + len(LOGIC_FIELDS)]
                words = old[1 + len(LOGIC_FIELDS) :]
                if logic != tuple(getattr(self, name) for name in LOGIC_FIELDS):
                    raise ReadOnlyContent(
                        f"Version {self.label} is not a draft: its logic cannot change."
                    )
                if words != tuple(getattr(self, name) for name in VERSION_TEXT_FIELDS):
                    raise ReadOnlyContent(
                        f"Version {self.label} is not a draft: what it says of its source "
                        "cannot change."
                    )
        super().save(*args, **kwargs)

    @property
    def effective_title(self) -> str:
        """The title the version is shown under: its own, or else the guideline's."""
        return self.title or self.guideline.title

    def clean_fields(self, exclude=None) -> None:
        """The fields' own checks, then the engine's check of the version's logic, each
        problem on its field (or, for a field the form does not show, the whole form's)."""
        super().clean_fields(exclude)
        if self.pk is None:
            return  # a new version's logic comes with its sections: checked on import
        raise_problems(self.logic_problems(), _version_field, self, exclude)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def missing_sections(self, present: Iterable[str] | None = None) -> list[str]:
        """Slugs the version's exclusions name that it has no section for (one query, or
        none given the slugs ``present``, just read).

        A section's condition is stored on the section, so every section the logic can
        return exists; only an exclusion (or a condition's ``applies[...]``, which
        ``logic_problems()`` reports) can name one that does not.
        """
        present = set(self.sections.values_list("slug", flat=True) if present is None else present)
        named = dict.fromkeys(slug for pair in self.exclusive or [] for slug in pair)
        return [slug for slug in named if isinstance(slug, str) and slug not in present]

    def logic_document(
        self, *, section: Section | None = None, warning: WarningText | None = None
    ) -> dict:
        """The version's logic as the engine reads it, from the database (two queries).

        ``section`` or ``warning``, a row of this version being edited (or added), is taken
        as it is in memory instead of as stored, so that a change is checked in the
        context of the whole version before it is saved.
        """
        sections = [
            row
            for row in self.sections.values_list("pk", "order", "slug", "applies_when", "reasons")
            if section is None or row[0] != section.pk
        ]
        if section is not None:
            sections.append(
                (section.pk, section.order, section.slug, section.applies_when, section.reasons)
            )
        warnings = [
            row
            for row in self.warnings.values_list("pk", "order", "code", "applies_when", "detail")
            if warning is None or row[0] != warning.pk
        ]
        if warning is not None:
            warnings.append(
                (warning.pk, warning.order, warning.code, warning.applies_when, warning.detail)
            )
        sections.sort(key=lambda row: (row[1] or 0, row[2]))
        warnings.sort(key=lambda row: (row[1] or 0, row[2]))
        return logic_document(
            grading=self.grading,
            category=self.category_rules,
            exclusive=self.exclusive,
            sections=[row[2:] for row in sections],
            warnings=[row[2:] for row in warnings],
        )

    def logic_problems(self, **replacing) -> list[engine.LogicProblem]:
        """Everything wrong with the version's logic (empty: it compiles); see logic_document."""
        return engine.logic_problems(self.logic_document(**replacing))

# The version's own logic fields (sections and warnings hold their conditions).
LOGIC_FIELDS = ("grading", "category_rules", "exclusive")
# What the version says of its source: words, a record like its sections once published.
VERSION_TEXT_FIELDS = ("title", "about_source", "not_covered")


class ReadOnlyContent(Exception):
    """Only a draft's text can be edited; published and retired versions are records."""


def logic_document(*, grading, category, exclusive, sections, warnings) -> dict:
    """The logic parts of a guideline document (docs/guideline-format.md), from rows.

    ``sections``: (slug, applies_when, reasons) in guideline order; ``warnings``: (code,
    applies_when, detail) in the order they are shown. Pure: no query.
    """
    return {
        "grading": grading,
        "category": category,
        "sections": [
            {"slug": slug, "applies_when": applies_when, "reasons": reasons or {}}
            for slug, applies_when, reasons in sections
        ],
        "warnings": [
            {"code": code, "applies_when": applies_when, "detail": detail}
            for code, applies_when, detail in warnings
        ],
        "exclusive": exclusive,
    }


def _version_field(problem: engine.LogicProblem) -> str | None:
    """The version's field a problem of its own logic is in (None: a section's or warning's)."""
    for prefix, field in (
        ("grading", "grading"),
        ("category", "category_rules"),
        ("exclusive", "exclusive"),
    ):
        if problem.where.startswith(prefix):
            return field
    return None


def raise_problems(problems, field_of, instance: models.Model, exclude=None) -> None:
    """Raise one ValidationError with every problem, each on the field ``field_of`` names.

    ``field_of(problem)`` gives a field's name, or None; a problem on no field, on a name
    that is not one of ``instance``'s fields, or on one in ``exclude`` (which the form does
    not show) is an error of the whole form, saying where in the version it is.
    """
    fields = {field.name for field in instance._meta.fields} - set(exclude or ())
    errors: dict[str, list[str]] = {}
    for problem in problems:
        field = field_of(problem)
        if field not in fields:
            field = NON_FIELD_ERRORS
        message = problem.message
        if field == NON_FIELD_ERRORS or problem.where.startswith(("category", "exclusive")):
            where = f"{problem.where}, {problem.field}" if problem.field else problem.where
            message = f"{where}: {message}"
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


class ProtectedSection(Exception):
    """A reference case or the version's own logic names this section or warning by its
    slug or code: it must stay, under that name, until they no longer do."""


class DraftTextQuerySet(models.QuerySet):
    """The writes that skip a model's save() and delete() keep to drafts too.

    ``update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()`` refuse, with
    ReadOnlyContent and before writing anything, when a row they would write belongs to a
    version that is not a draft, or would move to another version. The versions are checked
    with one query in the write's own transaction, and locked (where the database can) so
    that a draft cannot be published between the check and the write.
    """

    def update(self, **kwargs):
        if "version" in kwargs or "version_id" in kwargs:
            raise ReadOnlyContent("Guideline text cannot move to another version.")
        with transaction.atomic(using=self.db):
            _refuse_unless_drafts(self.values("version_id"))
            return super().update(**kwargs)

    def delete(self):
        with transaction.atomic(using=self.db):
            _refuse_unless_drafts(self.values("version_id"))
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            _refuse_unless_drafts({obj.version_id for obj in objs})
            return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "version" in fields or "version_id" in fields:
            raise ReadOnlyContent("Guideline text cannot move to another version.")
        objs = list(objs)
        with transaction.atomic(using=self.db):
            _refuse_unless_drafts(self.filter(pk__in=[obj.pk for obj in objs]).values("version_id"))
            return super().bulk_update(objs, fields, *args, **kwargs)


class DraftText(models.Model):
    """Guideline text that changes only while its version is a draft, and never moves.

    Each holds its condition too (``applies_when``, in the engine's expression language),
    recorded in its history with the text.
    """

    key_field = ""  # the name the engine knows the text by
    kind = ""  # "section" or "warning", as the engine's checks name them
    logic_fields: tuple[str, ...] = ("applies_when",)  # what the engine reads of the row

    # Whose words these are, shown with them: the source's, quoted verbatim, or a note of
    # NET Advisor's own, which always says so and cites what it rests on. Content, like the
    # text: a change is recorded in the history and needs no approval of the logic.
    voice = models.CharField(
        max_length=10, choices=Voice.choices, default=Voice.GUIDELINE, db_default=Voice.GUIDELINE
    )
    citation = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="For a note: the publication it rests on, with its DOI where it has one.",
    )

    objects = DraftTextQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        _refuse_unless_draft(self.version)
        # Whatever the path, a note is never stored without what it rests on.
        errors = self.voice_errors()
        if errors:
            raise ValidationError(errors)
        logic_changed = True
        if not self._state.adding:
            old_version_id, old_key, *old_logic = (
                type(self)
                .objects.filter(pk=self.pk)
                .values_list("version_id", self.key_field, *self.logic_fields)
                .get()
            )
            if old_version_id != self.version_id:
                raise ReadOnlyContent("Guideline text cannot move to another version.")
            self.check_key_change(old_key)
            logic_changed = old_logic != [getattr(self, name) for name in self.logic_fields]
        if logic_changed:
            self.refuse_invalid_logic()
        super().save(*args, **kwargs)

    def voice_errors(self, exclude=None) -> dict[str, list[str]]:
        """A note without a citation, on the citation (empty: none, or a field not shown)."""
        if {"voice", "citation"} & set(exclude or ()):
            return {}
        if self.voice == Voice.NOTE and not (self.citation or "").strip():
            return {"citation": [NOTE_WITHOUT_CITATION]}
        return {}

    def refuse_invalid_logic(self) -> None:
        """Refuse, whatever the path that saves it, a condition the engine cannot compile
        (with the row's own words for it).

        The row alone, against the sections the version has (one query): whether it fits
        the rest of the version (exclusions, sections that name each other) is the check of
        ``clean_fields()``, and of the import, which checks a whole file before it stores
        any of it.
        """
        slugs = {*self.version.sections.values_list("slug", flat=True)}
        if isinstance(self, Section):
            slugs.add(self.slug)
        errors = self.logic_errors(slugs)
        if errors:
            raise ValidationError(errors)

    def logic_errors(self, slugs: set[str]) -> dict[str, list[str]]:
        messages = engine.check_condition(self.applies_when, sections=slugs, kind=self.kind)
        return {"applies_when": messages} if messages else {}

    def clean_fields(self, exclude=None) -> None:
        """The fields' own checks, then the version's logic with this row as it is now:
        every problem on its field.

        Problems this change makes elsewhere in the version (a warning naming a section
        whose slug changed, say) are errors of the whole form, naming where they are, as
        are those on a field the form does not show.
        """
        # A note without its citation is said with the fields' own problems, or the logic's.
        errors = self.voice_errors(exclude)
        try:
            super().clean_fields(exclude)
            self._clean_logic(exclude)
        except ValidationError as error:
            raise ValidationError(error.update_error_dict(errors)) from error
        if errors:
            raise ValidationError(errors)

    def _clean_logic(self, exclude) -> None:
        if getattr(self, "version_id", None) is None:
            return  # the form reports the missing version
        version = self.version
        where = f"{self.kind} {getattr(self, self.key_field)}"
        before = {
            (problem.where, problem.field, problem.message)
            for problem in version.logic_problems()
        }
        problems = [
            problem
            for problem in version.logic_problems(**{self.kind: self})
            if problem.where == where
            or (problem.where, problem.field, problem.message) not in before
        ]
        raise_problems(
            problems,
            lambda problem: problem.field if problem.where == where else None,
            self,
            exclude,
        )

    # The reference cases' field that names texts of this kind.
    expected_field = ""

    def check_key_change(self, old_key: str) -> None:
        """Refuse a change of the key while anything names the text by its old one: it
        would then name a text the version no longer has."""
        if old_key == getattr(self, self.key_field):
            return
        refusals = self.removal_refusals(old_key)
        if refusals:
            raise ProtectedSection(
                f"The {self.kind} {old_key} cannot be renamed: "
                + "; ".join(refusals)
                + ". Change those first."
            )

    def delete(self, *args, **kwargs):
        _refuse_unless_draft(self.version)
        refusals = self.removal_refusals()
        if refusals:
            raise ProtectedSection(self.removal_refused(refusals))
        return super().delete(*args, **kwargs)

    def removal_refusals(self, key: str | None = None) -> list[str]:
        """What names the text by ``key`` (its own key unless given), so that it must stay
        in its version as it is (empty: it may go).

        An active reference case that expects it (it would fail), and whatever else of
        the version names it (``named_in_version``).
        """
        key = key if key is not None else getattr(self, self.key_field)
        named = [
            f"the reference case “{title}” expects it"
            for title, expected in ReferenceCase.objects.filter(is_active=True)
            .order_by("title")
            .values_list("title", self.expected_field)
            if isinstance(expected, list) and key in expected
        ]
        return named + self.named_in_version(key)

    def named_in_version(self, key: str) -> list[str]:
        """What of its own version names the text by ``key``: nothing, unless a kind of
        text says otherwise."""
        return []

    def removal_refused(self, refusals: list[str]) -> str:
        return (
            f"The {self.kind} {getattr(self, self.key_field)} cannot be removed from the draft: "
            + "; ".join(refusals)
            + ". Change those first."
        )


class Section(DraftText):
    key_field = "slug"
    kind = "section"
    expected_field = "expected_sections"
    logic_fields = ("applies_when", "reasons")

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(max_length=100, help_text="Stable identifier the engine uses.")
    group = models.CharField(max_length=100, blank=True)
    heading = models.CharField(max_length=200)
    source_heading = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="The source's own heading the quoted text stands under, e.g. "
        "“Other Grade 1-2 GEP-NETs”; empty when the heading above is NET Advisor's.",
    )
    text = models.TextField(help_text="Markdown. Rendered and sanitised before display.")
    order = models.PositiveIntegerField()
    applies_when = models.TextField(
        default="false",
        help_text='When the section applies, e.g. extent == "localised" and size_mm < 20. '
        "false: never recommended (an introduction, say).",
    )
    reasons = models.JSONField(
        default=dict,
        blank=True,
        help_text="Your own words for a part of the condition, by the part as written; "
        '"" leaves that part out of the reasons.',
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="unique_section_slug"),
        ]
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.slug}: {self.heading}"

    def logic_errors(self, slugs: set[str]) -> dict[str, list[str]]:
        words = self.reasons if self.reasons is not None else {}
        if not isinstance(words, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in words.items()
        ):
            return {"reasons": ["Give the words as text for each part of the condition."]}
        try:
            engine.compile_condition(
                self.applies_when, kind=self.kind, sections=slugs, words=words
            )
        except engine.ConditionError as error:
            return {"applies_when": error.messages}
        return {}

    def named_in_version(self, key: str) -> list[str]:
        """An exclusion of the version, or another section's or warning's condition
        (``applies["slug"]``), which would no longer compile. Two queries more, or three if
        the version is not loaded."""
        named = [
            f"the exclusion of {pair[0]} and {pair[1]} names it"
            for pair in self.version.exclusive or []
            if isinstance(pair, list) and key in pair
        ]
        try:
            logic = engine.compile_logic(self.version.logic_document())
        except engine.LogicError:
            return named  # the publish page lists the logic's problems
        named += [
            f"the condition of the {kind} {name} names it"
            for kind, rules in (("section", logic.sections), ("warning", logic.warnings))
            for rule in rules
            if key in rule.condition.sections
            and (name := getattr(rule, "slug", None) or rule.code) != key
        ]
        return named

    @cached_property
    def html(self) -> str:
        return render_markdown(self.text)


class WarningText(DraftText):
    key_field = "code"
    kind = "warning"
    expected_field = "expected_warnings"
    logic_fields = ("applies_when", "detail")

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="warnings")
    code = models.SlugField(max_length=100)
    message = models.TextField()
    # Warnings are shown in this order (the order of the guideline file's list).
    order = models.PositiveIntegerField(default=0)
    applies_when = models.TextField(
        default="false", help_text="When the warning is shown, in the same language as sections'."
    )
    # Null and "" differ: null has the engine generate the detail, "" shows none.
    detail = models.TextField(  # noqa: DJ001
        null=True,
        blank=True,
        help_text="What in the case raised it, with {placeholders}; empty: none; "
        "null: generated from the condition.",
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_warning_code"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def logic_errors(self, slugs: set[str]) -> dict[str, list[str]]:
        errors = super().logic_errors(slugs)
        if self.detail is not None:
            messages = check_words(self.detail) if isinstance(self.detail, str) else [
                "Give the detail as text."
            ]
            if messages:
                errors["detail"] = messages
        return errors


def _refuse_unless_draft(version: GuidelineVersion) -> None:
    if not version.is_draft:
        raise ReadOnlyContent(
            f"Version {version.label} is {version.get_status_display().lower()}: "
            "edit a draft instead."
        )


def _refuse_unless_drafts(version_ids) -> None:
    """Refuse unless every version of ``version_ids`` (ids, or a query of them) is a draft."""
    for version in GuidelineVersion.objects.select_for_update().filter(pk__in=version_ids):
        _refuse_unless_draft(version)


class ReferenceCase(models.Model):
    """A case with the advice it must get: run against every draft before it is published."""

    title = models.CharField(max_length=200, unique=True)
    facts = models.JSONField(help_text="The case facts, as the JSON API takes them.")
    expected_grade = models.CharField(
        max_length=7,
        choices=[("G1", "G1"), ("G2", "G2"), ("G3", "G3"), ("unknown", "Unknown")],
    )
    expected_sections = models.JSONField(help_text="Slugs of every section that must apply.")
    expected_warnings = models.JSONField(
        default=list, blank=True, help_text="Codes of every warning that must be shown."
    )
    expected_phrases = models.JSONField(
        default=list,
        blank=True,
        help_text="Words the quoted text must still contain, e.g. a drug name or a threshold.",
    )
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


def spaced(words) -> str:
    return " " + " ".join(words) + " "


# The facts that are numbers: a saved case keeps each in a column of its own. Every other
# fact is a choice or a yes/no, and the case keeps them all together in its fingerprint.
NUMBER_FACTS = ("size_mm", "ki67_percent", "mitoses_per_10hpf")
FINGERPRINT_FACTS = tuple(
    field.name for field in dataclasses.fields(engine.CaseFacts) if field.name not in NUMBER_FACTS
)


def fingerprint(facts: Mapping[str, Any]) -> str:
    """The facts other than the numbers (JSON values), as one short string: a JSON array in
    the order of FINGERPRINT_FACTS, which ``facts_of()`` reads back.

    Not a hash: two cases have the same fingerprint exactly when those facts are equal, and
    the impact report rebuilds the facts from it without reading any snapshot.
    """
    return json.dumps([facts.get(name) for name in FINGERPRINT_FACTS], separators=(",", ":"))


def facts_of(fingerprint: str, numbers: Mapping[str, Any]) -> dict[str, Any]:
    """The facts (JSON values, numbers as given) of a fingerprint and the numbers."""
    return {**dict(zip(FINGERPRINT_FACTS, json.loads(fingerprint), strict=True)), **numbers}


def exact_decimal(value: int | float | None) -> Decimal | None:
    """A saved JSON number as the decimal it was written from (see recommendation.json_number:
    a float's shortest repr gives back exactly the decimal entered)."""
    if value is None:
        return None
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


class CaseIsImmutable(Exception):
    """A saved case is a record of what was shown: it is never changed afterwards."""


class CaseQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise CaseIsImmutable("Saved cases cannot be changed.")

    def owned_by(self, user) -> CaseQuerySet:
        return self.filter(clinician=user)

    def matching(
        self,
        *,
        site: str | None = None,
        extent: str | None = None,
        grade: str | None = None,
        saved_from: date | None = None,
        saved_to: date | None = None,
        reference_contains: str | None = None,
    ) -> CaseQuerySet:
        """The cases the history's filters ask for; a filter left as None matches any case.

        ``grade`` is as saved: "" for a case whose grade is unknown. ``saved_from`` and
        ``saved_to`` are whole local days, both included. Each filter narrows on an indexed
        column, and the days are ranges on ``created_at`` itself so that its index serves
        them.
        """
        cases = self
        if site is not None:
            cases = cases.filter(site=site)
        if extent is not None:
            cases = cases.filter(extent=extent)
        if grade is not None:
            cases = cases.filter(grade=grade)
        if saved_from is not None:
            cases = cases.filter(created_at__gte=_start_of(saved_from))
        if saved_to is not None:
            cases = cases.filter(created_at__lt=_start_of(saved_to + timedelta(days=1)))
        if reference_contains is not None:
            cases = cases.filter(reference__icontains=reference_contains)
        return cases


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day``, in the project's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class Case(models.Model):
    """One run of the wizard by a clinician: the inputs and exactly what was shown."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # the case_history index leads with the clinician
    )
    guideline_version = models.ForeignKey(
        GuidelineVersion, on_delete=models.PROTECT, related_name="cases"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="Optional, e.g. an MDT list number. Never a name or other patient identifier.",
        validators=[validate_reference],
    )
    # Copied out of the snapshot so the history can filter and sort on indexed columns.
    site = models.CharField(max_length=20, choices=engine.SITES)
    extent = models.CharField(max_length=20, choices=engine.EXTENTS)
    grade = models.CharField(max_length=2, blank=True, help_text="Empty when unknown.")
    warning_count = models.PositiveSmallIntegerField()
    # Space-separated, with a space at each end, so " slug " finds a case by what it showed
    # (for the impact report) without reading the snapshots.
    section_slugs = models.CharField(max_length=1000, blank=True)
    warning_codes = models.CharField(max_length=1000, blank=True)
    category = models.CharField(max_length=30, help_text="The category shown (an engine value).")
    # The facts, copied out of the snapshot so that the impact report can run a draft on
    # groups of cases without reading a snapshot: the choices and yes/no answers as one
    # fingerprint (see fingerprint()), the numbers exactly, as the forms take them.
    fingerprint = models.CharField(max_length=300)
    size_mm = models.DecimalField(max_digits=4, decimal_places=1)
    ki67_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    mitoses_per_10hpf = models.PositiveSmallIntegerField(null=True)
    # The inputs and the recommendation exactly as shown: a guidance.recommendation
    # Recommendation, as build() made it.
    snapshot = models.JSONField()
    # The run of the wizard that saved the case: unique, so that a review submitted twice
    # (a double click, a second tab, two workers at once) saves one case, whatever the race.
    run_token = models.UUIDField(unique=True, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        # Related lookups and Django internals use this manager too, so they refuse updates.
        base_manager_name = "objects"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinician", "-created_at", "-id"], name="case_history"),
            models.Index(fields=["clinician", "site", "-created_at"], name="case_history_site"),
            models.Index(fields=["clinician", "extent", "-created_at"], name="case_history_extent"),
            models.Index(fields=["clinician", "grade", "-created_at"], name="case_history_grade"),
            # The reference search is a substring match: no index can seek it, but scanning
            # this small index is far cheaper than scanning rows that carry the snapshot.
            models.Index(fields=["clinician", "reference"], name="case_history_reference"),
            # Everything the impact report groups the cases by, so that it reads this index
            # alone, never the rows with their snapshots. See guidance.publishing.impact().
            models.Index(
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__in=["", "G1", "G2", "G3"]), name="case_grade_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(site__in=[value for value, _ in engine.SITES]),
                name="case_site_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(extent__in=[value for value, _ in engine.EXTENTS]),
                name="case_extent_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise CaseIsImmutable("Saved cases cannot be changed.")
        self.validate_columns()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("guidance:case-detail", args=[self.pk])

    def validate_columns(self) -> None:
        """Refuse (ValidationError) a reference that could identify a patient, or a number the
        columns cannot hold exactly: whatever path a case is saved by, not only the forms."""
        for name in ("reference", *NUMBER_FACTS):
            self._meta.get_field(name).run_validators(getattr(self, name))

    def delete_on_record(self, *, clinician) -> CaseDeletion:
        """Delete the case and record who deleted which case and when, all or nothing."""
        with transaction.atomic():
            deletion = CaseDeletion.objects.create(case_id=self.pk, clinician=clinician)
            self.delete()
        return deletion

    @classmethod
    def record(
        cls,
        *,
        clinician,
        guideline_version_id: int,
        shown: Recommendation,
        run_token: uuid.UUID,
        reference: str = "",
        created_at: datetime | None = None,
    ) -> Case:
        """Save what was shown to ``clinician``, from the version with that id, all or nothing.

        ``run_token`` names the run of the wizard the case comes from; a second case from the
        same run is refused by the database (IntegrityError) and nothing of it is stored.
        ``created_at`` is when it was shown: now, unless given.
        """
        case = cls.of(
            clinician=clinician,
            guideline_version_id=guideline_version_id,
            shown=shown,
            run_token=run_token,
            reference=reference,
            created_at=created_at,
        )
        with transaction.atomic():
            case.save(force_insert=True)
        return case

    @classmethod
    def of(
        cls,
        *,
        clinician,
        guideline_version_id: int,
        shown: Recommendation,
        run_token: uuid.UUID,
        reference: str = "",
        created_at: datetime | None = None,
    ) -> Case:
        """The case ``record()`` saves, not yet saved: every column filled from ``shown``.

        For writing many at once with ``bulk_create()`` (after ``validate_columns()``).
        """
        facts = shown["facts"]
        return cls(
            clinician=clinician,
            guideline_version_id=guideline_version_id,
            run_token=run_token,
            reference=reference,
            created_at=created_at or timezone.now(),
            site=facts["site"],
            extent=facts["extent"],
            grade=shown["grade"] or "",
            category=shown["category"],
            warning_count=len(shown["warnings"]),
            section_slugs=spaced(item["section"] for item in shown["recommendations"]),
            warning_codes=spaced(item["code"] for item in shown["warnings"]),
            fingerprint=fingerprint(facts),
            size_mm=exact_decimal(facts["size_mm"]),
            ki67_percent=exact_decimal(facts.get("ki67_percent")),
            mitoses_per_10hpf=facts.get("mitoses_per_10hpf"),
            snapshot=shown,
        )


class CaseDeletion(models.Model):
    """That a clinician deleted a saved case, and when: never anything the case held."""

    case_id = models.PositiveBigIntegerField(help_text="The deleted case's id.")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_deletions"
    )
    deleted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-deleted_at", "-id"]

    def __str__(self) -> str:
        return f"Case {self.case_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise CaseIsImmutable("A deletion record cannot be changed.")
        super().save(*args, **kwargs)
