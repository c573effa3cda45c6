"""Conditions: when a section applies, a warning fires or a category is given.

A condition is an expression of rule-engine's language over the case facts, for example
``extent == "localised" and site in ["rectum", "appendix"] and size_mm < 20``. rule-engine
parses it and checks its names and types; this module then accepts only the part of the
language whose meaning is plain to a clinician and can be checked exhaustively:

* a fact compared with a value: ``site == "rectum"``, ``size_mm < 20``, ``grade == null``;
* a fact among listed values: ``site in ["rectum", "appendix"]``;
* a yes/no fact on its own: ``hormonal_symptoms``;
* whether another section applies: ``applies["local-excision"]``;
* ``and``, ``or``, ``not``, parentheses, ``true`` and ``false``.

Numbers are only ever compared with a constant, so every case falls in one of finitely
many classes split at those constants (``thresholds``): this is what lets a draft be
checked over all of its input space before it is published.

A compiled condition is evaluated by plain Python closures built from rule-engine's syntax
tree, with exactly the library's meaning for this subset (a test checks the two agree):
rule-engine's own evaluator would cost far more than the rest of the engine together.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

import rule_engine
from rule_engine import ast
from rule_engine.types import DataType

from guidance.engine.facts import FIELDS, Field, in_words, number

# What a condition reads: the facts by name (numbers as Decimal or int, absent ones None),
# the derived facts, and "applies": which sections apply so far.
Facts = Mapping[str, Any]
Test = Callable[[Facts], bool]
Explain = Callable[[Facts, Mapping[str, str]], list[str]]

APPLIES = "applies"
KINDS = ("section", "warning", "category")


class ConditionError(ValueError):
    """A condition that cannot be stored: every reason, in words an editor can act on."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class EvaluationFailure(Exception):
    """A condition that cannot be decided for a case (a number compared while absent)."""


_TYPES = {"choice": DataType.STRING, "number": DataType.FLOAT, "boolean": DataType.BOOLEAN}


def _context(kind: str) -> rule_engine.Context:
    names = {
        name: _TYPES[fact.kind]
        for name, fact in FIELDS.items()
        # A category rule decides the category, so it cannot read it.
        if not (kind == "category" and name == "category")
    }
    if kind != "category":
        names[APPLIES] = DataType.MAPPING(DataType.STRING, DataType.BOOLEAN)
    return rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(names))


_CONTEXTS = {kind: _context(kind) for kind in KINDS}
_OPERATORS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_FLIPPED = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
_LITERALS = (ast.StringExpression, ast.FloatExpression, ast.NullExpression, ast.BooleanExpression)


def _literal_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- The parts of a condition -------------------------------------------------------
#
# Each part knows how to test a case, how to say in words why it held, and how to write
# itself back as text (the text an editor's own words for a reason are keyed by).


@dataclass(frozen=True)
class Part:
    def test(self) -> Test:  # pragma: no cover - every part defines it
        raise NotImplementedError

    def text(self) -> str:  # pragma: no cover
        raise NotImplementedError

    def leaves(self) -> Iterable[Part]:
        """The parts an editor may give their own words for."""
        yield self

    def names(self) -> Iterable[str]:
        """The facts this part reads."""
        return _names(self)

    # Worked out once per part: reasons are asked for on every recommendation.
    @cached_property
    def key(self) -> str:
        return self.text()

    @cached_property
    def tested(self) -> Test:
        return self.test()

    def explainer(self, words: Mapping[str, str]) -> Explain:
        """Why this part holds, made once for these words: what a recommendation calls per
        case, with a reason per fact it tested (the editor's own words where given)."""
        own = words.get(self.key)
        if own is not None:
            if not own:
                return lambda facts, values: []
            if "{" not in own:
                return lambda facts, values: [own]
            return lambda facts, values: [own.format_map(values)]
        reason = self._reason()
        return lambda facts, values: [reason(facts)]

    def plan(self, words: Mapping[str, str]) -> tuple[str | Callable, ...] | None:
        """The reasons as a fixed list, when the part that held does not depend on the case:
        each a text, or a function of (facts, values) giving one. None for an "or"."""
        own = words.get(self.key)
        if own is not None:
            if not own:
                return ()
            if "{" not in own:
                return (own,)
            return (lambda facts, values: own.format_map(values),)
        reason = self._reason()
        return (lambda facts, values: reason(facts),)

    def _reason(self) -> Callable[[Facts], str]:
        """``reason``, looked up in a table where the words depend on one listed fact."""
        # Not mutated: the table is only quicker; a mutant finding no fact here says each
        # reason case by case, in the same words.
        target = self.part if isinstance(self, Negation) else self  # pragma: no mutate
        name = getattr(target, "name", None)  # pragma: no mutate
        listed = isinstance(target, (Compare, Among, Flag))  # pragma: no mutate
        fact = FIELDS.get(name) if listed else None  # pragma: no mutate
        if fact is None or fact.kind == "number":
            return lambda facts: self.reason(facts)
        values: list[Any] = [True, False] if fact.kind == "boolean" else list(fact.values)
        if fact.optional:
            values.append(None)
        table = {value: self.reason({name: value}) for value in values}
        return lambda facts: table[facts[name]]

    def reason(self, facts: Facts) -> str:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Constant(Part):
    value: bool

    def test(self) -> Test:
        value = self.value
        return lambda facts: value

    def text(self) -> str:
        return _literal_text(self.value)

    def explainer(self, words: Mapping[str, str]) -> Explain:
        return lambda facts, values: []

    def plan(self, words: Mapping[str, str]) -> tuple[str | Callable, ...] | None:
        return ()


