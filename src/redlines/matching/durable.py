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
  ("shards") of at most :data:`RULES_PER_SHARD` as needed. One index of every alternative
  (``prefilter.py``) gives the alternatives a fact could satisfy, and the fact is asserted only
  into the shards that hold one; alternatives are packed into shards by the test they are
  filed under, so that a fact's candidates share few shards. A thousand red lines cost a fact
  what the few that concern it cost, not a round trip to each of 67 shards.
* ``contains``, ``matches`` and memberships (``in``) read derived flags
  (:meth:`CompiledRuleset.derived`), computed here (with the operator table's Python meaning,
  and set membership) for the alternatives the fact is sent for, and sent with it.
* Result code 1 of an assertion means "no rule matched". Any failure of the engine is raised as
  :class:`EngineError`, after the shard's state is reset, so that one failure does not poison
  the shared engine.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Collection
from typing import Any

import durable_rules_engine as _engine

from ..compile import CompiledRuleset, derived_flags
from ..errors import EngineError
from ..rules.normal import disjuncts
from ..rules.operators import OPERATORS
from ..rules.resolved import Test
from .prefilter import BranchIndex, Pin

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
#: Up to this many wanted rules, their alternatives are checked one by one rather than through
#: the index (a caller asking for the one or two pattern selectors its clauses made relevant).
#: Beyond, the index is cheaper: with 16, nato-2024's clauses were checked one by one, and
#: 50,000 all-relevant events took 5.3 to 6.8 s of CPU against 4.6 s through the index.
_FEW_NAMES = 2


