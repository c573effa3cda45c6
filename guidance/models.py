"""Guideline content: the words the recommendation page quotes.

A guideline has versions; exactly one is published at a time. A version holds the
sections (addressed by the stable slugs the engine returns) and the warning texts.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import cached_property

from guidance.markdown import render_markdown


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

    guideline = models.ForeignKey(Guideline, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(max_length=50, help_text="The version as cited, e.g. 1 or 2.1.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    citation = models.CharField(max_length=300, help_text="How the source is cited.")
    change_summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = GuidelineVersionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["guideline", "label"], name="unique_version_label_per_guideline"
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


class Section(models.Model):
    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(max_length=100, help_text="Stable identifier the engine uses.")
    group = models.CharField(max_length=100, blank=True)
    heading = models.CharField(max_length=200)
    text = models.TextField(help_text="Markdown. Rendered and sanitised before display.")
    order = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="unique_section_slug"),
        ]
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.slug}: {self.heading}"

    @cached_property
    def html(self) -> str:
        return render_markdown(self.text)


class WarningText(models.Model):
    version = models.ForeignKey(GuidelineVersion, on_delete=models.CASCADE, related_name="warnings")
    code = models.SlugField(max_length=100)
    message = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_warning_code"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
