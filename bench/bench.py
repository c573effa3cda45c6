"""Benchmark NET Advisor under gunicorn on 127.0.0.1, as in production.

One run: set up a database (two clinicians, one with 10 saved cases and one with 10,000),
start gunicorn, then measure each page in turn, first with one client (what a clinician
waits for), then with 20 concurrent clients (a busy hour). Each page's time is
the response time seen by the client on 127.0.0.1, from sending the request to reading the
whole response. Targets:

- one client: every page's p99 within 25 ms;
- 20 clients: no errors, and every page's p99 within 200 ms;
- the history of the clinician with 10,000 cases within 1.3 times (p50, one client) the
  history of the clinician with 10.

The bare Django view and the landing page are reference rows, and each page's throughput
under 20 clients is reported as a ratio to the bare view's; the ratios are not targets. The
load generator and the server share the machine, so absolute numbers compare only within
one run.

``--compare LABEL=PATH`` serves another checkout (an older commit, with the same Python)
beside this one, each with its own database, and measures both in the same run, page by
page in turn, so that drift of the machine hits both alike.

For the recommendation page each client first re-enters a case (those requests are not
measured), since the wizard shows a result once per case.

    make bench                        # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench
        # PostgreSQL: the URL names the server; the bench makes (and drops) its own database
    .venv/bin/python bench/bench.py --compare before=/tmp/checkout-of-an-older-commit
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from server import ROOT, Site

PASSWORD = "bench-password-not-secret"
CASE = {
    "site": "small_intestine",
    "tumour_type": "other_functional",
    "hormonal_symptoms": True,
    "size_mm": 30,
    "differentiation": "well",
    "ki67_percent": 4,
    "mitoses_per_10hpf": 2,
    "extent": "distant_metastases",
    "metastases_resectable": "yes",
    "ssr_imaging": "positive",
}
class Session:
    """A keep-alive HTTP client with cookies, enough for Django's session and CSRF."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None,
                retry: bool = True) -> tuple[int, dict, bytes]:
        """One request; a connection the server has closed is reopened once, unless not
        ``retry`` (measured requests: a failure there is counted, not hidden)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            if not retry:
                raise
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict[str, str]):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )

    def login(self, username: str) -> None:
        self.get("/accounts/login/")
        status, _, _ = self.post_form(
            "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"login failed for {username}: {status}")

    def enter_case(self) -> None:
        """Start a new case and answer every wizard step for CASE, up to the review."""
        self.get("/")  # renders the "New case" form, so sets the CSRF cookie
        status, headers, _ = self.post_form("/cases/new/", {})
        if status != 302:
            raise SystemExit(f"starting a case answered {status}")
        self.run = re.fullmatch(r"/cases/new/([0-9a-f]{32})/", headers["Location"]).group(1)
        steps = {
            "tumour": ("site", "tumour_type", "hormonal_symptoms"),
            "pathology": ("differentiation", "ki67_percent", "mitoses_per_10hpf"),
            "extent": ("size_mm", "extent", "ssr_imaging"),
            "metastases": ("metastases_resectable",),
        }
        for step, names in steps.items():
            fields = {f"case_wizard_{self.run}-current_step": step}
            for name in names:
                value = CASE[name]
                if isinstance(value, bool):
                    value = "yes" if value else "no"
                fields[f"{step}-{name}"] = str(value)
            status, _, _ = self.post_form(f"/cases/new/{self.run}/{step}/", fields)
            if status != 302:
                raise SystemExit(f"wizard step {step} answered {status}")


@dataclass
class Measure:
    name: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def rps(self) -> float:
        return self.clients / statistics.fmean(self.latencies) if self.latencies else 0.0

    def percentile(self, p: float) -> float:
        """In milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


def run(name: str, port: int, clients: int, seconds: float, prepare, step) -> Measure:
    """Each client thread prepares a session once, then repeats ``step`` for ``seconds``.

    The threads start together and the first fifth of the time (at most a second) is not
    counted, so that every measured request meets the full number of clients. A request
    that fails (a wrong status, a refused or reset connection, a time-out) counts as an
    error; its time is kept.
    """
    measure = Measure(name, clients)
    lock = threading.Lock()
    start_barrier = threading.Barrier(clients)

    def client() -> None:
        session = Session(port)
        try:
            prepare(session)
        except BaseException as error:  # a thread's exception would otherwise vanish
            failures.append(f"{name}: {error!r}")
            start_barrier.abort()
            return
        try:
            start_barrier.wait()
        except threading.BrokenBarrierError:
            return
        latencies, errors = [], 0
        warm_until = time.perf_counter() + min(1.0, seconds / 5)
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                elapsed, ok = step(session)
            except Exception:  # noqa: BLE001 - any failure of a request is an error
                elapsed, ok = time.perf_counter() - started, False
            if time.perf_counter() > warm_until:
                latencies.append(elapsed)
                errors += not ok
        with lock:
            measure.latencies.extend(latencies)
            measure.errors += errors

    failures: list[str] = []
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit("; ".join(failures))
    return measure


