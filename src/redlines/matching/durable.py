"""The durable-rules matcher: the only module that imports durable.

Design, from what durable-rules does (verified in tests/test_engine.py):

* Events are *asserted as facts* and retracted straight after, so every matching rule fires
  (an event posted with ``post`` would be consumed by one rule only).
* One process-wide host, built without durable's dispatcher threads (``_run`` is a no-op):
  actions run synchronously inside ``assert_fact``, so nothing races and no thread leaks.
  Rulesets cannot be removed from a host, so each :class:`EngineRuleset` registers under a
  unique name; rulesets never see each other's facts.
* A lock serialises calls to the host: durable loses messages posted to one state from
  several threads.
* durable keeps about 20 MB per registered ruleset and cannot unregister one, so rulesets are
  shared: :func:`engine_for` returns one :class:`EngineRuleset` per distinct compiled
  definition for the life of the process. Sharing is safe because a fact lives only inside one
  locked ``match`` call and all evaluation state (levels, windows) is kept by the caller.
* A durable ruleset of 512 rules or more never returns from ``assert_fact`` (511 is fine), so
  the rules are spread over as many durable rulesets ("shards") of at most
  :data:`RULES_PER_SHARD` as needed, and a fact is asserted into each.
* ``MessageNotHandledException`` (no rule matched) means "no match". An exception inside an
  action is stored in the state by durable, which then reports it for every later fact; it is
  raised here once as :class:`EngineError` and the state is dropped, so that one failure does
  not poison the shared engine.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from typing import Any

from durable.engine import Host, MessageNotHandledException

from ..compile import CompiledRuleset
from ..errors import EngineError

__all__ = [
    "MAX_RULESETS",
    "RULES_PER_SHARD",
    "DurableMatcher",
    "EngineRuleset",
    "engine_for",
]


class _SyncHost(Host):  # type: ignore[misc]
    """A durable Host without its two never-ending dispatcher threads."""

    def _run(self) -> None:
        return None


_HOST: _SyncHost | None = None
#: durable-rules keeps about 23 MB for every ruleset registered and cannot release one, so a
#: process registers at most this many (about 4.6 GB); the next raises :class:`EngineError`.
#: Distinct rulesets share nothing, identical ones share one registration (:func:`engine_for`).
MAX_RULESETS = 200
_REGISTERED = 0
_LOCK = threading.RLock()
_NAMES = itertools.count(1)
#: Rules per durable ruleset; durable hangs from 512 on (see the module docstring).
RULES_PER_SHARD = 256


def _host() -> _SyncHost:
    global _HOST
    with _LOCK:
        if _HOST is None:
            _HOST = _SyncHost()
        return _HOST


class EngineRuleset:
    """A compiled ruleset registered in durable-rules; :meth:`match` returns the rules a fact
    satisfies. This is the :class:`~redlines.matching.Matcher` users run (as
    :data:`DurableMatcher`); build it through :func:`engine_for`, which shares one per distinct
    ruleset."""

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.compiled = compiled
        self._hits: list[str] = []
        definitions = [
            (name, {**alt, "run": self._action(name.rsplit("#", 1)[0])})
            for name, alt in compiled.definitions().items()
        ]
        global _REGISTERED
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
            for start in range(0, max(len(definitions), 1), RULES_PER_SHARD):
                shard = f"{self.name}-{len(self.shards) + 1}"
                chunk = dict(definitions[start : start + RULES_PER_SHARD])
                if not chunk:  # a ruleset with no rules still needs a (never-firing) rule
                    chunk = {"none": {"all": [{"m": {"_always": 0}}], "run": self._action("")}}
                try:
                    _host().register_rulesets({shard: chunk})
                except Exception as exc:  # durable raises bare Exceptions
                    raise EngineError(f"durable-rules refused a rule: {exc}") from None
                self.shards.append(shard)

    def _action(self, rule_name: str) -> Any:
        def record(_closure: Any) -> None:
            self._hits.append(rule_name)

        return record

    def match(self, fact: dict[str, Any]) -> list[str]:
        """Assert *fact*, collect every rule that fires, retract it. Names come back in rule
        definition order, whatever order durable fired them in."""
        with _LOCK:
            self._hits = []
            for shard in self.shards:
                self._assert_retract(shard, fact)
            fired = set(self._hits)
        return [r.name for r in self.compiled.rules if r.name in fired]

    @staticmethod
    def _assert_retract(shard: str, fact: dict[str, Any]) -> None:
        host = _host()
        state = None
        try:
            state = host.assert_fact(shard, fact)
        except MessageNotHandledException:
            pass
        except Exception as exc:  # durable raises bare Exceptions for engine errors
            # Nothing was asserted, so nothing is retracted; the shard's state is reset in
            # case durable kept part of it.
            _reset(host, shard)
            raise EngineError(f"durable-rules rejected an event: {exc}") from None
        try:
            with contextlib.suppress(MessageNotHandledException):
                host.retract_fact(shard, fact)
        except Exception as exc:
            _reset(host, shard)
            raise EngineError(f"durable-rules could not retract an event: {exc}") from None
        if isinstance(state, dict) and state.get("exception"):
            # durable keeps an action's exception in the state and reports it for every later
            # fact: drop that state so that one failure does not poison the shared engine.
            _reset(host, shard)
            raise EngineError(f"a rule action failed inside durable-rules: {state['exception']}")


def _reset(host: _SyncHost, shard: str) -> None:
    """Forget *shard*'s state (its facts and any stored exception); redlines keeps none there."""
    with contextlib.suppress(Exception):
        host.delete_state(shard, None)


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
