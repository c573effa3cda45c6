"""A version's logic read from a guideline document: checked whole, every problem listed.

Pure Python: no database.
"""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from guidance.engine import LogicError, LogicProblem, compile_logic, logic_problems
from tests.advice import VERSION_1, case, number, recommend

DOCUMENT = VERSION_1.as_document()


def changed(**changes) -> dict:
    document = copy.deepcopy(DOCUMENT)
    document.update(changes)
    return document


def test_version_1_reads_back_from_its_own_document():
    again = compile_logic(DOCUMENT)
    assert again.as_document() == DOCUMENT
    assert again.slugs == VERSION_1.slugs
    assert again.codes == VERSION_1.codes


def test_version_1_names_its_thresholds():
    assert VERSION_1.thresholds() == {
        "size_mm": {Decimal(20)},
        "ki67_percent": {Decimal(3), Decimal(20)},
        "mitoses_per_10hpf": {Decimal(2), Decimal(20)},
    }


def test_version_1_names_the_facts_its_conditions_read():
    # Its sections name one another ("applies") and read the category; nothing reads the
    # indices but through the grade.
    assert VERSION_1.fields_used() == {
        "site",
        "pancreas_region",
        "tumour_type",
        "hormonal_symptoms",
        "size_mm",
        "differentiation",
        "extent",
        "metastases_resectable",
        "ssr_imaging",
        "grade",
        "grade_from_ki67",
        "grade_from_mitoses",
        "category",
        "applies",
    }


def test_each_condition_is_named_where_its_problems_are():
    names = [where for where, _ in VERSION_1.conditions()]
    assert names == [
        *(f"category rule {index}" for index in range(1, len(DOCUMENT["category"]) + 1)),
        *(f"section {section['slug']}" for section in DOCUMENT["sections"]),
        *(f"warning {warning['code']}" for warning in DOCUMENT["warnings"]),
    ]
    document = changed()
    document["category"][0]["applies_when"] = "differentiation =="
    assert logic_problems(document)[0].where == names[0]


def test_the_thresholds_are_every_constant_of_the_grading_and_of_the_conditions():
    document = changed()
    document["sections"].append(
        {"slug": "surveillance", "applies_when": "size_mm < 10", "reasons": {}}
    )
    document["warnings"].append({"code": "ki67-high", "applies_when": "ki67_percent > 55"})
    thresholds = compile_logic(document).thresholds()
    assert thresholds["size_mm"] == {Decimal(10), Decimal(20)}
    assert thresholds["ki67_percent"] == {Decimal(3), Decimal(20), Decimal(55)}
    assert thresholds["mitoses_per_10hpf"] == {Decimal(2), Decimal(20)}


def test_every_problem_of_a_document_is_listed_at_once_with_where_it_is():
    document = changed()
    document["sections"][0]["applies_when"] = "sise_mm < 20"
    document["warnings"][1]["applies_when"] = 'site == "rectal"'
    document["grading"]["ki67_percent"]["G3_above"] = "200"
    document["exclusive"].append(["local-excision", "no-such-section"])
    problems = logic_problems(document)
    assert [(p.where, p.field) for p in problems] == [
        ("grading", "ki67_percent.G3_above"),
        ("section insulinoma-local-excision", "applies_when"),
        ("warning grade-discordant", "applies_when"),
        (f"exclusive pair {len(document['exclusive'])}", "exclusive"),
    ]
    assert problems[1] == LogicProblem(
        "section insulinoma-local-excision",
        "applies_when",
        "sise_mm is not a fact (did you mean size_mm?)",
    )
    with pytest.raises(LogicError) as refused:
        compile_logic(document)
    assert refused.value.problems == problems
    assert str(refused.value) == "\n".join(
        [
            "grading, ki67_percent.G3_above: 200 is not a value Ki-67 can take (0 to 100, in "
            "steps of 0.1)",
            "section insulinoma-local-excision, applies_when: sise_mm is not a fact (did you "
            "mean size_mm?)",
            str(problems[2]),
            str(problems[3]),
        ]
    )


def test_version_1_has_no_problems():
    assert logic_problems(DOCUMENT) == []


