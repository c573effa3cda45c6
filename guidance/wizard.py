"""The case wizard: one step per thing a clinician knows, then a review."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from formtools.wizard.storage.session import SessionStorage
from formtools.wizard.views import NamedUrlSessionWizardView

from guidance import content, identifiers, recommendation
from guidance.forms import (
    FACT_FIELDS,
    CaseForm,
    ExtentForm,
    GastricForm,
    MetastasesForm,
    PancreasForm,
    PathologyForm,
    TumourForm,
    WizardStep,
    form_data,
)
from guidance.models import Case
from guidance.recommendation import display_value, facts_as_json

logger = logging.getLogger(__name__)


class ReviewForm(WizardStep):
    title = "Review"

    reference = forms.CharField(
        required=False,
        max_length=40,
        label="Case reference (optional)",
        help_text="For example an MDT list number. Do not enter names, dates of birth, "
        "hospital or NHS numbers, or any other patient identifier.",
    )

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        identifiers.validate_reference(reference)
        return reference


def _raw_step_value(wizard: CaseWizard, step: str, field: str) -> str | None:
    # Conditions read the raw stored data: calling get_cleaned_data_for_step() here
    # recurses through the conditions themselves (formtools #220, #264).
    data = wizard.storage.get_step_data(step) or {}
    return data.get(f"{step}-{field}")


def is_pancreatic(wizard: CaseWizard) -> bool:
    return _raw_step_value(wizard, "tumour", "site") == "pancreas"


def is_gastric(wizard: CaseWizard) -> bool:
    return _raw_step_value(wizard, "tumour", "site") == "stomach"


def has_distant_metastases(wizard: CaseWizard) -> bool:
    return _raw_step_value(wizard, "extent", "extent") == "distant_metastases"


# Each run of the wizard (one case, from "New case" to its recommendations) has its own id,
# in its URLs, and its own answers in the session under a storage prefix named for it: cases
# in several tabs of one browser stay apart. The runs in progress are listed in the session,
# oldest first; starting one beyond RUNS_KEPT drops the oldest, answers and all, so that a
# session never holds more than a handful.
RUNS_KEPT = 5
RUNS_IN_PROGRESS = "case_wizard_runs"
WIZARD_NAME = "case_wizard"
# Where a run keeps the digest of the answers its review showed when it was submitted.
REVIEWED = "answers_reviewed"


def runs_in_progress(request: HttpRequest) -> list[str]:
    """The runs of the wizard in progress in this session, oldest first."""
    return request.session.get(RUNS_IN_PROGRESS, [])


def storage_prefix(run: str) -> str:
    return f"{WIZARD_NAME}_{run}"


def run_storage(request: HttpRequest, *, run: str) -> SessionStorage:
    return SessionStorage(storage_prefix(run), request)


def start_run(request: HttpRequest, *, facts: dict[str, Any] | None = None) -> str:
    """Start a new run of the wizard, with every step answered from ``facts`` if given.

    Runs already in progress are kept (another tab may be half-way through one), except the
    oldest beyond RUNS_KEPT.
    """
    run = uuid.uuid4().hex
    runs = [*runs_in_progress(request), run]
    for dropped in runs[:-RUNS_KEPT]:
        _forget_answers(request, run=dropped)
    request.session[RUNS_IN_PROGRESS] = runs[-RUNS_KEPT:]
    if facts is not None:
        fill_run(request, run=run, facts=facts)
    return run


def fill_run(request: HttpRequest, *, run: str, facts: dict[str, Any]) -> None:
    """Answer every step of ``run`` from saved facts and leave it at the review to confirm."""
    storage = run_storage(request, run=run)
    storage.reset()
    data = form_data(facts)
    for step, form_class in CaseWizard.form_list:
        answers = {
            f"{step}-{name}": [data[name]] for name in form_class.base_fields if name in data
        }
        if answers:
            storage.set_step_data(step, answers)
    storage.current_step = "review"


def finish_run(request: HttpRequest, *, run: str) -> None:
    """The run is over: its answers are dropped and its pages no longer accept anything."""
    request.session[RUNS_IN_PROGRESS] = [r for r in runs_in_progress(request) if r != run]
    _forget_answers(request, run=run)


def _forget_answers(request: HttpRequest, *, run: str) -> None:
    request.session.pop(run_storage(request, run=run).prefix, None)


def saved_case(request: HttpRequest, *, run: str) -> Case | None:
    """The case this clinician saved from ``run``, if any (anonymous visitors save none)."""
    if not request.user.is_authenticated:
        return None
    return Case.objects.owned_by(request.user).filter(run_token=uuid.UUID(run)).first()


class CaseWizard(NamedUrlSessionWizardView):
    form_list = [
        ("tumour", TumourForm),
        ("pancreas", PancreasForm),
        ("stomach", GastricForm),
        ("pathology", PathologyForm),
        ("extent", ExtentForm),
        ("metastases", MetastasesForm),
        ("review", ReviewForm),
    ]
    condition_dict = {
        "pancreas": is_pancreatic,
        "stomach": is_gastric,
        "metastases": has_distant_metastases,
    }
    template_name = "guidance/wizard.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.run: str = kwargs["run"]
        if self.run not in runs_in_progress(request):
            return self.run_not_in_progress()
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        # The run's own answers; its forms' management field is named for it too, so a page
        # of one run posted to another's address is refused.
        return storage_prefix(kwargs["run"])

    def get_step_url(self, step: str) -> str:
        return reverse(self.url_name, kwargs={"run": self.run, "step": step})

    def run_not_in_progress(self) -> HttpResponse:
        case = saved_case(self.request, run=self.run)
        if case is not None:
            # This run was saved (by an earlier submit of the same review, say): show it.
            return redirect(case)
        return self.refused(
            "This case is no longer in progress: it was finished, or replaced by newer cases "
            f"started in this browser (the {RUNS_KEPT} most recent are kept), or the session "
            "ended.",
            status=404 if self.request.method == "GET" else 400,
            offer=None,
        )

    def refused(
        self,
        reason: str,
        *,
        status: int = 400,
        offer: str | None = "continue",
        errors: Any = None,
    ) -> HttpResponse:
        """The page for anything the wizard refuses: it says that nothing was saved.

        ``offer`` is the way on: "continue" the case in progress, "review" it again, or
        None when the run is over.
        """
        links = {
            "continue": (
                "Continue the case",
                reverse("guidance:case-run", kwargs={"run": self.run}),
            ),
            "review": ("Review the case again", self.get_step_url("review")),
        }
        context = {"reason": reason, "errors": errors, "way_on": links.get(offer)}
        return render(self.request, "guidance/wizard_rejected.html", context, status=status)

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        step = self.request.POST.get(f"{self.prefix}-current_step")
        form_list = self.get_form_list()
        if step is not None and step not in form_list:
            return self.refused(
                "This page is out of date: it is not a step of the case in progress."
            )
        if self.request.FILES:
            return self.refused("The case wizard takes no files.")
        goto = self.request.POST.get("wizard_goto_step")
        if goto in form_list and step in form_list:
            # Going back keeps what was typed on this step (formtools #284 drops it).
            form = self.get_form(step=step, data=self.request.POST)
            self.storage.set_step_data(step, self.process_step(form))
            # What was typed may skip the step asked for (a site changed away from the
            # pancreas, with Back to the pancreas step): then stay on this step.
            return self.render_goto_step(goto if self.applies(goto) else step)
        if step == "review":
            # The review must be of the answers stored now: another tab of the same case
            # may have changed them since this page was shown.
            shown = self.request.POST.get("answers_shown")
            if shown != self.answers_digest():
                return self.answers_not_reviewed(changed=True)
            self.storage.extra_data = {REVIEWED: shown}
        return super().post(*args, **kwargs)

    def answers_not_reviewed(self, *, changed: bool) -> HttpResponse:
        if changed:
            reason = (
                "The answers of this case changed after this review was shown (in another tab "
                "or window, perhaps), so the review was not used."
            )
        else:
            reason = "This case has not been reviewed as it now stands."
        return self.refused(reason, offer="review")

    def answers_digest(self) -> str:
        """A digest of every answer the review shows, to tell whether any changed since."""
        answers: dict[str, Any] = {}
        for step, form_class in self.get_form_list().items():
            if step == "review":
                continue
            data = self.storage.get_step_data(step)
            prefix = self.get_form_prefix(step, form_class)
            answers[step] = None if data is None else {
                name: data.getlist(f"{prefix}-{name}") for name in form_class.base_fields
            }
        return hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()

    def get(self, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.storage.current_step not in (None, *self.get_form_list()):
            # The step the wizard was left on no longer applies to its answers: formtools
            # would look its form up and fail, on every page, so start from the first step.
            self.storage.current_step = self.steps.first
        if kwargs.get("step") is None:
            # The run's own address leads to the step it is at. (formtools would also reset
            # the answers here on ?reset: a GET never does.)
            return redirect(self.get_step_url(self.steps.current))
        return super().get(*args, **kwargs)

    def applies(self, step: str) -> bool:
        """Whether ``step`` applies to the answers stored now.

        get_form_list() keeps the steps it worked out first in a request; after storing
        answers this asks the step's condition afresh.
        """
        condition = self.condition_dict.get(step, True)
        return bool(condition(self) if callable(condition) else condition)

    def render_next_step(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        # After changing an answer from the review, go straight back to the review
        # unless a step now needs answering (e.g. extent changed to distant metastases).
        if self.request.POST.get("return_to_review"):
            for step in self.get_form_list():
                if step == "review":
                    self.storage.current_step = step
                    return redirect(self.get_step_url(step))
                if not self._step_is_valid(step):
                    # Still in "change" mode, so that step too returns to the review.
                    self.storage.current_step = step
                    return redirect(self.get_step_url(step) + "?change=1")
        return super().render_next_step(form, **kwargs)

    def _step_is_valid(self, step: str) -> bool:
        data = self.storage.get_step_data(step)
        return data is not None and self.get_form(step=step, data=data).is_valid()

    def get_context_data(self, form: forms.Form, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        # The step list is worked out once here: each ``wizard.steps`` lookup in a
        # template works it out again from the stored answers.
        steps = list(self.get_form_list().items())
        current = self.steps.current
        number = next(i for i, (step, _) in enumerate(steps, 1) if step == current)
        context["progress"] = {
            "number": number,
            "count": len(steps),
            "previous": steps[number - 2][0] if number > 1 else None,
            "last": number == len(steps),
            "steps": [
                {
                    "number": i,
                    "title": form_class.title,
                    "state": "current" if i == number else "done" if i < number else "todo",
                }
                for i, (_, form_class) in enumerate(steps, 1)
            ],
        }
        context["run"] = self.run
        context["return_to_review"] = self.request.GET.get("change") == "1"
        if self.steps.current in ("pathology", "review"):
            # The grading of the version in force: the one the recommendation will use.
            text = content.published()
            grading = text.logic.grading if text is not None else None
        if self.steps.current == "pathology" and grading is not None:
            context["grading_rules"] = grading.rules()
        if self.steps.current == "review":
            context["answers"] = self._answers()
            context["answers_shown"] = self.answers_digest()
            pathology = self.get_cleaned_data_for_step("pathology")
            if pathology and grading is not None:
                context["grade"] = grading.grade(
                    ki67_percent=pathology["ki67_percent"],
                    mitoses_per_10hpf=pathology["mitoses_per_10hpf"],
                )
        return context

    def _answers(self) -> list[dict[str, Any]]:
        answers = []
        for step, form_class in self.get_form_list().items():
            if step == "review":
                continue
            data = self.storage.get_step_data(step)
            form = self.get_form(step=step, data=data)
            complete = data is not None and form.is_valid()
            answers.append(
                {
                    "step": step,
                    "title": form_class.title,
                    "complete": complete,
                    "rows": [
                        (
                            field.label,
                            display_value(field, form.cleaned_data.get(name))
                            if complete
                            else "Not answered",
                        )
                        for name, field in form.fields.items()
                    ],
                }
            )
        return answers

    def case_data(self, form_dict: dict[str, forms.Form]) -> dict[str, str]:
        """Every step's answers as one posted case (skipped steps contribute nothing)."""
        values: dict[str, Any] = {}
        for form in form_dict.values():
            values.update(form.cleaned_data)
        return form_data({name: values.get(name) for name in FACT_FIELDS})

    def render_done(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        if kwargs.get("step") != self.done_step_name:
            return super().render_done(form, **kwargs)  # formtools redirects to the done URL
        # The answers must be those the submitted review showed: not changed since (in
        # another tab), and reviewed at all (the done URL asked for directly).
        reviewed = self.storage.extra_data.get(REVIEWED)
        if reviewed != self.answers_digest():
            return self.answers_not_reviewed(changed=reviewed is not None)
        self.answers_to_keep: dict[str, Any] | None = None
        self.finished = False
        response = super().render_done(form, **kwargs)  # done(), then the answers reset
        if self.answers_to_keep is not None:
            # The case could not be saved: keep the answers so it can simply be run again.
            fill_run(self.request, run=self.run, facts=self.answers_to_keep)
        elif self.finished:
            finish_run(self.request, run=self.run)
        return response

    def done(self, form_list: list[forms.Form], form_dict: dict[str, forms.Form], **kwargs: Any):
        self.finished = True
        # The final check is the same one the API makes, over all steps at once.
        case_form = CaseForm(data=self.case_data(form_dict))
        if not case_form.is_valid():
            return self.refused(
                "The answers do not make a valid case.", errors=case_form.errors, offer=None
            )
        text = content.published()
        if text is None:
            return self.refused(
                "No guideline is published, so no recommendation can be made.",
                status=503,
                offer=None,
            )
        shown = recommendation.build(facts=case_form.facts(), text=text)
        context = recommendation.page_context(shown)
        if self.request.user.is_authenticated:
            try:
                case = Case.record(
                    clinician=self.request.user,
                    guideline_version_id=text.version_id,
                    shown=shown,
                    run_token=uuid.UUID(self.run),
                    reference=form_dict["review"].cleaned_data["reference"],
                )
            except DatabaseError as error:
                earlier = (
                    saved_case(self.request, run=self.run)
                    if isinstance(error, IntegrityError)
                    else None
                )
                if earlier is not None:
                    # Another submit of this same run saved it a moment ago (the database
                    # refuses a second case with its run token): this one lands there too.
                    return redirect(earlier)
                # Nothing was stored (the save is one transaction); the advice is still
                # shown, and the clinician is told plainly that it was not kept.
                logger.exception("A case could not be saved")
                self.answers_to_keep = facts_as_json(case_form.facts())
                return render(
                    self.request,
                    "guidance/recommendation.html",
                    {**context, "save_failed": True},
                    status=503,
                )
            messages.success(self.request, "The case is saved in your history.")
            return redirect(case)
        return render(self.request, "guidance/recommendation.html", context)