def _operands(part: Part, kind: type) -> list[Part]:
    """``a and b and c`` as [a, b, c]: one test of three, not two tests of two."""
    if isinstance(part, kind):
        return _operands(part.left, kind) + _operands(part.right, kind)
    return [part]


# "and" and "or" of up to four tests in one function call, as most conditions are; a loop
# beyond that. Each short-circuits exactly as the operators do.
def _all(tests: list[Test]) -> Test:
    if len(tests) == 2:
        a, b = tests
        return lambda facts: a(facts) and b(facts)
    if len(tests) == 3:
        a, b, c = tests
        return lambda facts: a(facts) and b(facts) and c(facts)
    if len(tests) == 4:
        a, b, c, d = tests
        return lambda facts: a(facts) and b(facts) and c(facts) and d(facts)
    return lambda facts: all(test(facts) for test in tests)


def _any(tests: list[Test]) -> Test:
    if len(tests) == 2:
        a, b = tests
        return lambda facts: a(facts) or b(facts)
    if len(tests) == 3:
        a, b, c = tests
        return lambda facts: a(facts) or b(facts) or c(facts)
    return lambda facts: any(test(facts) for test in tests)


@dataclass(frozen=True)
class Both(Part):
    left: Part
    right: Part

    def test(self) -> Test:
        return _all([part.test() for part in _operands(self, Both)])

    def text(self) -> str:
        return f"{_grouped(self.left, Either)} and {_grouped(self.right, Either)}"

    def leaves(self) -> Iterable[Part]:
        yield from self.left.leaves()
        yield from self.right.leaves()

    def explainer(self, words: Mapping[str, str]) -> Explain:
        left, right = self.left.explainer(words), self.right.explainer(words)
        return lambda facts, values: left(facts, values) + right(facts, values)

    def plan(self, words: Mapping[str, str]) -> tuple[str | Callable, ...] | None:
        left, right = self.left.plan(words), self.right.plan(words)
        # Not mutated: None is a right plan for any part (its reasons are then explained
        # case by case, to the same words).
        return None if left is None or right is None else left + right  # pragma: no mutate


@dataclass(frozen=True)
class Either(Part):
    left: Part
    right: Part

    def test(self) -> Test:
        return _any([part.test() for part in _operands(self, Either)])

    def text(self) -> str:
        return f"{self.left.text()} or {self.right.text()}"

    def leaves(self) -> Iterable[Part]:
        yield from self.left.leaves()
        yield from self.right.leaves()

    def plan(self, words: Mapping[str, str]) -> tuple[str | Callable, ...] | None:
        return None  # which alternative held depends on the case

    def explainer(self, words: Mapping[str, str]) -> Explain:
        first = self.left.tested
        left, right = self.left.explainer(words), self.right.explainer(words)
        return lambda facts, values: left(facts, values) if first(facts) else right(facts, values)


