"""Load test: 20 clinicians run and save cases for 60 seconds against gunicorn on 127.0.0.1.

Afterwards every case the load test saw saved must be in the database, and there must be
no failed request. Run for SQLite (default) or PostgreSQL (DATABASE_URL).

    make load
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="netadvisor-load-"))
    password = secrets.token_urlsafe(16)
    run_id = secrets.token_hex(3)
    users = [f"load-{run_id}-{i}" for i in range(args.users)]
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(workdir / "static"),
        "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "LOAD_PASSWORD": password,
        "LOAD_USERS": ",".join(users),
        "LOAD_SAVED_FILE": str(workdir / "saved.json"),
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'load.sqlite3'}")
    database = env["DATABASE_URL"].split(":")[0]
    manage = [PYTHON, str(ROOT / "manage.py")]

    def django(*command: str, stdin: str | None = None, capture: bool = False) -> str:
        done = subprocess.run(
            [*manage, *command], env=env, check=True, input=stdin, text=True,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        )
        return done.stdout or ""

    print(f"Setting up {database}: {args.users} clinicians...")
    django("migrate", "--no-input")
    django("collectstatic", "--no-input")
    for user in users:
        django("create_clinician", user, "--password-stdin", stdin=password + "\n")

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "netadvisor.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        subprocess.run(
            [PYTHON, "-m", "locust", "-f", str(ROOT / "load" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", "10", "-t", f"{args.seconds}s",
             "-H", f"http://127.0.0.1:{port}",
             "--only-summary", "--stop-timeout", "10"],
            env=env, cwd=ROOT, check=False,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    result = json.loads((workdir / "saved.json").read_text())
    saved, requests, failures = result["saved"], result["requests"], result["failures"]
    found = int(
        django(
            "shell", "-c",
            "import json; from guidance.models import Case; "
            f"print(Case.objects.filter(pk__in=json.loads('{json.dumps(saved)}')).count())",
            capture=True,
        ).strip().splitlines()[-1]
    )
    print(f"\n{database}: {args.users} clinicians for {args.seconds} s")
    print(f"requests {requests}, failed {failures}, median {result['median_ms']} ms, "
          f"p99 {result['p99_ms']} ms, {result['rps']:.1f} req/s")
    print(f"cases completed {len(saved)}, found in the database {found}")
    sys.exit(0 if failures == 0 and found == len(saved) and saved else 1)


if __name__ == "__main__":
    main()
