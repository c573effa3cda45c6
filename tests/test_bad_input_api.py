"""Bad input at scale, with Hypothesis, thrown at the JSON API.

Arbitrary values -- wrong types, out of range, unicode, huge strings, missing and extra
keys: the API answers 200 (the documented shape) or 400 (``{"errors": {field: [str, ...]}}``),
never a 500, and stores nothing, whatever the body and content type; a valid case always
gets 200 and the grade ``grade_from`` gives. The strategies are in tests/bad_input.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.sessions.models import Session
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from guidance.api import NUMBER_FIELDS
from guidance.forms import FACT_FIELDS
from guidance.models import Case
from tests.bad_input import (
    API_URL,
    assert_documented_answer,
    assert_within_spec,
    expected_grade,
    fuzz,
    is_json,
    json_values,
    mixed_payloads,
    read_exactly,
    row_counts,
    valid_cases,
)
from tests.wizard_client import LOCALISED_COLON

# --- The API --------------------------------------------------------------------------


class ApiBadInputTests(TestCase):
    """POST /api/v1/recommendations with anything at all: 200 or 400, never 500."""

    def post_json(self, payload: Any, content_type: str = "application/json"):
        return self.post_raw(json.dumps(payload).encode(), content_type)

    @classmethod
    def setUpTestData(cls):
        # Every example is rolled back, so every example starts from these counts.
        cls.baseline = row_counts()

    def post_raw(self, body: bytes, content_type: str = "application/json"):
        # generic() sends the bytes as they are (post() would re-encode them to the charset).
        response = self.client.generic("POST", API_URL, data=body, content_type=content_type)
        self.assertEqual(row_counts(), self.baseline, "the API stored something")
        self.assertEqual(Session.objects.count(), 0)
        self.assertEqual(Case.objects.count(), 0)
        return response

    def assert_grade_agrees(self, body: dict[str, Any] | None, payload: dict[str, Any]):
        if body is None:
            return
        assessment = expected_grade(payload)
        self.assertEqual(body["grade"], assessment.grade and assessment.grade.value)
        self.assertEqual(body["grade_basis"], list(assessment.basis))

    @fuzz(150)
    @given(payload=json_values)
    def test_any_json_value_is_answered_200_or_400(self, payload):
        assert_documented_answer(self.post_json(payload))

    @fuzz(150)
    @given(payload=mixed_payloads())
    def test_real_fields_with_any_values_are_answered_200_or_400(self, payload):
        body = assert_documented_answer(self.post_json(payload))
        if body is not None:
            # Whatever was accepted is a case within the specification, graded as the
            # engine grades it.
            assert_within_spec(payload)
            self.assert_grade_agrees(body, payload)

    @fuzz(80)
    @given(
        payload=valid_cases(),
        field=st.sampled_from(FACT_FIELDS),
        literal=st.sampled_from(
            [
                "NaN",
                "Infinity",
                "-Infinity",
                "-0",
                "-0.0",
                "1e999",
                "1e-999",
                "1e308",
                "3E2",
                "1" * 5000,
                "0" * 300 + "1",
                "1.0000000000000000000001",
                "[]",
                "{}",
                "null",
                "true",
                '"\\u0000"',
                '"\\ud800"',
                '"\\udfff\\ud800"',
                "01",
                "+1",
                ".5",
                "1.",
                "0x10",
                '"colon"',
                '"yes"',
                "2.0",
                "300.0000001",
                # More digits than a float holds: a float reads 20, 3 and 20.
                "20.000000000000001",
                "2.9999999999999999",
                "19.999999999999999",
                "20.00",
                "1e2",
                "15e-1",
            ]
        ),
        duplicate=st.booleans(),
    )
    # Fixed examples of values a float once rounded into an accepted case: Ki-67 a hair
    # above 20 % graded G2, a hair below 3 % shown as "Ki-67 3 %", a size a hair below
    # 20 mm called "not small", two decimal places and an exponent the wizard's rules
    # refuse; and a field given twice, of which json.loads() kept the last.
    @example(payload=LOCALISED_COLON, field="ki67_percent", literal="20.000000000000001",
             duplicate=False)
    @example(payload=LOCALISED_COLON, field="ki67_percent", literal="2.9999999999999999",
             duplicate=False)
    @example(payload=LOCALISED_COLON, field="size_mm", literal="19.999999999999999",
             duplicate=False)
    @example(payload=LOCALISED_COLON, field="mitoses_per_10hpf", literal="1.9999999999999999",
             duplicate=False)
    @example(payload=LOCALISED_COLON, field="ki67_percent", literal="20.00", duplicate=False)
    @example(payload=LOCALISED_COLON, field="size_mm", literal="1e2", duplicate=False)
    @example(payload=LOCALISED_COLON, field="site", literal='"rectum"', duplicate=True)
    @example(payload=LOCALISED_COLON, field="ki67_percent", literal="25", duplicate=True)
    def test_json_literals_python_reads_leniently(self, payload, field, literal, duplicate):
        """NaN, Infinity, 5000-digit integers, lone surrogate escapes, duplicated keys."""
        if duplicate and payload:
            # The field once more at the end: json.loads() would keep the last one.
            text = json.dumps(payload)[:-1] + f', "{field}": {literal}}}'
        else:
            text = json.dumps({**payload, field: "@@RAW@@"}).replace('"@@RAW@@"', literal)
        response = self.post_raw(text.encode())
        body = assert_documented_answer(response)
        if duplicate and field in payload and is_json(text):
            # Which of the two the client meant cannot be known: the key is refused.
            self.assertEqual(response.status_code, 400)
            self.assertIn(field, response.json()["errors"])
        if body is not None:
            if field in NUMBER_FIELDS:
                # A number is written in plain digits: an exponent is refused (README).
                self.assertNotRegex(literal, r"\d[eE]")
            read = read_exactly(text)  # what the API read, as it read it
            assert_within_spec(read)
            self.assert_grade_agrees(body, read)

    @fuzz(100)
    @given(
        body=st.one_of(
            st.binary(max_size=300),
            st.binary(min_size=16_000, max_size=17_000),
            st.text(max_size=200).map(str.encode),
            json_values.map(lambda value: json.dumps(value).encode("utf-16")),
            st.sampled_from([b"", b"{", b"\xff\xfe{", b"\xef\xbb\xbf{}", b"{}" * 9000]),
        ),
        content_type=st.sampled_from(
            [
                "application/json",
                "application/json; charset=latin-1",
                "text/plain",
                "text/html; charset=utf-8",
                "application/x-www-form-urlencoded",
                "application/xml",
                "application/octet-stream",
                "multipart/form-data; boundary=xyz",
                "",
            ]
        ),
    )
    # A body far above the API's limit and Django's own.
    @example(body=b"{" * 3_000_000, content_type="application/json")
    def test_any_bytes_with_any_content_type_are_answered_200_or_400(self, body, content_type):
        assert_documented_answer(self.post_raw(body, content_type))

    @fuzz(120)
    @given(payload=valid_cases())
    def test_a_valid_case_gets_200_and_the_engines_grade(self, payload):
        body = assert_documented_answer(self.post_json(payload))
        self.assertIsNotNone(body, f"a valid case was refused: {payload}")
        self.assert_grade_agrees(body, payload)