@dataclass(frozen=True)
class Negation(Part):
    part: Part

    def test(self) -> Test:
        part = self.part.test()
        return lambda facts: not part(facts)

    def text(self) -> str:
        inner = self.part.text()
        return f"not {inner}" if isinstance(self.part, Leaf) else f"not ({inner})"

    def leaves(self) -> Iterable[Part]:
        # A negated fact is one reason ("site: colon (not rectum or appendix)").
        if isinstance(self.part, Leaf):
            yield self
        else:
            yield from self.part.leaves()

    def explainer(self, words: Mapping[str, str]) -> Explain:
        if isinstance(self.part, Leaf) or self.key in words:
            return super().explainer(words)
        # "not (a and b)": the facts it names, as they are.
        names = tuple(dict.fromkeys(self.part.names()))
        return lambda facts, values: [_as_entered(name, facts) for name in names]

    def plan(self, words: Mapping[str, str]) -> tuple[str | Callable, ...] | None:
        # Not mutated: None is a right plan for any part (its reasons are then explained
        # case by case, to the same words), so a mutant planning fewer negations reads the
        # same; one planning a negated group fails the tests of that group's reasons.
        if isinstance(self.part, Leaf) or self.key in words:  # pragma: no mutate
            return super().plan(words)
        return None

    def reason(self, facts: Facts) -> str:
        return self.part.reason_not(facts)


class Leaf(Part):
    """A part that tests one fact."""

    name: str

    def reason_not(self, facts: Facts) -> str:
        return f"{_as_entered(self.name, facts)} (not {self._what()})"

    def _what(self) -> str:  # pragma: no cover
        raise NotImplementedError


def _names(part: Part) -> Iterable[str]:
    if isinstance(part, Alike):
        yield part.name
        yield part.other
    elif isinstance(part, Leaf):
        yield part.name
    elif isinstance(part, (Both, Either)):
        yield from _names(part.left)
        yield from _names(part.right)
    elif isinstance(part, Negation):
        yield from _names(part.part)


@dataclass(frozen=True)
class Flag(Leaf):
    """A yes/no fact on its own: ``hormonal_symptoms``."""

    name: str

    def test(self) -> Test:
        name = self.name
        return lambda facts: facts[name] is True

    def text(self) -> str:
        return self.name

    def reason(self, facts: Facts) -> str:
        return f"{FIELDS[self.name].words} present"

    def reason_not(self, facts: Facts) -> str:
        return f"no {FIELDS[self.name].words}"


@dataclass(frozen=True)
class Applies(Leaf):
    """Whether another section applies: ``applies["local-excision"]``."""

    slug: str
    name: str = APPLIES

    def test(self) -> Test:
        slug = self.slug
        return lambda facts: facts[APPLIES][slug]

    def text(self) -> str:
        return f"{APPLIES}[{_literal_text(self.slug)}]"

    def reason(self, facts: Facts) -> str:
        return f"{self.slug} applies"

    def reason_not(self, facts: Facts) -> str:
        return f"{self.slug} does not apply"


@dataclass(frozen=True)
class Compare(Leaf):
    """A fact compared with a value: ``size_mm < 20``, ``site == "rectum"``."""

    name: str
    operator: str  # eq, ne, lt, le, gt, ge
    value: Any

    def test(self) -> Test:
        name, value = self.name, self.value
        operator = self.operator
        if operator == "eq":
            return lambda facts: facts[name] == value
        if operator == "ne":
            return lambda facts: facts[name] != value

        def ordered(facts: Facts) -> bool:
            given = facts[name]
            if given is None:
                raise EvaluationFailure(
                    f"{name} {_OPERATORS[operator]} {number(value)}: {FIELDS[name].words} not given"
                )
            if operator == "lt":
                return given < value
            if operator == "le":
                return given <= value
            if operator == "gt":
                return given > value
            return given >= value

        return ordered

    def text(self) -> str:
        return f"{self.name} {_OPERATORS[self.operator]} {_literal_text(self.value)}"

    def reason(self, facts: Facts) -> str:
        fact = FIELDS[self.name]
        if self.value is None:  # only == and != take null
            return _as_entered(self.name, facts)
        if fact.kind == "number" and self.operator not in ("eq", "ne"):
            limit = number(self.value) + fact.limit_unit
            relation = {
                "lt": f"is below {limit}",
                "le": f"is {limit} or less",
                "gt": f"is above {limit}",
                "ge": f"is {limit} or more",
            }[self.operator]
            return f"{_as_entered(self.name, facts)} {relation}"
        if self.operator == "ne":
            return self.reason_not(facts)
        return _as_entered(self.name, facts)

    def _what(self) -> str:
        return _value_words(FIELDS[self.name], self.value)