def timed(session: Session, method: str, path: str, expect: int, **kwargs) -> tuple[float, bool]:
    started = time.perf_counter()
    status, _, _ = session.request(method, path, retry=False, **kwargs)
    return time.perf_counter() - started, status == expect


ONE_CLIENT_P99_MS = 25
MANY_CLIENTS_P99_MS = 200
HISTORY_RATIO = 1.3
MANY, FEW = 10_000, 10


def set_up(label: str, root: str, workers: int) -> Site:
    site = Site(f"bench-{label}", root=root, own_database=True, AXES_ENABLED="false")
    print(f"Setting up {label} ({root}, {site.database}, {FEW} and {MANY:,} saved cases)...",
          flush=True)
    site.many, site.few = "bench-many", "bench-few"
    site.prepare([site.many, site.few], PASSWORD)
    site.manage("create_synthetic_cases", site.many, str(MANY))
    site.manage("create_synthetic_cases", site.few, str(FEW))
    return site


def pages(port: int, site: Site) -> list[tuple]:
    probe = Session(port)
    probe.login(site.few)
    _, _, page = probe.get("/cases/")
    case_id = re.search(rb'href="/cases/(\d+)/"', page).group(1).decode()
    body = json.dumps(CASE).encode()
    json_headers = {"Content-Type": "application/json"}

    def nothing(session: Session) -> None:
        pass

    def recommendation(session: Session) -> tuple[float, bool]:
        session.enter_case()  # not measured: the wizard shows one result per case
        review = f"/cases/new/{session.run}/review/"
        _, _, page = session.get(review)
        shown = re.search(rb'name="answers_shown" value="([0-9a-f]+)"', page).group(1)
        session.post_form(review, {f"case_wizard_{session.run}-current_step": "review",
                                   "review-reference": "", "answers_shown": shown.decode()})
        return timed(session, "GET", f"/cases/new/{session.run}/done/", 200)

    return [
        ("bare view (reference)", nothing, lambda s: timed(s, "GET", "/health/", 200)),
        # The cheapest page of the site: the base template and one small query. No page
        # that renders a template can beat it; it shows where the floor is.
        ("landing page (reference)", nothing, lambda s: timed(s, "GET", "/", 200)),
        ("wizard step", lambda s: s.enter_case(),
         lambda s: timed(s, "GET", f"/cases/new/{s.run}/pathology/", 200)),
        ("API", nothing, lambda s: timed(s, "POST", "/api/v1/recommendations", 200,
                                        body=body, headers=json_headers)),
        ("recommendation page", nothing, recommendation),
        ("saved case", lambda s: s.login(site.few),
         lambda s: timed(s, "GET", f"/cases/{case_id}/", 200)),
        (f"history ({FEW} cases)", lambda s: s.login(site.few),
         lambda s: timed(s, "GET", "/cases/", 200)),
        (f"history ({MANY:,} cases)", lambda s: s.login(site.many),
         lambda s: timed(s, "GET", "/cases/", 200)),
    ]


def mark(met: bool) -> str:
    return "met" if met else "MISSED"


