"""Version 2's two voices: the source quoted verbatim under its own headings, and NET
Advisor's notes, each citing what it rests on, every publication one whose citation was
verified (docs/version-2.md, "Citations verified, and how")."""

from __future__ import annotations

import re

import pytest

from tests.version_2 import DOCUMENT, SOURCE_FILE, VERSION_2_DOCS

SOURCE = SOURCE_FILE.read_text(encoding="utf-8")
SOURCE_HEADINGS = ("Other Grade 1-2 GEP-NETs", "Poorly Differentiated Neuroendocrine Tumours")
QUOTES = [row for row in DOCUMENT["sections"] if row["voice"] == "guideline"]
NOTES = [row for row in DOCUMENT["sections"] if row["voice"] == "note"]
WARNINGS = DOCUMENT["warnings"]
CITING = NOTES + WARNINGS
THE_SOURCE = (
    "The source guideline itself (the undated educational summary quoted in this version), "
    "read by NET Advisor"
)
DOI = re.compile(r"doi:(10\.\d{4,9}/[^\s;]+)")


def _verified_list() -> str:
    docs = VERSION_2_DOCS.read_text(encoding="utf-8")
    start = docs.index("## Citations verified, and how")
    end = docs.index("### Cited by the review but not verified")
    return docs[start:end]


VERIFIED = _verified_list()


def publications(citation: str) -> list[str]:
    """The publications a citation names: separated by "; " (a reference's own
    "2020;76" has no space)."""
    return [part for part in citation.split("; ") if part != THE_SOURCE]


def test_there_are_16_quotes_and_25_notes_and_every_warning_is_a_note():
    assert len(QUOTES) == 16
    assert len(NOTES) == 25
    assert {row["voice"] for row in WARNINGS} == {"note"}


@pytest.mark.parametrize("row", QUOTES, ids=[row["slug"] for row in QUOTES])
def test_every_quote_occurs_verbatim_in_the_source_under_its_own_heading(row):
    assert row["text"] in SOURCE
    assert row["citation"] == ""  # cited as the version's source
    at = SOURCE.index(row["text"])
    before = [heading for heading in SOURCE_HEADINGS if 0 <= SOURCE.find(heading) < at]
    assert row["source_heading"] == (before[-1] if before else "")


def test_the_source_headings_are_the_source_s_own_words():
    for heading in SOURCE_HEADINGS:
        assert f"\n{heading}\n" in SOURCE
    assert {row["source_heading"] for row in QUOTES} == {"", *SOURCE_HEADINGS}


@pytest.mark.parametrize("row", NOTES, ids=[row["slug"] for row in NOTES])
def test_every_note_is_not_a_quote_and_has_a_citation(row):
    assert row["citation"].strip()
    assert row["source_heading"] == ""
    assert row["text"] not in SOURCE


@pytest.mark.parametrize("row", WARNINGS, ids=[row["code"] for row in WARNINGS])
def test_every_warning_has_a_citation(row):
    assert row["citation"].strip()


@pytest.mark.parametrize("row", CITING, ids=[row.get("slug") or row["code"] for row in CITING])
def test_every_doi_cited_is_in_the_verified_list(row):
    for doi in DOI.findall(row["citation"]):
        assert f"doi:{doi}" in VERIFIED, doi


@pytest.mark.parametrize("row", CITING, ids=[row.get("slug") or row["code"] for row in CITING])
def test_every_publication_cited_is_in_the_verified_list_by_its_first_author(row):
    for publication in publications(row["citation"]):
        first_author = publication.split(",")[0]
        year = re.search(r"\b(19|20)\d\d\b", publication)
        assert year, publication
        assert any(
            first_author in line and year.group() in line for line in VERIFIED.splitlines()
        ), publication


def test_the_notes_that_only_read_the_source_cite_the_source_itself():
    own = {row["code"] for row in WARNINGS if row["citation"] == THE_SOURCE}
    assert own == {"regional-nodes", "no-symptom-guidance", "resectability-unknown"}