@dataclass(frozen=True)
class Among(Leaf):
    """A fact among listed values: ``site in ["rectum", "appendix"]``."""

    name: str
    values: tuple[Any, ...]

    def test(self) -> Test:
        name, values = self.name, frozenset(self.values)
        return lambda facts: facts[name] in values

    def text(self) -> str:
        listed = ", ".join(_literal_text(value) for value in self.values)
        return f"{self.name} in [{listed}]"

    def reason(self, facts: Facts) -> str:
        return _as_entered(self.name, facts)

    def _what(self) -> str:
        words = [_value_words(FIELDS[self.name], value) for value in self.values]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


@dataclass(frozen=True)
class Alike(Leaf):
    """Two facts with the same values compared: ``grade_from_ki67 != grade_from_mitoses``."""

    name: str
    other: str
    same: bool

    def test(self) -> Test:
        name, other, same = self.name, self.other, self.same
        return lambda facts: (facts[name] == facts[other]) is same

    def text(self) -> str:
        return f"{self.name} {'==' if self.same else '!='} {self.other}"

    def reason(self, facts: Facts) -> str:
        return f"{_as_entered(self.name, facts)}, {_as_entered(self.other, facts)}"

    def reason_not(self, facts: Facts) -> str:
        return self.reason(facts)


def _grouped(part: Part, kind: type) -> str:
    return f"({part.text()})" if isinstance(part, kind) else part.text()


def _value_words(fact: Field, value: Any) -> str:
    if value is None:
        return "not given" if fact.kind == "number" else "not known"
    if fact.kind == "number":
        return number(value) + fact.unit
    if fact.kind == "boolean":
        return "yes" if value else "no"
    if fact.name.startswith("grade"):
        return str(value)
    return in_words(fact.choices, value)


def _as_entered(name: str, facts: Facts) -> str:
    """A fact of this case in words: "site: rectum", "size 15 mm", "Ki-67 not given"."""
    if name == APPLIES:
        return "the sections that apply"
    fact = FIELDS[name]
    value = facts[name]
    if fact.kind == "number":
        return f"{fact.words} {_value_words(fact, value)}"
    if fact.kind == "boolean":
        return f"{fact.words} present" if value else f"no {fact.words}"
    if name == "grade":
        return f"grade {value}" if value else "grade not known"
    return f"{fact.words}: {_value_words(fact, value)}"


# --- From rule-engine's syntax tree to parts ----------------------------------------


class _Refused(Exception):
    pass


def _part(node: Any, *, sections: frozenset[str] | None, problems: list[str]) -> Part:
    if isinstance(node, ast.LogicExpression):
        left = _part(node.left, sections=sections, problems=problems)
        right = _part(node.right, sections=sections, problems=problems)
        return Both(left, right) if node.type == "and" else Either(left, right)
    if isinstance(node, ast.UnaryExpression) and node.type == "not":
        return Negation(_part(node.right, sections=sections, problems=problems))
    if isinstance(node, ast.BooleanExpression):
        return Constant(bool(node.value))
    if isinstance(node, ast.SymbolExpression):
        fact = FIELDS.get(node.name)
        if fact is None or fact.kind != "boolean":
            raise _Refused(f"{node.name} is not a yes/no fact: compare it with a value")
        return Flag(node.name)
    if isinstance(node, ast.GetItemExpression):
        if not (
            isinstance(node.container, ast.SymbolExpression)
            and node.container.name == APPLIES
            and isinstance(node.item, ast.StringExpression)
        ):
            raise _Refused('only applies["a-section-slug"] may be looked up')
        slug = node.item.value
        if sections is not None and slug not in sections:
            problems.append(f'applies["{slug}"]: there is no section "{slug}"')
        return Applies(slug)
    if isinstance(node, (ast.ComparisonExpression, ast.ArithmeticComparisonExpression)):
        return _comparison(node, problems)
    if isinstance(node, ast.ContainsExpression):
        return _among(node, problems)
    raise _Refused(
        'only comparisons of a fact with a value, "in [...]", and, or, not and '
        f"parentheses may be used (not {type(node).__name__.removesuffix('Expression').lower()})"
    )


