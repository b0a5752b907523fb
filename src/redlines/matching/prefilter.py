"""The prefilter: which alternatives of a ruleset a fact could satisfy, found by an index.

A monitor's feed is mostly events no red line can give a level (relations between third
countries, say); asking the engine about each costs a round trip for nothing, and a ruleset of a
thousand red lines asked about every rule for every fact costs a thousand times that. The
prefilter is an index compiled from the rules: every alternative of every compiled rule (a
conjunction of tests, ``rules/normal.py``) is filed under the most selective of its tests that
pin a fact key to a few values (an ``eq``, an ``in``, or an ``exists``, which pins the presence
flag). An alternative can hold for a fact only if the fact has one of the values it is filed
under and holds its other pins too (each a necessary condition), so a fact is a *candidate* of
only a few alternatives, found by one dictionary look-up per indexed key: the engine is asked
only about those (``durable.py`` asserts the fact only into the shards that hold one, with only
the flags they read), and a fact that is a candidate of none never reaches it. An alternative
with no such test (only ``ne``, ``not_in``, comparisons, ``contains``, ``matches``: none of them
pins a value) is a candidate of every fact.

It is sound by construction (an alternative that is not a candidate is false) and checked by
property tests: over random rulesets and events, whatever it leaves out the reference matcher
does not match, and reports are identical with and without it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from ..compile import CompiledRuleset
from ..rules.normal import disjuncts
from ..rules.operators import OPERATORS
from ..rules.resolved import FIELDS, Test

__all__ = ["MAX_PAIRS", "BranchIndex", "Pin", "Prefilter", "pins"]

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

#: (fact key, the values it must have)
Pin = tuple[str, frozenset[Any]]


def _pin(test: Test) -> tuple[str, frozenset[Any], float] | None:
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


def pins(branch: tuple[Test, ...]) -> list[Pin]:
    """The pins of one alternative, the most selective first (the one it is filed under);
    empty when none of its tests pins a value."""
    found = sorted((p for p in map(_pin, branch) if p is not None), key=lambda p: p[2])
    return [(key, values) for key, values, _ in found]


#: An alternative is filed under its two most selective pins together (one entry per pair of
#: values) when that makes at most this many entries, else under its most selective pin.
MAX_PAIRS = 64


class BranchIndex:
    """Alternatives (conjunctions of tests, numbered in the order given or by *ids*) filed
    under their most selective pins. :meth:`candidates` gives the alternatives a fact could
    satisfy; with a set of wanted alternatives, :meth:`candidates_among` checks those alone."""

    def __init__(
        self, branches: Iterable[tuple[Test, ...]], ids: Iterable[int] | None = None
    ) -> None:
        unpinned: list[int] = []
        index: dict[tuple[str, ...], dict[tuple[Any, ...], list[tuple[int, tuple[Pin, ...]]]]]
        index = {}
        #: the pins of each alternative (by its number: its position, or its id from *ids*),
        #: those it is filed under first
        self.pins: dict[int, tuple[Pin, ...]] = {}
        numbers = itertools.count() if ids is None else iter(ids)
        for i, branch in zip(numbers, branches, strict=False):  # count() never ends
            found = pins(branch)
            self.pins[i] = tuple(found)
            if not found:
                unpinned.append(i)
                continue
            filed = found[:1]
            if (
                len(found) > 1
                and found[0][0] != found[1][0]
                and len(found[0][1]) * len(found[1][1]) <= MAX_PAIRS
            ):
                filed = found[:2]
            keys = tuple(key for key, _ in filed)
            others = tuple(found[len(filed) :])
            by_values = index.setdefault(keys, {})
            for values in itertools.product(*(sorted(v, key=repr) for _, v in filed)):
                by_values.setdefault(values, []).append((i, others))
        #: alternatives with no pin: candidates of every fact
        self.unpinned: tuple[int, ...] = tuple(unpinned)
        #: fact keys -> their values -> (alternative, its other pins) filed under them
        self.index: dict[
            tuple[str, ...], dict[tuple[Any, ...], tuple[tuple[int, tuple[Pin, ...]], ...]]
        ]
        self.index = {
            keys: {values: tuple(entries) for values, entries in index[keys].items()}
            for keys in sorted(index)
        }

    def candidates(self, fact: dict[str, Any]) -> list[int]:
        """The alternatives *fact* could satisfy (every other one is false of it), unpinned
        ones first, each once."""
        out = list(self.unpinned)
        get = fact.get
        for keys, by_values in self.index.items():
            for i, others in by_values.get(tuple(map(get, keys)), ()):
                if all(get(k) in values for k, values in others):
                    out.append(i)
        return out

    def any_candidate(self, fact: dict[str, Any]) -> bool:
        """Whether *fact* could satisfy some alternative (:meth:`candidates` is not empty)."""
        if self.unpinned:
            return True
        get = fact.get
        for keys, by_values in self.index.items():
            for _, others in by_values.get(tuple(map(get, keys)), ()):
                if all(get(k) in values for k, values in others):
                    return True
        return False

    def candidates_among(self, fact: dict[str, Any], wanted: Iterable[int]) -> list[int]:
        """The alternatives among *wanted* that *fact* could satisfy, checked one by one (what
        :meth:`candidates` finds among them, cheaper when they are few)."""
        get = fact.get
        return [i for i in wanted if all(get(k) in values for k, values in self.pins[i])]


class Prefilter:
    """``Prefilter(compiled)(fact)``: False only when no rule of *compiled* can match *fact*.
    :meth:`of_branches` builds one for some alternatives only."""

    def __init__(self, compiled: CompiledRuleset | None = None) -> None:
        branches = (
            [] if compiled is None else [b for r in compiled.rules for b in disjuncts(r.condition)]
        )
        self._branches = BranchIndex(branches)

    @classmethod
    def of_branches(cls, branches: Sequence[tuple[Test, ...]]) -> Prefilter:
        """The prefilter of these alternatives (conjunctions of tests) alone."""
        prefilter = cls()
        prefilter._branches = BranchIndex(branches)
        return prefilter

    @property
    def passes_everything(self) -> bool:
        """Whether some alternative pins nothing, so that every fact passes."""
        return bool(self._branches.unpinned)

    def __call__(self, fact: dict[str, Any]) -> bool:
        return self._branches.any_candidate(fact)

    def keys(self) -> list[str]:
        """The fact keys the index looks at."""
        return sorted({key for keys in self._branches.index for key in keys})