def test_each_rule_s_problems_name_the_rule_and_the_field_they_are_in():
    document = changed()
    document["category"][0]["category"] = "medium"
    document["category"][1]["basis"] = 7
    document["category"][2]["basis"] = "{sise_mm} is small"
    document["category"][3]["basis"] = "{grade} as {category_basis}: {Category_basis}"
    document["sections"][0]["slug"] = ""
    document["sections"][1]["slug"] = document["sections"][2]["slug"]
    document["sections"][3]["reasons"] = {"size_mm < 20": 5}
    document["warnings"][0]["code"] = None
    document["warnings"][1]["code"] = document["warnings"][2]["code"]
    document["warnings"][3]["detail"] = 12
    document["warnings"][4]["detail"] = "{Grade} and {oops}"
    document["exclusive"] = [
        ["curative-excision"],
        ["metastatic-incurable", "metastatic-incurable"],
        ["curative-excision", "nope"],
    ]
    assert [(p.where, p.field, p.message) for p in logic_problems(document)] == [
        (
            "category rule 1",
            "category",
            'give one of "well_differentiated", "poorly_differentiated", "undetermined"',
        ),
        ("category rule 2", "basis", "give the basis as text"),
        ("category rule 3", "basis", "{sise_mm} is not a fact that can be named here"),
        # The basis is what {category_basis} stands for: it cannot name itself.
        ("category rule 4", "basis", "{category_basis} is not a fact that can be named here"),
        ("category rule 4", "basis", "{Category_basis} is not a fact that can be named here"),
        ("section ", "slug", "give the section a slug"),
        ("section curative-excision", "slug", "two sections have this slug"),
        (
            "section pancreatoduodenectomy",
            "reasons",
            "give the words as text for each part of the condition",
        ),
        ("warning None", "code", "give the warning a code"),
        ("warning net-g3", "code", "two warnings have this code"),
        (
            "warning differentiation-assumed",
            "detail",
            "give the detail as text, or null to say it from the condition",
        ),
        ("warning poor-low-grade", "detail", "{oops} is not a fact that can be named here"),
        ("exclusive pair 1", "exclusive", "give two section slugs"),
        ("exclusive pair 2", "exclusive", "a section cannot exclude itself"),
        ("exclusive pair 3", "exclusive", 'there is no section "nope"'),
    ]


def test_a_condition_s_problems_name_the_rule_section_or_warning_it_is_in():
    document = changed()
    document["category"][1]["applies_when"] = 'category == "poorly_differentiated"'
    document["category"][2]["applies_when"] = 'applies["curative-excision"]'
    document["sections"][2].update(applies_when='applies["no-such-section"]', reasons={})
    document["warnings"][0]["applies_when"] = "sise_mm > 1"
    assert [str(p) for p in logic_problems(document)] == [
        "category rule 2, applies_when: a category rule cannot read the category it decides",
        "category rule 3, applies_when: applies is not a fact",
        'section curative-excision, applies_when: applies["no-such-section"]: there is no '
        'section "no-such-section"',
        "warning grade-unknown, applies_when: sise_mm is not a fact (did you mean size_mm?)",
    ]


def test_a_slug_or_a_code_that_is_not_text_is_refused():
    document = changed()
    document["sections"][0]["slug"] = 7
    document["warnings"][0]["code"] = 7
    problems = [str(p) for p in logic_problems(document)]
    assert "section 7, slug: give the section a slug" in problems
    assert "warning 7, code: give the warning a code" in problems


def test_sections_are_read_in_the_order_the_guideline_gives_them():
    document = changed()
    first, second, third, fourth = document["sections"][:4]
    # Without an order a section keeps its place in the list; with the same order, too.
    document["sections"][:4] = [
        {**first, "order": 3},
        {**second, "order": 0},
        third,
        {**fourth, "order": 0},
    ]
    assert compile_logic(document).slugs[:4] == (
        second["slug"],
        fourth["slug"],
        third["slug"],
        first["slug"],
    )


def test_an_order_that_is_not_a_whole_number_leaves_the_sections_as_listed():
    document = changed()
    document["sections"][0]["order"] = 5
    document["sections"][1]["order"] = "first"
    assert compile_logic(document).slugs == VERSION_1.slugs


def test_a_document_without_exclusions_has_none():
    document = {key: value for key, value in DOCUMENT.items() if key != "exclusive"}
    assert compile_logic(document).exclusive == ()


def test_the_parts_of_a_document_of_the_wrong_shape_are_each_named():
    document = {"grading": [], "category": {}, "sections": "x", "warnings": [1], "exclusive": {}}
    assert [str(problem) for problem in logic_problems(document)] == [
        "grading, grading: give the Ki-67 and mitotic thresholds",
        "category, category: give category as a list of objects",
        "sections, sections: give sections as a list of objects",
        "warnings, warnings: give warnings as a list of objects",
        "exclusive, exclusive: give the exclusions as a list of pairs of slugs",
    ]
    assert [str(problem) for problem in logic_problems({**DOCUMENT, "grading": None})] == [
        "grading, grading: give the Ki-67 and mitotic thresholds"
    ]


