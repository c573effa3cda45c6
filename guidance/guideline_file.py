"""A guideline version as one JSON document (docs/guideline-format.md): export and import.

``export(version)`` gives the whole version, text and logic; ``read(text)`` checks a file
and gives what ``publishing.start_draft()`` takes, or every problem in it at once, each
naming the section or warning it is in; ``import_draft()`` makes the draft from it, all or
nothing. The management commands and the admin's download and upload use these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from guidance import engine, publishing
from guidance.admin_forms import nesting_depth
from guidance.models import (
    Guideline,
    GuidelineVersion,
    Section,
    Voice,
    WarningText,
    logic_document,
)

# The keys of the document and of each of its parts, in the order export() writes them.
TOP_KEYS = ("guideline", "version", "grading", "category", "sections", "warnings", "exclusive")
GUIDELINE_KEYS = ("title", "slug")
VERSION_KEYS = ("label", "citation", "about_source", "not_covered")
SECTION_KEYS = publishing.SECTION_CONTENT
WARNING_KEYS = ("code", "message", "voice", "citation", "applies_when", "detail")
# The keys of each part that may be left out: their value then.
VOICE_DEFAULTS = {"voice": Voice.GUIDELINE.value, "citation": ""}
VERSION_OPTIONAL = {"about_source": "", "not_covered": ""}
SECTION_OPTIONAL = {"reasons": {}, "source_heading": "", **VOICE_DEFAULTS}
WARNING_OPTIONAL = {"detail": None, **VOICE_DEFAULTS}
MAX_DEPTH = 20  # a guideline file is a few levels deep; refuse what json would recurse on

Problem = engine.LogicProblem


class FileRefused(Exception):
    """The file cannot be imported; ``problems`` says every reason, each with where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(describe(problem) for problem in problems))


def describe(problem: Problem) -> str:
    """One problem as the editor reads it: where, which key, what is wrong."""
    field = f", {problem.field}" if problem.field else ""
    return f"{problem.where}{field}: {problem.message}"


def export(version: GuidelineVersion) -> dict[str, Any]:
    """The whole version, text and logic, as a guideline document (two queries)."""
    content = publishing.content_of(version)
    return {
        "guideline": {"title": version.effective_title, "slug": version.guideline.slug},
        "version": {key: getattr(version, key) for key in VERSION_KEYS},
        "grading": version.grading,
        "category": version.category_rules,
        "sections": [{key: row[key] for key in SECTION_KEYS} for row in content["sections"]],
        # In the order they are shown (content_of() reads them so): the list's order is
        # their order, so the file has no "order" for them.
        "warnings": [
            {key: row[key] for key in WARNING_KEYS}
            for row in content["warnings"]
        ],
        "exclusive": version.exclusive,
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"the key {repeated[0]!r} is given twice in one object")
    return dict(pairs)


