"""Matching: which rules of a compiled ruleset an event's fact satisfies.

Two matchers answer the same question over the same :class:`~redlines.compile.CompiledRuleset`:

* :class:`DurableMatcher` (``durable.py``), durable-rules itself: what users run, and the only
  module that imports durable;
* :class:`ReferenceMatcher` (``reference.py``), plain Python over the operator table: what
  tests, relevance and explanations use.

They share no code that decides a match; a property test over random rulesets and random
events checks that they always agree.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from .durable import DurableMatcher, engine_for
from .facts import event_fact, field_value
from .prefilter import Prefilter
from .reference import ReferenceMatcher
from .relevance import Relevance

__all__ = [
    "DurableMatcher",
    "Matcher",
    "Prefilter",
    "ReferenceMatcher",
    "Relevance",
    "engine_for",
    "event_fact",
    "field_value",
]


class Matcher(Protocol):
    """Matches facts against one compiled ruleset."""

    def match(self, fact: dict[str, Any], names: Collection[str] | None = None) -> list[str]:
        """The names of the compiled rules (``RL1:clause:x``, ``RL2:pattern:y``) that *fact*
        satisfies, in rule definition order; with *names*, only among those rules."""
        ...
