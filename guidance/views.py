"""Pages: the landing page and a clinician's saved cases.

Every page of a saved case, and the history, is ``never_cache``: it shows a patient's case,
which no browser or proxy cache should keep (redirects and refusals included).
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guidance import content, recommendation, security
from guidance.forms import CaseFilterForm, CaseForm, form_data
from guidance.models import Case
from guidance.wizard import runs_in_progress, start_run

logger = logging.getLogger(__name__)

CASES_PER_PAGE = 25
# What a row of the history shows: the history reads no more of a case than this.
HISTORY_COLUMNS = ("pk", "created_at", "reference", "site", "extent", "grade", "warning_count")


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and the benchmark's baseline: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "guidance/home.html", {"version": content.published()})


def _own_case(request: HttpRequest, pk: int) -> Case:
    """The clinician's own case; anybody else's is a 404, exactly like a missing one."""
    cases = Case.objects.owned_by(request.user).select_related(
        "guideline_version__guideline", "clinician"
    )
    try:
        return cases.get(pk=pk)
    except Case.DoesNotExist:
        if Case.objects.filter(pk=pk).exists():
            security.access_denied(request, f"case {pk}")
        raise Http404("No such case.") from None


@never_cache
@login_required
@require_safe
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET)
    cases = Case.objects.owned_by(request.user).matching(**form.filters()).only(*HISTORY_COLUMNS)
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    return render(
        request,
        "guidance/case_list.html",
        {
            "form": form,
            "page": page,
            "rows_key": _rows_key(page),
            "filters": filters.urlencode(),
            "filtering": any(value for values in filters.lists() for value in values[1]),
        },
    )


def _rows_key(page) -> str:
    """What the history's rows show, as one string: the page keeps them rendered by it.

    A row shows its case's ``HISTORY_COLUMNS`` and nothing else, so rows with the same key
    are the same rows: of the same cases, as they are now. (It reads the page's cases, the
    query the template would otherwise run.)
    """
    rows = [[getattr(case, column) for column in HISTORY_COLUMNS] for case in page]
    return json.dumps(rows, default=str)


@never_cache
@login_required
@require_safe
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
    context = recommendation.page_context(case.snapshot)
    return render(request, "guidance/case_detail.html", {"case": case, **context})


@never_cache
@login_required
@require_safe
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
    context = recommendation.page_context(case.snapshot)
    return render(request, "guidance/case_print.html", {"case": case, **context})


@never_cache
@login_required
@require_safe
def case_recheck(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
    context = {"case": case, "saved": case.snapshot}
    text = content.published()
    form = CaseForm(data=form_data(case.snapshot["facts"]))
    if text is None:
        context["problem"] = "No guideline is published, so the case cannot be re-checked."
    elif not form.is_valid():
        context["problem"] = "The saved inputs are no longer accepted: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
        )
    else:
        current = recommendation.build(facts=form.facts(), text=text)
        context.update(
            current=current,
            current_version=text,
            differences=recommendation.compare(case.snapshot, current, text.logic),
        )
    return render(request, "guidance/case_recheck.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def case_delete(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
    if request.method == "POST":
        try:
            case.delete_on_record(clinician=request.user)
        except DatabaseError:
            # The record and the deletion are one transaction: neither happened.
            logger.exception("A case could not be deleted")
            context = {"case": case, "delete_failed": True}
            return render(request, "guidance/case_confirm_delete.html", context, status=503)
        security.case_deleted(request, pk)
        messages.success(request, "The case was deleted.")
        return redirect("guidance:case-list")
    return render(request, "guidance/case_confirm_delete.html", {"case": case})


@never_cache
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """A new case: a new run of the wizard, beside any in progress in other tabs.

    Only a POST starts one when others are in progress (it may drop the oldest); a GET,
    which a link from anywhere can make, leads to the latest case in progress and starts
    one only when there is none, so it never discards answers.
    """
    runs = runs_in_progress(request)
    run = start_run(request) if request.method == "POST" or not runs else runs[-1]
    return redirect("guidance:case-run", run=run)


@never_cache
@login_required
@require_POST
def case_start_from(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own_case(request, pk)
    run = start_run(request, facts=case.snapshot["facts"])
    messages.info(request, "A new case, filled in from the saved one. Change what you need.")
    return redirect("guidance:case-new-step", run=run, step="review")
