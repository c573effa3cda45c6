"""The recommendation engine: which guideline sections apply to a case, and why.

Pure Python: typed case facts in, a typed result out, no request and no database. The
facts and their allowed values are code (``facts``); what they mean for the advice is a
guideline version's ``Logic``, content read from the database or a guideline file and
applied by ``recommend()``.
"""

from guidance.engine.conditions import (
    Condition,
    ConditionError,
    EvaluationFailure,
    compile_condition,
)
from guidance.engine.facts import (
    CATEGORY_LABELS,
    DERIVED,
    DIFFERENTIATIONS,
    EXTENTS,
    FIELDS,
    GASTRIC_TYPES,
    INPUTS,
    KI67_MAX,
    MITOSES_MAX,
    PANCREAS_REGIONS,
    RESECTABILITY,
    SITES,
    SIZE_MAX_MM,
    SSR_IMAGING,
    TUMOUR_TYPES,
    AppliedSection,
    CaseFacts,
    CaseWarning,
    Category,
    Field,
    Grade,
    GradeAssessment,
    Result,
    in_words,
    label,
    number,
)
from guidance.engine.grading import Grading
from guidance.engine.interpreter import recommend
from guidance.engine.logic import (
    CategoryRule,
    Logic,
    LogicError,
    LogicProblem,
    SectionRule,
    WarningRule,
    compile_logic,
    logic_problems,
)


def check_condition(expression: str, *, sections=None, kind: str = "section") -> list[str]:
    """What is wrong with one condition, in words for the field it is typed in."""
    try:
        compile_condition(expression, kind=kind, sections=sections)
    except ConditionError as error:
        return error.messages
    return []


__all__ = [
    "CATEGORY_LABELS",
    "DERIVED",
    "DIFFERENTIATIONS",
    "EXTENTS",
    "FIELDS",
    "GASTRIC_TYPES",
    "INPUTS",
    "KI67_MAX",
    "MITOSES_MAX",
    "PANCREAS_REGIONS",
    "RESECTABILITY",
    "SITES",
    "SIZE_MAX_MM",
    "SSR_IMAGING",
    "TUMOUR_TYPES",
    "AppliedSection",
    "CaseFacts",
    "CaseWarning",
    "Category",
    "CategoryRule",
    "Condition",
    "ConditionError",
    "EvaluationFailure",
    "Field",
    "Grade",
    "GradeAssessment",
    "Grading",
    "Logic",
    "LogicError",
    "LogicProblem",
    "Result",
    "SectionRule",
    "WarningRule",
    "check_condition",
    "compile_condition",
    "compile_logic",
    "in_words",
    "label",
    "logic_problems",
    "number",
    "recommend",
]