def _comparison(node: Any, problems: list[str]) -> Part:
    operator = node.type
    if operator not in _OPERATORS:  # rule-engine's =~ and its kin: regular expressions
        raise _Refused("compare a fact with ==, !=, <, <=, > or >=, not a regular expression")
    left, right = node.left, node.right
    if (
        isinstance(left, ast.SymbolExpression)
        and isinstance(right, ast.SymbolExpression)
        and operator in ("eq", "ne")
    ):
        return _facts_compared(left.name, right.name, operator)
    if isinstance(left, _LITERALS) and isinstance(right, ast.SymbolExpression):
        left, right, operator = right, left, _FLIPPED[operator]
    if not (isinstance(left, ast.SymbolExpression) and isinstance(right, _LITERALS)):
        raise _Refused("a comparison must set one fact against one value, e.g. size_mm < 20")
    if left.name == APPLIES:
        raise _Refused('write applies["a-section-slug"] to ask whether a section applies')
    fact = FIELDS[left.name]
    value = right.value
    if operator in ("eq", "ne"):
        _check_value(fact, value, problems)
    elif fact.kind != "number":
        raise _Refused(f"{fact.name} is not a number: use == or in [...]")
    elif not isinstance(right, ast.FloatExpression):
        raise _Refused(f"{fact.name} {_OPERATORS[operator]} needs a number")
    else:
        _check_number(fact, value, problems)
    if fact.kind == "number" and isinstance(value, Decimal) and fact.resolution == 1:
        value = int(value)
    return Compare(fact.name, operator, value)


def _facts_compared(left: str, right: str, operator: str) -> Part:
    if APPLIES in (left, right):
        raise _Refused('write applies["a-section-slug"] to ask whether a section applies')
    first, second = FIELDS[left], FIELDS[right]
    if first.kind != "choice" or first.choices != second.choices or left == right:
        raise _Refused(
            f"{left} and {right} cannot be compared: only two facts with the same values can"
        )
    return Alike(left, right, operator == "eq")


def _among(node: Any, problems: list[str]) -> Part:
    member, container = node.member, node.container
    if not (
        isinstance(member, ast.SymbolExpression)
        and isinstance(container, ast.ArrayExpression)
        and all(isinstance(item, _LITERALS) for item in container.value)
    ):
        raise _Refused('"in" must set one fact against a list of values, e.g. site in ["rectum"]')
    fact = FIELDS.get(member.name)
    if fact is None or fact.kind != "choice":
        raise _Refused(f"{member.name} is not a fact with listed values: compare it instead")
    values = tuple(item.value for item in container.value)
    if not values:
        raise _Refused(f"{member.name} in []: the list is empty")
    for value in values:
        _check_value(fact, value, problems)
    return Among(fact.name, values)


def _check_value(fact: Field, value: Any, problems: list[str]) -> None:
    if value is None:
        if not fact.optional:
            problems.append(f"{fact.name} is always given: it is never null")
        return
    if fact.kind == "choice":
        if value not in fact.values:
            close = difflib.get_close_matches(str(value), fact.values, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            allowed = ", ".join(f'"{v}"' for v in fact.values)
            problems.append(
                f'"{value}" is not a value of {fact.name}{hint}; it is one of {allowed}'
            )
    elif fact.kind == "number":
        if isinstance(value, bool) or not isinstance(value, Decimal):
            problems.append(f"{fact.name} is a number: compare it with a number")
        else:
            _check_number(fact, value, problems)
    elif not isinstance(value, bool):
        problems.append(f"{fact.name} is yes or no: compare it with true or false")


def _check_number(fact: Field, value: Decimal, problems: list[str]) -> None:
    if value % fact.resolution:
        problems.append(
            f"{fact.name}: {number(value)} is finer than the {number(fact.resolution)} "
            f"{fact.words} is entered to"
        )


# --- Compiled conditions ------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A checked condition, ready to test cases and to say why it held."""

    text: str  # as the editor wrote it
    part: Part
    holds: Test = field(repr=False, compare=False)
    words: Mapping[str, str] = field(default_factory=dict)  # the editor's own words

    @cached_property
    def _explain(self) -> Explain:
        return self.part.explainer(self.words)

    @cached_property
    def _plan(self) -> tuple[str | Callable, ...] | None:
        return self.part.plan(self.words)

    def reasons(self, facts: Facts, values: Mapping[str, str]) -> list[str]:
        """Why the condition held, from the parts that held; ``values`` fill {placeholders}."""
        plan = self._plan  # pragma: no mutate - None: explained case by case, the same
        if plan is None:
            reasons = self._explain(facts, values)
        else:
            reasons = [step if step.__class__ is str else step(facts, values) for step in plan]
            if len(reasons) < 2:
                return reasons
        return list(dict.fromkeys(reason for reason in reasons if reason))

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.part.names())

    @property
    def sections(self) -> frozenset[str]:
        return frozenset(leaf.slug for leaf in _leaves(self.part) if isinstance(leaf, Applies))

    def thresholds(self) -> dict[str, set[Decimal]]:
        """Per number fact, the constants this condition compares it with."""
        found: dict[str, set[Decimal]] = {}
        for leaf in _leaves(self.part):
            if (
                isinstance(leaf, Compare)
                and FIELDS[leaf.name].kind == "number"
                and leaf.value is not None
            ):
                found.setdefault(leaf.name, set()).add(Decimal(leaf.value))
        return found


