"""The editors' own pages in the admin, beside the change forms Django makes.

Each is a plain view taking the request and the model admin it belongs to (for its
permissions, its model and the admin site's context); the model admins' ``get_urls()``
wire them in through ``admin_site.admin_view``, which requires a staff login. The
templates are under ``templates/admin/guidance/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from guidance import guideline_file, publishing
from guidance.admin_forms import DiscardForm, ImportForm, PublishForm, RemovalForm
from guidance.diff import compare_about_the_source, compare_versions, word_diff
from guidance.engine.diff import logic_diff
from guidance.models import GuidelineVersion, ProtectedSection, ReadOnlyContent

if TYPE_CHECKING:
    from guidance.admin import GuidelineVersionAdmin, TextHistoryAdmin


def text_history(request: HttpRequest, *, pk: int, model_admin: TextHistoryAdmin) -> HttpResponse:
    """Any two recorded versions of a section or warning text, compared word by word."""
    obj = get_object_or_404(model_admin.model.objects.select_related("version"), pk=pk)
    if not model_admin.has_view_permission(request, obj):
        raise PermissionDenied
    records = list(obj.history.select_related("history_user").order_by("-history_id"))
    ids = {str(record.history_id): record for record in records}
    older = ids.get(request.GET.get("from", ""), records[-1] if records else None)
    newer = ids.get(request.GET.get("to", ""), records[0] if records else None)
    diff = None
    if older and newer:
        diff = word_diff(model_admin.history_text(older), model_admin.history_text(newer))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"History of {obj}",
        "obj": obj,
        "records": records,
        "older": older,
        "newer": newer,
        "diff": diff,
    }
    return TemplateResponse(request, "admin/guidance/text_diff.html", context)


def remove_text(
    request: HttpRequest, *, object_id: str, model_admin: TextHistoryAdmin
) -> HttpResponse:
    """Remove a section or warning from a draft: refused, saying what names it, while an
    active reference case or the version's logic does; otherwise a confirmation page with
    the reason to give, which its POST records in the text's history with who and when."""
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        raise Http404(f"No {model_admin.opts.verbose_name} with the id {object_id}.")
    if not model_admin.has_delete_permission(request, obj):
        raise PermissionDenied
    change_page = f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_change"
    refusals = obj.removal_refusals()
    if refusals:
        messages.error(request, obj.removal_refused(refusals))
        return redirect(change_page, obj.pk)
    form = RemovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        obj._change_reason = form.cleaned_data["reason"]
        obj._history_user = request.user
        try:
            with transaction.atomic():
                model_admin.log_deletions(request, [obj])
                obj.delete()
        # Named, or the draft published, since the page was shown.
        except (ProtectedSection, ReadOnlyContent) as refusal:
            form.add_error(None, str(refusal))
        else:
            key = getattr(obj, obj.key_field)
            messages.success(request, f"The {obj.kind} {key} was removed from the draft.")
            return redirect(
                f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Remove the {obj.kind} {getattr(obj, obj.key_field)} from the draft",
        "obj": obj,
        "change_page": change_page,
        "form": form,
    }
    return TemplateResponse(request, "admin/guidance/remove.html", context)


def start_draft(request: HttpRequest) -> HttpResponse:
    """Start a draft from the published version (a POST; a GET goes back to the versions)."""
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


