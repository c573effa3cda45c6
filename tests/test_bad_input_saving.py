"""Bad input at scale, with Hypothesis, at the review of a logged-in clinician's case.

The done URL either saves one complete case (snapshot and columns agree, the reference as
typed and never an identifier) or none. The strategies are in tests/bad_input.py.
"""

from __future__ import annotations

import re

from hypothesis import event, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from guidance.forms import FACT_FIELDS
from guidance.models import Case
from tests.bad_input import MISSING, VALID_CASES, expected_grade, extra_keys, fuzz, long_text
from tests.factories import make_clinician
from tests.wizard_client import (
    REVIEWED_FIELD,
    answer_steps,
    answers_shown,
    done_url,
    management_field,
    step_url,
)

# --- Saving a case --------------------------------------------------------------------

# Written out here rather than imported, so that a loosened rule in the app fails this test:
# an NHS number (ten digits, spaced or not), a hospital number (seven or more digits), an
# email address.
PATIENT_IDENTIFIER = re.compile(r"\d{3}[ -]?\d{3}[ -]?\d{4}|\d{7,}|\S@\S")
SNAPSHOT_KEYS = {"guideline", "grade", "category", "recommendations", "warnings", "facts"}

references = st.one_of(
    st.just(MISSING),
    st.text(max_size=50),
    st.text(alphabet="0123456789 -@.abcXYZ", max_size=45),  # identifier-like and not
    st.builds(
        lambda pad, core: pad + core + pad,
        st.sampled_from([" ", "\t", "\u3000", "\x85"]),
        st.text(max_size=40),
    ),
    st.sampled_from(
        [
            "",
            " ",
            "MDT 12/3",
            "123 456 7890",
            "1234567",
            "123456",
            "a@b",
            "x" * 40,
            "x" * 41,
            "\x00",
            "MDT\x00",
            "ü" * 40,
            "🧬" * 40,
            "🧬" * 41,
        ]
    ),
    long_text,
    st.lists(st.text(max_size=45), min_size=2, max_size=3),
)


class SavingBadInputTests(TestCase):
    """A logged-in clinician: a complete case is saved, or none -- never a partial one."""

    @classmethod
    def setUpTestData(cls):
        cls.clinician = make_clinician("fuzz")

    def setup_example(self):
        # Each example gets a fresh test client (and transaction): log it in every time.
        super().setup_example()
        self.client.force_login(self.clinician)

    @fuzz(100)
    @given(case_facts=st.sampled_from(VALID_CASES), reference=references, extra=extra_keys)
    def test_the_review_reference_then_done(self, case_facts, reference, extra):
        answer_steps(self.client, case_facts, until="review")
        data = {
            **extra,
            management_field(self.client): "review",
            REVIEWED_FIELD: answers_shown(self.client),
        }
        if reference is not MISSING:
            data["review-reference"] = reference
        review = self.client.post(step_url(self.client, "review"), data)
        event(f"review: {review.status_code}")
        self.assertIn(review.status_code, (200, 302, 400), review.content[:500])

        done = self.client.get(done_url(self.client))
        self.assertIn(done.status_code, (200, 302, 400), done.content[:500])
        saved = list(Case.objects.all())
        event(f"cases saved: {len(saved)}")
        self.assertLessEqual(len(saved), 1)
        # Saved exactly when the review accepted the reference and went on to the done URL
        # (with Back pressed, the review may store a reference it would refuse).
        accepted = review.status_code == 302 and review.url == done_url(self.client)
        self.assertEqual(bool(saved), accepted, (review.status_code, review.get("Location")))
        if not saved:
            return

        [saved_case] = saved
        self.assertEqual(done.status_code, 302)
        self.assertEqual(done.url, saved_case.get_absolute_url())
        self.assertEqual(saved_case.clinician, self.clinician)
        snapshot = saved_case.snapshot
        self.assertLessEqual(SNAPSHOT_KEYS, set(snapshot))
        self.assertTrue(snapshot["recommendations"])
        self.assertEqual(
            set(snapshot["guideline"]),
            {"title", "version", "citation", "about_source", "not_covered", "in_use_since"},
        )
        self.assertEqual(saved_case.site, snapshot["facts"]["site"])
        self.assertEqual(saved_case.extent, snapshot["facts"]["extent"])
        self.assertEqual(saved_case.grade, snapshot["grade"] or "")
        self.assertEqual(saved_case.warning_count, len(snapshot["warnings"]))
        self.assertEqual(set(snapshot["facts"]), set(FACT_FIELDS))
        for name in FACT_FIELDS:
            expected = case_facts.get(
                name, {"metastases_resectable": "unknown", "ssr_imaging": "not_done"}.get(name)
            )
            self.assertEqual(snapshot["facts"][name], expected, name)
        assessment = expected_grade(case_facts)
        self.assertEqual(snapshot["grade"], assessment.grade and assessment.grade.value)
        # The reference saved is the one typed (trimmed; the last of several), within the
        # column's length, and never an identifier.
        typed = data.get("review-reference", "")  # perhaps from the extra keys
        typed = typed[-1] if isinstance(typed, list) else typed
        self.assertEqual(saved_case.reference, typed.strip())
        self.assertLessEqual(len(saved_case.reference), 40)
        self.assertNotIn("\x00", saved_case.reference)
        self.assertIsNone(PATIENT_IDENTIFIER.search(saved_case.reference))
