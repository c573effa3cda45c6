"""Running a management command as ``manage.py`` runs it: its exit status, its output and its
error output, in the test's own process and database."""

from __future__ import annotations

import contextlib
import io
import sys
from dataclasses import dataclass

from django.core.management import ManagementUtility


@dataclass
class Ran:
    status: int  # the exit status the shell sees
    out: str
    err: str


def manage(*argv: str, stdin: str = "") -> Ran:
    """``manage.py *argv``, with ``stdin`` as its standard input."""
    out, err = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    status = 0
    saved_stdin = sys.stdin
    sys.stdin = stdin_stream
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            ManagementUtility(["manage.py", *argv]).execute()
    except SystemExit as leaving:
        status = leaving.code if isinstance(leaving.code, int) else 1
    finally:
        sys.stdin = saved_stdin
    return Ran(status, out.getvalue(), err.getvalue())
