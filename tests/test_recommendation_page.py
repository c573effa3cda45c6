"""The recommendation page (/cases/new/<run>/done/ at the end of the wizard).

Cases are run through the real wizard with run_wizard(); what the page should show is
read from the engine's result for the same facts and from the published guideline
version in the database.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.html import escape

from guidance import content
from guidance.models import GuidelineVersion, Section
from tests.advice import CaseFacts, recommend
from tests.factories import (
    GUIDELINE_TITLE,
    HEADED_SECTION,
    NOTE_CITATION,
    NOTE_SECTION,
    NOTE_WARNING,
    SOURCE_HEADING,
    VERSION_TITLE,
    change_outside_the_app,
    delete_outside_the_app,
    publish_noted_version,
)
from tests.pages import (
    attribute,
    element_with,
    parse,
    reasons_on,
    section_on,
    squashed,
    warning_on,
)
from tests.wizard_client import (
    DEFAULTS,
    LOCALISED_COLON,
    METASTATIC_SMALL_BOWEL,
    POORLY_DIFFERENTIATED,
    SMALL_INSULINOMA,
    WARNED_RECTUM,
    answer_steps,
    case,
    done_url,
    run_wizard,
)

pytestmark = pytest.mark.django_db


CASES = [
    pytest.param(LOCALISED_COLON, id="localised colon"),
    pytest.param(SMALL_INSULINOMA, id="small insulinoma"),
    pytest.param(METASTATIC_SMALL_BOWEL, id="metastatic small bowel"),
    pytest.param(WARNED_RECTUM, id="rectum with warnings"),
    pytest.param(POORLY_DIFFERENTIATED, id="poorly differentiated"),
]


def facts_for(case: dict[str, Any]) -> CaseFacts:
    """The facts the wizard should hand the engine for this case."""
    values = {**DEFAULTS, **case}
    values["size_mm"] = Decimal(str(values["size_mm"]))
    if values["ki67_percent"] is not None:
        values["ki67_percent"] = Decimal(str(values["ki67_percent"]))
    return CaseFacts(**values)


def published_section(slug: str) -> Section:
    return Section.objects.get(version__status="published", slug=slug)


def articles(html: str) -> dict[str, str]:
    """Each section's <article> on the page, by slug."""
    found = re.findall(r'(<article[^>]*data-section="([^"]+)".*?</article>)', html, re.S)
    return {slug: article for article, slug in found}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "action")]
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes.get("href") or "")


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


# --- Warnings and sections -------------------------------------------------------------


@pytest.mark.parametrize("facts", CASES)
def test_the_page_shows_exactly_the_sections_and_warnings_the_engine_returns(client, facts):
    result = recommend(facts_for(facts))

    response = run_wizard(client, facts)

    assert response.status_code == 200
    html = response.content.decode()
    assert attribute(html, "data-section") == list(result.slugs)
    assert attribute(html, "data-warning") == list(result.warning_codes)
    assert html.count('class="card mb-3 guideline-section"') == len(result.slugs)
    assert html.count('class="alert alert-warning"') == len(result.warnings)


def test_warnings_come_before_the_sections(client):
    html = run_wizard(client, WARNED_RECTUM).content.decode()

    warnings = [m.start() for m in re.finditer("data-warning=", html)]
    sections = [m.start() for m in re.finditer("data-section=", html)]
    assert len(warnings) == 5
    assert sections
    assert max(warnings) < min(sections)
    assert html.index('id="warnings-heading"') < html.index('id="sections-heading"')


def test_each_warning_shows_the_published_text_and_its_detail(client):
    html = run_wizard(client, WARNED_RECTUM).content.decode()

    version = GuidelineVersion.objects.current()
    for warning in recommend(facts_for(WARNED_RECTUM)).warnings:
        shown = warning_on(html, warning.code)
        assert escape(version.warnings.get(code=warning.code).message) in shown.source
        assert [line.text() for line in shown.find_all("p")] == [
            version.warnings.get(code=warning.code).message,
            *([warning.detail] if warning.detail else []),
        ]
    detail = warning_on(html, "grade-discordant").one("p", cls="small").text()
    assert detail == "Ki-67 gives G1, the mitotic count gives G2; G2 was used."
    assert "Gastrinoma in the rectum." in warning_on(html, "type-site-mismatch").text()


