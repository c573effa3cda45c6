"""Load test: 20 clinicians run and save cases for 60 seconds against gunicorn on 127.0.0.1.

Afterwards every case the load test saw saved must be in the database, and no request may
have failed. SQLite by default; PostgreSQL with DATABASE_URL.

    make load
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys

from server import PYTHON, ROOT, Site


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    password = secrets.token_urlsafe(16)
    users = [f"load-{secrets.token_hex(3)}-{i}" for i in range(args.users)]
    site = Site("load", LOAD_PASSWORD=password, LOAD_USERS=",".join(users))
    results_file = site.workdir / "results.json"
    site.env["LOAD_RESULTS_FILE"] = str(results_file)
    print(f"Setting up {site.database}: {args.users} clinicians...")
    site.prepare(users, password)

    with site.gunicorn(args.workers) as port:
        subprocess.run(  # noqa: S603 - locust on our own scenario
            [PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", "10", "-t", f"{args.seconds}s",
             "-H", f"http://127.0.0.1:{port}", "--only-summary", "--stop-timeout", "10"],
            env=site.env, cwd=ROOT, check=False,
        )

    result = json.loads(results_file.read_text())
    saved = result["saved"]
    found = int(
        site.manage(
            "shell", "-c",
            "import json, sys; from guidance.models import Case; "
            "print(Case.objects.filter(pk__in=json.load(sys.stdin)).count())",
            stdin=json.dumps(saved),
        ).strip().splitlines()[-1]
    )
    print(f"\n{site.database}: {args.users} clinicians for {args.seconds} s")
    print(f"requests {result['requests']}, failed {result['failures']}, "
          f"median {result['median_ms']} ms, p99 {result['p99_ms']} ms, "
          f"{result['rps']:.1f} req/s")
    print(f"cases completed {len(saved)}, found in the database {found}")
    sys.exit(0 if result["failures"] == 0 and saved and found == len(saved) else 1)


if __name__ == "__main__":
    main()