def test_a_document_without_sections_has_none_for_its_warnings_and_exclusions_to_name():
    document = {key: value for key, value in DOCUMENT.items() if key != "sections"}
    problems = logic_problems(document)
    assert problems[0] == LogicProblem(
        "warning ssa-insulinoma",
        "applies_when",
        'applies["somatostatin-analogue"]: there is no section "somatostatin-analogue"',
    )
    assert problems[-1] == LogicProblem(
        "exclusive pair 10", "exclusive", 'there is no section "debulking-surgery"'
    )


def test_sections_that_name_each_other_in_a_circle_are_refused():
    document = changed()
    document["sections"][0].update(
        applies_when='applies["insulinoma-partial-pancreatectomy"]', reasons={}
    )
    document["sections"][1].update(applies_when='applies["insulinoma-local-excision"]', reasons={})
    assert [str(p) for p in logic_problems(document)] == [
        "section insulinoma-local-excision, applies_when: the sections name each other "
        "in a circle: insulinoma-local-excision → insulinoma-partial-pancreatectomy → "
        "insulinoma-local-excision"
    ]


@pytest.mark.parametrize(
    ("grading", "field", "message"),
    [
        (
            {"ki67_percent": {"G1_below": "x", "G3_above": "20"}},
            "ki67_percent.G1_below",
            "give a number",
        ),
        (
            {"ki67_percent": {"G1_below": "3.05", "G3_above": "20"}},
            "ki67_percent.G1_below",
            "3.05 is not a value Ki-67 can take (0 to 100, in steps of 0.1)",
        ),
        (
            {"ki67_percent": {"G1_below": "30", "G3_above": "20"}},
            "ki67_percent",
            "G1_below must not be above G3_above",
        ),
        ({"combine": "lower"}, "combine", 'the grades combine as "higher": the higher is used'),
        ({"ki67_percent": 3}, "ki67_percent", "give G1_below and G3_above"),
        (
            {"mitoses_per_10hpf": {"G1_below": 2, "G3_above": True}},
            "mitoses_per_10hpf.G3_above",
            "give a number",
        ),
        (
            {"ki67_percent": {"G1_below": "NaN", "G3_above": "20"}},
            "ki67_percent.G1_below",
            "give a number",
        ),
        (
            {"ki67_percent": {"G1_below": "3", "G3_above": "Infinity"}},
            "ki67_percent.G3_above",
            "give a number",
        ),
        (
            {"ki67_percent": {"G1_below": None, "G3_above": "20"}},
            "ki67_percent.G1_below",
            "give a number",
        ),
        # Decimal() would read the list as the digits of 3.
        (
            {"ki67_percent": {"G1_below": [0, [3], 0], "G3_above": "20"}},
            "ki67_percent.G1_below",
            "give a number",
        ),
        (
            {"mitoses_per_10hpf": {"G1_below": 2.5, "G3_above": 20}},
            "mitoses_per_10hpf.G1_below",
            "2.5 is not a value mitotic count can take (0 to 500, in steps of 1)",
        ),
        (
            {"mitoses_per_10hpf": {"G1_below": -1, "G3_above": 20}},
            "mitoses_per_10hpf.G1_below",
            "-1 is not a value mitotic count can take (0 to 500, in steps of 1)",
        ),
        (
            {"mitoses_per_10hpf": {"G1_below": 2, "G3_above": 501}},
            "mitoses_per_10hpf.G3_above",
            "501 is not a value mitotic count can take (0 to 500, in steps of 1)",
        ),
    ],
)
def test_grading_thresholds_are_checked(grading, field, message):
    document = changed(grading={**DOCUMENT["grading"], **grading})
    assert [str(p) for p in logic_problems(document)] == [f"grading, {field}: {message}"]


def test_every_problem_of_the_grading_is_listed_at_once():
    document = changed(
        grading={
            "ki67_percent": 3,
            "mitoses_per_10hpf": {"G1_below": "x", "G3_above": 20},
            "combine": "lower",
        }
    )
    assert [str(p) for p in logic_problems(document)] == [
        "grading, ki67_percent: give G1_below and G3_above",
        "grading, mitoses_per_10hpf.G1_below: give a number",
        'grading, combine: the grades combine as "higher": the higher is used',
    ]


