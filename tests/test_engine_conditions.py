"""Conditions: what an editor may write, what is refused and why, and what they mean.

Pure Python: no database.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
import rule_engine

from guidance.engine import ConditionError, EvaluationFailure, check_condition, compile_condition
from guidance.engine.conditions import _CONTEXTS, _context


def problems(text: str, **options) -> list[str]:
    with pytest.raises(ConditionError) as refused:
        compile_condition(text, **options)
    return refused.value.messages


FACTS = {
    "site": "rectum",
    "pancreas_region": None,
    "tumour_type": "non_functional",
    "hormonal_symptoms": False,
    "size_mm": Decimal("15"),
    "differentiation": "well",
    "ki67_percent": Decimal("2.5"),
    "mitoses_per_10hpf": 1,
    "extent": "localised",
    "metastases_resectable": "unknown",
    "ssr_imaging": "not_done",
    "grade": "G1",
    "grade_from_ki67": "G1",
    "grade_from_mitoses": "G1",
    "category": "well_differentiated",
    "applies": {"local-excision": True},
}


# --- What is refused, in words for the field --------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sise_mm < 20", "sise_mm is not a fact (did you mean size_mm?)"),
        (
            'site == "rectal"',
            '"rectal" is not a value of site (did you mean "rectum"?); it is one of "pancreas", '
            '"stomach", "duodenum", "small_intestine", "appendix", "colon", "rectum"',
        ),
        (
            "site < 20",
            "the types do not match (data type mismatch): compare each fact with a value of its "
            "own kind, a number with a number, a choice with one of its values",
        ),
        ('size_mm == "big"', "size_mm is a number: compare it with a number"),
        ("size_mm == null", "size_mm is always given: it is never null"),
        ("hormonal_symptoms == 1", "hormonal_symptoms is yes or no: compare it with true or false"),
        ("size_mm < 20.05", "size_mm: 20.05 is finer than the 0.1 size is entered to"),
        # A regular expression, on either side, and of a fact with another.
        (
            'site =~ "rect.*"',
            "compare a fact with ==, !=, <, <=, > or >=, not a regular expression",
        ),
        (
            '"rect.*" =~ site',
            "compare a fact with ==, !=, <, <=, > or >=, not a regular expression",
        ),
        ("site !~ extent", "compare a fact with ==, !=, <, <=, > or >=, not a regular expression"),
        # Compared for equality too, a number is no finer than it is entered to.
        ("size_mm == 20.05", "size_mm: 20.05 is finer than the 0.1 size is entered to"),
        (
            "mitoses_per_10hpf < 2.5",
            "mitoses_per_10hpf: 2.5 is finer than the 1 mitotic count is entered to",
        ),
        (
            'applies["local-exision"]',
            'applies["local-exision"]: there is no section "local-exision"',
        ),
        ("size_mm + 1 < 20", "a comparison must set one fact against one value, e.g. size_mm < 20"),
        ("site", "site is not a yes/no fact: compare it with a value"),
        ("", "write a condition (true if it always applies)"),
        ("size_mm < ", "this is not a condition"),
        ("size_mm < 20 20", "this is not a condition at '20'"),
        # rule-engine's own refusal, in its words.
        ('site =~ "("', "invalid regular expression"),
        (
            "grade == site",
            "grade and site cannot be compared: only two facts with the same values can",
        ),
        ("site in []", "site in []: the list is empty"),
        ("applies == null", 'write applies["a-section-slug"] to ask whether a section applies'),
        ("applies == site", 'write applies["a-section-slug"] to ask whether a section applies'),
        ('site > "colon"', "site is not a number: use == or in [...]"),
        ("size_mm in [1]", "size_mm is not a fact with listed values: compare it instead"),
        (
            "size_mm + 1 in [2]",
            '"in" must set one fact against a list of values, e.g. site in ["rectum"]',
        ),
        (
            'site in ["rectum", "rectal"]',
            '"rectal" is not a value of site (did you mean "rectum"?); it is one of "pancreas", '
            '"stomach", "duodenum", "small_intestine", "appendix", "colon", "rectum"',
        ),
        (
            'site in ["rectum", site]',
            '"in" must set one fact against a list of values, e.g. site in ["rectum"]',
        ),
        (
            "[1]",
            'only comparisons of a fact with a value, "in [...]", and, or, not and parentheses '
            "may be used (not array)",
        ),
        (
            'applies["local-excision"] == applies["local-excision"]',
            "a comparison must set one fact against one value, e.g. size_mm < 20",
        ),
        ("applies[site]", 'only applies["a-section-slug"] may be looked up'),
        ("site[0]", 'only applies["a-section-slug"] may be looked up'),
        # Checked wherever it stands: after "and", under "not".
        (
            'hormonal_symptoms and applies["nope"]',
            'applies["nope"]: there is no section "nope"',
        ),
        ('not applies["nope"]', 'applies["nope"]: there is no section "nope"'),
        (
            'not site == "rectal"',
            '"rectal" is not a value of site (did you mean "rectum"?); it is one of "pancreas", '
            '"stomach", "duodenum", "small_intestine", "appendix", "colon", "rectum"',
        ),
    ],
)
def test_a_condition_that_cannot_be_stored_says_why(text, message):
    assert problems(text, sections=["local-excision"]) == [message]


def test_the_problems_read_as_one_message_in_the_order_they_were_found():
    with pytest.raises(ConditionError) as refused:
        compile_condition('site == "x" and size_mm < 20.05')
    assert str(refused.value) == (
        '"x" is not a value of site; it is one of "pancreas", "stomach", "duodenum", '
        '"small_intestine", "appendix", "colon", "rectum"; '
        "size_mm: 20.05 is finer than the 0.1 size is entered to"
    )


def test_the_field_an_editor_types_a_condition_in_is_checked_for_its_kind_and_sections():
    assert check_condition("size_mm < 20") == []
    assert check_condition('applies["local-excision"]') == []  # any section, none listed
    assert check_condition('applies["nope"]', sections=["local-excision"]) == [
        'applies["nope"]: there is no section "nope"'
    ]
    assert check_condition('category == "poorly_differentiated"') == []
    assert check_condition('category == "poorly_differentiated"', kind="category") == [
        "a category rule cannot read the category it decides"
    ]
    assert check_condition("size_mm <") == ["this is not a condition"]


def test_every_problem_of_a_condition_is_listed_at_once():
    assert problems('site == "rectal" and extent == "local"', sections=[]) == [
        '"rectal" is not a value of site (did you mean "rectum"?); it is one of "pancreas", '
        '"stomach", "duodenum", "small_intestine", "appendix", "colon", "rectum"',
        '"local" is not a value of extent (did you mean "localised"?); it is one of '
        '"localised", "regional_nodes", "distant_metastases"',
    ]


def test_a_category_rule_cannot_read_the_category_or_the_sections():
    assert problems('category == "well_differentiated"', kind="category") == [
        "a category rule cannot read the category it decides"
    ]
    assert problems('applies["x"]', kind="category") == ["applies is not a fact"]
    # A misspelt applies is pointed to it where a rule may read the sections, not in a
    # category rule.
    assert problems('aplies["x"]', kind="section") == [
        "aplies is not a fact (did you mean applies?)"
    ]
    assert problems('aplies["x"]', kind="category") == ["aplies is not a fact"]


@pytest.mark.parametrize("kind", ["section", "warning", "category"])
def test_each_kind_of_rule_reads_every_fact_but_a_category_rule_not_the_category(kind):
    # The contexts are made once, when the engine is loaded: made again here to be tested.
    context = _context(kind)
    for name in ["site", "size_mm", "hormonal_symptoms", "grade", "grade_from_ki67"]:
        assert rule_engine.Rule(f"{name} == null", context=context)
    readable = dict.fromkeys(
        ('category == "well_differentiated"', 'applies["local-excision"]'), True
    )
    for text in readable:
        try:
            rule_engine.Rule(text, context=context)
        except rule_engine.errors.SymbolResolutionError:
            readable[text] = False
    assert list(readable.values()) == ([False, False] if kind == "category" else [True, True])
    # Each fact has its type, a section's "applies" is yes or no by slug, and nothing else
    # is a fact.
    refused = [
        "site < 20",
        "hormonal_symptoms + 1 > 0",
        "sise_mm < 20",
        *(['applies["local-excision"] + 1 > 0', "applies[1]"] if kind != "category" else []),
    ]
    for text in refused:
        with pytest.raises(rule_engine.errors.EngineError):
            rule_engine.Rule(text, context=context)


def test_words_for_a_part_must_name_a_part_and_known_facts():
    assert problems("size_mm < 20", words={"size_mm < 10": "small"}) == [
        "the words for 'size_mm < 10' name no part of the condition (its parts: size_mm < 20)"
    ]
    assert problems('size_mm < 20 and site == "rectum"', words={"size_mm < 10": "small"}) == [
        "the words for 'size_mm < 10' name no part of the condition "
        '(its parts: site == "rectum", size_mm < 20)'
    ]
    assert problems("size_mm < 20", words={"size_mm < 20": "{sise_mm} mm"}) == [
        "{sise_mm} is not a fact that can be named here"
    ]
    assert problems("size_mm < 20", words={"size_mm < 20": "size {"}) == [
        "'size {': Single '{' encountered in format string (write {{ and }} for a brace)"
    ]


# --- What a condition means --------------------------------------------------------------

CONDITIONS = [
    'extent == "localised" and site in ["rectum", "appendix"] and size_mm < 20',
    'not site in ["rectum", "appendix"] or hormonal_symptoms',
    "size_mm >= 15 and size_mm <= 15 and 15 == size_mm",
    "size_mm <= 15 or size_mm > 19.9",
    'grade_from_ki67 != grade_from_mitoses or grade == "G1" and not (size_mm > 10)',
    "pancreas_region == null and ki67_percent != null and mitoses_per_10hpf > 0",
    'applies["local-excision"] and category != "poorly_differentiated"',
    "true and not false",
    'site == "colon" or hormonal_symptoms or size_mm < 10',
    'site == "colon" or site == "stomach" or site == "appendix" or size_mm < 10',
    'site == "colon" or site == "stomach" or site == "appendix" or site == "rectum"',
]
VARIANTS = {
    "site": ["rectum", "colon", "appendix"],
    "size_mm": [Decimal("9.9"), Decimal("15"), Decimal("20")],
    "hormonal_symptoms": [True, False],
    "grade_from_mitoses": ["G1", "G2", None],
}


@pytest.mark.parametrize("text", CONDITIONS)
def test_a_compiled_condition_means_what_rule_engine_means(text):
    condition = compile_condition(text, sections=["local-excision"])
    rule = rule_engine.Rule(text, context=_CONTEXTS["section"])
    for values in itertools.product(*VARIANTS.values()):
        facts = {**FACTS, **dict(zip(VARIANTS, values, strict=True))}
        assert condition.holds(facts) is rule.evaluate(facts), facts


@pytest.mark.parametrize(
    "text",
    [
        'not (site == "rectum" and size_mm < 20)',
        '(site == "rectum" or size_mm < 20) and not hormonal_symptoms',
        'not (grade_from_ki67 != grade_from_mitoses or grade == "G1" and site in ["colon"])',
        'applies["local-excision"] and size_mm > 2.5 and ki67_percent == null',
        'site == "rectum" and not (size_mm < 1 or false)',
        'site in ["colon", "rectum"] or grade_from_ki67 == grade_from_mitoses',
        "hormonal_symptoms == true or hormonal_symptoms != false",
        # A slug's quotes and backslashes escaped as rule-engine reads them.
        'applies["a\\"b"] or applies["c\\\\d"]',
    ],
)
def test_a_condition_is_written_back_as_it_reads(text):
    assert compile_condition(text).part.text() == text


def test_a_value_written_first_is_written_back_after_its_fact():
    assert compile_condition("20 >= size_mm").part.text() == "size_mm <= 20"


def test_a_number_compared_while_absent_cannot_be_decided():
    condition = compile_condition("ki67_percent < 3")
    with pytest.raises(EvaluationFailure, match="Ki-67 not given"):
        condition.holds({**FACTS, "ki67_percent": None})


def test_a_condition_names_its_facts_sections_and_thresholds():
    condition = compile_condition(
        'size_mm < 20 and (ki67_percent > 2.5 or applies["local-excision"]) and 10 < size_mm'
    )
    assert condition.names == {"size_mm", "ki67_percent", "applies"}
    assert condition.sections == {"local-excision"}
    assert condition.thresholds() == {
        "size_mm": {Decimal(20), Decimal(10)},
        "ki67_percent": {Decimal("2.5")},
    }


# --- Reasons from the parts that held ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "facts", "reasons"),
    [
        (
            'extent == "localised" and site in ["rectum", "appendix"] and size_mm < 20',
            {},
            ["extent: localised", "site: rectum", "size 15 mm is below 20 mm"],
        ),
        ("size_mm <= 15", {}, ["size 15 mm is 15 mm or less"]),
        ("size_mm > 10", {}, ["size 15 mm is above 10 mm"]),
        ("size_mm >= 15", {}, ["size 15 mm is 15 mm or more"]),
        ("ki67_percent < 3", {}, ["Ki-67 2.5 % is below 3 %"]),
        ("mitoses_per_10hpf < 2", {}, ["mitotic count 1 per 10 HPF is below 2"]),
        (
            'not site in ["pancreas", "stomach", "colon"]',
            {},
            ["site: rectum (not pancreas, stomach or colon)"],
        ),
        ('tumour_type != "insulinoma"', {}, ["tumour type: non-functional (not insulinoma)"]),
        ("not hormonal_symptoms", {}, ["no hormonal symptoms"]),
        ("hormonal_symptoms", {"hormonal_symptoms": True}, ["hormonal symptoms present"]),
        ("ki67_percent == null", {"ki67_percent": None}, ["Ki-67 not given"]),
        ('grade == "G1"', {}, ["grade G1"]),
        ('applies["local-excision"]', {}, ["local-excision applies"]),
        # "or": the first alternative that held
        ('site == "colon" or extent == "localised"', {}, ["extent: localised"]),
        ('extent == "localised" or site == "rectum"', {}, ["extent: localised"]),
        ("true", {}, []),
        (
            'not applies["local-excision"]',
            {"applies": {"local-excision": False}},
            ["local-excision does not apply"],
        ),
        ("hormonal_symptoms != true", {}, ["no hormonal symptoms (not yes)"]),
        (
            "hormonal_symptoms != false",
            {"hormonal_symptoms": True},
            ["hormonal symptoms present (not no)"],
        ),
        ("hormonal_symptoms == true", {"hormonal_symptoms": True}, ["hormonal symptoms present"]),
        ("ki67_percent != null", {}, ["Ki-67 2.5 %"]),
        ("pancreas_region == null", {}, ["pancreas region: not known"]),
        ("grade == null", {"grade": None}, ["grade not known"]),
        ("size_mm == 15", {}, ["size 15 mm"]),
        ("size_mm != 10", {}, ["size 15 mm (not 10 mm)"]),
        ('not site in ["colon"]', {}, ["site: rectum (not colon)"]),
        (
            'not (applies["local-excision"] and size_mm < 10)',
            {},
            ["the sections that apply", "size 15 mm"],
        ),
        (
            'site == "colon" or site == "stomach" or site == "appendix" or site == "rectum"',
            {},
            ["site: rectum"],
        ),
        ('site == "colon" or true', {}, []),
        (
            '(site == "colon" or false) and size_mm < 20',
            {"site": "colon"},
            ["site: colon", "size 15 mm is below 20 mm"],
        ),
        # "not (...)": the facts it names, as they are
        (
            'not (site == "colon" and size_mm < 20)',
            {},
            ["site: rectum", "size 15 mm"],
        ),
        (
            'not (site == "colon" or size_mm < 10 or extent == "regional_nodes") '
            'and not (grade == "G2" and site == "colon")',
            {},
            ["site: rectum", "size 15 mm", "extent: localised", "grade G1"],
        ),
        (
            'site == "colon" or not (grade == "G2" and hormonal_symptoms)',
            {},
            ["grade G1", "no hormonal symptoms"],
        ),
        # two facts compared: both, as they are
        (
            "grade_from_ki67 != grade_from_mitoses",
            {"grade_from_mitoses": "G2"},
            ["grade from Ki-67: G1, grade from the mitotic count: G2"],
        ),
        (
            "grade_from_ki67 == grade_from_mitoses",
            {},
            ["grade from Ki-67: G1, grade from the mitotic count: G1"],
        ),
        (
            "not grade_from_ki67 == grade_from_mitoses",
            {"grade_from_mitoses": "G3"},
            ["grade from Ki-67: G1, grade from the mitotic count: G3"],
        ),
    ],
)
def test_reasons_are_said_from_the_parts_that_held(text, facts, reasons):
    condition = compile_condition(text, sections=["local-excision"])
    case = {**FACTS, **facts}
    assert condition.holds(case)
    assert condition.reasons(case, {}) == reasons


def test_an_editor_may_word_a_part_or_silence_it():
    condition = compile_condition(
        'size_mm >= 10 and category == "well_differentiated" and site == "rectum"',
        words={
            "size_mm >= 10": "size {size_mm} mm: not small",
            'category == "well_differentiated"': "",
        },
    )
    assert condition.reasons(FACTS, {"size_mm": "15"}) == ["size 15 mm: not small", "site: rectum"]


def test_an_editor_s_words_without_placeholders_are_given_as_they_are():
    condition = compile_condition(
        'size_mm < 20 and site == "rectum"', words={"size_mm < 20": "a small tumour"}
    )
    assert condition.reasons(FACTS, {}) == ["a small tumour", "site: rectum"]
    alone = compile_condition("size_mm < 20", words={"size_mm < 20": "a small tumour"})
    assert alone.reasons(FACTS, {}) == ["a small tumour"]


def test_an_editor_s_words_fill_in_the_case_in_an_or_too():
    condition = compile_condition(
        '(site == "rectum" or site == "colon") and size_mm >= 10 and hormonal_symptoms',
        words={
            'site == "rectum"': "at the {site}",
            "size_mm >= 10": "size {size_mm} mm: not small",
            "hormonal_symptoms": "",
        },
    )
    case = {**FACTS, "hormonal_symptoms": True}
    values = {"site": "rectum", "size_mm": "15"}
    assert condition.reasons(case, values) == ["at the rectum", "size 15 mm: not small"]
    elsewhere = compile_condition(
        'site == "colon" or size_mm >= 10', words={"size_mm >= 10": "{size_mm} mm: not small"}
    )
    assert elsewhere.reasons(FACTS, values) == ["15 mm: not small"]
    negated = compile_condition('site == "colon" or not site in ["appendix"]')
    assert negated.reasons(FACTS, {}) == ["site: rectum (not appendix)"]


def test_two_parts_given_the_same_words_are_one_reason():
    condition = compile_condition(
        'site == "rectum" and site != "colon"', words={'site != "colon"': "site: rectum"}
    )
    assert condition.reasons(FACTS, {}) == ["site: rectum"]


def test_a_reason_given_twice_is_listed_once():
    condition = compile_condition(
        'site == "rectum" and site != "colon" or site == "rectum"',
        words={'site != "colon"': "site: rectum"},
    )
    assert condition.reasons(FACTS, {}) == ["site: rectum"]
