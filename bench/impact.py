"""Time the impact report (guidance.impact.impact) over 10,000, 100,000 and 1,000,000 saved
cases, on SQLite and on PostgreSQL.

Each database starts empty and migrated; the cases are added with `create_synthetic_cases`
(10,000, then 90,000 more, then 900,000 more), and after each size a draft that rewords a
section and moves the Ki-67 threshold of G3 (above 20 % to above 15 %) is measured: the report once
straight after the load (the database's pages in the operating system's cache, as on a
running server), then the median of three more.
The draft's own queries (its text) are included, as on the publish page.

    make bench-impact                          # both databases, every size
    .venv/bin/python bench/impact.py --sizes 10000 100000 --databases sqlite
    PG_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/impact.py

`--distinct N` makes the synthetic cases repeat N distinct cases (the command's default is
200); the report's cost grows with the number of groups, not of cases.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from server import ROOT, Site

PASSWORD = "bench-password-not-secret"
SIZES = (10_000, 100_000, 1_000_000)
DATABASE = "bench_impact"

# Run in the site's own process (manage.py shell): start a draft that rewords a section and
# moves a threshold, then time the report. Prints one JSON line.
MEASURE = """
import json, statistics, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guidance import publishing
from guidance.models import GuidelineVersion
editor = get_user_model().objects.get(username="editor")
draft = GuidelineVersion.objects.filter(status="draft").first()
if draft is None:
    draft = publishing.start_draft(editor=editor)
    section = draft.sections.get(slug="everolimus")
    section.text = "Reworded for the benchmark."
    section._change_reason = "Benchmark"
    section.save()
    # The logic too: the Ki-67 threshold of G3 from above 20 % to above 15 %.
    ki67 = {**draft.grading["ki67_percent"], "G3_above": "15"}
    draft.grading = {**draft.grading, "ki67_percent": ki67}
    draft.save()
draft = GuidelineVersion.objects.select_related("guideline").get(pk=draft.pk)
times = []
for _ in range(4):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = publishing.impact(draft)
    times.append(time.perf_counter() - started)
print(json.dumps({
    "cases": report.cases, "first": times[0], "median": statistics.median(times[1:]),
    "queries": len(queries), "affected": report.affected, "advised": report.advised,
    "query_ms": [round(float(q["time"]) * 1000) for q in queries.captured_queries],
}))
"""


def measure(site: Site) -> dict:
    return json.loads(site.manage("shell", "-c", MEASURE).strip().splitlines()[-1])


def postgres(url: str) -> str:
    """A fresh database on the server of ``url``; returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return url.rsplit("/", 1)[0] + f"/{DATABASE}"


def run(database: str, sizes: list[int], distinct: int) -> list[dict]:
    extra = {}
    if database == "postgresql":
        extra["DATABASE_URL"] = postgres(
            os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        )
    site = Site(f"impact-{database}", **extra)
    site.manage("migrate", "--no-input")
    site.manage("create_clinician", "clinician", "--password-stdin", stdin=PASSWORD + "\n")
    site.manage("create_editor", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    rows, made = [], 0
    for size in sizes:
        started = time.perf_counter()
        site.manage(
            "create_synthetic_cases", "clinician", str(size - made), "--distinct", str(distinct),
            "--seed", str(size),
        )
        load = time.perf_counter() - started
        made = size
        row = {"database": database, "size": size, "load_s": load, **measure(site)}
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--distinct", type=int, default=200)
    options = parser.parse_args()
    rows = [
        row
        for database in options.databases
        for row in run(database, sorted(options.sizes), options.distinct)
    ]
    print(f"\nimpact(), {options.distinct} distinct synthetic cases repeated:\n")
    print(
        "| database | saved cases | load (s) | first (s) | median of 3 (s) | queries "
        "| grouping query (ms) | advised differently |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['database']} | {row['size']:,} | {row['load_s']:.0f} | {row['first']:.2f} "
            f"| {row['median']:.2f} | {row['queries']} | {row['query_ms'][2]:,} "
            f"| {row['advised']:,} |"
        )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
