"""Guideline content: the words the recommendation page quotes.

A guideline has versions; exactly one is published at a time. A version holds the
sections (addressed by the stable slugs the engine returns) and the warning texts.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from guidance import engine
from guidance.identifiers import validate_reference
from guidance.markdown import render_markdown

if TYPE_CHECKING:  # guidance.recommendation reads the models, through guidance.content
    from guidance.recommendation import Recommendation


class Guideline(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.title


class GuidelineVersionQuerySet(models.QuerySet):
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

    objects = GuidelineVersionQuerySet.as_manager()

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
        return f"{self.guideline.title}, version {self.label} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def missing_sections(self) -> list[str]:
        """Engine slugs this version has no section for (one query)."""
        present = set(self.sections.values_list("slug", flat=True))
        return [slug for slug in engine.SECTION_SLUGS if slug not in present]


class ReadOnlyContent(Exception):
    """Only a draft's text can be edited; published and retired versions are records."""


class ProtectedSection(Exception):
    """The engine refers to this section by its slug: it must stay."""


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
    """Guideline text that changes only while its version is a draft, and never moves."""

    key_field = ""  # the name the engine knows the text by

    objects = DraftTextQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        _refuse_unless_draft(self.version)
        if not self._state.adding:
            old_version_id, old_key = (
                type(self)
                .objects.filter(pk=self.pk)
                .values_list("version_id", self.key_field)
                .get()
            )
            if old_version_id != self.version_id:
                raise ReadOnlyContent("Guideline text cannot move to another version.")
            self.check_key_change(old_key)
        super().save(*args, **kwargs)

    def check_key_change(self, old_key: str) -> None:
        """Refuse a change of the key, where the engine depends on it."""

    def delete(self, *args, **kwargs):
        _refuse_unless_draft(self.version)
        return super().delete(*args, **kwargs)


class Section(DraftText):
    key_field = "slug"

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(max_length=100, help_text="Stable identifier the engine uses.")
    group = models.CharField(max_length=100, blank=True)
    heading = models.CharField(max_length=200)
    text = models.TextField(help_text="Markdown. Rendered and sanitised before display.")
    order = models.PositiveIntegerField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="unique_section_slug"),
        ]
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.slug}: {self.heading}"

    def check_key_change(self, old_slug: str) -> None:
        if old_slug in engine.SECTION_SLUGS and old_slug != self.slug:
            raise ProtectedSection(f"The engine uses the slug {old_slug!r}: it cannot change.")

    def delete(self, *args, **kwargs):
        if self.is_protected:
            raise ProtectedSection(f"The engine uses the section {self.slug!r}: it must stay.")
        return super().delete(*args, **kwargs)

    @property
    def is_protected(self) -> bool:
        return self.slug in engine.SECTION_SLUGS

    @cached_property
    def html(self) -> str:
        return render_markdown(self.text)


class WarningText(DraftText):
    key_field = "code"

    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="warnings")
    code = models.SlugField(max_length=100)
    message = models.TextField()

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_warning_code"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def check_key_change(self, old_code: str) -> None:
        if old_code in engine.WARNING_CODES and old_code != self.code:
            raise ProtectedSection(f"The engine uses the code {old_code!r}: it cannot change.")


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
