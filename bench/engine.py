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
    python bench/engine.py --compare before=PATH [--runs 5]

``--compare`` times an older checkout at PATH (``git archive`` of a commit will do) beside
this one: each in its own process, the two taken turn about ``--runs`` times, and prints
the median of each figure and of each run's ratio.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS, REPEAT = 200, 7


def version_1(engine, root: Path):
    # Read here, not through guidance.engine.logic_file: an older checkout timed with
    # --compare may predate that reader.
    data = json.loads((root / "guidance" / "data" / "guideline-version-1-logic.json").read_text())
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


def cases(root: Path) -> list[dict]:
    examples = json.loads((root / "tests" / "example_cases.json").read_text())
    references = json.loads((root / "guidance" / "data" / "reference_cases.json").read_text())
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


def measure(root: Path) -> dict[str, float]:
    """µs per case of the checkout at ``root``: the engine before, and the content engine
    warm and (when it keeps decisions) cold."""
    sys.path.insert(0, str(root))
    engine = importlib.import_module("guidance.engine")
    engine_before = importlib.import_module("tests.oracle.engine_before")
    logic = version_1(engine, root)
    raw = cases(root)
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

    runs = [run_before, run_warm]
    decided = getattr(logic, "decided", None)
    if decided is not None:

        def run_cold() -> None:
            for _ in range(ROUNDS):
                for facts in now:
                    decided.clear()
                    engine.recommend(facts, logic)

        runs.append(run_cold)
    taken = [t / n * 1e6 for t in best(*runs)]
    return dict(zip(("python", "warm", "cold"), taken, strict=False), cases=len(raw))


def report(name: str, figures: dict[str, float], ratios: dict[str, float]) -> None:
    kept = "cold" in figures
    print(f"{name}engine written in Python:   {figures['python']:5.1f} µs")
    for key in ("warm", "cold") if kept else ("warm",):
        what = f"version 1 as content, {key}:" if kept else "version 1 as content:      "
        print(f"{name}{what} {figures[key]:5.1f} µs  ratio {ratios[key]:.2f}")


def ratios_of(figures: dict[str, float]) -> dict[str, float]:
    return {key: figures[key] / figures["python"] for key in ("warm", "cold") if key in figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--compare", metavar="NAME=PATH", help="an older checkout to time beside")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    if args.json:
        print(json.dumps(measure(args.root.resolve())))
        return
    if not args.compare:
        figures = measure(ROOT)
        print(f"{figures['cases']} cases x {ROUNDS} rounds, best of {REPEAT}, CPU time per case")
        report("", figures, ratios_of(figures))
        print("target: at most 1.5 times the engine written in Python")
        return

    name, _, path = args.compare.partition("=")
    checkouts = {name: Path(path).resolve(), "current": ROOT}
    found: dict[str, list[dict[str, float]]] = {each: [] for each in checkouts}
    for _ in range(args.runs):
        for each, root in checkouts.items():
            child = [sys.executable, __file__, "--json", "--root", str(root)]
            out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
            found[each].append(json.loads(out))
    print(
        f"{found['current'][0]['cases']} cases x {ROUNDS} rounds, best of {REPEAT} in each of "
        f"{args.runs} runs taken turn about, median of the runs, CPU time per case"
    )
    for each, runs in found.items():
        keys = [key for key in runs[0] if key != "cases"]
        medians = {key: statistics.median(run[key] for run in runs) for key in keys}
        ratios = [ratios_of(run) for run in runs]
        median_ratios = {key: statistics.median(r[key] for r in ratios) for key in ratios[0]}
        report(f"{each + ':':9}", medians, median_ratios)
        for key in keys:
            print(f"{'':9}  {key:6} runs: " + " ".join(f"{run[key]:.1f}" for run in runs))
        for key in median_ratios:
            print(f"{'':9}  {key:6} ratios: " + " ".join(f"{r[key]:.2f}" for r in ratios))
    print("target: at most 1.5 times the engine written in Python")


if __name__ == "__main__":
    main()
