"""The editors' admin: drafts, their texts with preview and history, reference cases, publishing.

Published and retired versions are read-only records. An editor starts a draft (a copy of
the published version), edits its sections and warning texts (each change with a reason,
kept by django-simple-history), checks the reference cases and the impact on saved cases,
then publishes it.

Here are the model admins alone: their forms are in ``guidance.admin_forms``, the editors'
own pages (text history, removing a text from a draft, start draft, publish, discard,
compare, a guideline file's download and upload) in ``guidance.admin_views``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from guidance import admin_views, content, engine, publishing
from guidance.admin_forms import (
    AccountChangeForm,
    ReasonForm,
    ReferenceCaseForm,
    ShallowJSONField,
)
from guidance.engine import check
from guidance.markdown import render_markdown
from guidance.models import (
    Case,
    CaseDeletion,
    Guideline,
    GuidelineVersion,
    ReferenceCase,
    Section,
    Voice,
    WarningText,
)

admin.site.site_header = "NET Advisor administration"
admin.site.site_title = "NET Advisor"

DATE_OUTSIDE_THE_CALENDAR = "There is no such date to filter by: it is outside the calendar."


class CalendarChangeList(ChangeList):
    """The admin's change list, refusing a date filter that leaves the calendar.

    Django sends a date it cannot build (year 99999, month 13) to its "?e=1" redirect, but
    raised instead on a date drill-down whose range ends past year 9999 (the year 9999,
    December 9999, 31 December 9999) and on a number too large for a date; and a date that
    leaves the calendar only in UTC (year 1 east of Greenwich, 31 December 9999 23:59 west
    of it) failed in the query. Each now gets that redirect, with a message.
    """

    def get_filters(self, request):
        try:
            filters = super().get_filters(request)
            if self.date_hierarchy:
                # The drill-down's range, as the database adapter stores it: in UTC. Checked
                # here, so that PostgreSQL, which would take a year-0 UTC time, refuses it
                # as SQLite must.
                lookup_params = filters[2]
                for end in ("gte", "lt"):
                    for bound in lookup_params.get(f"{self.date_hierarchy}__{end}", []):
                        if isinstance(bound, datetime):
                            bound.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise self.date_outside_the_calendar(request, error) from error
        return filters

    def get_results(self, request):
        # A date lookup typed into the address (created_at__gte=0001-01-01) leaves the
        # calendar only when SQLite's adapter converts it to UTC, running the query.
        try:
            super().get_results(request)
        except OverflowError as error:
            raise self.date_outside_the_calendar(request, error) from error

    @staticmethod
    def date_outside_the_calendar(request, error: Exception) -> IncorrectLookupParameters:
        messages.error(request, DATE_OUTSIDE_THE_CALENDAR)
        return IncorrectLookupParameters(error)


class CalendarDates:
    """For a model admin whose list can be filtered by date: dates outside the calendar
    are refused with a message, never a server error."""

    def get_changelist(self, request, **kwargs):
        return CalendarChangeList


class RecordOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History is a record: it can be read, never reverted to (nor deleted)."""

    def history_view(self, request, object_id, extra_context=None):
        # The history links each editor's name to the user admin, which editors may not
        # open (a 403). Without that permission the name is shown unlinked: an empty view
        # name makes the template's {% url ... as %} give nothing.
        if not request.user.has_perm("auth.view_user"):
            extra_context = {**(extra_context or {}), "admin_user_view": ""}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # SIMPLE_HISTORY_REVERT_DISABLED only hides the button: refuse the POST as well.
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReasonedHistoryAdmin(RecordOnlyHistoryAdmin):
    """Every save gives a reason (the form's required ``change_reason``), kept in the history."""

    form = ReasonForm

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields.remove("change_reason")  # nothing to change, so no reason to give
        return fields

    def save_model(self, request, obj, form, change):
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)


