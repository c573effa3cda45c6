"""Time the exhaustive check of a version's logic, for version 1.

Pure Python, no database: version 1's logic is compiled from its data file and checked
several times in this process; the best and the median run are printed, with the classes
covered and the cases evaluated, in wall-clock time and in the process's own CPU time (which
other work on the machine moves less). Then what the admin shows beside each section: the
classes it applies to and three example cases, for every section of the version.

    make bench-check
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guidance.engine import check  # noqa: E402
from guidance.engine.logic_file import version_1_logic  # noqa: E402


def timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each of ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def figures(times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    return (
        f"best {min(wall) * 1000:.0f} ms, median {statistics.median(wall) * 1000:.0f} ms "
        f"(CPU: best {min(cpu) * 1000:.0f} ms, median {statistics.median(cpu) * 1000:.0f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    logic = version_1_logic()
    result = check.check(logic)
    print(
        f"exhaustive check, version 1: {result.classes:,} classes, {result.cases:,} cases "
        f"evaluated, {len(result.failures)} failures; {runs} runs: "
        + figures(timed(lambda: check.check(logic), runs))
    )

    def every_section() -> None:
        for slug in logic.slugs:
            check.classes_where(logic, slug)
            check.examples(logic, slug)

    print(
        f"classes and three examples for each of the {len(logic.slugs)} sections: "
        + figures(timed(every_section, runs))
    )


if __name__ == "__main__":
    main()
