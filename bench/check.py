"""Time the exhaustive check of a version's logic, for version 1.

Pure Python, no database: version 1's logic is compiled from its data file and checked
several times in this process; the best and the median run are printed, with the classes
covered and the cases evaluated. Then what the admin shows beside each section: the
classes it applies to and three example cases, for every section of the version.

    make bench-check
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guidance import engine  # noqa: E402
from guidance.engine import check  # noqa: E402

VERSION_1 = ROOT / "guidance" / "data" / "guideline-version-1-logic.json"


def version_1() -> engine.Logic:
    data = json.loads(VERSION_1.read_text())
    return engine.compile_logic(
        {
            "grading": data["grading"],
            "category": data["category"],
            "exclusive": data["exclusive"],
            "sections": [
                {"slug": slug, "order": order, **rule}
                for order, (slug, rule) in enumerate(data["sections"].items(), 1)
            ],
            "warnings": [{"code": code, **rule} for code, rule in data["warnings"].items()],
        }
    )


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    logic = version_1()
    result = check.check(logic)
    times = timed(lambda: check.check(logic), runs)
    print(
        f"exhaustive check, version 1: {result.classes:,} classes, {result.cases:,} cases "
        f"evaluated, {len(result.failures)} failures; best {min(times) * 1000:.0f} ms, "
        f"median {statistics.median(times) * 1000:.0f} ms of {runs} runs"
    )

    def every_section() -> None:
        for slug in logic.slugs:
            check.classes_where(logic, slug)
            check.examples(logic, slug)

    times = timed(every_section, runs)
    print(
        f"classes and three examples for each of the {len(logic.slugs)} sections: "
        f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
