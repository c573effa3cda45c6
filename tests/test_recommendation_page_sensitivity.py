""" "What would change this advice" on the recommendation page and a saved case's page.

After the warnings: the changes a clinician should weigh first, each one sentence naming
the published version's headings and warning messages, then every other change behind a
disclosure that needs no script; a number near its change point flagged beside the input.
The pages run the same number of queries as without it.
"""

from __future__ import annotations

import re

import pytest

from guidance import content
from guidance.models import Section, WarningText
from guidance.sensitivity import warning_name
from tests.factories import make_case, published, record, today
from tests.pages import detail, html_of, parse
from tests.wizard_client import (
    LOCALISED_COLON,
    SMALL_INSULINOMA,
    WARNED_RECTUM,
    answer_steps,
    case,
    done_url,
    run_wizard,
)

pytestmark = pytest.mark.django_db

NEAR_G3 = case(LOCALISED_COLON, ki67_percent=19.5, mitoses_per_10hpf=None)


def sensitivity_of(html: str):
    return parse(html).one("section", cls="sensitivity")


def message(code: str) -> str:
    return warning_name(published(WarningText, code=code).get().message)


def heading(slug: str) -> str:
    return published(Section, slug=slug).get().heading


def test_the_section_comes_after_the_warnings_and_before_the_case(client):
    html = run_wizard(client, WARNED_RECTUM).content.decode()

    warnings = html.index('id="warnings-heading"')
    changes = html.index('id="sensitivity-heading"')
    summary = html.index('id="summary-heading"')
    assert warnings < changes < summary
    assert sensitivity_of(html).one("h2").text() == "What would change this advice"


def test_a_ki67_near_the_g3_boundary_is_weighed_first_in_the_published_words(client):
    html = run_wizard(client, NEAR_G3).content.decode()

    section = sensitivity_of(html)
    near = [item.text() for item in section.one("ul", cls="sensitivity-near").find_all("li")]
    assert near[0] == (
        "Ki-67 19.5 % is 0.5 below the G2/G3 boundary: at 20.1 % the grade would be G3 and "
        f"the warning “{message('net-g3')}” would be given."
    )
    # The rest behind a disclosure, closed: no script needed to open it.
    rest = section.one("details", cls="sensitivity-rest")
    assert "open" not in rest.attrs
    assert rest.one("summary").text().startswith("Every other change that would change this")
    insulinoma = [item.text() for item in rest.find_all("li", data_field="tumour_type")]
    assert any(f"“{heading('insulinoma-local-excision')}” would apply" in t for t in insulinoma)
    assert section.find_all("script") == []


def test_a_number_near_its_change_point_is_flagged_beside_the_input(client):
    html = run_wizard(client, NEAR_G3).content.decode()

    flagged = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td>[^<]*</td><td class="near-threshold">', html
    )
    # Ki-67 19.5 % (0.5 from G3); the size of 15 mm reads no threshold for a colonic NET.
    assert flagged == ["Ki-67 index (%)"]
    assert 'href="#sensitivity-heading">Near a change of advice</a>' in html


def test_an_answer_not_yet_assessed_is_weighed_first(client):
    facts = case(SMALL_INSULINOMA, extent="distant_metastases", metastases_resectable="unknown")
    html = run_wizard(client, facts).content.decode()

    near = sensitivity_of(html).one("ul", cls="sensitivity-near")
    resectability = [
        item.text() for item in near.find_all("li", data_field="metastases_resectable")
    ]
    assert len(resectability) == 2
    assert resectability[1].startswith(
        "With metastases not resectable rather than not yet assessed"
    )
    assert f"“{heading('debulking-surgery')}” would no longer apply" in resectability[1]


def test_a_case_with_nothing_near_says_so_and_keeps_every_change_behind_the_disclosure(client):
    far = case(LOCALISED_COLON, ki67_percent=10, mitoses_per_10hpf=None)
    html = run_wizard(client, far).content.decode()

    section = sensitivity_of(html)
    assert section.find_all("ul", cls="sensitivity-near") == []
    assert section.one("p", cls="no-near").text().startswith("No number is near")
    assert section.one("summary").text().startswith("Every change that would change this advice")
    assert 'class="near-threshold"' not in html


@pytest.mark.parametrize("facts", [NEAR_G3, WARNED_RECTUM], ids=["near G3", "warned rectum"])
def test_the_done_page_still_runs_five_queries(client, django_assert_num_queries, facts):
    content.published()
    answer_steps(client, facts)
    url = done_url(client)

    # As without it (test_recommendation_page): the session, the published version's row,
    # the session's save in three.
    with django_assert_num_queries(5):
        html = client.get(url).content.decode()
    assert sensitivity_of(html).find_all("li")


def test_the_saved_case_shows_what_it_showed(alice, alice_client):
    saved = make_case(alice, **NEAR_G3)

    html = html_of(alice_client.get(detail(saved)))

    shown = [item.text() for item in sensitivity_of(html).find_all("li")]
    assert shown == [item["sentence"] for item in saved.snapshot["sensitivity"] if item["near"]] + [
        item["sentence"] for item in saved.snapshot["sensitivity"] if not item["near"]
    ]


def test_a_case_saved_before_it_was_shown_shows_no_section(alice, alice_client):
    before = record(alice, {k: v for k, v in today(**NEAR_G3).items() if k != "sensitivity"})

    html = html_of(alice_client.get(detail(before)))

    assert 'id="sensitivity-heading"' not in html
    assert 'class="near-threshold"' not in html