def export_version(
    request: HttpRequest, *, pk: int, model_admin: GuidelineVersionAdmin
) -> HttpResponse:
    """Any version, text and logic, as a guideline file to download (manage.py
    export_guideline writes the same)."""
    version = get_object_or_404(GuidelineVersion.objects.select_related("guideline"), pk=pk)
    if not model_admin.has_view_permission(request, version):
        raise PermissionDenied
    response = HttpResponse(
        guideline_file.dumps(guideline_file.export(version)),
        content_type="application/json; charset=utf-8",
    )
    name = slugify(f"{version.guideline.slug} version {version.label}") + ".json"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def import_guideline(request: HttpRequest, *, model_admin: GuidelineVersionAdmin) -> HttpResponse:
    """Upload a guideline file to make a draft from it, as manage.py import_guideline does:
    every problem in the file on the file field, and nothing created unless there is none."""
    if not request.user.has_perm("guidance.add_guidelineversion"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = guideline_file.import_draft(
                form.cleaned_data["file"].read(),
                editor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except guideline_file.FileRefused as refused:
            form.add_error("file", [guideline_file.describe(p) for p in refused.problems])
        except publishing.PublishingError as failure:
            form.add_error(None, str(failure))
        else:
            messages.success(request, "A draft was made from the guideline file.")
            return redirect("admin:guidance_guidelineversion_change", draft.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Import a guideline file",
        "form": form,
    }
    return TemplateResponse(request, "admin/guidance/import.html", context)


def publish_draft(
    request: HttpRequest, *, pk: int, model_admin: GuidelineVersionAdmin
) -> HttpResponse:
    """The draft checked against its gate, the impact on saved cases, and the publish form."""
    if not request.user.has_perm("guidance.publish_guidelineversion"):
        raise PermissionDenied
    draft = get_object_or_404(
        GuidelineVersion.objects.select_related("guideline", "based_on", "logic_approved_by"),
        pk=pk,
    )
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
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Publish {draft.label}",
        "draft": draft,
        "form": form,
        "error": error,
    }
    # The gate, the impact and the approval from one reading of the draft's logic.
    checked = publishing.review(draft)
    refusal = checked.approval.refusal(request.user)
    context.update(
        approval=checked.approval,
        may_approve=not refusal,
        approval_refusal=refusal,
        missing=checked.missing,
    )
    if checked.gate is None:
        context["logic_problems"] = checked.logic_problems
    else:
        context.update(
            gate=checked.gate,
            results=checked.gate.results,
            failures=checked.gate.failures,
            impact=checked.impact,
        )
    return TemplateResponse(request, "admin/guidance/publish.html", context)


def approve_logic(
    request: HttpRequest, *, pk: int, model_admin: GuidelineVersionAdmin
) -> HttpResponse:
    """A second editor approves the draft's logic as it is now (a POST from the publish
    page; a GET goes back to it)."""
    if not request.user.has_perm(publishing.PUBLISH_PERMISSION):
        raise PermissionDenied
    draft = get_object_or_404(GuidelineVersion, pk=pk)
    if request.method == "POST":
        try:
            publishing.approve_logic(draft, approver=request.user)
        except publishing.PublishingError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, "You approved the draft's logic as it is now.")
    if not draft.is_draft:
        return redirect("admin:guidance_guidelineversion_change", pk)
    return redirect("admin:guidance_publish", pk)


def discard_draft(
    request: HttpRequest, *, pk: int, model_admin: GuidelineVersionAdmin
) -> HttpResponse:
    """A confirmation page with the reason to give; only its POST discards."""
    if not model_admin.has_discard_permission(request):
        raise PermissionDenied
    draft = get_object_or_404(GuidelineVersion.objects.select_related("guideline"), pk=pk)
    if not draft.is_draft:
        messages.error(request, f"Version {draft.label} is not a draft.")
        return redirect("admin:guidance_guidelineversion_change", pk)
    form = DiscardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publishing.discard_draft(draft, editor=request.user, reason=form.cleaned_data["reason"])
        except publishing.PublishingError as failure:
            form.add_error(None, str(failure))
        else:
            messages.success(request, f"The draft {draft.label} was discarded.")
            return redirect("admin:guidance_guidelineversion_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Discard {draft.label}",
        "draft": draft,
        "form": form,
    }
    return TemplateResponse(request, "admin/guidance/discard.html", context)


def compare_published_versions(
    request: HttpRequest, *, model_admin: GuidelineVersionAdmin
) -> HttpResponse:
    """A whole-guideline diff between any two versions clinicians were shown."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    # Only versions clinicians were shown: never a draft, nor a discarded one.
    versions = list(
        GuidelineVersion.objects.filter(
            status__in=[GuidelineVersion.Status.PUBLISHED, GuidelineVersion.Status.RETIRED]
        )
        .select_related("guideline")
        .order_by("published_at", "pk")
    )
    by_id = {str(version.pk): version for version in versions}
    older = by_id.get(request.GET.get("from", ""))
    newer = by_id.get(request.GET.get("to", ""))
    if older is None and len(versions) >= 2:
        older, newer = versions[-2], versions[-1]
    rows = compare_versions(older, newer) if older and newer else []
    about = compare_about_the_source(older, newer) if older and newer else []
    logic_changes = (
        logic_diff(older.logic_document(), newer.logic_document()) if older and newer else []
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Compare published versions",
        "versions": versions,
        "older": older,
        "newer": newer,
        "rows": rows,
        "changed": [row for row in rows if row["change"] != "unchanged"],
        "about_changed": [row for row in about if row["change"] != "unchanged"],
        "logic_changes": logic_changes,
    }
    return TemplateResponse(request, "admin/guidance/compare.html", context)
