"""The reference matcher: a plain-Python reading of resolved conditions over facts.

It reads each operator's meaning from :data:`redlines.rules.operators.OPERATORS` and never
looks at the durable-rules definitions, so a property test comparing it with the engine
(``tests/matching/``) compares two independent readings of the same ruleset. It answers what
the engine cannot: whether an event could ever be given a level (relevance), and, for
explanations, which test of a condition failed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from ..compile import CompiledRuleset
from ..rules.operators import OPERATORS
from ..rules.resolved import FIELDS, All, AnyOf, Cond, Not, Test

__all__ = ["Predicate", "ReferenceMatcher", "holds", "predicate", "test_holds"]

Predicate = Callable[[dict[str, Any]], bool]


def test_holds(test: Test, fact: dict[str, Any]) -> bool:
    """Whether one field test is true of *fact*."""
    key = FIELDS[test.field].key
    present = fact.get(f"has__{key}") == 1
    operator = OPERATORS[test.op]
    if operator.operand == "flag":
        return present is bool(test.value)
    return present and operator.holds(fact[key], test.value)


def holds(cond: Cond, fact: dict[str, Any]) -> bool:
    """Whether *cond* is true of *fact* (an :func:`redlines.matching.facts.event_fact`)."""
    if isinstance(cond, All):
        return all(holds(c, fact) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(c, fact) for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, fact)
    return test_holds(cond, fact)


def predicate(cond: Cond) -> Predicate:
    """*cond* as a Python function of a fact, built once: the same reading as :func:`holds`,
    without walking the tree for every fact (relevance asks it of every real-data row)."""
    if isinstance(cond, All):
        parts = [predicate(c) for c in cond.items]
        return lambda fact: all(p(fact) for p in parts)
    if isinstance(cond, AnyOf):
        alts = [predicate(c) for c in cond.items]
        return lambda fact: any(p(fact) for p in alts)
    if isinstance(cond, Not):
        inner = predicate(cond.item)
        return lambda fact: not inner(fact)
    key = FIELDS[cond.field].key
    has = f"has__{key}"
    value = cond.value
    operator = OPERATORS[cond.op]
    if operator.operand == "flag":
        wanted = 1 if value else 0
        return lambda fact: fact.get(has) == wanted
    compare = operator.holds
    return lambda fact: fact.get(has) == 1 and compare(fact[key], value)


class ReferenceMatcher:
    """The :class:`~redlines.matching.Matcher` that reads conditions in Python."""

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.compiled = compiled
        self._rules = [(r.name, predicate(r.condition)) for r in compiled.rules]

    def match(self, fact: dict[str, Any], names: Collection[str] | None = None) -> list[str]:
        """The names of the rules *fact* satisfies, in rule definition order; with *names*,
        only among those rules."""
        return [name for name, p in self._rules if (names is None or name in names) and p(fact)]
