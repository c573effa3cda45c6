"""The grade from the proliferation indices, by a version's thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from guidance.engine.facts import Grade, GradeAssessment, number


@dataclass(frozen=True, kw_only=True)
class Grading:
    """A version's grading thresholds: below the first is G1, above the second is G3.

    Between them, both included, is G2. When both indices are given the higher grade is
    used (``combine``: "higher", the only rule there is).
    """

    ki67_g1_below: Decimal
    ki67_g3_above: Decimal
    mitoses_g1_below: int
    mitoses_g3_above: int
    combine: str = "higher"

    def thresholds(self) -> dict[str, set[Decimal]]:
        return {
            "ki67_percent": {self.ki67_g1_below, self.ki67_g3_above},
            "mitoses_per_10hpf": {Decimal(self.mitoses_g1_below), Decimal(self.mitoses_g3_above)},
        }

    def rules(self) -> list[str]:
        """The grading in words, as the pathology step explains it."""
        low, high = number(self.ki67_g1_below), number(self.ki67_g3_above)
        m_low, m_high = self.mitoses_g1_below, self.mitoses_g3_above
        return [
            f"Ki-67 below {low} % is G1; {low} to {high} % is G2; above {high} % is G3.",
            f"Mitoses per 10 HPF below {m_low} is G1; {m_low} to {m_high} is G2; "
            f"above {m_high} is G3.",
            "With both given, the higher grade is used.",
        ]

    # The thresholds as a grade's basis writes them, for every case graded.
    @cached_property
    def _ki67_limits(self) -> tuple[str, str]:
        return number(self.ki67_g1_below), number(self.ki67_g3_above)

    def ki67(self, ki67: Decimal) -> tuple[Grade, str]:
        shown = f"Ki-67 {number(ki67)} %"
        low, high = self._ki67_limits
        if ki67 < self.ki67_g1_below:
            return Grade.G1, f"{shown} is below {low} %: G1"
        if ki67 <= self.ki67_g3_above:
            return Grade.G2, f"{shown} is within {low} to {high} %: G2"
        return Grade.G3, f"{shown} is above {high} %: G3"

    def mitoses(self, mitoses: int) -> tuple[Grade, str]:
        shown = f"mitotic count {mitoses} per 10 HPF"
        low, high = self.mitoses_g1_below, self.mitoses_g3_above
        if mitoses < low:
            return Grade.G1, f"{shown} is below {low}: G1"
        if mitoses <= high:
            return Grade.G2, f"{shown} is within {low} to {high}: G2"
        return Grade.G3, f"{shown} is above {high}: G3"

    def grade(
        self, *, ki67_percent: Decimal | None, mitoses_per_10hpf: int | None
    ) -> GradeAssessment:
        """The grade: the higher of the Ki-67 and mitotic grades that are given."""
        basis: list[str] = []
        from_ki67 = from_mitoses = None
        if ki67_percent is not None:
            from_ki67, reason = self.ki67(ki67_percent)
            basis.append(reason)
        if mitoses_per_10hpf is not None:
            from_mitoses, reason = self.mitoses(mitoses_per_10hpf)
            basis.append(reason)
        given = [grade for grade in (from_ki67, from_mitoses) if grade is not None]
        if not given:
            return GradeAssessment(
                None, None, None, ("neither Ki-67 nor a mitotic count was given",)
            )
        grade = max(given)  # "G1" < "G2" < "G3"
        if from_ki67 is not None and from_mitoses is not None:
            if from_ki67 == from_mitoses:
                basis.append(f"both give {grade}")
            else:
                basis.append(f"the higher of the two, {grade}, is used")
        return GradeAssessment(grade, from_ki67, from_mitoses, tuple(basis))