class TextHistoryAdmin(ReasonedHistoryAdmin):
    """Shared by sections and warning texts: editable only in a draft, with reason and diff.

    A subclass provides, for its model:

    * ``fixed_after_creation``: the fields that never change once the text exists (the
      slug or code the engine knows it by);
    * ``preview(obj)``: the text as clinicians will read it, shown beside the form;
    * ``history_text(record) -> str``: one history record as the text the diff compares.

    A subclass without them is refused when it is defined, with the names it lacks.
    """

    fixed_after_creation: ClassVar[list[str]]
    HOOKS = ("fixed_after_creation", "preview", "history_text")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [
            name for name in cls.HOOKS
            if getattr(cls, name, None) is getattr(TextHistoryAdmin, name, None)
        ]
        if missing:
            raise TypeError(
                f"{cls.__name__} must define {', '.join(missing)} (see TextHistoryAdmin)."
            )

    def preview(self, obj) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define preview(obj)")

    def history_text(self, record) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define history_text(record)")

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.version.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.version.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Removed one at a time, each with its reason, so that what names it is said.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        """Removing a text from a draft asks why, like any change of it; it is refused,
        saying what names it, while a reference case or the version's logic does."""
        return admin_views.remove_text(request, object_id=object_id, model_admin=self)

    def save_model(self, request, obj, form, change):
        """Save, and say which reference cases' results the save changed."""
        before = publishing.reference_results(obj.version)
        super().save_model(request, obj, form, change)
        after = publishing.reference_results(obj.version)
        changed = publishing.changed_results(before, after)
        if changed is None:
            return  # the draft's logic does not compile: its publish page says why
        if not changed:
            messages.info(request, "No reference case's result changed with this save.")
            return
        words = "; ".join(
            f"“{result.title}” now passes"
            if result.passed
            else f"“{result.title}” now fails: {'; '.join(result.problems)}"
            for result in changed
        )
        level = messages.WARNING if any(not result.passed for result in changed) else messages.INFO
        messages.add_message(
            request, level, f"Reference cases whose result changed with this save: {words}."
        )

    def get_readonly_fields(self, request, obj=None):
        # The version is chosen once; the slug or code, which the engine knows, never changes.
        fields = ["preview", "history_diff_link"]
        if obj is not None:
            fields += ["version", *self.fixed_after_creation]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "version":
            kwargs["queryset"] = GuidelineVersion.objects.filter(
                status=GuidelineVersion.Status.DRAFT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Text history")
    def history_diff_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse(f"admin:guidance_{self.opts.model_name}_diff", args=[obj.pk])
        return format_html('<a href="{}">Compare any two recorded versions of this text</a>', url)

    def get_urls(self):
        text_history = partial(admin_views.text_history, model_admin=self)
        urls = [
            path(
                "<int:pk>/diff/",
                self.admin_site.admin_view(text_history),
                name=f"guidance_{self.opts.model_name}_diff",
            )
        ]
        return urls + super().get_urls()


@admin.register(Section)
class SectionAdmin(TextHistoryAdmin):
    list_display = ["slug", "heading", "voice", "group", "version", "order"]
    list_filter = ["version__status", "version"]
    list_select_related = ["version__guideline"]
    search_fields = ["slug", "heading", "text"]
    # The condition beside the text it decides on, and below them where it applies.
    # Whose words the text is beside the text, and a quote's heading in the source.
    fields = [
        "version", "slug", "group", "heading", "order", ("voice", "citation"), "source_heading",
        ("text", "applies_when"), "reasons", "change_reason", "applicability", "preview",
        "history_diff_link",
    ]
    fixed_after_creation = ["slug"]
    # The reasons' own words, as JSON; refused when nested too deep to parse safely.
    formfield_overrides = {models.JSONField: {"form_class": ShallowJSONField}}

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "applicability"]

    @admin.display(description="Where it applies")
    def applicability(self, obj):
        """How many classes of valid cases the condition holds for, and three of them in
        words, as different from each other as they can be (guidance.engine.check)."""
        if obj is None or obj.pk is None:
            return "Save to see the cases it applies to."
        try:
            logic = content.load(obj.version).logic
        except engine.LogicError:
            return "The version's logic does not compile: see its publish page."
        if obj.slug not in logic.slugs:
            return "—"
        count, total = check.classes_where(logic, obj.slug), check.classes(logic)
        if not count:
            return format_html(
                '<p data-applies-to="0">Applies to no case (of {} classes of valid cases).</p>',
                f"{total:,}",
            )
        examples = format_html_join(
            "", "<li data-example>{}</li>",
            ((check.describe(case).capitalize(),) for case in check.examples(logic, obj.slug)),
        )
        return format_html(
            '<p data-applies-to="{}">Applies to {} of {} classes of valid cases (each number '
            "split at every threshold the logic uses), for example:</p><ol>{}</ol>",
            count, f"{count:,}", f"{total:,}", examples,
        )  # fmt: skip

    @admin.display(description="Preview, as the recommendation page shows it")
    def preview(self, obj):
        if obj is None or not obj.text:
            return "Save to see the preview."
        return format_html(
            '{}<div class="guideline-preview">{}</div>',
            voice_preview(obj),
            render_markdown(obj.text),
        )

    @staticmethod
    def history_text(record) -> str:
        # The condition and whose words they are are compared with the words: a change to
        # any of them is in the history.
        source = f"\nIn the source under: {record.source_heading}" if record.source_heading else ""
        return (
            f"{record.heading}\n\n{record.text}\n\n{voice_words(record)}{source}"
            f"\n\nApplies when: {record.applies_when}"
        )