def test_a_threshold_written_as_a_json_number_is_read_as_it_is_written():
    document = changed(
        grading={
            "ki67_percent": {"G1_below": 2.9, "G3_above": 100},
            "mitoses_per_10hpf": {"G1_below": 0, "G3_above": 500},
            "combine": "higher",
        }
    )
    grading = compile_logic(document).grading
    assert (grading.ki67_g1_below, grading.ki67_g3_above) == (Decimal("2.9"), Decimal(100))
    assert (grading.mitoses_g1_below, grading.mitoses_g3_above) == (0, 500)
    assert isinstance(grading.mitoses_g1_below, int)


def test_a_moved_threshold_moves_the_grade():
    document = changed(
        grading={**DOCUMENT["grading"], "ki67_percent": {"G1_below": "3", "G3_above": "55"}}
    )
    moved = compile_logic(document)
    facts = case(ki67_percent=Decimal("30"), mitoses_per_10hpf=None)
    assert recommend(facts).grade == "G3"
    from guidance import engine

    result = engine.recommend(facts, moved)
    assert result.grade == "G2"
    assert result.grade_basis == ("Ki-67 30 % is within 3 to 55 %: G2",)


def test_a_case_no_category_rule_holds_for_is_undetermined_with_no_pathway():
    from guidance import engine

    document = changed(category=DOCUMENT["category"][:1])  # only "poor" is decided
    logic = compile_logic(document)
    result = engine.recommend(case(), logic)
    assert result.category is engine.Category.UNDETERMINED
    assert result.category_basis == "no category rule of this version holds for this case"
    assert result.slugs == ()


def test_a_section_added_with_its_condition_applies_with_its_reasons():
    from guidance import engine

    document = changed()
    document["sections"].append(
        {"slug": "surveillance", "applies_when": 'site == "rectum" and size_mm < 10', "reasons": {}}
    )
    logic = compile_logic(document)
    result = engine.recommend(case(site="rectum", size_mm=Decimal("9.9")), logic)
    assert result.slugs[-1] == "surveillance"
    assert result.sections[-1].reasons == ("site: rectum", "size 9.9 mm is below 10 mm")


def test_a_version_s_words_are_said_from_its_conditions_or_fill_in_the_case_s_facts():
    from guidance import engine

    document = changed()
    document["category"] = [
        {
            "category": "well_differentiated",
            "applies_when": 'differentiation != "poor" and tumour_type == "insulinoma"',
            "basis": "",
        },
        {"category": "poorly_differentiated", "applies_when": "true", "basis": None},
    ]
    document["warnings"] = [
        {
            "code": "said",
            "applies_when": 'hormonal_symptoms and site == "pancreas"',
            "detail": None,
        },
        {"code": "silent", "applies_when": "true", "detail": ""},
        {"code": "nothing-to-say", "applies_when": "true", "detail": None},
        {
            "code": "words",
            "applies_when": "true",
            "detail": "{Hormonal_symptoms}, {hormonal_symptoms}; {ki67_percent}; "
            "{Ki67_percent}; {mitoses_per_10hpf}; {pancreas_region}; {Pancreas_region}; "
            "{grade_from_mitoses}; {Site}; {category}; {Category_basis}",
        },
    ]
    logic = compile_logic(document)
    insulinoma = case(
        site="pancreas",
        pancreas_region="head",
        tumour_type="insulinoma",
        hormonal_symptoms=True,
        ki67_percent=None,
        mitoses_per_10hpf=0,
    )
    poor = case(hormonal_symptoms=False, differentiation="poor", mitoses_per_10hpf=None)

    first, second = engine.recommend(insulinoma, logic), engine.recommend(poor, logic)

    assert first.category_basis == (
        "differentiation: well differentiated (not poorly differentiated); tumour type: insulinoma"
    )
    assert [(w.code, w.detail) for w in first.warnings] == [
        ("said", "Hormonal symptoms present; site: pancreas."),
        ("silent", ""),
        ("nothing-to-say", ""),
        (
            "words",
            "Yes, yes; not given; Not given; 0; head; Head; G1; Pancreas; well differentiated; "
            "Differentiation: well differentiated (not poorly differentiated); "
            "tumour type: insulinoma",
        ),
    ]
    assert second.category_basis == ""
    assert second.warnings[-1].detail == (
        f"No, no; {number(poor.ki67_percent)}; {number(poor.ki67_percent)}; not given; "
        "not known; Not known; not known; Colon; poorly differentiated; "
    )


# --- What is kept per class of cases ------------------------------------------------


