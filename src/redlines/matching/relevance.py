"""Relevance: could any red line of a ruleset ever give this event a level?

A question to the compiled ruleset, answered by the reference matcher (no engine, no
evaluator): real-data readers use it to count rows that no red line could use as irrelevant.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..compile import CompiledRuleset, compile_ruleset
from ..events import Event
from ..rules.normal import TooComplex, disjuncts
from ..rules.operators import OPERATORS
from ..rules.resolved import Ruleset, Test
from .facts import event_fact
from .reference import predicate

__all__ = ["Relevance"]


class Relevance:
    """``Relevance(ruleset)(event)``: whether any clause or pattern could give *event* a level,
    were its attribution raised to ``confirmed`` (corroboration may still raise it)."""

    def __init__(self, rules: Ruleset | CompiledRuleset) -> None:
        compiled = rules if isinstance(rules, CompiledRuleset) else compile_ruleset(rules)
        self._predicates = [predicate(r.condition) for r in compiled.rules]
        self._conditions = [r.condition for r in compiled.rules]
        self._alts: tuple[list[dict[str, list[Test]]], int] | None = None
        self._masks: dict[tuple[str, Any], int] = {}

    def __call__(self, event: Event) -> bool:
        variants = [event]
        if event.attribution not in ("confirmed", "misattributed"):
            variants.append(event.model_copy(update={"attribution": "confirmed"}))
        facts = [event_fact(v, 0) for v in variants]
        return any(p(f) for f in facts for p in self._predicates)

    def possibly_relevant(self, values: Mapping[str, Collection[Any]]) -> bool:
        """Whether some event whose fields take their values among *values* could be relevant
        (``self(event)`` true): False only when none could.

        *values* maps the names of scalar fields (``kind``, ``actor``, ``location.country``...)
        to the values the field may have, in the fact's vocabulary (None: the field is absent);
        a field not named may have any value or none. Each alternative of each rule's condition
        in disjunctive normal form (as the prefilter reads them) is a conjunction of tests; it
        is ruled out when, for some named field, no value given passes all its tests on that
        field (the operator table's meaning). Real-data readers use this to count whole
        classes of rows as irrelevant without building their events.
        """
        possible = self.alternatives()
        for name, given in values.items():
            possible &= self.passing(name, given)
            if not possible:
                return False
        return True

    def alternatives(self) -> int:
        """The mask of every alternative (bit *i*: the *i*-th) of :meth:`possibly_relevant`:
        an event can be relevant only if, for every field, :meth:`passing` of its value
        keeps a bit of it. Readers of columns AND these masks field by field, as arrays."""
        return self._alternatives()[1]

    def passing(self, name: str, values: Collection[Any]) -> int:
        """The mask of the alternatives that some value of *values* for field *name* passes
        (their tests on that field all hold); for ``attribution``, as :meth:`__call__`, with
        ``confirmed`` added to any other value than ``misattributed``."""
        if name == "attribution" and any(a not in ("confirmed", "misattributed") for a in values):
            values = (*values, "confirmed")
        mask = 0
        for value in values:
            mask |= self._passing(name, value)
        return mask

    def _alternatives(self) -> tuple[list[dict[str, list[Test]]], int]:
        """Every alternative of every rule, as its tests by field, and the mask of them all."""
        if self._alts is None:
            alts: list[dict[str, list[Test]]] = []
            for cond in self._conditions:
                try:
                    branches = disjuncts(cond)
                except TooComplex:  # pragma: no cover - refused when the rules were loaded
                    branches = [()]  # an alternative no field rules out
                for branch in branches:
                    by_field: dict[str, list[Test]] = {}
                    for test in branch:
                        by_field.setdefault(test.field, []).append(test)
                    alts.append(by_field)
            self._alts = (alts, (1 << len(alts)) - 1)
        return self._alts

    def _passing(self, name: str, value: Any) -> int:
        """The mask of the alternatives whose tests on field *name* all hold for *value*."""
        key = (name, value)
        found = self._masks.get(key)
        if found is None:
            found = 0
            for i, by_field in enumerate(self._alternatives()[0]):
                if all(_holds(t, value) for t in by_field.get(name, ())):
                    found |= 1 << i
            self._masks[key] = found
        return found


def _holds(test: Test, value: Any) -> bool:
    """Whether *test* holds of a fact whose field has *value* (None: absent), as the
    reference matcher reads it."""
    operator = OPERATORS[test.op]
    if operator.operand == "flag":
        return (value is not None) is bool(test.value)
    return value is not None and bool(operator.holds(value, test.value))
