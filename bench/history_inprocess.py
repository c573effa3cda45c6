"""Time the history page in-process: Django's test client, production settings, no HTTP.

What ``make bench`` cannot show: the page's own cost, without gunicorn, the network or
the other clients. The database is set up as the bench sets it up (two clinicians, with 10
and 10,000 saved cases; SQLite unless ``DATABASE_URL`` names a PostgreSQL server, where
a database of its own is made and dropped). Each page is asked for ``--warm`` times, then
timed over ``--requests``; the report gives the median wall-clock and CPU time of a request
(the CPU time is the steadier of the two on a busy machine) and its number of queries, as
served and with no template fragment kept (``settings.CACHES``); ``--profile`` adds where
the time of the history with 10,000 cases goes.

    .venv/bin/python bench/history_inprocess.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/history_inprocess.py
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import sys
import time

from server import ROOT, Site

from bench import FEW, MANY, PASSWORD

PAGES = [
    ("history (10 cases)", "few", "/cases/"),
    ("history (10,000 cases)", "many", "/cases/"),
    ("history (10,000 cases), page 2", "many", "/cases/?page=2"),
    ("history (10,000 cases), filtered", "many", "/cases/?site=colon&grade=G2&q=a"),
    ("history (10,000 cases), a field error", "many", "/cases/?date_from=notadate&site=colon"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=30)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", choices=["cumulative", "tottime"],
                        help="also profile the history with 10,000 cases, sorted so")
    args = parser.parse_args()

    site = Site("inprocess", own_database=True, AXES_ENABLED="false")
    try:
        print(f"Setting up {site.database} ({FEW} and {MANY:,} saved cases)...", flush=True)
        site.prepare(["bench-few", "bench-many"], PASSWORD)
        site.manage("create_synthetic_cases", "bench-many", str(MANY))
        site.manage("create_synthetic_cases", "bench-few", str(FEW))
        measure(site, args.warm, args.requests, args.profile)
    finally:
        site.close()


def measure(site: Site, warm: int, requests: int, profile: str | None) -> None:
    os.environ.update(site.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "netadvisor.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("netadvisor.security").disabled = True  # a line for every login
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who in ("few", "many"):
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(get_user_model().objects.get(username=f"bench-{who}"))

    # Each page twice: as served (with whatever settings.CACHES keeps of it, here always
    # kept, as the same page is asked for again and again), then rendered whole every time.
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    afresh = override_settings(CACHES={**settings.CACHES, "template_fragments": dummy})

    def timing(client, path: str) -> tuple[float, float, int]:
        for _ in range(warm):
            assert client.get(path).status_code == 200
        walls, cpus = [], []
        for _ in range(requests):
            wall, cpu = time.perf_counter(), time.thread_time()
            response = client.get(path)
            cpus.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, len(queries)

    print(f"\n{site.database}: median of {requests} requests after {warm} to warm up\n")
    print("| page | wall ms | CPU ms | queries | wall ms, no fragment kept "
          "| CPU ms, no fragment kept |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, who, path in PAGES:
        wall, cpu, queries = timing(clients[who], path)
        with afresh:
            wall_afresh, cpu_afresh, _ = timing(clients[who], path)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {queries} | {wall_afresh:.2f} "
              f"| {cpu_afresh:.2f} |")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            clients["many"].get("/cases/")
        profiler.disable()
        pstats.Stats(profiler).sort_stats(profile).print_stats(40)
    connections.close_all()  # so that the site can drop its own database


if __name__ == "__main__":
    main()

