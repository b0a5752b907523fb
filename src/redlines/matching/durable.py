"""The durable-rules matcher: the only module that imports durable.

redlines drives durable-rules' C engine (``durable_rules_engine``) directly, without its Python
``Host``: the Host's wrapper encodes every fact two or three times, builds a closure and an
exception per call and runs two dispatcher threads, and cost five times what matching itself
does. Design, from what durable-rules does (verified in tests/test_engine.py):

* Events are *asserted as facts* and retracted straight after, so every matching rule fires
  (an event posted as an event would be consumed by one rule only). After an assertion, the
  rules that fired are read as pending actions (``start_action_for_state``, then
  ``complete_and_start_action`` until none is left), without running any Python action.
* Only the keys the rules read are sent (:meth:`CompiledRuleset.fact_keys`), encoded once.
* A lock serialises calls: the engine is not safe to call from several threads at once.
* durable keeps about 23 MB per ruleset created and frees none of it, even when asked to
  delete one, so rulesets are shared: :func:`engine_for` returns one :class:`EngineRuleset`
  per distinct compiled definition for the life of the process, and a process creates at most
  :data:`MAX_RULESETS`. Sharing is safe because a fact lives only inside one locked
  ``match`` call and all evaluation state (levels, windows) is kept by the caller.
* durable walks its alpha network with a stack of 64 nodes and fails (error 303) when more
  pending branches match one fact; the pending nodes lead to distinct rules, so a ruleset of
  at most 64 rules never overflows it. (A durable ruleset of 512 rules or more also never
  returns from ``assert_fact``.) The rules are therefore spread over as many durable rulesets
  ("shards") of at most :data:`RULES_PER_SHARD` as needed, and each shard has its own
  prefilter (``prefilter.py``): a fact is asserted only into the shards whose rules it could
  match, so adding red lines about other countries costs an index lookup, not a round trip.
* ``contains`` and ``matches`` tests read derived flags (:meth:`CompiledRuleset.derived`),
  computed here with the operator table's Python meaning and sent with the fact.
* Result code 1 of an assertion means "no rule matched". Any failure of the engine is raised as
  :class:`EngineError`, after the shard's state is reset, so that one failure does not poison
  the shared engine.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Collection
from typing import Any

import durable_rules_engine as _engine

from ..compile import CompiledRuleset
from ..errors import EngineError
from ..rules.normal import disjuncts
from ..rules.operators import OPERATORS
from ..rules.resolved import Test
from .prefilter import Prefilter

__all__ = [
    "MAX_RULESETS",
    "RULES_PER_SHARD",
    "DurableMatcher",
    "EngineRuleset",
    "engine_for",
]

#: durable-rules keeps about 23 MB for every ruleset created and cannot release one, so a
#: process creates at most this many (about 4.6 GB); the next raises :class:`EngineError`.
#: Distinct rulesets share nothing, identical ones share one registration (:func:`engine_for`).
MAX_RULESETS = 200
_REGISTERED = 0
_LOCK = threading.RLock()
_NAMES = itertools.count(1)
#: Rules per durable ruleset: durable's alpha-network stack holds 64 nodes (see the module
#: docstring).
RULES_PER_SHARD = 60
#: Assertion results: the fact matched rules (actions are pending) or matched none.
_MATCHED, _NO_MATCH = 0, 1
#: The engine's single state: redlines keeps no state in durable-rules.
_SID = "0"


class EngineRuleset:
    """A compiled ruleset created in durable-rules; :meth:`match` returns the rules a fact
    satisfies. This is the :class:`~redlines.matching.Matcher` users run (as
    :data:`DurableMatcher`); build it through :func:`engine_for`, which shares one per distinct
    ruleset."""

    def __init__(self, compiled: CompiledRuleset) -> None:
        global _REGISTERED
        self.compiled = compiled
        self._derived = [
            (flag, key, f"has__{key}", OPERATORS[op].holds, operand)
            for flag, (key, op, operand) in sorted(compiled.derived().items())
        ]
        self._keys = sorted(compiled.fact_keys() - {flag for flag, *_ in self._derived})
        self._order = {r.name: i for i, r in enumerate(compiled.rules)}
        # Clause rules first, then pattern selectors, so that a caller asking only for clauses
        # (then only for the patterns it needs) touches only their shards.
        ordered = sorted(compiled.rules, key=lambda r: r.role != "clause")
        definitions: list[tuple[str, dict[str, Any]]] = []
        branches: list[tuple[Test, ...]] = []
        owners: list[str] = []
        for rule in ordered:
            for i, (alt, branch) in enumerate(
                zip(rule.alternatives, disjuncts(rule.condition), strict=True), 1
            ):
                definitions.append((f"{rule.name}#{i}", alt))
                branches.append(branch)
                owners.append(rule.name)
        with _LOCK:
            if _REGISTERED >= MAX_RULESETS:
                raise EngineError(
                    f"this process already holds {MAX_RULESETS} distinct rulesets in "
                    "durable-rules, which cannot release them (about 23 MB each): start a new "
                    "process, or raise redlines.matching.durable.MAX_RULESETS"
                )
            _REGISTERED += 1
            self.name = f"redlines-{next(_NAMES)}-{compiled.name}"
            self.shards: list[str] = []
            self._handles: list[int] = []
            self._prefilters: list[Prefilter] = []
            self._rules_in: list[frozenset[str]] = []
            for start in range(0, max(len(definitions), 1), RULES_PER_SHARD):
                shard = f"{self.name}-{len(self.shards) + 1}"
                chunk = dict(definitions[start : start + RULES_PER_SHARD])
                if not chunk:  # a ruleset with no rules still needs a (never-firing) rule
                    chunk = {"none#1": {"all": [{"m": {"_always": 0}}]}}
                try:
                    handle = _engine.create_ruleset(shard, json.dumps(chunk, ensure_ascii=False))
                except Exception as exc:  # durable raises bare Exceptions
                    raise EngineError(f"durable-rules refused a rule: {exc}") from None
                self.shards.append(shard)
                self._handles.append(handle)
                self._prefilters.append(
                    Prefilter.of_branches(branches[start : start + RULES_PER_SHARD])
                )
                self._rules_in.append(frozenset(owners[start : start + RULES_PER_SHARD]))

    def payload(self, fact: dict[str, Any]) -> str:
        """*fact* as the engine is sent it: its ``id`` and the keys the rules read, as JSON."""
        sent = {"id": fact["id"]}
        for key in self._keys:
            if key in fact:
                sent[key] = fact[key]
        for flag, key, has, holds, operand in self._derived:
            if fact.get(has) == 1:
                sent[flag] = 1 if holds(fact[key], operand) else 0
        return json.dumps(sent, ensure_ascii=False)

    def match(self, fact: dict[str, Any], names: Collection[str] | None = None) -> list[str]:
        """Assert *fact*, collect every rule that fires, retract it. Names come back in rule
        definition order, whatever order durable fired them in. With *names*, only those
        rules are wanted: shards holding none of them are not asked."""
        shards = [
            handle
            for handle, prefilter, rules in zip(
                self._handles, self._prefilters, self._rules_in, strict=True
            )
            if (names is None or not rules.isdisjoint(names)) and prefilter(fact)
        ]
        if not shards:
            return []
        payload = self.payload(fact)
        fired: set[str] = set()
        with _LOCK:
            for handle in shards:
                _assert_retract(handle, payload, fired)
        if names is not None:
            fired.intersection_update(names)
        return sorted(fired, key=self._order.__getitem__)


def _assert_retract(handle: int, payload: str, fired: set[str]) -> None:
    try:
        code, state = _engine.assert_fact(handle, payload)
        if code == _MATCHED:
            action = _engine.start_action_for_state(handle, state)
            message = action[1] if action else None
            while message:
                # {"<rule name>#<n>": {...}}: the name is the first key.
                fired.add(message[2 : message.index('"', 2)].rsplit("#", 1)[0])
                message = _engine.complete_and_start_action(handle, state)
        elif code != _NO_MATCH:
            raise EngineError(f"durable-rules answered an assertion with code {code}")
        _engine.retract_fact(handle, payload)
    except EngineError:
        _reset(handle)
        raise
    except Exception as exc:  # durable raises bare Exceptions for engine errors
        _reset(handle)
        raise EngineError(f"durable-rules rejected an event: {exc}") from None


def _reset(handle: int) -> None:
    """Forget a shard's state (its facts and pending actions); redlines keeps none there."""
    try:
        _engine.delete_state(handle, _SID)
    except Exception:  # nothing to forget
        return


_SHARED: dict[str, EngineRuleset] = {}


def engine_for(compiled: CompiledRuleset) -> EngineRuleset:
    """The process-wide engine for *compiled*'s definitions, registered on first use."""
    key = compiled.to_json()
    with _LOCK:
        engine = _SHARED.get(key)
        if engine is None:
            engine = _SHARED[key] = EngineRuleset(compiled)
        return engine


#: The durable-rules :class:`~redlines.matching.Matcher`.
DurableMatcher = EngineRuleset
