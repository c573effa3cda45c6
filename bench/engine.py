"""Time the engine per case: version 1's logic as content against the engine it replaced.

Pure Python, no database. The frozen copy of the engine that was written in Python
(``tests/oracle/engine_before.py``) and the engine applying version 1's logic run the same
cases in the same process, turn about, several times; the best run of each is printed, in
CPU time per case, with their ratio. The cases are the examples (tests/example_cases.json)
and the reference cases (guidance/data/reference_cases.json).

The engine keeps what the conditions decided per class of cases (``Logic.case_class``), so
it is timed twice: warm, as a running server meets cases like those it has seen, and cold,
with nothing kept (every case decided afresh, as the first case of its class is).

    make bench-engine
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guidance import engine  # noqa: E402
from tests.oracle import engine_before  # noqa: E402

VERSION_1 = ROOT / "guidance" / "data" / "guideline-version-1-logic.json"
ROUNDS, REPEAT = 200, 7


def version_1() -> engine.Logic:
    data = json.loads(VERSION_1.read_text())
    return engine.compile_logic(
        {
            "grading": data["grading"],
            "category": data["category"],
            "exclusive": data["exclusive"],
            "sections": [
                {"slug": s, "order": i, **r} for i, (s, r) in enumerate(data["sections"].items(), 1)
            ],
            "warnings": [{"code": c, **r} for c, r in data["warnings"].items()],
        }
    )


def facts_of(raw: dict) -> dict:
    facts = dict(raw)
    for name in ("size_mm", "ki67_percent"):
        if facts.get(name) is not None:
            facts[name] = Decimal(str(facts[name]))
    facts.setdefault("pancreas_region", None)
    return facts


def cases() -> list[dict]:
    examples = json.loads((ROOT / "tests" / "example_cases.json").read_text())
    references = json.loads((ROOT / "guidance" / "data" / "reference_cases.json").read_text())
    found = [item.get("facts", item.get("input", item)) for item in [*examples, *references]]
    return [facts_of(f) for f in found if isinstance(f, dict) and "site" in f]


def best(*runs) -> list[float]:
    """The best of REPEAT times of each run, the runs taken turn about."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(REPEAT):
        for run, taken in zip(runs, times, strict=True):
            start = time.process_time()
            run()
            taken.append(time.process_time() - start)
    return [min(taken) for taken in times]


def main() -> None:
    logic = version_1()
    raw = cases()
    # The engine before knew no gastric NET type; version 1 never reads it.
    before = [
        engine_before.CaseFacts(**{k: v for k, v in facts.items() if k != "gastric_type"})
        for facts in raw
    ]
    now = [engine.CaseFacts(**facts) for facts in raw]
    n = ROUNDS * len(raw)

    def run_before() -> None:
        for _ in range(ROUNDS):
            for facts in before:
                engine_before.recommend(facts)

    def run_warm() -> None:
        for _ in range(ROUNDS):
            for facts in now:
                engine.recommend(facts, logic)

    def run_cold() -> None:
        decided = logic.decided
        for _ in range(ROUNDS):
            for facts in now:
                decided.clear()
                engine.recommend(facts, logic)

    old, warm, cold = best(run_before, run_warm, run_cold)
    print(f"{len(raw)} cases x {ROUNDS} rounds, best of {REPEAT}, CPU time per case")
    print(f"engine written in Python:        {old / n * 1e6:.1f} µs")
    print(f"version 1 as content, warm:      {warm / n * 1e6:.1f} µs  ratio {warm / old:.2f}")
    print(f"version 1 as content, cold:      {cold / n * 1e6:.1f} µs  ratio {cold / old:.2f}")
    print("target: at most 1.5 times the engine written in Python")


if __name__ == "__main__":
    main()
