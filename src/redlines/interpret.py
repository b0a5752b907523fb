"""A pure-Python reading of resolved conditions over the same facts the engine sees.

It is the reference the engine is property-tested against, and what answers questions the
engine cannot: whether an event could ever be given a level (real-data relevance), and, later,
why a rule did not match.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .rules.resolved import FIELDS, All, AnyOf, Cond, Not, Test

__all__ = ["Predicate", "holds", "predicate"]


def holds(cond: Cond, fact: dict[str, Any]) -> bool:
    """Whether *cond* is true of *fact* (an :func:`redlines.compile.event_fact`)."""
    if isinstance(cond, All):
        return all(holds(c, fact) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(c, fact) for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, fact)
    return _test(cond, fact)


def _test(test: Test, fact: dict[str, Any]) -> bool:
    key = FIELDS[test.field].key
    present = fact.get(f"has__{key}") == 1
    if test.op == "exists":
        return present is bool(test.value)
    if not present:
        return False
    value = fact[key]
    if test.op == "eq":
        return bool(value == test.value)
    if test.op == "ne":
        return bool(value != test.value)
    if test.op == "in":
        return value in test.value
    if test.op == "not_in":
        return value not in test.value
    if test.op == "gt":
        return bool(value > test.value)
    if test.op == "ge":
        return bool(value >= test.value)
    if test.op == "lt":
        return bool(value < test.value)
    return bool(value <= test.value)


Predicate = Callable[[dict[str, Any]], bool]


def predicate(cond: Cond) -> Predicate:
    """*cond* as a Python function of a fact, built once: the same reading as :func:`holds`,
    without walking the tree for every fact (real-data relevance calls it for every row)."""
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
    if cond.op == "exists":
        wanted = 1 if value else 0
        return lambda fact: fact.get(has) == wanted
    compare: Callable[[Any], bool] = {
        "eq": lambda v: bool(v == value),
        "ne": lambda v: bool(v != value),
        "in": lambda v: v in value,
        "not_in": lambda v: v not in value,
        "gt": lambda v: bool(v > value),
        "ge": lambda v: bool(v >= value),
        "lt": lambda v: bool(v < value),
        "le": lambda v: bool(v <= value),
    }[cond.op]
    return lambda fact: fact.get(has) == 1 and compare(fact[key])
