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
  action is stored in the state by durable; it is raised here as :class:`EngineError`.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from typing import Any

from durable.engine import Host, MessageNotHandledException

from ..compile import CompiledRuleset
from ..errors import EngineError

__all__ = ["RULES_PER_SHARD", "DurableMatcher", "EngineRuleset", "engine_for"]


class _SyncHost(Host):  # type: ignore[misc]
    """A durable Host without its two never-ending dispatcher threads."""

    def _run(self) -> None:
        return None


_HOST: _SyncHost | None = None
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
        with _LOCK:
            self.name = f"redlines-{next(_NAMES)}-{compiled.name}"
            self.shards: list[str] = []
            for start in range(0, max(len(definitions), 1), RULES_PER_SHARD):
                shard = f"{self.name}-{len(self.shards) + 1}"
                chunk = dict(definitions[start : start + RULES_PER_SHARD])
                if not chunk:  # a ruleset with no rules still needs a (never-firing) rule
                    chunk = {"none": {"all": [{"m": {"_always": 0}}], "run": self._action("")}}
                _host().register_rulesets({shard: chunk})
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
            raise EngineError(f"durable-rules rejected an event: {exc}") from exc
        finally:
            with contextlib.suppress(MessageNotHandledException):
                host.retract_fact(shard, fact)
        if isinstance(state, dict) and state.get("exception"):
            raise EngineError(f"a rule action failed inside durable-rules: {state['exception']}")


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