def _leaves(part: Part) -> Iterable[Part]:
    if isinstance(part, (Both, Either)):
        yield from _leaves(part.left)
        yield from _leaves(part.right)
    elif isinstance(part, Negation):
        yield from _leaves(part.part)
    else:
        yield part


PLACEHOLDERS = frozenset(
    {
        *FIELDS,
        *(name[0].upper() + name[1:] for name in FIELDS),
        "grade_basis",
        "category_basis",
        "Category_basis",
    }
)


# A category rule's basis is what {category_basis} stands for: it cannot name itself.
CATEGORY_PLACEHOLDERS = PLACEHOLDERS - {"category_basis", "Category_basis"}


def check_words(text: str, *, placeholders: frozenset[str] = PLACEHOLDERS) -> list[str]:
    """What is wrong with an editor's words: unknown {placeholders}, stray braces."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return [f"{text!r}: {error} (write {{{{ and }}}} for a brace)"]
    return [
        f"{{{name}}} is not a fact that can be named here"
        for name in names
        if name not in placeholders
    ]


def compile_condition(
    text: str,
    *,
    kind: str = "section",
    sections: Iterable[str] | None = None,
    words: Mapping[str, str] | None = None,
) -> Condition:
    """Check ``text`` and compile it, or raise ``ConditionError`` with every problem.

    ``sections``: the slugs ``applies[...]`` may name (None: any). ``words``: the editor's
    own words for parts of the condition, keyed by the part as written back by
    ``Part.text()`` (for example ``size_mm >= 20``); "" silences a part.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConditionError(["write a condition (true if it always applies)"])
    try:
        rule = rule_engine.Rule(text, context=_CONTEXTS[kind])
    except rule_engine.errors.SymbolResolutionError as error:
        known = list(FIELDS) + ([APPLIES] if kind != "category" else [])
        if kind == "category" and error.symbol_name == "category":
            raise ConditionError(["a category rule cannot read the category it decides"]) from None
        close = difflib.get_close_matches(error.symbol_name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConditionError([f"{error.symbol_name} is not a fact{hint}"]) from None
    except rule_engine.errors.EvaluationError as error:
        raise ConditionError(
            [
                f"the types do not match ({error.message}): compare each fact with a value of its "
                "own kind, a number with a number, a choice with one of its values"
            ]
        ) from None
    except rule_engine.errors.RuleSyntaxError as error:
        where = f" at {error.token.value!r}" if getattr(error, "token", None) else ""
        raise ConditionError([f"this is not a condition{where}"]) from None
    except rule_engine.errors.EngineError as error:
        raise ConditionError([str(getattr(error, "message", error))]) from None
    problems: list[str] = []
    try:
        part = _part(
            rule.statement.expression,
            sections=None if sections is None else frozenset(sections),
            problems=problems,
        )
    except _Refused as refused:
        raise ConditionError([str(refused)]) from None
    own = dict(words or {})
    known_parts = {leaf.key for leaf in part.leaves()}
    for key, value in own.items():
        if key not in known_parts:
            problems.append(
                f"the words for {key!r} name no part of the condition "
                f"(its parts: {', '.join(sorted(known_parts))})"
            )
        problems.extend(check_words(value))
    if problems:
        raise ConditionError(problems)
    return Condition(text=text, part=part, holds=part.test(), words=own)
