"""The publish page and the gate of a draft, through the admin as an editor uses it.

The reference cases that gate a draft are those active when it was started. An editor
could untick "active" on the cases the draft failed, then publish with no reason; now the
publish page lists every change to the gate since the draft was started, and publishing
over one needs the recorded reason, like a failure. The domain rules are tested in
test_publishing_gate.py.
"""

from __future__ import annotations

import pytest

from guidance import engine
from guidance.engine import logic as engine_logic
from guidance.models import GuidelineVersion, ReferenceCase
from tests.admin_client import ADMIN_PREAMBLE, START_DRAFT, publish, publish_url
from tests.factories import METASTATIC_FACTS, make_case, reference_case_form
from tests.pages import attribute, html_of

pytestmark = pytest.mark.django_db

METASTATIC_CASE = "Metastatic small-bowel NET with carcinoid syndrome, liver disease resectable"
# The seeded metastatic case's problem once everolimus is reworded without its name.
WITHOUT_THE_DRUG = "mTOR inhibition may slow progression of disease in some patients."


def change_url(case: ReferenceCase) -> str:
    return f"/admin/guidance/referencecase/{case.pk}/change/"


@pytest.fixture
def failing_draft(erin_client) -> GuidelineVersion:
    """A draft whose everolimus section no longer names the drug: the seeded metastatic
    reference case, which expects the phrase, fails it."""
    assert erin_client.post(START_DRAFT).status_code == 302
    draft = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    everolimus = draft.sections.get(slug="everolimus")
    everolimus.text = WITHOUT_THE_DRUG
    everolimus._change_reason = "Class name instead of the drug"
    everolimus.save()
    return draft


def metastatic_case() -> ReferenceCase:
    return ReferenceCase.objects.get(title=METASTATIC_CASE)


def test_unticking_active_on_the_failing_case_does_not_let_the_draft_through(
    erin_client, failing_draft
):
    page = html_of(erin_client.get(publish_url(failing_draft)))
    assert attribute(page, "data-reference").count("fail") == 1

    # The editor unticks "active" on the failing case (a reason is required for that)...
    form = reference_case_form(metastatic_case(), is_active=None, change_reason="In the way")
    assert erin_client.post(change_url(metastatic_case()), form).status_code == 302
    assert not metastatic_case().is_active

    # ...and now no case fails, but the publish page lists the change to the gate,
    page = html_of(erin_client.get(publish_url(failing_draft)))
    assert "fail" not in attribute(page, "data-reference")
    assert attribute(page, "data-gate-change") == ["deactivated"]
    assert "the quoted text no longer contains “Everolimus”" in page  # as it was at the start

    # ...and publishing without a reason is refused.
    html = html_of(publish(erin_client, failing_draft))
    assert "1 reference case(s) that gate this draft were deactivated, edited or deleted" in html
    failing_draft.refresh_from_db()
    assert failing_draft.is_draft
    assert GuidelineVersion.objects.current().label == "1"


def test_publishing_over_a_deactivated_case_records_the_reason_and_the_change(
    erin_client, failing_draft
):
    case = metastatic_case()
    form = reference_case_form(case, is_active=None, change_reason="Replaced by a newer case")
    erin_client.post(change_url(case), form)
    reason = "The MDT replaced this case; the drug is named in the warning now."

    response = publish(erin_client, failing_draft, accept=reason)

    assert response.status_code == 302
    failing_draft.refresh_from_db()
    assert failing_draft.status == GuidelineVersion.Status.PUBLISHED
    assert failing_draft.accepted_failures_reason == reason
    (change,) = failing_draft.gate_changes
    assert (change["case_id"], change["title"], change["kind"]) == (
        case.pk, METASTATIC_CASE, "deactivated"
    )
    assert change["as_started"]["problems"] == ["the quoted text no longer contains “Everolimus”"]
    record = html_of(erin_client.get(response.url))
    assert f"Changed while it was a draft: {METASTATIC_CASE} (deactivated)." in record
    assert reason in record