@admin.register(WarningText)
class WarningTextAdmin(TextHistoryAdmin):
    list_display = ["code", "voice", "version"]
    list_filter = ["version__status", "version"]
    list_select_related = ["version__guideline"]
    # Warnings are shown in their order, the first first.
    fields = [
        "version", "code", "order", ("voice", "citation"), ("message", "applies_when"),
        "detail", "change_reason", "preview", "history_diff_link",
    ]
    fixed_after_creation = ["code"]

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj:
            return ""
        return format_html("{}{}", voice_preview(obj), obj.message)

    @staticmethod
    def history_text(record) -> str:
        detail = "generated from the condition" if record.detail is None else record.detail
        return (
            f"{record.message}\n\n{voice_words(record)}\n\nShown when: {record.applies_when}"
            f"\n\nDetail: {detail}"
        )


def voice_words(text) -> str:
    """Whose words a section or warning text (or a history record of one) is, and a note's
    citation, as its history compares them."""
    if text.voice == Voice.NOTE:
        return f"NET Advisor note, resting on: {text.citation}"
    return "Quoted verbatim from the source guideline"


def voice_preview(text) -> str:
    """The label the recommendation page gives a note (nothing for a quote), for a preview."""
    if text.voice != Voice.NOTE:
        return ""
    return format_html(
        '<p class="note-preview"><strong>NET Advisor note — not in the source guideline</strong>'
        "<br>Rests on: {}</p>",
        text.citation or "(no citation yet: a note must cite what it rests on)",
    )


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "slug", "voice", "group", "heading", "edit_link"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="")
    def edit_link(self, obj):
        url = reverse("admin:guidance_section_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, "Edit" if obj.version.is_draft else "View")


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(CalendarDates, RecordOnlyHistoryAdmin):
    """Versions are records: a draft is published or discarded, never edited here or deleted.

    Who may publish may also discard: both decide what happens to a draft's edits. Its
    history shows who started, published or discarded it, when and why, and each change
    of its own logic (grading, category rules, exclusions).
    """

    list_display = ["label", "status", "guideline", "published_at", "published_by"]
    list_filter = ["status"]
    list_select_related = ["guideline", "published_by"]
    inlines = [SectionInline]
    readonly_fields = [
        "guideline", "label", "status", "citation", "title", "about_source", "not_covered",
        "change_summary", "based_on",
        "created_at", "published_at", "published_by", "logic_approved_by", "logic_approved_at",
        "accepted_failures_reason", "gate",
        "discarded_at", "discarded_by", "discard_reason",
    ]
    exclude = ["reference_results", "gating_cases", "gate_changes"]
    discard_fields = ["discarded_at", "discarded_by", "discard_reason"]

    def has_add_permission(self, request):
        return False  # drafts are started with "Start a draft", copying the published text

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or obj.status != GuidelineVersion.Status.DISCARDED:
            fields = [name for name in fields if name not in self.discard_fields]
        return fields

    @admin.display(description="Reference cases that gated it")
    def gate(self, obj):
        if not obj.gating_cases and not obj.gate_changes:
            return "—"  # published before drafts recorded their gate
        count = len(obj.gating_cases)
        gated = f"The {count} active when the draft was started, as they were then."
        if obj.is_draft:
            return gated
        changes = "; ".join(f"{change['title']} ({change['kind']})" for change in obj.gate_changes)
        return f"{gated} Changed while it was a draft: {changes or 'none'}."

    def has_change_permission(self, request, obj=None):
        return False  # versions change only by publishing

    def has_delete_permission(self, request, obj=None):
        return False  # a draft is discarded instead, so its texts' history stays whole

    def has_discard_permission(self, request) -> bool:
        return request.user.has_perm("guidance.publish_guidelineversion")

    def get_urls(self):
        view = self.admin_site.admin_view
        compare = partial(admin_views.compare_published_versions, model_admin=self)
        publish = partial(admin_views.publish_draft, model_admin=self)
        approve = partial(admin_views.approve_logic, model_admin=self)
        discard = partial(admin_views.discard_draft, model_admin=self)
        export = partial(admin_views.export_version, model_admin=self)
        upload = partial(admin_views.import_guideline, model_admin=self)
        return [
            path("start-draft/", view(admin_views.start_draft), name="guidance_start_draft"),
            path("import/", view(upload), name="guidance_import_guideline"),
            path("<int:pk>/export/", view(export), name="guidance_export_version"),
            path("compare/", view(compare), name="guidance_compare_versions"),
            path("<int:pk>/publish/", view(publish), name="guidance_publish"),
            path("<int:pk>/approve-logic/", view(approve), name="guidance_approve_logic"),
            path("<int:pk>/discard/", view(discard), name="guidance_discard_draft"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "draft": GuidelineVersion.objects.filter(status=GuidelineVersion.Status.DRAFT).first(),
            "can_publish": request.user.has_perm("guidance.publish_guidelineversion"),
            "can_discard": self.has_discard_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm("guidance.publish_guidelineversion"),
            "can_discard": self.has_discard_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(ReferenceCase)
class ReferenceCaseAdmin(ReasonedHistoryAdmin):
    form = ReferenceCaseForm
    list_display = ["title", "expected_grade", "is_active"]
    list_filter = ["is_active", "expected_grade"]
    search_fields = ["title", "notes"]
    readonly_fields = ["result_against_published"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire a reference case with "is active", so its history stays whole

    @admin.display(description="Against the published version")
    def result_against_published(self, obj):
        if obj is None or obj.pk is None:
            return "Save to run it."
        version = GuidelineVersion.objects.published().first()
        if version is None:
            return "No version is published."
        problems = publishing.reference_case_problems(obj, version)
        return "Passes." if not problems else "Fails: " + "; ".join(problems)


@admin.register(Case)
class CaseAdmin(CalendarDates, admin.ModelAdmin):
    """Saved cases are records: the admin can look, never change."""

    list_display = ["pk", "created_at", "clinician", "reference", "site", "grade", "extent"]
    list_filter = ["site", "extent", "grade"]
    list_select_related = ["clinician"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseDeletion)
class CaseDeletionAdmin(admin.ModelAdmin):
    """Who deleted which case and when: a record, to be read and never changed."""

    list_display = ["case_id", "clinician", "deleted_at"]
    list_select_related = ["clinician"]
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Guideline)


# django-axes' login records have a date hierarchy and date filters too: the same admins,
# refusing dates outside the calendar in the same way.
for _model, _model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):  # unless AXES_ENABLE_ADMIN is off
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(_model_admin.__name__, (CalendarDates, _model_admin), {})
        )


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(CalendarDates, UserAdmin):
    form = AccountChangeForm
