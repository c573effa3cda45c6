"""Bad input at scale, with Hypothesis, posted to every wizard step.

A wizard step answers 200 (form errors), 302 (accepted) or 400 (rejected), never a 500,
whatever is posted, the management form's step name and files included; nothing is saved
for a visitor. The done URL, asked for again once the case is finished, is a 404 (that case
is no longer in progress). The strategies are in tests/bad_input.py.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from guidance.models import Case
from tests.bad_input import (
    CASE_STEPS,
    EVERY_STEP_CASE,
    GASTRIC_CASE,
    MISSING,
    STEP_NAMES,
    extra_keys,
    fuzz,
    posted,
    step_answers,
)
from tests.wizard_client import (
    REVIEWED_FIELD,
    answer_steps,
    answers_for,
    answers_shown,
    done_url,
    encode,
    management_field,
    step_url,
)


class WizardBadInputTests(TestCase):
    """Anything posted to any wizard step: 200, 302 or 400, never 500, and nothing saved."""

    def fuzz_step(
        self,
        step: str,
        answers: dict[str, Any],
        extra: dict[str, Any],
        after_everything: bool,
        base: dict[str, Any] = EVERY_STEP_CASE,
    ) -> None:
        # The earlier steps answered validly, or (as after "Change" on the review) all.
        answer_steps(self.client, base, until="review" if after_everything else step)
        # The review as shown (the extra keys may change that too).
        shown = {REVIEWED_FIELD: answers_shown(self.client)} if step == "review" else {}
        data = {**shown, **extra, **answers, management_field(self.client): step}
        response = self.client.post(step_url(self.client, step), data)
        event(f"step: {response.status_code}")
        self.assertIn(response.status_code, (200, 302, 400), response.content[:500])
        if response.status_code == 302:
            # The next step, or the done URL (which may refuse a case that is not valid).
            self.assertIn(self.client.get(response.url).status_code, (200, 302, 400))
        # Whatever the wizard now holds, finishing it is never a 500 (and, anonymous, never
        # a saved case); 404 if the request before finished it.
        done = self.client.get(done_url(self.client))
        event(f"done: {done.status_code}")
        self.assertIn(done.status_code, (200, 302, 400, 404), done.content[:500])
        self.assertEqual(Case.objects.count(), 0)

    @fuzz(60)
    @given(answers=step_answers("tumour"), extra=extra_keys, after_everything=st.booleans())
    # Past Django's limits: more than DATA_UPLOAD_MAX_NUMBER_FIELDS values, and a body
    # above DATA_UPLOAD_MAX_MEMORY_SIZE (both refused with a 400).
    @example(answers={"tumour-site": ["colon"] * 1001}, extra={}, after_everything=False)
    @example(answers={"tumour-site": "x" * 3_000_000}, extra={}, after_everything=True)
    # Back to the pancreas step while changing the site away from the pancreas: the step
    # asked for no longer applies (this was a 500 on every later page of the wizard).
    @example(
        answers={
            "tumour-site": "stomach",
            "tumour-tumour_type": "non_functional",
            "tumour-hormonal_symptoms": "no",
        },
        extra={"wizard_goto_step": "pancreas"},
        after_everything=True,
    )
    def test_tumour_step(self, answers, extra, after_everything):
        self.fuzz_step("tumour", answers, extra, after_everything)

    @fuzz(60)
    @given(answers=step_answers("pancreas"), extra=extra_keys, after_everything=st.booleans())
    def test_pancreas_step(self, answers, extra, after_everything):
        self.fuzz_step("pancreas", answers, extra, after_everything)

    @fuzz(60)
    @given(
        answers=step_answers("stomach", GASTRIC_CASE),
        extra=extra_keys,
        after_everything=st.booleans(),
    )
    def test_stomach_step(self, answers, extra, after_everything):
        self.fuzz_step("stomach", answers, extra, after_everything, base=GASTRIC_CASE)

    @fuzz(60)
    @given(answers=step_answers("pathology"), extra=extra_keys, after_everything=st.booleans())
    def test_pathology_step(self, answers, extra, after_everything):
        self.fuzz_step("pathology", answers, extra, after_everything)

    @fuzz(60)
    @given(answers=step_answers("extent"), extra=extra_keys, after_everything=st.booleans())
    def test_extent_step(self, answers, extra, after_everything):
        self.fuzz_step("extent", answers, extra, after_everything)

    @fuzz(60)
    @given(answers=step_answers("metastases"), extra=extra_keys, after_everything=st.booleans())
    def test_metastases_step(self, answers, extra, after_everything):
        self.fuzz_step("metastases", answers, extra, after_everything)

    @fuzz(60)
    @given(answers=step_answers("review"), extra=extra_keys)
    def test_review_step(self, answers, extra):
        self.fuzz_step("review", answers, extra, after_everything=True)

    @fuzz(80)
    @given(
        until=st.sampled_from(CASE_STEPS),
        # A real step name about half the time, so that many examples get past the name
        # check to the step's own form.
        management=st.builds(
            lambda real, name, junk: name if real else junk,
            st.booleans(),
            st.sampled_from(STEP_NAMES),
            st.one_of(
                st.sampled_from(["done", "Tumour", "tumour ", " ", "tumour\x00", "../review"]),
                st.just(MISSING),
                posted,
            ),
        ),
        url_step=st.one_of(
            st.sampled_from([*STEP_NAMES, "done"]), st.from_regex(r"\A[a-z_]{1,30}\Z")
        ),
        answers=st.sampled_from(STEP_NAMES).flatmap(step_answers),
    )
    # The review posted to the done URL finishes the case: asked for again, it is gone.
    @example(
        until="review",
        management="review",
        url_step="done",
        answers={"pancreas-pancreas_region": "head"},
    )
    def test_the_management_step_name(self, until, management, url_step, answers):
        answer_steps(self.client, EVERY_STEP_CASE, until=until)
        data = dict(answers)
        if management is not MISSING:
            data[management_field(self.client)] = management
        if management == "review":
            data[REVIEWED_FIELD] = answers_shown(self.client)
        response = self.client.post(step_url(self.client, url_step), data)
        event(f"step: {response.status_code}")
        self.assertIn(response.status_code, (200, 302, 400), response.content[:500])
        # Asking for the page by the same (perhaps made-up) name: shown, or redirected
        # (the done URL, asked for by name, may finish the case: then it, and the next, is
        # a 404).
        shown = self.client.get(step_url(self.client, url_step))
        finished = (200, 302, 400, 404) if url_step == "done" else (200, 302, 400)
        self.assertIn(shown.status_code, finished, shown.content[:500])
        done = self.client.get(done_url(self.client))
        event(f"done: {done.status_code}")
        self.assertIn(done.status_code, (200, 302, 400, 404), done.content[:500])
        self.assertEqual(Case.objects.count(), 0)

    # No step takes a file; formtools would hand one to a storage with no file store (a 500).
    # The wizard refuses any posted file with a 400 instead.
    @fuzz(60)
    @given(
        step=st.sampled_from(CASE_STEPS),
        uploads=st.dictionaries(
            st.sampled_from(["file", "upload", "tumour-site", "review-reference", "x"]),
            st.builds(
                SimpleUploadedFile,
                st.from_regex(r"\A[A-Za-z0-9_.-]{1,20}\Z"),
                st.binary(max_size=200),
            ),
            min_size=1,
            max_size=3,
        ),
    )
    def test_a_posted_file_on_any_step(self, step, uploads):
        answer_steps(self.client, EVERY_STEP_CASE, until=step)
        answers = {
            f"{step}-{name}": encode(value)
            for name, value in answers_for(step, EVERY_STEP_CASE).items()
        }
        data = {management_field(self.client): step, **answers, **uploads}
        response = self.client.post(step_url(self.client, step), data)
        event(f"step: {response.status_code}")
        self.assertEqual(response.status_code, 400, response.content[:500])
        done = self.client.get(done_url(self.client))
        self.assertIn(done.status_code, (200, 302, 400), done.content[:500])
        self.assertEqual(Case.objects.count(), 0)
