"""The case wizard: one step per thing a clinician knows, then a review."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from formtools.wizard.storage.session import SessionStorage
from formtools.wizard.views import NamedUrlSessionWizardView, normalize_name

from guidance import content, engine, identifiers, recommendation
from guidance.forms import (
    FACT_FIELDS,
    CaseForm,
    ExtentForm,
    MetastasesForm,
    PancreasForm,
    PathologyForm,
    TumourForm,
    display_value,
    form_data,
)
from guidance.models import Case
from guidance.recommendation import facts_as_json

logger = logging.getLogger(__name__)


class ReviewForm(forms.Form):
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


def has_distant_metastases(wizard: CaseWizard) -> bool:
    return _raw_step_value(wizard, "extent", "extent") == "distant_metastases"


class CaseWizard(NamedUrlSessionWizardView):
    form_list = [
        ("tumour", TumourForm),
        ("pancreas", PancreasForm),
        ("pathology", PathologyForm),
        ("extent", ExtentForm),
        ("metastases", MetastasesForm),
        ("review", ReviewForm),
    ]
    condition_dict = {"pancreas": is_pancreatic, "metastases": has_distant_metastases}
    template_name = "guidance/wizard.html"

    @classmethod
    def prefill(cls, request: HttpRequest, facts: dict[str, Any]) -> None:
        """Start a new case from saved facts: every step answered, the review to confirm."""
        storage = SessionStorage(normalize_name(cls.__name__), request)
        storage.reset()
        data = form_data(facts)
        for step, form_class in cls.form_list:
            answers = {
                f"{step}-{name}": [data[name]] for name in form_class.base_fields if name in data
            }
            if answers:
                storage.set_step_data(step, answers)
        storage.current_step = "review"

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        step = self.request.POST.get(f"{self.get_prefix(self.request)}-current_step")
        form_list = self.get_form_list()
        if step is not None and step not in form_list:
            return self._rejected(
                "This page is out of date: it is not a step of the case in progress."
            )
        if step is not None and step != self.steps.first and not self.storage.data["step_data"]:
            # Nothing stored: the case was already finished, or the session expired.
            return self._rejected("This case has already been submitted or has expired.")
        if self.request.FILES:
            return self._rejected("The case wizard takes no files.")
        goto = self.request.POST.get("wizard_goto_step")
        if goto in form_list and step in form_list:
            # Going back keeps what was typed on this step (formtools #284 drops it).
            form = self.get_form(step=step, data=self.request.POST)
            self.storage.set_step_data(step, self.process_step(form))
            # What was typed may skip the step asked for (a site changed away from the
            # pancreas, with Back to the pancreas step): then stay on this step.
            return self.render_goto_step(goto if self.applies(goto) else step)
        return super().post(*args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.storage.current_step not in (None, *self.get_form_list()):
            # The step the wizard was left on no longer applies to its answers: formtools
            # would look its form up and fail, on every page, so start from the first step.
            self.storage.current_step = self.steps.first
        return super().get(*args, **kwargs)

    def applies(self, step: str) -> bool:
        """Whether ``step`` applies to the answers stored now.

        get_form_list() keeps the steps it worked out first in a request; after storing
        answers this asks the step's condition afresh.
        """
        condition = self.condition_dict.get(step, True)
        return bool(condition(self) if callable(condition) else condition)

    def _rejected(self, reason: str) -> HttpResponse:
        # The stored answers are kept: a stale tab must not wipe the case in progress.
        return render(self.request, "guidance/wizard_rejected.html", {"reason": reason}, status=400)

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
        context["return_to_review"] = self.request.GET.get("change") == "1"
        if self.steps.current == "pathology":
            context["grading_rules"] = grading_rules()
        if self.steps.current == "review":
            context["answers"] = self._answers()
            pathology = self.get_cleaned_data_for_step("pathology")
            if pathology:
                context["grade"] = engine.grade_from(
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
        response = super().render_done(form, **kwargs)  # resets the stored answers
        if getattr(self, "_keep_answers", None):
            # The case could not be saved: keep the answers so it can simply be run again.
            self.prefill(self.request, self._keep_answers)
        return response

    def done(self, form_list: list[forms.Form], form_dict: dict[str, forms.Form], **kwargs: Any):
        # The final check is the same one the API makes, over all steps at once.
        case_form = CaseForm(data=self.case_data(form_dict))
        if not case_form.is_valid():
            return render(
                self.request,
                "guidance/wizard_rejected.html",
                {"reason": "The answers do not make a valid case.", "errors": case_form.errors},
                status=400,
            )
        text = content.published()
        if text is None:
            return render(
                self.request,
                "guidance/wizard_rejected.html",
                {"reason": "No guideline is published, so no recommendation can be made."},
                status=503,
            )
        shown = recommendation.build(facts=case_form.facts(), text=text)
        context = recommendation.page_context(shown)
        if self.request.user.is_authenticated:
            try:
                case = Case.record(
                    clinician=self.request.user,
                    guideline_version_id=text.version_id,
                    shown=shown,
                    reference=form_dict["review"].cleaned_data["reference"],
                )
            except DatabaseError:
                # Nothing was stored (the save is one transaction); the advice is still
                # shown, and the clinician is told plainly that it was not kept.
                logger.exception("A case could not be saved")
                self._keep_answers = facts_as_json(case_form.facts())
                return render(
                    self.request,
                    "guidance/recommendation.html",
                    {**context, "save_failed": True},
                    status=503,
                )
            messages.success(self.request, "The case is saved in your history.")
            return redirect(case)
        return render(self.request, "guidance/recommendation.html", context)


def grading_rules() -> list[str]:
    """How the grade is derived, from the engine's own thresholds."""
    n = engine.number
    return [
        f"Ki-67 below {n(engine.KI67_G2_FROM)} % is G1; {n(engine.KI67_G2_FROM)} to "
        f"{n(engine.KI67_G2_TO)} % is G2; above {n(engine.KI67_G2_TO)} % is G3.",
        f"Mitoses per 10 HPF below {engine.MITOSES_G2_FROM} is G1; {engine.MITOSES_G2_FROM} to "
        f"{engine.MITOSES_G2_TO} is G2; above {engine.MITOSES_G2_TO} is G3.",
        "With both given, the higher grade is used.",
    ]