class EngineRuleset:
    """A compiled ruleset created in durable-rules; :meth:`match` returns the rules a fact
    satisfies. This is the :class:`~redlines.matching.Matcher` users run (as
    :data:`DurableMatcher`); build it through :func:`engine_for`, which shares one per distinct
    ruleset.

    Each fact is asserted only into the shards holding an alternative it is a candidate of
    (:class:`~redlines.matching.prefilter.BranchIndex`), with only the derived flags those
    alternatives read; alternatives are packed into shards by the pin they are filed under, so
    that a fact's candidates share few shards. With ``prefilter=False`` every fact is asserted
    into every shard with every flag: the reference path the property tests compare with.
    """

    def __init__(self, compiled: CompiledRuleset, *, prefilter: bool = True) -> None:
        global _REGISTERED
        self.compiled = compiled
        self.prefilter = prefilter
        self._order = {r.name: i for i, r in enumerate(compiled.rules)}
        names: list[str] = []
        owners: list[str] = []
        clause: list[bool] = []
        definitions: list[dict[str, Any]] = []
        branches: list[tuple[Test, ...]] = []
        for rule in compiled.rules:
            for i, (alt, branch) in enumerate(
                zip(rule.alternatives, disjuncts(rule.condition), strict=True), 1
            ):
                names.append(f"{rule.name}#{i}")
                owners.append(rule.name)
                clause.append(rule.role == "clause")
                definitions.append(alt)
                branches.append(branch)
        index = BranchIndex(branches)
        # One index per role as well: a caller asks for clauses, then for pattern selectors,
        # and a fact's candidates among the other role would only be filtered out.
        roles: dict[str, list[int]] = {}
        for i, is_clause in enumerate(clause):
            roles.setdefault("clause" if is_clause else "pattern", []).append(i)
        self._roles = [
            (
                frozenset(owners[i] for i in ids),
                BranchIndex((branches[i] for i in ids), ids),
            )
            for _, ids in sorted(roles.items())
        ]
        self._roles_cache: tuple[Collection[str], list[tuple[BranchIndex, bool]]] | None = None
        # The flags each alternative reads, numbered once for the whole ruleset.
        flag_ids: dict[str, int] = {}
        self._flags: list[tuple[str, str, str, Callable[[Any, Any], bool], Any]] = []
        alt_flags: list[tuple[int, ...]] = []
        for branch in branches:
            ids = []
            for flag, (key, op, operand) in sorted(derived_flags(branch).items()):
                if flag not in flag_ids:
                    flag_ids[flag] = len(self._flags)
                    if op == "in":
                        self._flags.append((flag, key, f"has__{key}", _member, frozenset(operand)))
                    else:
                        self._flags.append((flag, key, f"has__{key}", OPERATORS[op].holds, operand))
                ids.append(flag_ids[flag])
            alt_flags.append(tuple(ids))
        self._keys = sorted(compiled.fact_keys() - set(flag_ids))
        # Clause rules first, then pattern selectors (a caller asks for one or the other);
        # within each, alternatives filed under the same values side by side.
        packed = sorted(
            range(len(definitions)),
            key=lambda i: (not clause[i], _filing(index.pins[i][:1]), i),
        )
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
            shard_of = [0] * len(definitions)
            for start in range(0, max(len(packed), 1), RULES_PER_SHARD):
                shard = f"{self.name}-{len(self.shards) + 1}"
                members = packed[start : start + RULES_PER_SHARD]
                chunk = {names[i]: definitions[i] for i in members}
                for i in members:
                    shard_of[i] = len(self.shards)
                if not chunk:  # a ruleset with no rules still needs a (never-firing) rule
                    chunk = {"none#1": {"all": [{"m": {"_always": 0}}]}}
                try:
                    handle = _engine.create_ruleset(shard, json.dumps(chunk, ensure_ascii=False))
                except Exception as exc:  # durable raises bare Exceptions
                    raise EngineError(f"durable-rules refused a rule: {exc}") from None
                self.shards.append(shard)
                self._handles.append(handle)
        #: per alternative: (its rule's name, its shard, the flags it reads)
        self._alts = [(owners[i], shard_of[i], alt_flags[i]) for i in range(len(definitions))]
        self._alts_of: dict[str, list[int]] = {}
        for i, owner in enumerate(owners):
            self._alts_of.setdefault(owner, []).append(i)
        self._branches = index
        self._all_flags = tuple(range(len(self._flags)))

    def payload(self, fact: dict[str, Any], flags: Collection[int] | None = None) -> str:
        """*fact* as the engine is sent it: its ``id``, the keys the rules read and the derived
        flags numbered *flags* (all of them by default), as JSON."""
        sent = {"id": fact["id"]}
        for key in self._keys:
            if key in fact:
                sent[key] = fact[key]
        for i in sorted(self._all_flags if flags is None else flags):
            flag, key, has, holds, operand = self._flags[i]
            if fact.get(has) == 1:
                sent[flag] = 1 if holds(fact[key], operand) else 0
        return json.dumps(sent, ensure_ascii=False)

    def candidates(self, fact: dict[str, Any], names: Collection[str] | None = None) -> list[int]:
        """The alternatives (numbered in definition order) *fact* could satisfy, of the rules
        *names* (all by default): every other one is false of it. Without the prefilter, all
        of them."""
        if names is None:
            if not self.prefilter:
                return list(range(len(self._alts)))
            return self._branches.candidates(fact)
        if len(names) <= _FEW_NAMES or not self.prefilter:
            wanted = [i for name in names for i in self._alts_of.get(name, ())]
            if not self.prefilter:
                return sorted(wanted)
            return self._branches.candidates_among(fact, sorted(wanted))
        alts = self._alts
        out: list[int] = []
        for index, every in self._indexes_for(names):
            found = index.candidates(fact)
            out.extend(found if every else (i for i in found if alts[i][0] in names))
        return out

    def _indexes_for(self, names: Collection[str]) -> list[tuple[BranchIndex, bool]]:
        """The role indexes holding some of the rules *names*, each with whether *names* holds
        all of its rules (remembered for the last frozenset asked about: callers ask with the
        same one for every fact; a mutable collection could change in between)."""
        cached = self._roles_cache
        if cached is not None and cached[0] is names:
            return cached[1]
        found = [
            (index, owners.issubset(names))
            for owners, index in self._roles
            if not owners.isdisjoint(names)
        ]
        if isinstance(names, frozenset):
            self._roles_cache = (names, found)
        return found

    def match(self, fact: dict[str, Any], names: Collection[str] | None = None) -> list[str]:
        """Assert *fact*, collect every rule that fires, retract it. Names come back in rule
        definition order, whatever order durable fired them in. With *names*, only those
        rules are wanted: alternatives of other rules are not asked about."""
        wanted: Collection[str] | None = names
        if names is not None and not isinstance(names, (set, frozenset, dict)):
            wanted = frozenset(names)
        shards: set[int] = set()
        flags: set[int] = set()
        alts = self._alts
        for i in self.candidates(fact, wanted):
            _, shard, read = alts[i]
            shards.add(shard)
            flags.update(read)
        if not shards:
            return []
        payload = self.payload(fact, flags)
        fired: set[str] = set()
        with _LOCK:
            for shard in sorted(shards):
                _assert_retract(self._handles[shard], payload, fired)
        if wanted is not None:
            fired.intersection_update(wanted)
        return sorted(fired, key=self._order.__getitem__)


def _member(actual: Any, members: Any) -> bool:
    """Whether *actual* is one of *members* (a frozenset): a membership flag's value."""
    return bool(actual in members)


def _filing(first: tuple[Pin, ...]) -> tuple[str, list[str]]:
    """A sort key that puts alternatives whose first pin is the same side by side."""
    if not first:
        return "", []
    key, values = first[0]
    return key, sorted(map(repr, values))


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
