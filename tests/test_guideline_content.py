"""The published guideline after migrations, and how its text is made safe to show.

Migration 0002 loads the source guideline (guidance/data/gep-net-management.txt) as
version 1. The expectations below are read from the specification
(docs/decision-rules.md, section 6), not from the migration.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

import guidance
from guidance.markdown import render_markdown
from guidance.models import Guideline, GuidelineVersion, Section
from tests.advice import SECTION_SLUGS, WARNING_CODES
from tests.factories import change_outside_the_app
from tests.wizard_client import SMALL_RECTUM, run_wizard

SOURCE = Path(guidance.__file__).resolve().parent / "data" / "gep-net-management.txt"

# Section 6 of the specification: slug -> (group, the source's first words, last words).
SPEC_SECTIONS = {
    "overview": (
        "",
        "The management of neuroendocrine tumours",
        "location, type and extent of disease.",
    ),
    "insulinoma-local-excision": (
        "Curative surgery",
        "Insulinoma is the most common",
        "local surgical excision is usually curative.",
    ),
    "insulinoma-partial-pancreatectomy": (
        "Curative surgery",
        "Larger lesions require partial pancreatectomy",
        "due to high risk of local recurrence.",
    ),
    "curative-excision": (
        "Curative surgery",
        "Localised tumours should be managed with curative surgical excision.",
        "The technique depends on the location of the tumour",
    ),
    "pancreatoduodenectomy": (
        "Curative surgery",
        "eg. for gastrinoma of the pancreatic head",
        "a pancreatoduodenectomy is performed.",
    ),
    "local-excision": (
        "Curative surgery",
        "Rectal and appendiceal NETs",
        "can be locally excised safely",
    ),
    "lymph-node-dissection": (
        "Curative surgery",
        "whereas those in other sites",
        "generally require a lymph node dissection.",
    ),
    "metastatic-incurable": (
        "Metastatic disease",
        "Metastatic tumours are incurable",
        "and management involves:",
    ),
    "debulking-surgery": (
        "Control of hormonal symptoms",
        "Surgical excision of macroscopic disease",
        "symptoms related to hormone secretion",
    ),
    "somatostatin-analogue": (
        "Control of hormonal symptoms",
        "Octreotide, a somatostatin analogue",
        "reduce the intensity of symptoms.",
    ),
    "interferon": (
        "Control of hormonal symptoms",
        "Interferon has been used",
        "in the past.",
    ),
    "pancreatic-cytotoxic": (
        "Slowing progression",
        "Pancreatic neuroendocrine tumours may respond",
        "to systemic cytotoxic therapy.",
    ),
    "pancreatic-radiotherapy": (
        "Slowing progression",
        "Radiotherapy may also be of use in pancreatic NETs",
        "challenged in recent studies",
    ),
    "cytotoxic-minimal-benefit": (
        "Slowing progression",
        "Cytotoxic therapy is of minimal use in other neuroendocrine tumours",
        "of the gastrointestinal system",
    ),
    "everolimus": (
        "Slowing progression",
        "Everolimus may slow progression of disease",
        "a small number of patients",
    ),
    "poorly-differentiated": (
        "Poorly differentiated tumours",
        "These tumours have a high mitotic count",
        "Survival is limited.",
    ),
}

# Payloads an editor could type into a section; none of FORBIDDEN may survive rendering.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</ScRiPt>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]: javascript:alert(1)\n\n[y][x]",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<a href="#" onclick="x()">y</a>',
    "<style>body{}</style>",
    '<div style="background:url(javascript:alert(1))">z</div>',
    "![tracker](https://evil.example/pixel.png)",
    "<b>raw html</b>",
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onload",
    "onclick",
    "javascript:",
    "data:",
    "<iframe",
    "<svg",
    "<style",
    "style=",
    "<img",
    "<b>",
]


@pytest.fixture
def published(db) -> GuidelineVersion:
    return GuidelineVersion.objects.current()


def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def test_exactly_one_version_is_published_and_it_is_version_1(published):
    assert GuidelineVersion.objects.published().count() == 1
    assert published.label == "1"
    assert published.published_at is not None


def test_version_1_is_cited_as_the_source_guideline_version_1(published):
    assert "source guideline" in published.citation.lower()
    assert "version 1" in published.citation.lower()


def test_the_published_version_has_a_section_for_every_engine_slug_and_the_overview(published):
    slugs = set(published.sections.values_list("slug", flat=True))

    assert slugs == {*SECTION_SLUGS, "overview"}


def test_the_published_version_has_a_message_for_every_warning_code(published):
    messages = dict(published.warnings.values_list("code", "message"))

    assert set(messages) == set(WARNING_CODES)
    assert all(message.strip() for message in messages.values())


def test_every_section_has_a_heading_and_non_empty_text(published):
    for section in published.sections.all():
        assert section.heading.strip(), section.slug
        assert section.text.strip() == section.text != "", section.slug


def test_the_source_file_is_read_from_the_guidance_package():
    assert SOURCE.is_file()
    assert source_text().startswith("The management of neuroendocrine tumours")


def test_every_section_text_occurs_verbatim_in_the_source(published):
    source = source_text()

    for section in published.sections.all():
        assert section.text in source, section.slug


def test_sections_are_in_the_order_of_the_source(published):
    source = source_text()
    positions = [source.index(section.text) for section in published.sections.order_by("order")]

    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)


@pytest.mark.parametrize("slug", SPEC_SECTIONS)
def test_each_section_holds_the_words_the_specification_quotes(published, slug):
    group, first_words, last_words = SPEC_SECTIONS[slug]

    section = published.sections.get(slug=slug)

    assert section.text.startswith(first_words)
    assert section.text.endswith(last_words)


@pytest.mark.parametrize("slug", SPEC_SECTIONS)
def test_each_section_is_in_the_group_the_specification_gives(published, slug):
    group, _, _ = SPEC_SECTIONS[slug]

    assert published.sections.get(slug=slug).group == group


@pytest.mark.parametrize(
    "slug, typo",
    [
        ("everolimus", "is a small number of patients"),
        ("somatostatin-analogue", "an Somatostatin"),
    ],
)
def test_the_source_typos_are_kept(published, slug, typo):
    assert typo in published.sections.get(slug=slug).text


def test_the_database_refuses_a_second_published_version(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.create(
            guideline=published.guideline, label="2", status="published", citation="x"
        )

    assert GuidelineVersion.objects.published().count() == 1


def test_the_database_refuses_a_published_version_of_a_second_guideline(published):
    # The app quotes "the" published version: a second guideline may not publish beside it.
    other = Guideline.objects.create(title="Another guideline", slug="another")

    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.create(
            guideline=other, label="1", status="published", citation="x"
        )


def test_a_second_draft_version_is_allowed_beside_the_published_one(published):
    draft = GuidelineVersion.objects.create(
        guideline=published.guideline, label="2", status="draft", citation="x"
    )

    assert GuidelineVersion.objects.current() == published
    assert draft.status == GuidelineVersion.Status.DRAFT


def test_the_database_refuses_a_repeated_version_label(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        GuidelineVersion.objects.create(
            guideline=published.guideline, label="1", status="draft", citation="x"
        )


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_neutralises_markup_an_editor_could_type(payload):
    rendered = str(render_markdown(f"Intro.\n\n{payload}\n\nOutro."))

    for needle in FORBIDDEN:
        assert needle not in rendered.lower(), (payload, rendered)
    assert "<p>Intro.</p>" in rendered and "<p>Outro.</p>" in rendered


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("Some *emphasis*.", "<p>Some <em>emphasis</em>.</p>"),
        ("Some **strong** words.", "<p>Some <strong>strong</strong> words.</p>"),
        ("- octreotide\n- lanreotide", "<ul>\n<li>octreotide</li>\n<li>lanreotide</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        (
            "See [ENETS](https://www.enets.org/guidelines).",
            '<p>See <a href="https://www.enets.org/guidelines" '
            'rel="noopener noreferrer nofollow">ENETS</a>.</p>',
        ),
        ("Ki-67 > 20 % & < 3 %", "<p>Ki-67 &gt; 20 % &amp; &lt; 3 %</p>"),
    ],
)
def test_render_markdown_still_renders_ordinary_markdown(markdown, expected):
    assert str(render_markdown(markdown)) == expected


def test_every_published_section_renders_to_its_own_words(published):
    for section in published.sections.all():
        # The source's prose has no markup: rendered, it is one paragraph of its own text
        # (with "<" and the no-break space of "2 cm" escaped as entities).
        assert html.unescape(section.html) == f"<p>{section.text}</p>", section.slug


def test_a_script_typed_into_a_section_is_neutralised_on_the_recommendation_page(client, published):
    change_outside_the_app(
        Section.objects.filter(version=published, slug="local-excision"),
        text="Rectal NETs <script>alert(1)</script>can be [excised](javascript:alert(1)) *safely*",
    )
    page = run_wizard(client, SMALL_RECTUM).content.decode()

    assert "<em>safely</em>" in page  # the edited text is what is shown ...
    assert "alert(1)" not in page  # ... without the script or the javascript: link