def test_a_case_without_warnings_says_so(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    assert "No warnings were triggered." in html
    assert "No warnings for this case." not in html
    assert "data-warning" not in html


def test_the_section_text_is_quoted_from_the_database(client):
    original = published_section("curative-excision").text
    change_outside_the_app(
        Section.objects.filter(version__status="published", slug="curative-excision"),
        text="Edited by the guideline editors: excise with clear margins.",
    )

    html = run_wizard(client, LOCALISED_COLON).content.decode()

    section = articles(html)["curative-excision"]
    assert "Edited by the guideline editors: excise with clear margins." in section
    assert original not in html


def test_the_first_version_quotes_the_source_words(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    assert (
        "Localised tumours should be managed with curative surgical excision. "
        "The technique depends on the location of the tumour"
    ) in articles(html)["curative-excision"]
    assert (
        "whereas those in other sites generally require a lymph node dissection."
        in articles(html)["lymph-node-dissection"]
    )


def test_a_section_lost_from_the_published_version_takes_its_condition_with_it(client):
    # A corrupted database (the app itself refuses to delete a published section): the
    # condition is on the section, so what is left never applies without its words.
    delete_outside_the_app(Section.objects.filter(pk=published_section("everolimus").pk))

    html = run_wizard(client, METASTATIC_SMALL_BOWEL).content.decode()

    assert "everolimus" not in attribute(html, "data-section")
    assert "metastatic-incurable" in attribute(html, "data-section")
    assert "section-missing" not in attribute(html, "data-warning")


def test_published_logic_that_names_a_lost_section_gives_no_advice_and_no_server_error(client):
    # lymph-node-dissection is named by the version's exclusions: without it the logic does
    # not compile (manage.py check reports it), so nothing is advised from it.
    delete_outside_the_app(Section.objects.filter(pk=published_section("lymph-node-dissection").pk))

    response = run_wizard(client, LOCALISED_COLON)

    assert response.status_code == 503
    assert "No guideline is published, so no recommendation can be made." in squashed(
        response.content.decode()
    )


# --- The basis of each section ---------------------------------------------------------


def test_each_section_cites_the_source_and_the_version_without_naming_our_heading_the_sources(
    client,
):
    html = run_wizard(client, METASTATIC_SMALL_BOWEL).content.decode()

    citation = escape(GuidelineVersion.objects.current().citation)
    for slug, article in articles(html).items():
        heading = escape(published_section(slug).heading)
        assert f"Source: {citation} (NET Advisor version 1, {slug})." in article, slug
        assert "Quoted verbatim from the source guideline." in article, slug
        # The heading is NET Advisor's: never cited as a section of the source.
        assert f"section “{heading}”" not in article, slug
    assert f"Quoted from <cite>{GUIDELINE_TITLE}</cite>, version 1." in html


def test_each_section_lists_the_reasons_it_applies(client):
    result = recommend(facts_for(SMALL_INSULINOMA))

    html = run_wizard(client, SMALL_INSULINOMA).content.decode()

    shown = articles(html)
    for applied in result.sections:
        assert "Why this applies:" in shown[applied.slug]
        items = re.findall(r"<li>(.*?)</li>", shown[applied.slug].split("Why this applies:")[1])
        assert items == [escape(reason) for reason in applied.reasons]
        assert reasons_on(html, applied.slug) == list(applied.reasons)
    assert "size 12 mm is below 20 mm" in shown["insulinoma-local-excision"]
    assert reasons_on(html, "insulinoma-local-excision") == [
        "tumour type: insulinoma",
        "size 12 mm is below 20 mm",
        "extent: localised",
    ]


def test_the_page_shows_the_grade_category_and_inputs(client):
    response = run_wizard(client, WARNED_RECTUM)
    html = response.content.decode()

    assert 'data-grade="G2"' in html
    grade = element_with(html, "data-grade")
    assert "<strong>G2</strong>" in grade.source
    assert [line.text() for line in grade.find_all("li")] == [
        "Ki-67 2.9 % is below 3 %: G1",
        "mitotic count 5 per 10 HPF is within 2 to 20: G2",
        "the higher of the two, G2, is used",
    ]
    assert 'data-category="well_differentiated"' in html
    category = element_with(html, "data-category")
    assert "<strong>Well differentiated</strong>" in category.source
    assert (
        category.one("div", cls="small").text()
        == "Differentiation not known and grade G2: treated as well differentiated"
    )
    inputs = [
        ("Primary site", "Rectum"),
        ("Tumour type", "Gastrinoma"),
        ("Hormonal symptoms", "No"),
        ("Size of the primary tumour (mm)", "25.5"),
        ("Differentiation", "Not known"),
        ("Ki-67 index (%)", "2.9"),
        ("Mitoses per 10 HPF", "5"),
        ("Extent of disease", "Regional lymph nodes involved"),
        ("Somatostatin-receptor imaging", "Negative"),
    ]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td>', html)
    assert rows == inputs


def test_the_inputs_of_a_pancreatic_metastatic_case_include_region_and_resectability(client):
    html = run_wizard(client, POORLY_DIFFERENTIATED).content.decode()

    rows = dict(re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', html))
    assert rows["Region of the pancreas"] == "Body"
    assert rows["Are the metastases resectable?"] == "Not resectable"
    assert 'data-category="poorly_differentiated"' in html


def test_the_page_states_its_intended_use(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    statement = re.search(r'<p class="intended-use[^"]*">(.*?)</p>', html, re.S)
    assert statement, "no intended-use statement"
    words = squashed(statement.group(1))
    assert words.startswith("Decision support for clinicians.")
    assert "They do not replace MDT discussion or clinical judgement." in words
    assert html.index('class="intended-use') < html.index("data-section=")


# --- Nothing from elsewhere, and print -------------------------------------------------


def test_the_page_loads_nothing_from_other_sites(client):
    html = run_wizard(client, METASTATIC_SMALL_BOWEL).content.decode()

    urls = links(html).urls
    assert urls
    for url in urls:
        assert not url.startswith(("http:", "https:", "//")), url
    assert "//cdn" not in html


def test_the_stylesheets_are_this_apps_own_static_files(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    assert links(html).stylesheets == [
        "/static/bootstrap/css/bootstrap.min.css",
        "/static/css/netadvisor.css",
    ]
    assert finders.find("bootstrap/css/bootstrap.min.css") is not None
    stylesheet = finders.find("css/netadvisor.css")
    assert stylesheet is not None
    with open(stylesheet, encoding="utf-8") as css:
        assert re.search(r"@media print\s*\{", css.read())


def test_markdown_in_a_section_is_sanitised(client):
    change_outside_the_app(
        Section.objects.filter(version__status="published", slug="curative-excision"),
        text=(
            "Excise the tumour.\n\n"
            "<script>alert(1)</script>\n\n"
            "<img src=x onerror=alert(1)>\n\n"
            'See [x](javascript:alert(1)) and <a href="javascript:alert(2)" '
            'onclick="alert(3)">y</a>.'
        ),
    )

    html = run_wizard(client, LOCALISED_COLON).content.decode()

    assert "Excise the tumour." in articles(html)["curative-excision"]
    lowered = html.lower()
    for dangerous in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert dangerous not in lowered, dangerous


def test_markdown_formatting_is_kept(client):
    change_outside_the_app(
        Section.objects.filter(version__status="published", slug="curative-excision"),
        text="Excise with **clear margins**:\n\n- open\n- laparoscopic",
    )

    section = articles(run_wizard(client, LOCALISED_COLON).content.decode())["curative-excision"]

    assert "<strong>clear margins</strong>" in section
    assert "<li>open</li>" in section


# --- Queries ---------------------------------------------------------------------------


DONE_PAGE_CASES = [
    pytest.param(SMALL_INSULINOMA, 1, 0, id="1 section"),
    pytest.param(METASTATIC_SMALL_BOWEL, 6, 0, id="6 sections"),
    pytest.param(
        case(LOCALISED_COLON, ki67_percent=None, mitoses_per_10hpf=None), 2, 1, id="1 warning"
    ),
    pytest.param(WARNED_RECTUM, 2, 5, id="5 warnings"),
]


@pytest.mark.parametrize(("facts", "sections", "warnings"), DONE_PAGE_CASES)
def test_the_done_page_runs_five_queries_however_many_sections_and_warnings_apply(
    client, django_assert_num_queries, facts, sections, warnings
):
    content.published()  # the text in memory, as after any earlier request in this process
    answer_steps(client, facts)

    # 1. the session (django_session SELECT)
    # 2. the published version's id, publication time and guideline title (one query,
    #    content.published()): unchanged, so the sections and warning texts come from memory
    # 3-5. the wizard reset written back to the session: SAVEPOINT, UPDATE django_session,
    #    RELEASE SAVEPOINT (the session save's atomic block inside the test transaction)
    url = done_url(client)
    with django_assert_num_queries(5):
        response = client.get(url)

    html = response.content.decode()
    assert len(attribute(html, "data-section")) == sections
    assert len(attribute(html, "data-warning")) == warnings


@pytest.mark.parametrize(("facts", "sections", "warnings"), DONE_PAGE_CASES)
def test_the_first_done_page_loads_the_guideline_text_in_three_more_queries(
    client, django_assert_num_queries, facts, sections, warnings
):
    answer_steps(client, facts)
    content.forget()  # the steps read the published grading; forget it, as after a restart

    # Nothing in memory (as after a restart): the five queries above, and after the raw
    # query three more: the published version JOIN its guideline, all its sections, all its
    # warning texts (read whether or not this case has a warning)
    url = done_url(client)
    with django_assert_num_queries(8):
        response = client.get(url)

    html = response.content.decode()
    assert len(attribute(html, "data-section")) == sections
    assert len(attribute(html, "data-warning")) == warnings


def test_without_a_published_guideline_the_done_page_says_so_rather_than_fail(client):
    GuidelineVersion.objects.update(status=GuidelineVersion.Status.RETIRED)

    response = run_wizard(client, LOCALISED_COLON)

    assert response.status_code == 503
    html = response.content.decode()
    assert "No guideline is published, so no recommendation can be made." in html
    assert "data-section" not in html


# --- Whose words each text is, and what the source is ----------------------------------------

NOTE_LABEL = "NET Advisor note — not in the source guideline"


@pytest.fixture
def version_2(editor):
    """Version 1's text with a section and a warning made NET Advisor notes, a quote's source
    heading, and what the version says of its source (tests/factories.py)."""
    return publish_noted_version(editor)


def test_a_note_is_shown_in_its_own_style_labelled_and_with_its_citation(client, version_2):
    html = run_wizard(client, METASTATIC_SMALL_BOWEL).content.decode()

    note = section_on(html, NOTE_SECTION)
    assert {"card", "guideline-section", "net-advisor-note"} <= note.classes
    assert note.attrs["data-voice"] == "note"
    assert note.one(cls="voice-label").text() == NOTE_LABEL
    assert note.one(cls="citation").text() == (
        f"Rests on: {NOTE_CITATION} (NET Advisor version 2, {NOTE_SECTION})."
    )
    assert not note.find_all("blockquote")  # not presented as a quotation of the source
    assert "Quoted verbatim" not in note.text()
    assert published_section(NOTE_SECTION).text in note.one(cls="note-text").text()


def test_a_quote_says_it_is_verbatim_and_cites_the_source_never_as_a_note(client, version_2):
    html = run_wizard(client, METASTATIC_SMALL_BOWEL).content.decode()

    for slug in attribute(html, "data-section"):
        if slug == NOTE_SECTION:
            continue
        quote = section_on(html, slug)
        assert "net-advisor-note" not in quote.classes
        assert quote.one(cls="voice-label").text() == "Quoted verbatim from the source guideline."
        assert quote.one(cls="citation").text() == (
            f"Source: {version_2.citation} (NET Advisor version 2, {slug})."
        )
        assert NOTE_LABEL not in quote.text()


def test_a_quote_under_a_source_heading_shows_it(client, version_2):
    html = run_wizard(client, WARNED_RECTUM).content.decode()

    label = section_on(html, HEADED_SECTION).one(cls="voice-label").text()
    assert label == (
        f"Quoted verbatim from the source guideline. In the source under “{SOURCE_HEADING}”."
    )
    others = [slug for slug in attribute(html, "data-section") if slug != HEADED_SECTION]
    assert others
    for slug in others:
        assert "In the source under" not in section_on(html, slug).text()


def test_a_warning_that_is_a_note_is_labelled_and_cites_what_it_rests_on(client, version_2):
    html = run_wizard(client, WARNED_RECTUM).content.decode()

    note = warning_on(html, NOTE_WARNING)
    assert {"alert", "alert-warning", "net-advisor-note"} <= note.classes
    detail = next(
        warning.detail
        for warning in recommend(facts_for(WARNED_RECTUM)).warnings
        if warning.code == NOTE_WARNING
    )
    assert [line.text() for line in note.find_all("p")] == [
        NOTE_LABEL,
        version_2.warnings.get(code=NOTE_WARNING).message,
        *([detail] if detail else []),
        f"Rests on: {NOTE_CITATION}",
    ]
    others = [code for code in attribute(html, "data-warning") if code != NOTE_WARNING]
    assert others
    for code in others:
        assert NOTE_LABEL not in warning_on(html, code).text()


def test_what_the_source_does_not_cover_follows_the_warnings(client, version_2):
    html = run_wizard(client, WARNED_RECTUM).content.decode()

    page = parse(html)
    not_covered = page.one("section", cls="not-covered")
    assert not_covered.one("h2").text() == "What the source does not cover"
    assert "<strong>gastric NET types</strong>" in not_covered.source
    assert html.index('id="warnings-heading"') < html.index('id="not-covered-heading"')
    assert html.index('id="not-covered-heading"') < html.index('id="sections-heading"')


def test_no_warning_is_never_an_all_clear_it_is_followed_by_what_the_source_does_not_cover(
    client, version_2
):
    html = squashed(run_wizard(client, LOCALISED_COLON).content.decode())

    assert "data-warning" not in html
    assert "No warnings were triggered." in html
    assert html.index("No warnings were triggered.") < html.index("What the source does not cover")
    assert "The source does not cover <strong>gastric NET types</strong>." in html


def test_a_version_that_says_nothing_of_what_its_source_leaves_out_shows_no_such_heading(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    assert "No warnings were triggered." in html
    assert "What the source does not cover" not in html


def test_the_page_says_what_the_source_is_from_the_versions_words_sanitised(client, version_2):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    source = parse(html).one(cls="source-provenance")
    assert "<em>educational summary</em>" in source.source
    assert "<script>" not in html
    since = timezone.localdate(version_2.published_at)
    assert source.one(cls="in-use-since").text() == (
        f"In use in NET Advisor since {since.day} {since:%B %Y}."
    )
    assert f"Quoted from <cite>{escape(VERSION_TITLE)}</cite>, version 2." in html
    assert GUIDELINE_TITLE not in html  # the version's own title, everywhere
    assert "published" not in squashed(html).lower().replace("no guideline is published", "")


def test_without_words_of_its_own_the_source_is_described_by_its_citation(client):
    html = run_wizard(client, LOCALISED_COLON).content.decode()

    source = parse(html).one(cls="source-provenance")
    citation = GuidelineVersion.objects.current().citation
    assert source.one(cls="about-source").text() == f"Cited as: {citation}."
    assert "In use in NET Advisor since" in source.text()
