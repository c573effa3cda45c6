"""Version 1's logic as its frozen data file holds it, read as a guideline document.

``guidance/data/guideline-version-1-logic.json`` is the logic version 1 was given when the
logic became content. It is frozen: never edited, so that what it held then is what it holds
now. It keys each section's rule by its slug and each warning's by its code (the sections in
the order the source presents them, the warnings in the order they are shown); a guideline
document (docs/guideline-format.md) lists them instead. This is the one reader of it outside
the migration that loaded it (which keeps a reader of its own, so that it runs the same on a
fresh database whatever becomes of this one). Pure Python: no Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from guidance.engine.logic import Logic, compile_logic

VERSION_1_LOGIC_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "guideline-version-1-logic.json"
)


def logic_file_document(data: Mapping[str, Any]) -> dict[str, Any]:
    """The logic parts of a guideline document from a logic file's contents: its sections
    and warnings (keyed by slug and by code) listed in the file's order, each section given
    its place in it (from 1) as its order."""
    return {
        "grading": data["grading"],
        "category": data["category"],
        "exclusive": data["exclusive"],
        "sections": [
            {"slug": slug, "order": order, **rule}
            for order, (slug, rule) in enumerate(data["sections"].items(), 1)
        ],
        "warnings": [{"code": code, **rule} for code, rule in data["warnings"].items()],
    }


def version_1_document() -> dict[str, Any]:
    """Version 1's logic as a guideline document, read afresh from its file: a new one each
    call, which the caller may change."""
    return logic_file_document(json.loads(VERSION_1_LOGIC_FILE.read_text(encoding="utf-8")))


@cache
def version_1_logic() -> Logic:
    """Version 1's logic compiled, without the database: what migration 0012 stored in
    version 1, and what the engine's tests and benchmarks run against. Compiled once a
    process (a Logic is immutable)."""
    return compile_logic(version_1_document())
