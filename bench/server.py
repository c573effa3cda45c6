"""What the benchmark and the load test share: a production-like server on 127.0.0.1."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


class Site:
    """A fresh working folder, the environment of production settings, and manage.py.

    ``root`` is the checkout to serve (this one by default; the benchmark can serve an older
    one beside it, with the same Python). With ``own_database``, a PostgreSQL
    ``DATABASE_URL`` names only the server: the site creates a database of its own there and
    ``close()`` drops it, so that no other database is touched.
    """

    def __init__(self, name: str, root: Path = ROOT, own_database: bool = False,
                 **extra: str) -> None:
        self.root = Path(root).resolve()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"netadvisor-{name}-"))
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "HTTPS": "false",  # plain HTTP on 127.0.0.1
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_ROOT": str(self.workdir / "static"),
            "STATICFILES_BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            **extra,
        }
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.workdir / f'{name}.sqlite3'}")
        self.database = self.env["DATABASE_URL"].split(":")[0]
        self.own_database: str | None = None
        if own_database and self.database.startswith("postgres"):
            self._create_database(name)

    def _create_database(self, name: str) -> None:
        import psycopg  # only needed for PostgreSQL

        server = urlsplit(self.env["DATABASE_URL"])
        self.own_database = f"netadvisor_{name}_{secrets.token_hex(3)}".replace("-", "_")
        self._server_url = server._replace(path="/postgres").geturl()
        with psycopg.connect(self._server_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.own_database}"')
        self.env["DATABASE_URL"] = server._replace(path=f"/{self.own_database}").geturl()

    def close(self) -> None:
        """Drop the site's own database, if it made one."""
        if self.own_database:
            import psycopg

            with psycopg.connect(self._server_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.own_database}"')
            self.own_database = None

    def manage(self, *command: str, stdin: str | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [PYTHON, str(self.root / "manage.py"), *command],
            env=self.env, check=True, input=stdin, text=True, stdout=subprocess.PIPE,
        )
        return done.stdout

    def prepare(self, clinicians: list[str], password: str) -> None:
        self.manage("migrate", "--no-input")
        self.manage("collectstatic", "--no-input")
        for name in clinicians:
            self.manage("create_clinician", name, "--password-stdin", stdin=password + "\n")

    @contextmanager
    def gunicorn(self, workers: int):
        """gunicorn on a free port of 127.0.0.1; yields the port once /health/ answers."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # The app's log (a line for every login) goes to a file, not over the results.
        log = (self.workdir / "gunicorn.log").open("ab")
        server = subprocess.Popen(  # noqa: S603 - our own app
            [PYTHON, "-m", "gunicorn", "netadvisor.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--log-level", "warning"],
            env=self.env, cwd=self.root, stdout=subprocess.DEVNULL, stderr=log,
            start_new_session=True,
        )
        try:
            deadline = time.time() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)  # noqa: S310
                    break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit(f"gunicorn did not start: see {log.name}") from None
                    time.sleep(0.2)
            yield port
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()
