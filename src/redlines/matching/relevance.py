"""Relevance: could any red line of a ruleset ever give this event a level?

A question to the compiled ruleset, answered by the reference matcher (no engine, no
evaluator): real-data readers use it to count rows that no red line could use as irrelevant.
"""

from __future__ import annotations

from ..compile import CompiledRuleset, compile_ruleset
from ..events import Event
from ..rules.resolved import Ruleset
from .facts import event_fact
from .reference import predicate

__all__ = ["Relevance"]


class Relevance:
    """``Relevance(ruleset)(event)``: whether any clause or pattern could give *event* a level,
    were its attribution raised to ``confirmed`` (corroboration may still raise it)."""

    def __init__(self, rules: Ruleset | CompiledRuleset) -> None:
        compiled = rules if isinstance(rules, CompiledRuleset) else compile_ruleset(rules)
        self._predicates = [predicate(r.condition) for r in compiled.rules]

    def __call__(self, event: Event) -> bool:
        variants = [event]
        if event.attribution not in ("confirmed", "misattributed"):
            variants.append(event.model_copy(update={"attribution": "confirmed"}))
        facts = [event_fact(v, 0) for v in variants]
        return any(p(f) for f in facts for p in self._predicates)
