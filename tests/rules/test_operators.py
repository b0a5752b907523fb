"""The operator table: one definition per operator, and everything else in step with it."""

from __future__ import annotations

from typing import Any

import pytest

from redlines.rules.model import FieldTest
from redlines.rules.operators import OPERATORS
from redlines.source import model_keys


def test_the_rule_model_has_exactly_the_operators_of_the_table() -> None:
    assert [k for k in model_keys(FieldTest) if k != "field"] == list(OPERATORS)


@pytest.mark.parametrize("name", [n for n, o in OPERATORS.items() if o.operand != "flag"])
def test_negation_is_the_complement_on_present_values(name: str) -> None:
    operator = OPERATORS[name]
    negation = OPERATORS[operator.negation]
    assert OPERATORS[negation.negation] is operator
    operand: Any = (1, 3) if operator.operand == "set" else 2
    for actual in (1, 2, 3, 4):
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
        "only 'exists' can test 'sources' (a list)"
    )
    assert OPERATORS["eq"].type_problem("sources", "list") == (
        "only 'exists' can test 'sources' (a list)"
    )
    assert OPERATORS["exists"].type_problem("sources", "list") is None
    assert OPERATORS["ge"].type_problem("fatalities", "integer") is None