def test_version_1_s_cases_fall_in_classes_of_the_listed_facts_it_reads_and_the_size():
    listed, numbers = VERSION_1.class_facts
    assert listed == (
        "differentiation",
        "extent",
        "grade",
        "grade_from_ki67",
        "grade_from_mitoses",
        "hormonal_symptoms",
        "metastases_resectable",
        "pancreas_region",
        "site",
        "ssr_imaging",
        "tumour_type",
    )
    # The grading's own thresholds are read through the grade, not the indices.
    assert numbers == (("size_mm", (Decimal(20),)),)


def test_a_number_s_class_is_below_at_or_above_each_constant_it_is_compared_with():
    document = changed()
    document["sections"].append(
        {"slug": "surveillance", "applies_when": "size_mm < 10 or size_mm <= 20", "reasons": {}}
    )
    logic = compile_logic(document)
    assert logic.class_facts[1] == (("size_mm", (Decimal(10), Decimal(20))),)

    def size_class(size: str | None):
        grades = dict.fromkeys(("grade", "grade_from_ki67", "grade_from_mitoses"), "G1")
        return logic.case_class({**vars(case()), **grades, "size_mm": size and Decimal(size)})[1]

    classes = [size_class(size) for size in ("0.1", "9.9", "10", "15", "20", "20.1", "300")]
    assert classes == [(0,), (0,), (1,), (2,), (3,), (4,), (4,)]
    assert size_class(None) == (None,)


def test_cases_of_one_class_share_their_decisions_and_each_is_said_in_its_own_numbers():
    from guidance import engine

    logic = compile_logic(DOCUMENT)
    insulinoma = {
        "site": "pancreas",
        "pancreas_region": "tail",
        "tumour_type": "insulinoma",
        "hormonal_symptoms": True,
    }
    small = case(**insulinoma, size_mm=Decimal("12"), ki67_percent=Decimal("25"))
    smaller = case(**insulinoma, size_mm=Decimal("8.5"), ki67_percent=Decimal("40"))

    first, second = engine.recommend(small, logic), engine.recommend(smaller, logic)

    assert len(logic.decided) == 1
    assert first.slugs == second.slugs == ("insulinoma-local-excision",)
    assert first.sections[0].reasons == (
        "tumour type: insulinoma",
        "size 12 mm is below 20 mm",
        "extent: localised",
    )
    assert second.sections[0].reasons[1] == "size 8.5 mm is below 20 mm"
    assert [(w.code, w.detail) for w in first.warnings] == [
        ("grade-discordant", "Ki-67 gives G3, the mitotic count gives G1; G3 was used."),
        (
            "net-g3",
            "Ki-67 25 % is above 20 %: G3; mitotic count 0 per 10 HPF is below 2: G1; "
            "the higher of the two, G3, is used.",
        ),
    ]
    assert second.warnings[0] == first.warnings[0]
    assert second.warnings[1].detail.startswith("Ki-67 40 % is above 20 %: G3;")
    # As when nothing is kept.
    assert second == engine.recommend(smaller, compile_logic(DOCUMENT))


def test_a_case_across_a_constant_or_with_another_grade_is_decided_afresh():
    from guidance import engine

    logic = compile_logic(DOCUMENT)
    rectum = [
        case(site="rectum", size_mm=Decimal(size), ki67_percent=Decimal(ki67))
        for size, ki67 in (("19.9", "1"), ("20", "1"), ("20.1", "1"), ("20.1", "2.9"))
    ]
    results = [engine.recommend(facts, logic) for facts in rectum]
    assert len(logic.decided) == 3  # 2.9 % is G1 as 1 % is
    assert [result.warning_codes for result in results] == [
        (),
        (),
        ("local-excision-size",),
        ("local-excision-size",),
    ]
    # Gastric NETs of each type: version 1 reads no type, so one class.
    stomach = compile_logic(DOCUMENT)
    for gastric_type in ("type_1", "type_2", "type_3", "unknown"):
        engine.recommend(case(site="stomach", gastric_type=gastric_type), stomach)
    assert len(stomach.decided) == 1


