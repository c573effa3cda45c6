"""Time what would change the advice, per case, in one process (no server, no database).

For each example case (tests/example_cases.json) and reference case
(guidance/data/reference_cases.json): the engine's changes (``what_would_change``), and the
items as the recommendation shows them, with their sentences (``guidance.sensitivity``).
Each case is run ROUNDS times, best of REPEAT in CPU time; the median and the 95th
percentile over the cases are printed, against version 1's logic and the larger version 2
(guidance/data/guideline-version-2.json), with the budget.

    make bench-sensitivity
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guidance import engine, sensitivity  # noqa: E402
from guidance.engine.logic_file import version_1_logic  # noqa: E402
from guidance.engine.sensitivity import what_would_change  # noqa: E402

ROUNDS, REPEAT = 20, 5
BUDGET_MS = 5.0


def version_2() -> tuple[engine.Logic, dict[str, str], dict[str, str]]:
    document = json.loads((ROOT / "guidance/data/guideline-version-2.json").read_text())
    headings = {section["slug"]: section["heading"] for section in document["sections"]}
    messages = {warning["code"]: warning["message"] for warning in document["warnings"]}
    return engine.compile_logic(document), headings, messages


def facts_of(raw: dict) -> engine.CaseFacts:
    facts = dict(raw)
    for name in ("size_mm", "ki67_percent"):
        if facts.get(name) is not None:
            facts[name] = Decimal(str(facts[name]))
    facts.setdefault("pancreas_region", None)
    if facts["site"] == "stomach":
        facts.setdefault("gastric_type", "unknown")
    return engine.CaseFacts(**facts)


def cases() -> list[engine.CaseFacts]:
    examples = json.loads((ROOT / "tests/example_cases.json").read_text())
    references = json.loads((ROOT / "guidance/data/reference_cases.json").read_text())
    return [facts_of(item["case"]) for item in examples] + [
        facts_of(item["facts"]) for item in references
    ]


def per_case_ms(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        start = time.process_time()
        for _ in range(ROUNDS):
            run()
        best = min(best, (time.process_time() - start) / ROUNDS)
    return best * 1000


def report(name: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{name:<44} median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, "
        f"max {ordered[-1]:.2f} ms"
    )


def main() -> None:
    found = cases()
    logic_1 = version_1_logic()
    logic_2, headings, messages = version_2()

    def as_json(value: Decimal) -> float:
        return float(value)

    print(f"{len(found)} cases, best of {REPEAT} x {ROUNDS} runs each, CPU time per case")
    for label, logic, (heads, words) in (
        ("version 1", logic_1, ({}, {})),
        ("version 2", logic_2, (headings, messages)),
    ):
        changes = [len(what_would_change(logic, facts)) for facts in found]

        def engine_only(facts, logic=logic):
            return what_would_change(logic, facts)

        def with_sentences(facts, logic=logic, heads=heads, words=words):
            return sensitivity.items(logic, facts, headings=heads, messages=words, as_json=as_json)

        for name, run in (
            ("the engine's changes", engine_only),
            ("with sentences", with_sentences),
        ):
            report(
                f"{label}: {name}",
                [per_case_ms(lambda facts=facts, run=run: run(facts)) for facts in found],
            )
        print(
            f"{label}: {statistics.median(changes):.0f} changes a case (median), "
            f"{max(changes)} at most"
        )
    print(f"budget: {BUDGET_MS:.0f} ms a case")


if __name__ == "__main__":
    main()