def test_the_publish_page_lists_an_edited_case_with_what_it_asked_before_and_after(
    erin_client, failing_draft
):
    case = metastatic_case()
    form = reference_case_form(
        case, expected_phrases=["Octreotide"], change_reason="The drug is named in the warning"
    )
    assert erin_client.post(change_url(case), form).status_code == 302

    html = html_of(erin_client.get(publish_url(failing_draft)))

    assert "fail" not in attribute(html, "data-reference")  # as edited, the case passes
    assert attribute(html, "data-gate-change") == ["edited"]
    assert attribute(html, "data-field") == ["expected phrases"]
    assert (
        "Expected phrases: <code>[&quot;Octreotide&quot;, &quot;Everolimus&quot;]</code> → "
        "<code>[&quot;Octreotide&quot;]</code>"
    ) in html
    assert f'href="/admin/guidance/referencecase/{case.pk}/history/"' in html
    refused = html_of(publish(erin_client, failing_draft))
    assert "the gate changed since the draft was started" in refused


def test_the_publish_page_says_when_the_gate_is_as_it_was(erin_client, failing_draft):
    html = html_of(erin_client.get(publish_url(failing_draft)))

    assert 'data-check="gate-unchanged"' in html
    assert "gated by the 14 reference cases active when it was started" in html


def test_a_case_added_during_the_draft_is_listed_runs_and_needs_no_reason(erin_client):
    erin_client.post(START_DRAFT)
    draft = GuidelineVersion.objects.get(status=GuidelineVersion.Status.DRAFT)
    added = erin_client.post("/admin/guidance/referencecase/add/", reference_case_form())
    assert added.status_code == 302

    html = html_of(erin_client.get(publish_url(draft)))

    assert attribute(html, "data-gate-change") == ["added"]
    assert attribute(html, "data-reference") == ["pass"] * 15
    assert publish(erin_client, draft).status_code == 302


@pytest.mark.parametrize("changed", [0, 1, 4])
def test_the_publish_page_runs_a_fixed_number_of_queries_whatever_the_changes_to_the_gate(
    erin_client, failing_draft, alice, django_assert_num_queries, changed
):
    make_case(alice, **METASTATIC_FACTS)
    for case in ReferenceCase.objects.order_by("pk")[:changed]:
        case.is_active = False
        case.save()
    ReferenceCase.objects.filter(pk=ReferenceCase.objects.order_by("-pk")[0].pk).delete()

    # 1-4. session, user, user permissions, group permissions
    # 5. the draft JOIN its guideline, the version it is based on and who approved it
    # 6-7. the draft's text, read once afresh for every check (content.load; the guideline
    #    came with the draft): its sections, then its warning texts; its logic is compiled
    #    once from them, and missing_sections reads its slugs from them
    # 8-13. approval_of: the logic of the version it is based on (its sections' and
    #    warnings' conditions), the history of the draft's sections, of its warnings and of
    #    the draft, who made the last logic change
    # 14. the reference cases active now or gating the draft (run in memory, none each)
    # 15. impact: the saved cases grouped by facts and what they showed (one index read)
    # 16-17. impact: the sections, then the warning texts, of every version the cases used
    with django_assert_num_queries(ADMIN_PREAMBLE + 13):
        response = erin_client.get(publish_url(failing_draft))

    kinds = attribute(html_of(response), "data-gate-change")
    assert sorted(kinds) == sorted(["deactivated"] * changed + ["deleted"])


@pytest.fixture
def compiled(monkeypatch) -> list[int]:
    """The number of rules of each logic compiled while the test runs, whichever way in."""
    counts: list[int] = []
    compile_logic = engine.compile_logic

    def counted(document):
        counts.append(len(document.get("sections") or ()))
        return compile_logic(document)

    monkeypatch.setattr(engine, "compile_logic", counted)
    monkeypatch.setattr(engine_logic, "compile_logic", counted)
    return counts


def test_the_publish_page_compiles_the_draft_s_logic_once(
    erin_client, failing_draft, alice, compiled
):
    make_case(alice, **METASTATIC_FACTS)
    compiled.clear()  # the published version's logic, compiled to save the case

    response = erin_client.get(publish_url(failing_draft))

    assert response.status_code == 200
    assert attribute(html_of(response), "data-reference").count("fail") == 1
    assert attribute(html_of(response), "data-impact-affected") == ["1"]  # reworded
    assert compiled == [failing_draft.sections.count()]


def test_publishing_from_the_page_compiles_the_draft_s_logic_once(
    erin_client, failing_draft, compiled
):
    response = publish(erin_client, failing_draft, accept="The drug is named in the class")

    assert response.status_code == 302
    assert GuidelineVersion.objects.get(pk=failing_draft.pk).status == "published"
    assert compiled == [failing_draft.sections.count()]
