"""The operator table: one definition per operator, and everything else in step with it."""

from __future__ import annotations

from typing import Any

import pytest

from redlines import Problem, RuleError, parse_rules
from redlines.rules.model import FieldTest
from redlines.rules.operators import ALIASES, IGNORE_CASE, OPERATORS, WRITTEN
from redlines.source import model_keys

#: Keys of a test that modify its operator rather than being one.
MODIFIERS = ("ignore_case",)


def test_the_rule_model_has_exactly_the_operators_of_the_table() -> None:
    keys = [k for k in model_keys(FieldTest) if k != "field"]
    assert [k for k in keys if k not in MODIFIERS] == list(WRITTEN)
    # Every operator rules do not write is the case-insensitive form of one they write.
    unwritten = [n for n in OPERATORS if n not in WRITTEN]
    assert sorted(unwritten) == sorted(IGNORE_CASE.values())
    assert set(IGNORE_CASE) <= set(WRITTEN)


_TEXT_VALUES = ("Estlink 2", "estlink", "Kovel", ("energy", "police"), ())


@pytest.mark.parametrize("name", [n for n, o in OPERATORS.items() if o.operand != "flag"])
def test_negation_is_the_complement_on_present_values(name: str) -> None:
    operator = OPERATORS[name]
    negation = OPERATORS[operator.negation]
    assert OPERATORS[negation.negation] is operator
    if "contains" in name or "matches" in name:
        actuals: tuple[Any, ...] = _TEXT_VALUES if "contains" in name else _TEXT_VALUES[:3]
        operand: Any = "ESTLINK" if "matches" in name else "energy"
    else:
        actuals, operand = (1, 2, 3, 4), (1, 3) if operator.operand == "set" else 2
    for actual in actuals:
        assert operator.holds(actual, operand) is not negation.holds(actual, operand)


def test_wording() -> None:
    assert OPERATORS["eq"].needs("state_forces") == "needs 'state_forces'"
    assert OPERATORS["in"].needs(("EST", "POL")) == "needs one of ['EST', 'POL']"
    assert OPERATORS["ge"].needs(3) == "needs at least 3"
    assert OPERATORS["exists"].needs(False) == "needs no value"


def test_type_problems_name_the_field() -> None:
    assert OPERATORS["gt"].type_problem("kind", "kind") == (
        "'gt' compares numbers or times; 'kind' is a kind"
    )
    assert OPERATORS["gt"].type_problem("sources", "list") == (
        "only 'exists' and 'contains' can test 'sources' (a list)"
    )
    assert OPERATORS["eq"].type_problem("sources", "list") == (
        "only 'exists' and 'contains' can test 'sources' (a list)"
    )
    assert OPERATORS["exists"].type_problem("sources", "list") is None
    assert OPERATORS["ge"].type_problem("fatalities", "integer") is None


def test_aliases_name_no_operator_and_no_two_operators() -> None:
    every = [a for o in OPERATORS.values() for a in o.aliases]
    assert len(every) == len(set(every)) == len(ALIASES)
    assert not set(ALIASES) & {*OPERATORS, "field"}
    assert all(a == a.lower() for a in ALIASES)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("equals", "eq"),
        ("is", "eq"),
        ("==", "eq"),
        ("not_equals", "ne"),
        ("!=", "ne"),
        ("not", "ne"),
        ("one_of", "in"),
        ("among", "in"),
        ("none_of", "not_in"),
        ("greater_than", "gt"),
        (">", "gt"),
        (">=", "ge"),
        ("at_least", "ge"),
        ("less_than", "lt"),
        ("<=", "le"),
        ("present", "exists"),
        ("Equals", "eq"),
    ],
)
def test_regression_an_operator_under_another_name_suggests_the_operator(
    written: str, meant: str
) -> None:
    """`{field: kind, equals: x}` once said "unknown field" with no hint: difflib finds no
    short name close enough, so the table lists the other names people write."""
    problem = the_problem_of(f"{{field: kind, '{written}': threat}}")
    assert problem.message == "unknown operator" and problem.suggestion == meant


@pytest.mark.parametrize(("written", "meant"), [("and", "all"), ("or", "any"), ("alll", "all")])
def test_a_condition_without_its_key_suggests_the_key(written: str, meant: str) -> None:
    assert the_problem_of(f"{{{written}: []}}").suggestion == meant


def the_problem_of(when: str) -> Problem:
    """The one problem of a rule file whose one clause has this `when`."""
    text = (
        "schema: redlines/rules/v1\nname: t\nversion: '1'\ntitle: t\nred_lines:\n"
        "  - id: X\n    title: x\n    clauses:\n"
        f"      - {{id: c, level: warning, when: {when}, reason: r}}\n"
    )
    with pytest.raises(RuleError) as err:
        parse_rules(text, "r.yaml")
    (problem,) = err.value.problems
    return problem


@pytest.mark.parametrize(
    ("pattern", "risky"),
    [
        ("estlink", False),
        ("(cable|pipe)line", False),
        ("(a|b)+", False),  # a character class
        (r"Est(link)? [0-9]+", False),
        ("(a+)+", True),
        ("(x+y)*", True),
        ("(a|ab)*", True),
        ("((a|bc)d)+", True),
    ],
)
def test_regression_patterns_that_backtrack_exponentially_are_caught(
    pattern: str, risky: bool
) -> None:
    """`matches` runs Python's re on text of up to a million characters: a pattern such as
    (a+)+$ on 'aaaa...b' would run for ages, so such patterns are refused at load."""
    from redlines.rules.operators import backtracking_risk

    assert (backtracking_risk(pattern) is not None) is risky
