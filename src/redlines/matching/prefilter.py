"""The prefilter: a cheap necessary condition for any rule of a ruleset to match a fact.

A monitor's feed is mostly events no red line can give a level (relations between third
countries, say); asking the engine about each costs a round trip for nothing. The prefilter is
an index compiled from the rules: every alternative of every compiled rule (a conjunction of
tests, ``rules/normal.py``) is filed under the most selective of its tests that pin a fact key
to a few values (an ``eq``, an ``in``, or an ``exists``, which pins the presence flag). A fact
can satisfy an alternative only if it has one of the values the alternative is filed under
and holds its other pins too, so a fact that passes no alternative this way matches no rule,
and never reaches the engine. An alternative with no such test (only ``ne``, ``not_in``,
comparisons, ``contains``, ``matches``: none of them pins a value) makes the prefilter let
every fact through.

It is sound by construction (it only skips facts that provably match nothing) and checked by a
property test: over random rulesets and events, whatever it skips the reference matcher
matches nothing, and reports are identical with and without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..compile import CompiledRuleset
from ..rules.normal import disjuncts
from ..rules.operators import OPERATORS
from ..rules.resolved import FIELDS, Test

__all__ = ["Prefilter"]

#: How many values each field type can take, roughly: a test pinning a field of a larger
#: domain to one value is more selective.
_DOMAIN = {
    "country": 250,
    "kind": 29,
    "enum": 5,
    "region": 5000,
    "text": 1_000_000,
    "number": 1_000_000,
    "integer": 1_000_000,
    "time": 1_000_000,
    "list": 2,
}


def _pins(test: Test) -> tuple[str, frozenset[Any], float] | None:
    """(fact key, values, selectivity) when *test* holds only for a fact whose key has one of
    the values; None when it does not pin its key (``ne``, ``not_in``, comparisons)."""
    spec = FIELDS[test.field]
    operator = OPERATORS[test.op]
    if operator.operand == "flag":
        return f"has__{spec.key}", frozenset({1 if test.value else 0}), 0.5
    if test.op == "eq":
        values: frozenset[Any] = frozenset({test.value})
    elif test.op == "in":
        values = frozenset(test.value)
    else:
        return None
    return spec.key, values, len(values) / _DOMAIN[spec.type]


Pin = tuple[str, frozenset[Any]]


class Prefilter:
    """``Prefilter(compiled)(fact)``: False only when no rule of *compiled* can match *fact*.
    :meth:`of_branches` builds one for some alternatives only (a shard of the engine).

    Each alternative is filed under its most selective pin; a fact that hits it there must
    also hold the alternative's other pins (each a necessary condition too) before the
    prefilter lets it through.
    """

    def __init__(self, compiled: CompiledRuleset | None = None) -> None:
        #: fact key -> value -> the other pins of each alternative filed under that value
        self._index: dict[str, dict[Any, list[tuple[Pin, ...]]]] = {}
        self.passes_everything = False
        if compiled is not None:
            self._file(b for rule in compiled.rules for b in disjuncts(rule.condition))

    @classmethod
    def of_branches(cls, branches: Iterable[tuple[Test, ...]]) -> Prefilter:
        """The prefilter of these alternatives (conjunctions of tests) alone."""
        prefilter = cls()
        prefilter._file(branches)
        return prefilter

    def _file(self, branches: Iterable[tuple[Test, ...]]) -> None:
        index: dict[str, dict[Any, list[tuple[Pin, ...]]]] = {}
        for branch in branches:
            pins = sorted(
                (p for p in (_pins(t) for t in branch) if p is not None), key=lambda p: p[2]
            )
            if not pins:
                self.passes_everything = True
                continue
            (key, values, _), others = pins[0], tuple((k, v) for k, v, _ in pins[1:])
            by_value = index.setdefault(key, {})
            for value in values:
                by_value.setdefault(value, []).append(others)
        self._index = {key: index[key] for key in sorted(index)}

    def __call__(self, fact: dict[str, Any]) -> bool:
        if self.passes_everything:
            return True
        for key, by_value in self._index.items():
            for others in by_value.get(fact.get(key), ()):
                if all(fact.get(k) in values for k, values in others):
                    return True
        return False

    def keys(self) -> list[str]:
        """The fact keys the index looks at first."""
        return list(self._index)
