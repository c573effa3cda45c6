"""The forms on the real pages, through the test client: each laid out by crispy, inside the
page's one form, posting back where it should, echoing what was refused on its field.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.form_markup import (
    HISTORY_URL,
    HOSTILE,
    LOGIN_URL,
    assert_no_markup_from,
    checked_values,
    described_by,
    page,
    rendered_by_crispy,
    shown_by_bootstrap,
)
from tests.wizard_client import (
    LOCALISED_COLON,
    answer_steps,
    management_field,
    post_step,
    start,
    step_url,
)

# --- Through the real pages ----------------------------------------------------------


@pytest.mark.django_db
def test_a_wizard_step_is_laid_out_by_crispy_inside_the_wizards_one_form(client):
    start(client)
    response = post_step(
        client, "tumour", site="colon", tumour_type="non_functional", hormonal_symptoms=None
    )
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("main").one("form", method="post")
    assert form.attrs.get("action") is None  # posts back to the step
    assert len(form.find_all("input", name="csrfmiddlewaretoken")) == 1
    management = form.one("input", name=management_field(client))
    assert management.attrs["type"] == "hidden" and management.attrs["value"] == "tumour"
    assert checked_values(form.find_all("input", name="tumour-site")) == ["colon"]
    fieldset = form.one(id="div_id_tumour-hormonal_symptoms").one("fieldset")
    assert described_by(fieldset) == [
        "id_tumour-hormonal_symptoms_helptext",
        "id_tumour-hormonal_symptoms_error",
    ]
    assert shown_by_bootstrap(root.by_id("id_tumour-hormonal_symptoms_error"))
    assert root.by_id("form-errors").attrs["role"] == "alert"


@pytest.mark.django_db
def test_a_wizard_step_echoes_a_refused_number_on_its_field(client):
    answer_steps(client, LOCALISED_COLON, until="pathology")
    response = post_step(
        client, "pathology", differentiation="poor", ki67_percent="200", mitoses_per_10hpf=3
    )
    root = page(response)

    rendered_by_crispy(response)
    ki67 = root.by_id("id_pathology-ki67_percent")
    assert ki67.attrs["value"] == "200" and ki67.attrs["aria-invalid"] == "true"
    assert described_by(ki67) == [
        "id_pathology-ki67_percent_helptext",
        "id_pathology-ki67_percent_error",
    ]
    assert root.by_id("id_pathology-ki67_percent_error").text() == (
        "Ki-67 must be between 0 and 100 per cent."
    )
    mitoses = root.by_id("id_pathology-mitoses_per_10hpf")
    assert mitoses.attrs["value"] == "3" and "aria-invalid" not in mitoses.attrs


@pytest.mark.django_db
def test_the_review_is_laid_out_by_crispy_with_its_reference_field(client):
    answer_steps(client, LOCALISED_COLON, until="review")
    response = client.get(step_url(client, "review"))
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("main").one("form", method="post")
    reference = form.one("input", name="review-reference")
    assert described_by(reference) == ["id_review-reference_helptext"]
    assert len(form.find_all("input", name="csrfmiddlewaretoken")) == 1
    assert form.one("input", name="answers_shown").attrs["type"] == "hidden"


@pytest.mark.django_db
def test_the_login_page_is_one_crispy_form_that_posts_back(client):
    response = client.get(LOGIN_URL + "?next=/cases/")
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("main").one("form")
    assert form.attrs["method"] == "post" and "novalidate" in form.attrs
    assert len(form.find_all("input", name="csrfmiddlewaretoken")) == 1
    assert form.one("input", name="next").attrs["value"] == "/cases/"
    for name, kind in (("username", "text"), ("password", "password")):
        box = form.one("input", name=name)
        assert box.attrs["type"] == kind
        assert form.one("label", for_=box.attrs["id"])
    assert form.one("button").attrs["type"] == "submit"


@pytest.mark.django_db
def test_the_login_page_marks_a_missing_username(client):
    response = client.post(LOGIN_URL, {"username": "", "password": PASSWORD})
    root = page(response)

    username = root.by_id("id_username")
    assert username.attrs["aria-invalid"] == "true" and "is-invalid" in username.classes
    assert described_by(username) == ["id_username_error"]
    assert root.by_id("id_username_error").text() == "This field is required."
    assert PASSWORD not in response.content.decode()


@pytest.mark.django_db
def test_the_history_filters_are_one_crispy_get_form(alice_client):
    response = alice_client.get(HISTORY_URL, {"date_from": "not-a-date", "site": "colon"})
    root = page(response)

    rendered_by_crispy(response)
    form = root.one("form", method="get")
    assert form.attrs["aria-label"] == "Filter cases"
    assert not form.find_all("input", name="csrfmiddlewaretoken")
    # The Filter button has no name: it would add itself to the filters in the URL.
    assert [button.attrs.get("name") for button in form.find_all("button")] == [None]
    date_from = root.by_id("id_date_from")
    assert {"form-control-sm", "is-invalid"} <= date_from.classes
    assert date_from.attrs["value"] == "not-a-date"
    assert described_by(date_from) == ["id_date_from_error"]
    assert root.by_id("id_date_from_error").text() == "Enter a valid date."
    site = root.by_id("id_site")
    assert "form-select-sm" in site.classes and "aria-invalid" not in site.attrs
    assert [o.attrs["value"] for o in site.find_all("option") if "selected" in o.attrs] == ["colon"]


@pytest.mark.django_db
def test_the_history_echoes_a_hostile_search_escaped(alice_client):
    response = alice_client.get(HISTORY_URL, {"q": HOSTILE, "date_from": "1999-12-31"})
    root = page(response)

    assert_no_markup_from(response.content.decode())
    assert root.by_id("id_q").attrs["value"] == HOSTILE
    assert root.by_id("id_date_from_error").text() == (
        "Enter a date between 01/01/2000 and 30/12/2999."
    )
