"""Benchmark NET Advisor under gunicorn on 127.0.0.1, as in production.

One run: set up a database (10,000 saved cases for one clinician), start gunicorn, then
measure each page in turn with the same number of concurrent keep-alive clients, and print
requests per second, p50 and p99 latency, and each page's throughput as a ratio to a bare
Django view. The load generator and the server share the machine, so compare the ratios of
one run, not absolute numbers across machines.

Throughput is closed-loop: ``clients / mean latency`` of the measured requests. For the
recommendation page each client first re-enters a case (those requests are not measured),
since the wizard shows a result once per case.

    make bench                        # SQLite
    DATABASE_URL=postgres://... make bench
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from server import Site

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
TARGETS = {
    "API": 0.6,
    "recommendation page": 0.6,
    "wizard step": 0.7,
    "history": 0.5,
}


class Session:
    """A keep-alive HTTP client with cookies, enough for Django's session and CSRF."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
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
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def rps(self, clients: int) -> float:
        return clients / statistics.fmean(self.latencies) if self.latencies else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def run(name: str, port: int, clients: int, seconds: float, prepare, step) -> Measure:
    """Each client thread prepares a session once, then repeats ``step`` for ``seconds``."""
    measure = Measure(name)
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
            elapsed, ok = step(session)
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
    status, _, _ = session.request(method, path, **kwargs)
    return time.perf_counter() - started, status == expect


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0, help="per page")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()

    site = Site("bench", AXES_ENABLED="false")
    print(f"Setting up ({site.database}, {args.cases:,} saved cases)...")
    # Fresh names each run, so a reused database (PostgreSQL) needs no clean-up.
    run_id = secrets.token_hex(3)
    many, few = f"bench-{run_id}", f"bench-few-{run_id}"
    site.prepare([many, few], PASSWORD)
    site.manage("create_synthetic_cases", many, str(args.cases))
    site.manage("create_synthetic_cases", few, "1")

    with site.gunicorn(args.workers) as port:
        probe = Session(port)
        probe.login(few)
        _, _, page = probe.get("/cases/")
        case_id = re.search(rb'href="/cases/(\d+)/"', page).group(1).decode()
        body = json.dumps(CASE).encode()
        json_headers = {"Content-Type": "application/json"}

        def nothing(session: Session) -> None:
            pass

        def wizard_ready(session: Session) -> None:
            session.enter_case()

        def recommendation(session: Session) -> tuple[float, bool]:
            session.enter_case()  # not measured: the wizard shows one result per case
            review = f"/cases/new/{session.run}/review/"
            _, _, page = session.get(review)
            shown = re.search(rb'name="answers_shown" value="([0-9a-f]+)"', page).group(1)
            session.post_form(review, {f"case_wizard_{session.run}-current_step": "review",
                                       "review-reference": "", "answers_shown": shown.decode()})
            return timed(session, "GET", f"/cases/new/{session.run}/done/", 200)

        pages = [
            ("baseline (bare view)", nothing, lambda s: timed(s, "GET", "/health/", 200)),
            # The cheapest page of the site: the base template and one small query. No
            # page that renders a template can beat it; it shows where the floor is.
            ("landing page", nothing, lambda s: timed(s, "GET", "/", 200)),
            ("wizard step", wizard_ready,
             lambda s: timed(s, "GET", f"/cases/new/{s.run}/pathology/", 200)),
            ("API", nothing, lambda s: timed(s, "POST", "/api/v1/recommendations", 200,
                                            body=body, headers=json_headers)),
            ("recommendation page", nothing, recommendation),
            ("saved case", lambda s: s.login(few),
             lambda s: timed(s, "GET", f"/cases/{case_id}/", 200)),
            (f"history ({args.cases:,} cases)", lambda s: s.login(many),
             lambda s: timed(s, "GET", "/cases/?page=3", 200)),
        ]
        results = [run(name, port, args.clients, args.seconds, prepare, step)
                   for name, prepare, step in pages]

    baseline = results[0].rps(args.clients)
    print(f"\n{site.database}: {args.clients} clients, {args.workers} gunicorn workers, "
          f"{args.seconds:g} s a page\n")
    print("| page | requests | req/s | p50 ms | p99 ms | ratio | target | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    for result in results:
        ratio = result.rps(args.clients) / baseline
        target = TARGETS.get(result.name.split(" (")[0])
        met = target is None or ratio >= target
        failed |= not met or result.errors > 0
        wanted = f"≥ {target:.1f}{'' if met else ' MISSED'}" if target else ""
        print(f"| {result.name} | {len(result.latencies)} | {result.rps(args.clients):.0f} | "
              f"{result.percentile(0.50):.1f} | {result.percentile(0.99):.1f} | {ratio:.2f} | "
              f"{wanted} | {result.errors} |")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