def parse(text: str | bytes) -> Any:
    """The JSON document, or FileRefused: not JSON, NaN or Infinity, a key given twice in
    one object (JSON would keep only the last), or nested too deep."""
    try:
        document = json.loads(
            text, parse_constant=_refuse_constant, object_pairs_hook=_no_duplicate_keys
        )
    except RecursionError:
        raise FileRefused(
            [Problem("file", "", f"nested too deeply: at most {MAX_DEPTH} levels")]
        ) from None
    except UnicodeDecodeError:
        raise FileRefused([Problem("file", "", "not UTF-8 text")]) from None
    except ValueError as error:  # json.JSONDecodeError too
        raise FileRefused([Problem("file", "", f"not a valid JSON document: {error}")]) from None
    if nesting_depth(document) > MAX_DEPTH:
        raise FileRefused([Problem("file", "", f"nested too deeply: at most {MAX_DEPTH} levels")])
    return document


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, where: str, field: str, message: str) -> None:
        self.items.append(Problem(where, field, message))

    def keys(
        self, where: str, value: Any, keys: tuple[str, ...], optional: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """``value`` as an object with exactly ``keys`` (those in ``optional`` may be left
        out, and then have its value)."""
        optional = optional or {}
        if not isinstance(value, dict):
            self.add(where, "", "must be a JSON object")
            return None
        for key in keys:
            if key not in value and key not in optional:
                self.add(where, key, "is missing")
        for key in value:
            if key not in keys:
                self.add(where, key, "is not a key of the guideline format")
        # Only the keys given (and the optional ones' values): a missing key is reported
        # once, here, and not again by the checks of its value.
        return {
            key: value[key] if key in value else optional[key]
            for key in keys
            if key in value or key in optional
        }

    def model_fields(self, where: str, model: type, values: dict[str, Any], skip=()) -> None:
        """The model's own checks of each value (required, lengths, a slug's characters),
        after the JSON types: a text must be a string and a number a whole number."""
        checked = {}
        for name, value in values.items():
            field = model._meta.get_field(name)
            if name in skip:
                continue
            if isinstance(field, models.CharField | models.TextField):
                if value is not None and not isinstance(value, str):
                    self.add(where, name, "must be a string")
                    continue
            elif isinstance(field, models.IntegerField) and (
                isinstance(value, bool) or not isinstance(value, int)
            ):
                self.add(where, name, "must be a whole number")
                continue
            checked[name] = value
        instance = model(**checked)
        try:
            instance.clean_fields(
                exclude=[field.name for field in model._meta.fields if field.name not in checked]
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(where, name, message)


def _where(kind: str, index: int, row: dict[str, Any] | None, key: str) -> str:
    name = row.get(key) if row else None
    return f"{kind} {name}" if isinstance(name, str) and name else f"{kind}s[{index}]"


def _rows(
    problems: _Problems,
    kind: str,
    items: Any,
    keys: tuple[str, ...],
    optional: dict[str, Any],
    key: str,
    model: type,
    check: Callable[[str, dict[str, Any]], set[str]],
) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        problems.add(f"{kind}s", "", "must be a JSON list")
        return []
    rows, seen = [], set()
    for index, item in enumerate(items):
        where = _where(kind, index, item if isinstance(item, dict) else None, key)
        row = problems.keys(where, item, keys, optional)
        if row is None:
            continue
        name = row.get(key)
        if isinstance(name, str) and name in seen:
            problems.add(where, key, f"{name} is given twice")
        seen.add(name)
        problems.model_fields(where, model, row, skip=check(where, row))
        rows.append(row)
    return rows


def _check_section(problems: _Problems) -> Callable[[str, dict[str, Any]], set[str]]:
    def check(where: str, row: dict[str, Any]) -> set[str]:
        """The checks the model's fields do not make; the fields they report."""
        reasons = row.get("reasons")
        if not isinstance(reasons, dict) or not all(
            isinstance(value, str) for value in reasons.values()
        ):
            problems.add(where, "reasons", "must be an object of strings")
        return {"reasons"}

    return check


def _check_warning(problems: _Problems) -> Callable[[str, dict[str, Any]], set[str]]:
    def check(where: str, row: dict[str, Any]) -> set[str]:
        if row.get("detail") is not None and not isinstance(row["detail"], str):
            problems.add(where, "detail", "must be a string, or null to have it generated")
            return {"detail"}
        return set()

    return check


def _logic_rows(rows: list[dict[str, Any]], key: str, extra: str, empty: Any) -> list[tuple]:
    # A row whose shape is wrong is already reported: the engine sees it as never applying,
    # so that what names it is not reported as naming a section that does not exist.
    logic = []
    for row in rows:
        if not isinstance(row.get(key), str) or not row[key]:
            continue
        condition = row.get("applies_when")
        value = row.get(extra)
        logic.append(
            (
                row[key],
                condition if isinstance(condition, str) and condition else "false",
                value if value is None or isinstance(value, type(empty)) else empty,
            )
        )
    return logic


def read(text: str | bytes) -> dict[str, Any]:
    """What start_draft() takes, from a guideline file; FileRefused lists every problem.

    The file must be for this installation's guideline (its slug), be complete (every key
    of the format, nothing else), hold text the models accept and logic the engine
    compiles. Its title is the draft's own, unless it is the guideline's. No query but the
    guideline's.
    """
    document = parse(text)
    problems = _Problems()
    top = problems.keys("file", document, TOP_KEYS)
    if top is None:
        raise FileRefused(problems.items)
    # A part that is missing is reported once, as missing, and not checked further.
    guideline = None
    title = ""  # the draft's own title: "" gives it the guideline's
    if "guideline" in top:
        guideline = problems.keys("guideline", top["guideline"], GUIDELINE_KEYS)
    if guideline is not None and "title" in guideline:
        problems.model_fields("guideline", GuidelineVersion, {"title": guideline["title"]})
    if guideline is not None and set(GUIDELINE_KEYS) <= set(guideline):
        here = Guideline.objects.filter(slug=guideline["slug"]).first()
        if here is None:
            problems.add(
                "guideline", "slug", f"{guideline['slug']!r} is not the guideline kept here"
            )
        elif isinstance(guideline["title"], str) and guideline["title"] != here.title:
            title = guideline["title"]
    version = (
        problems.keys("version", top["version"], VERSION_KEYS, VERSION_OPTIONAL)
        if "version" in top
        else None
    )
    if version is not None:
        problems.model_fields("version", GuidelineVersion, version)
    sections = _rows(
        problems, "section", top.get("sections", []), SECTION_KEYS, SECTION_OPTIONAL, "slug",
        Section, _check_section(problems),
    )
    warnings = _rows(
        problems, "warning", top.get("warnings", []), WARNING_KEYS, WARNING_OPTIONAL, "code",
        WarningText, _check_warning(problems),
    )
    logic = logic_document(
        grading=top.get("grading", {}),
        category=top.get("category", []),
        exclusive=top.get("exclusive", []),
        sections=_logic_rows(sections, "slug", "reasons", {}),
        warnings=_logic_rows(warnings, "code", "detail", ""),
    )
    for problem in engine.logic_problems(logic):
        problems.items.append(problem)
    if problems.items:
        raise FileRefused(problems.items)
    return {
        "citation": version["citation"],
        "title": title,
        "about_source": version["about_source"],
        "not_covered": version["not_covered"],
        "grading": top["grading"],
        "category_rules": top["category"],
        "exclusive": top["exclusive"],
        "sections": sections,
        "warnings": [
            {**row, "order": place} for place, row in enumerate(warnings, start=1)
        ],
    }


def import_draft(text: str | bytes, *, editor, reason: str = "") -> GuidelineVersion:
    """A new draft from a guideline file: all of it, or nothing and FileRefused (or
    PublishingError when there is a draft already, as for any draft)."""
    content = read(text)
    try:
        return publishing.start_draft(
            editor=editor, reason=reason or "Imported from a guideline file", content=content
        )
    except ValidationError as error:  # the models' own guard, should read() ever miss one
        raise FileRefused(
            [
                Problem("file", field, message)
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error