def test_over_the_grid_kept_decisions_advise_as_deciding_each_case_afresh():
    import itertools

    from guidance import engine
    from tests.advice import EXTENT_VALUES, SITE_VALUES, TYPE_VALUES

    kept, afresh = compile_logic(DOCUMENT), compile_logic(DOCUMENT)
    compared = 0
    for site, tumour_type, size, differentiation, ki67, extent, symptoms in itertools.product(
        SITE_VALUES,
        TYPE_VALUES,
        ("8", "19.9", "20", "35"),
        ("well", "poor", "unknown"),
        (None, "1", "2.9", "10", "25", "60"),
        EXTENT_VALUES,
        (True, False),
    ):
        facts = case(
            site=site,
            pancreas_region="head" if site == "pancreas" else None,
            tumour_type=tumour_type,
            size_mm=Decimal(size),
            differentiation=differentiation,
            ki67_percent=ki67 and Decimal(ki67),
            mitoses_per_10hpf=None if ki67 == "60" else 1,
            extent=extent,
            metastases_resectable="unknown" if extent == "distant_metastases" else "no",
            hormonal_symptoms=symptoms,
        )
        afresh.decided.clear()
        assert engine.recommend(facts, kept) == engine.recommend(facts, afresh), facts
        compared += 1
    assert len(kept.decided) < compared


def test_the_decisions_kept_are_bounded(monkeypatch):
    from guidance import engine
    from guidance.engine import interpreter

    monkeypatch.setattr(interpreter, "KEPT", 2)
    logic = compile_logic(DOCUMENT)
    sizes = ("10", "20", "30")
    results = [engine.recommend(case(site="rectum", size_mm=Decimal(s)), logic) for s in sizes]
    assert len(logic.decided) == 1  # the third class found two kept: they were let go
    assert [r.warning_codes for r in results] == [(), (), ("local-excision-size",)]


def test_a_case_a_condition_cannot_be_decided_for_is_refused_each_time_and_nothing_kept():
    from guidance import engine

    document = changed()
    document["sections"].append(
        {"slug": "surveillance", "applies_when": "ki67_percent > 5", "reasons": {}}
    )
    logic = compile_logic(document)
    for _ in range(2):
        with pytest.raises(engine.EvaluationFailure, match="Ki-67 not given"):
            engine.recommend(case(ki67_percent=None), logic)
    assert logic.decided == {}


def test_the_rules_whose_words_name_a_number_or_a_basis_are_said_for_each_case():
    said_per_case = {where for where, _ in VERSION_1.conditions()} - VERSION_1.worded_per_class
    assert said_per_case == {
        "section insulinoma-local-excision",  # its size
        "section insulinoma-partial-pancreatectomy",  # {size_mm}
        "section poorly-differentiated",  # {category_basis}
        "warning differentiation-assumed",  # {grade_basis}
        "warning differentiation-unknown",  # {Category_basis}
        "warning local-excision-size",  # {size_mm}
        "warning net-g3",  # {grade_basis}
    }


def test_a_kept_class_says_each_case_s_own_words_wherever_they_name_a_number():
    from guidance import engine

    document = changed()
    well = next(rule for rule in document["category"] if rule["applies_when"].endswith('"well"'))
    well.update(applies_when='differentiation == "well" and size_mm < 50', basis="")
    document["category"][-1]["basis"] = "not known, {size_mm} mm: treated as well differentiated"
    document["sections"].append(
        {
            "slug": "surveillance",
            "applies_when": 'applies["local-excision"] or size_mm < 10',
            "reasons": {},
        }
    )
    document["warnings"] += [
        {"code": "sized", "applies_when": "size_mm < 50", "detail": None},
        {"code": "worded", "applies_when": "true", "detail": "{Category}, size {size_mm} mm"},
    ]
    logic = compile_logic(document)
    first, second = (case(site="rectum", size_mm=Decimal(size)) for size in ("12", "15"))

    engine.recommend(first, logic)
    (kept,) = logic.decided.values()
    result = engine.recommend(second, logic)

    assert kept.rule.condition.text == well["applies_when"]
    assert next(iter(logic.decided.values())) is kept  # decided once, for the first
    assert result.category_basis == (
        "differentiation: well differentiated; size 15 mm is below 50 mm"
    )
    assert result.sections[-1] == engine.AppliedSection("surveillance", ("local-excision applies",))
    assert [(w.code, w.detail) for w in result.warnings[-2:]] == [
        ("sized", "Size 15 mm is below 50 mm."),
        ("worded", "Well differentiated, size 15 mm"),
    ]
    assert result == engine.recommend(second, compile_logic(document))
    unknown = [case(differentiation="unknown", size_mm=Decimal(s)) for s in ("12", "15")]
    assert [engine.recommend(facts, logic).category_basis for facts in unknown] == [
        "not known, 12 mm: treated as well differentiated",
        "not known, 15 mm: treated as well differentiated",
    ]
