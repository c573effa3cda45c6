"""Running a management command as ``manage.py`` runs it: its exit status, its output and its
error output, in the test's own process and database.

``manage.py`` turns a CommandError into its message on standard error and the error's exit
status (1); this does the same through ``call_command``, which leaves the test database
open (``manage.py`` itself closes every connection when the command ends).
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass

from django.core.management import CommandError, call_command


@dataclass
class Ran:
    status: int  # the exit status the shell sees
    out: str
    err: str


def manage(*argv: str, stdin: str = "") -> Ran:
    """``manage.py *argv``, with ``stdin`` as its standard input."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    try:
        call_command(*argv, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
        return Ran(error.returncode, out.getvalue(), err.getvalue())
    finally:
        sys.stdin = saved_stdin
    return Ran(0, out.getvalue(), err.getvalue())
