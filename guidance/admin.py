"""The editors' admin: drafts, their texts with preview and history, reference cases, publishing.

Published and retired versions are read-only records. An editor starts a draft (a copy of
the published version), edits its sections and warning texts (each change with a reason,
kept by django-simple-history), checks the reference cases and the impact on saved cases,
then publishes it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.forms.fields import InvalidJSONInput
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from guidance import engine, publishing
from guidance.diff import compare_versions, word_diff
from guidance.forms import CaseForm, form_data
from guidance.markdown import render_markdown
from guidance.models import (
    Case,
    CaseDeletion,
    Guideline,
    GuidelineVersion,
    ReferenceCase,
    Section,
    WarningText,
)

admin.site.site_header = "NET Advisor administration"
admin.site.site_title = "NET Advisor"


class ReasonForm(forms.ModelForm):
    """Every change of guideline text or of a reference case says why, into the history."""

    change_reason = forms.CharField(
        max_length=100,
        label="Reason for this change",
        help_text="Recorded in the audit trail with your name and the time.",
    )


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
    """Shared by sections and warning texts: editable only in a draft, with reason and diff."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.version.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The version is chosen once; the slug or code, which the engine knows, never changes.
        fields = ["preview", "history_diff_link"]
        if obj is not None:
            fields.append("version")
        if obj is not None:
            fields += self.fixed_after_creation
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
        urls = [
            path(
                "<int:pk>/diff/",
                self.admin_site.admin_view(self.diff_view),
                name=f"guidance_{self.opts.model_name}_diff",
            )
        ]
        return urls + super().get_urls()

    def diff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.model.objects.select_related("version"), pk=pk)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        records = list(obj.history.select_related("history_user").order_by("-history_id"))
        ids = {str(record.history_id): record for record in records}
        older = ids.get(request.GET.get("from", ""), records[-1] if records else None)
        newer = ids.get(request.GET.get("to", ""), records[0] if records else None)
        diff = None
        if older and newer:
            diff = word_diff(self.history_text(older), self.history_text(newer))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of {obj}",
            "obj": obj,
            "records": records,
            "older": older,
            "newer": newer,
            "diff": diff,
        }
        return TemplateResponse(request, "admin/guidance/text_diff.html", context)


@admin.register(Section)
class SectionAdmin(TextHistoryAdmin):
    list_display = ["slug", "heading", "group", "version", "order"]
    list_filter = ["version__status", "version"]
    list_select_related = ["version__guideline"]
    search_fields = ["slug", "heading", "text"]
    fields = [
        "version", "slug", "group", "heading", "order", "text", "change_reason", "preview",
        "history_diff_link",
    ]
    fixed_after_creation = ["slug"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_protected or not obj.version.is_draft):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="Preview, as the recommendation page shows it")
    def preview(self, obj):
        if obj is None or not obj.text:
            return "Save to see the preview."
        return format_html('<div class="guideline-preview">{}</div>', render_markdown(obj.text))

    @staticmethod
    def history_text(record) -> str:
        return f"{record.heading}\n\n{record.text}"


@admin.register(WarningText)
class WarningTextAdmin(TextHistoryAdmin):
    list_display = ["code", "version"]
    list_filter = ["version__status", "version"]
    list_select_related = ["version__guideline"]
    fields = ["version", "code", "message", "change_reason", "preview", "history_diff_link"]
    fixed_after_creation = ["code"]

    def has_add_permission(self, request):
        return False  # the codes are the engine's; drafts get every one when they are made

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Preview")
    def preview(self, obj):
        return obj.message if obj else ""

    @staticmethod
    def history_text(record) -> str:
        return record.message


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "slug", "group", "heading", "edit_link"]
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


class PublishForm(forms.Form):
    label = forms.CharField(max_length=50, help_text="The version as it will be cited, e.g. 2.")
    change_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    accept_failures_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Publish despite failing or changed reference cases, because",
        help_text=(
            "Only if a reference case fails, or one that gated the draft when it was started "
            "was deactivated, edited or deleted since. Recorded with the version."
        ),
    )


class DiscardForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Discard this draft, because",
        help_text="Recorded with the draft, which stays as a read-only record.",
    )


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(CalendarDates, admin.ModelAdmin):
    """Versions are records: a draft is published or discarded, never edited here or deleted.

    Who may publish may also discard: both decide what happens to a draft's edits.
    """

    list_display = ["label", "status", "guideline", "published_at", "published_by"]
    list_filter = ["status"]
    list_select_related = ["guideline", "published_by"]
    inlines = [SectionInline]
    readonly_fields = [
        "guideline", "label", "status", "citation", "change_summary", "based_on",
        "created_at", "published_at", "published_by", "accepted_failures_reason", "gate",
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
        return [
            path("start-draft/", view(self.start_draft_view), name="guidance_start_draft"),
            path("compare/", view(self.compare_view), name="guidance_compare_versions"),
            path("<int:pk>/publish/", view(self.publish_view), name="guidance_publish"),
            path("<int:pk>/discard/", view(self.discard_view), name="guidance_discard_draft"),
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

    def start_draft_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return redirect("admin:guidance_guidelineversion_changelist")
        if not request.user.has_perm("guidance.add_guidelineversion"):
            raise PermissionDenied
        try:
            draft = publishing.start_draft(editor=request.user)
        except publishing.PublishingError as error:
            messages.error(request, str(error))
            return redirect("admin:guidance_guidelineversion_changelist")
        messages.success(request, "A draft was started from the published version.")
        return redirect("admin:guidance_guidelineversion_change", draft.pk)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("guidance.publish_guidelineversion"):
            raise PermissionDenied
        draft = get_object_or_404(GuidelineVersion.objects.select_related("guideline"), pk=pk)
        if not draft.is_draft:
            messages.error(request, f"Version {draft.label} is not a draft.")
            return redirect("admin:guidance_guidelineversion_change", pk)
        form = PublishForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            try:
                publishing.publish(draft, editor=request.user, **form.cleaned_data)
            except publishing.PublishingError as failure:
                error = str(failure)
            else:
                messages.success(request, f"Version {form.cleaned_data['label']} is published.")
                return redirect("admin:guidance_guidelineversion_change", pk)
        gate = publishing.check_gate(draft)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Publish {draft.label}",
            "draft": draft,
            "form": form,
            "error": error,
            "gate": gate,
            "results": gate.results,
            "failures": gate.failures,
            "missing": draft.missing_sections(),
            "impact": publishing.impact(draft),
        }
        return TemplateResponse(request, "admin/guidance/publish.html", context)

    def discard_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A confirmation page with the reason to give; only its POST discards."""
        if not self.has_discard_permission(request):
            raise PermissionDenied
        draft = get_object_or_404(GuidelineVersion.objects.select_related("guideline"), pk=pk)
        if not draft.is_draft:
            messages.error(request, f"Version {draft.label} is not a draft.")
            return redirect("admin:guidance_guidelineversion_change", pk)
        form = DiscardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                publishing.discard_draft(
                    draft, editor=request.user, reason=form.cleaned_data["reason"]
                )
            except publishing.PublishingError as failure:
                form.add_error(None, str(failure))
            else:
                messages.success(request, f"The draft {draft.label} was discarded.")
                return redirect("admin:guidance_guidelineversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Discard {draft.label}",
            "draft": draft,
            "form": form,
        }
        return TemplateResponse(request, "admin/guidance/discard.html", context)

    def compare_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Only versions clinicians were shown: never a draft, nor a discarded one.
        versions = list(
            GuidelineVersion.objects.filter(
                status__in=[GuidelineVersion.Status.PUBLISHED, GuidelineVersion.Status.RETIRED]
            ).order_by("published_at", "pk")
        )
        by_id = {str(version.pk): version for version in versions}
        older = by_id.get(request.GET.get("from", ""))
        newer = by_id.get(request.GET.get("to", ""))
        if older is None and len(versions) >= 2:
            older, newer = versions[-2], versions[-1]
        rows = compare_versions(older, newer) if older and newer else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Compare published versions",
            "versions": versions,
            "older": older,
            "newer": newer,
            "rows": rows,
            "changed": [row for row in rows if row["change"] != "unchanged"],
        }
        return TemplateResponse(request, "admin/guidance/compare.html", context)


def nesting_depth(value: object) -> int:
    """How many lists and objects deep ``value`` goes (0 for a number or a string).

    Counted with a stack of its own, not by recursion, whatever the depth.
    """
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in item)
    return deepest


class ShallowJSONField(forms.JSONField):
    """JSON no deeper than ``max_depth``: anything deeper is a field error.

    Python's json module parses and writes nesting by recursion: thousands of levels
    raised RecursionError, and a value just short of the interpreter's limit was parsed
    but then failed when the page wrote it back into the form.
    """

    max_depth = 20  # a reference case's fields are one level deep
    default_error_messages = {
        "too_deep": "This JSON is too deeply nested: at most %(max_depth)s levels.",
    }

    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError:
            converted = None
            too_deep = True
        else:
            too_deep = nesting_depth(converted) > self.max_depth
        if too_deep:
            raise forms.ValidationError(
                self.error_messages["too_deep"],
                code="too_deep",
                params={"max_depth": self.max_depth},
            )
        return converted

    def bound_data(self, data, initial):
        # What the page writes back into the form: too deep to parse or to write out again,
        # it is given back as the text that was typed.
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        if nesting_depth(value) > self.max_depth:
            return InvalidJSONInput(data)
        return value


class ReferenceCaseForm(ReasonForm):
    class Meta:
        model = ReferenceCase
        fields = [
            "title", "facts", "expected_grade", "expected_sections", "expected_warnings",
            "expected_phrases", "notes", "is_active",
        ]
        field_classes = dict.fromkeys(
            ["facts", "expected_sections", "expected_warnings", "expected_phrases"],
            ShallowJSONField,
        )

    def clean_facts(self):
        facts = self.cleaned_data["facts"]
        if not isinstance(facts, dict):
            raise forms.ValidationError("Give the case facts as a JSON object.")
        form = CaseForm(data=form_data(facts))
        if not form.is_valid():
            raise forms.ValidationError(
                [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
            )
        return facts

    def _names(self, field: str, allowed: tuple[str, ...]) -> list[str]:
        names = self.cleaned_data[field]
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise forms.ValidationError("Give a JSON list of strings.")
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise forms.ValidationError(f"Unknown: {', '.join(unknown)}.")
        return names

    def clean_expected_sections(self):
        return self._names("expected_sections", engine.SECTION_SLUGS)

    def clean_expected_warnings(self):
        return self._names("expected_warnings", engine.WARNING_CODES)

    def clean_expected_phrases(self):
        phrases = self.cleaned_data["expected_phrases"]
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise forms.ValidationError("Give a JSON list of strings.")
        return phrases


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


class AccountChangeForm(UserChangeForm):
    """Renaming an account, like creating one, refuses a name that differs only in case."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        others = self._meta.model.objects.exclude(pk=self.instance.pk)
        if others.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                self.instance.unique_error_message(self._meta.model, ["username"])
            )
        return username


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(CalendarDates, UserAdmin):
    form = AccountChangeForm