def report(label: str, one: list[Measure], many: list[Measure], clients: int) -> bool:
    """Print one checkout's tables; true if every target is met."""
    print(f"\n### {label}: one client\n")
    print(f"| page | requests | p50 ms | p99 ms | p99 ≤ {ONE_CLIENT_P99_MS} ms |")
    print("|---|---:|---:|---:|---|")
    met_all = True
    for m in one:
        met = m.p99 <= ONE_CLIENT_P99_MS and m.errors == 0
        met_all &= met
        errors = f", {m.errors} errors" if m.errors else ""
        print(f"| {m.name} | {len(m.latencies)} | {m.p50:.1f} | {m.p99:.1f} | "
              f"{mark(met)}{errors} |")
    baseline = many[0].rps()
    print(f"\n### {label}: {clients} concurrent clients\n")
    print(f"| page | requests | req/s | ratio to bare view | p50 ms | p99 ms | errors "
          f"| 0 errors, p99 ≤ {MANY_CLIENTS_P99_MS} ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for m in many:
        met = m.p99 <= MANY_CLIENTS_P99_MS and m.errors == 0
        met_all &= met
        print(f"| {m.name} | {len(m.latencies)} | {m.rps():.0f} | {m.rps() / baseline:.2f} | "
              f"{m.p50:.1f} | {m.p99:.1f} | {m.errors} | {mark(met)} |")
    few, lots = one[-2], one[-1]
    ratio = lots.p50 / few.p50
    met = ratio <= HISTORY_RATIO
    met_all &= met
    crowd = many[-1].p50 / many[-2].p50
    print(f"\nhistory, {MANY:,} cases against {FEW}: one client p50 {lots.p50:.1f} / "
          f"{few.p50:.1f} ms = {ratio:.2f}× (≤ {HISTORY_RATIO}×: {mark(met)}); "
          f"{clients} clients p50 {many[-1].p50:.1f} / {many[-2].p50:.1f} ms = {crowd:.2f}×")
    return met_all


def side_by_side(labels: list[str], one: dict, many: dict, clients: int) -> None:
    print("\n### Side by side\n")
    heads = " | ".join(
        f"{what} {label}" for what in ("1 client p50 ms", "1 client p99 ms",
                                       f"{clients} clients req/s", f"{clients} clients p99 ms")
        for label in labels
    )
    print(f"| page | {heads} |")
    print("|---|" + "---:|" * (4 * len(labels)))
    for i, m in enumerate(one[labels[0]]):
        cells = [f"{one[label][i].p50:.1f}" for label in labels]
        cells += [f"{one[label][i].p99:.1f}" for label in labels]
        cells += [f"{many[label][i].rps():.0f}" for label in labels]
        cells += [f"{many[label][i].p99:.1f}" for label in labels]
        print(f"| {m.name} | " + " | ".join(cells) + " |")


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy since it started (Linux), in seconds."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and load")
    parser.add_argument("--clients", type=int, default=20, help="the concurrent load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=PATH",
                        help="also serve the checkout at PATH, reported as LABEL")
    args = parser.parse_args()

    checkouts = {"current": None}
    for item in args.compare:
        label, _, path = item.partition("=")
        if not path or label in checkouts:
            parser.error(f"--compare wants LABEL=PATH with a new label, not {item!r}")
        checkouts[label] = path
    sites: dict[str, Site] = {}
    # Anything else busy on the machine shows in the figures: say how busy it was.
    load_before = os.getloadavg()[0]
    busy_before = machine_busy_seconds()
    try:
        for label, root in checkouts.items():
            sites[label] = set_up(label, root or str(ROOT),
                                  args.workers)
        with contextlib.ExitStack() as stack:
            ports = {label: stack.enter_context(site.gunicorn(args.workers))
                     for label, site in sites.items()}
            plans = {label: pages(ports[label], site) for label, site in sites.items()}
            one: dict[str, list[Measure]] = {label: [] for label in sites}
            many: dict[str, list[Measure]] = {label: [] for label in sites}
            for clients, into in ((1, one), (args.clients, many)):
                print(f"Measuring with {clients} client{'s' * (clients > 1)}...", flush=True)
                for i in range(len(plans["current"])):
                    for label in sites:  # page by page, each checkout in turn
                        name, prepare, step = plans[label][i]
                        into[label].append(
                            run(name, ports[label], clients, args.seconds, prepare, step))
    finally:
        for site in sites.values():
            site.close()

    busy = machine_busy_seconds() - busy_before
    ours = sum(getattr(resource.getrusage(who), f"ru_{kind}time")
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for kind in ("u", "s"))
    database = next(iter(sites.values())).database
    print(f"\n## {database}: gunicorn with {args.workers} sync workers, "
          f"{args.seconds:g} s a page and load, {os.cpu_count()} cores, load average "
          f"{load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after it (its own load "
          "included)")
    print(f"CPU time during the run: {busy:.0f} s in all, {ours:.0f} s of it the bench's own "
          f"processes (gunicorn and its setup included), {max(busy - ours, 0):.0f} s other "
          f"processes'{' (PostgreSQL among them)' if database.startswith('postgres') else ''}\n")
    met = {label: report(label, one[label], many[label], args.clients) for label in sites}
    if len(sites) > 1:
        side_by_side(list(sites), one, many, args.clients)
    print("\nTargets: " + ", ".join(f"{label} {'all met' if ok else 'MISSED'}"
                                    for label, ok in met.items()))
    sys.exit(0 if met["current"] else 1)


if __name__ == "__main__":
    main()
