"""The durable-rules adapter: the only module that imports durable.

Design, from what durable-rules does (verified in tests/test_engine.py):

* Events are *asserted as facts* and retracted straight after, so every matching rule fires
  (an event posted with ``post`` would be consumed by one rule only).
* One process-wide host, built without durable's dispatcher threads (``_run`` is a no-op):
  actions run synchronously inside ``assert_fact``, so nothing races and no thread leaks.
  Rulesets cannot be removed from a host, so each :class:`EngineRuleset` registers under a
  unique name; rulesets never see each other's facts.
* A lock serialises calls to the host: durable loses messages posted to one state from
  several threads.
* ``MessageNotHandledException`` (no rule matched) means "no match". An exception inside an
  action is stored in the state by durable; it is raised here as :class:`EngineError`.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from typing import Any

from durable.engine import Host, MessageNotHandledException

from .compile import CompiledRuleset
from .errors import EngineError

__all__ = ["EngineRuleset"]


class _SyncHost(Host):  # type: ignore[misc]
    """A durable Host without its two never-ending dispatcher threads."""

    def _run(self) -> None:
        return None


_HOST: _SyncHost | None = None
_LOCK = threading.RLock()
_NAMES = itertools.count(1)


def _host() -> _SyncHost:
    global _HOST
    with _LOCK:
        if _HOST is None:
            _HOST = _SyncHost()
        return _HOST


class EngineRuleset:
    """A compiled ruleset registered in durable-rules; :meth:`match` returns the rules a fact
    satisfies."""

    def __init__(self, compiled: CompiledRuleset) -> None:
        self.compiled = compiled
        self._hits: list[str] = []
        with _LOCK:
            self.name = f"redlines-{next(_NAMES)}-{compiled.name}"
            definitions: dict[str, Any] = {}
            for rule in compiled.rules:
                for i, alt in enumerate(rule.alternatives, 1):
                    definitions[f"{rule.name}#{i}"] = {**alt, "run": self._action(rule.name)}
            _host().register_rulesets({self.name: definitions})

    def _action(self, rule_name: str) -> Any:
        def record(_closure: Any) -> None:
            self._hits.append(rule_name)

        return record

    def match(self, fact: dict[str, Any]) -> list[str]:
        """Assert *fact*, collect every rule that fires, retract it. Names come back in rule
        definition order, whatever order durable fired them in."""
        host = _host()
        with _LOCK:
            self._hits = []
            state = None
            try:
                state = host.assert_fact(self.name, fact)
            except MessageNotHandledException:
                pass
            except Exception as exc:  # durable raises bare Exceptions for engine errors
                raise EngineError(f"durable-rules rejected an event: {exc}") from exc
            finally:
                with contextlib.suppress(MessageNotHandledException):
                    host.retract_fact(self.name, fact)
            if isinstance(state, dict) and state.get("exception"):
                raise EngineError(
                    f"a rule action failed inside durable-rules: {state['exception']}"
                )
            fired = set(self._hits)
        return [r.name for r in self.compiled.rules if r.name in fired]
