"""Compile a resolved ruleset into durable-rules definitions: plain, deterministic data.

This module never imports durable; :mod:`redlines.matching.durable` is the only one that does.
Each clause and each pattern selector becomes one durable rule per alternative of its condition
in disjunctive normal form (:mod:`redlines.rules.normal`), over a *fact*
(:mod:`redlines.matching.facts`): the event flattened with ``location.region`` as
``location__region``, times as epoch seconds and a ``has__<field>`` flag (1/0) per field.
Absence is tested through those flags because durable-rules' ``$nex`` loops on facts without
the field. Each test's durable form comes from the operator table.

``contains``, ``matches`` and their negations test a *derived* flag
(:func:`redlines.rules.operators.derived_key`), 1 or 0, that the engine's caller computes in
Python for each fact (:meth:`CompiledRuleset.derived`; see :mod:`redlines.rules.operators`
for why durable-rules' regular expressions are not used).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .rules.normal import disjuncts
from .rules.operators import OPERATORS, derived_key
from .rules.resolved import FIELDS, Cond, Ruleset, Test

__all__ = ["ALWAYS", "CompiledRule", "CompiledRuleset", "compile_ruleset"]

#: A key every fact holds (with the value 1), for rules with no test at all.
ALWAYS = "_always"


def _term(test: Test) -> list[dict[str, Any]]:
    spec = FIELDS[test.field]
    has = f"has__{spec.key}"
    operator = OPERATORS[test.op]
    if operator.operand == "flag":
        return [{has: 1 if test.value else 0}]
    guard = [{has: 1}] if operator.guard and not spec.always_present else []
    return [*guard, *operator.durable(spec.key, test.value)]


def _conjunction(conj: tuple[Test, ...]) -> dict[str, Any]:
    terms = [t for test in conj for t in _term(test)]
    if not terms:
        return {ALWAYS: 1}
    return terms[0] if len(terms) == 1 else {"$and": terms}


@dataclass(frozen=True)
class CompiledRule:
    """One durable rule: which red line and clause (or pattern selector) it stands for."""

    name: str
    red_line: str
    part: str  # clause or pattern id
    role: str  # "clause" or "pattern"
    condition: Cond  # the resolved condition, for the Python interpreter
    alternatives: tuple[dict[str, Any], ...]  # one durable rule (without action) per disjunct


@dataclass(frozen=True)
class CompiledRuleset:
    name: str
    rules: tuple[CompiledRule, ...]

    def definitions(self) -> dict[str, dict[str, Any]]:
        """The durable-rules ruleset definition (rule name -> rule), without actions. A rule
        whose condition has several alternatives becomes ``name#1``, ``name#2``, ..."""
        out: dict[str, dict[str, Any]] = {}
        for rule in self.rules:
            for i, alt in enumerate(rule.alternatives, 1):
                out[f"{rule.name}#{i}"] = alt
        return out

    def derived(self) -> dict[str, tuple[str, str, str]]:
        """The derived flags the definitions read: flag key -> (the field's fact key, the
        positive operator, its operand). The flag is 1 when the operator holds of the fact's
        value, 0 when it does not; it is left out when the field is absent."""
        out: dict[str, tuple[str, str, str]] = {}
        for rule in self.rules:
            for conj in disjuncts(rule.condition):
                for test in conj:
                    if OPERATORS[test.op].derived:
                        key = FIELDS[test.field].key
                        positive = test.op.removeprefix("not_")
                        out[derived_key(positive, key, test.value)] = (key, positive, test.value)
        return out

    def fact_keys(self) -> frozenset[str]:
        """The keys of a fact that the definitions read: what the engine needs to be sent."""
        keys: set[str] = set()
        for alt in self.definitions().values():
            for term in alt["all"]:
                _keys_of(term["m"], keys)
        return frozenset(keys)

    def to_json(self) -> str:
        """Canonical JSON of the definitions, for golden files and diffs."""
        return json.dumps(self.definitions(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _keys_of(term: dict[str, Any], keys: set[str]) -> None:
    for key, value in term.items():
        if key in ("$and", "$or"):
            for item in value:
                _keys_of(item, keys)
        elif key.startswith("$"):  # $neq, $gt, $mt, ...: {op: {fact key: value}}
            keys.update(value)
        else:
            keys.add(key)


def compile_ruleset(ruleset: Ruleset) -> CompiledRuleset:
    """Each clause and each pattern selector of *ruleset* -> one durable rule."""
    rules: list[CompiledRule] = []
    for rl in ruleset.red_lines:
        for clause in rl.clauses:
            name = f"{rl.id}:clause:{clause.id}"
            rules.append(_rule(name, rl.id, clause.id, "clause", clause.condition))
        for pattern in rl.patterns:
            name = f"{rl.id}:pattern:{pattern.id}"
            rules.append(_rule(name, rl.id, pattern.id, "pattern", pattern.condition))
    return CompiledRuleset(ruleset.name, tuple(rules))


def _rule(name: str, red_line: str, part: str, role: str, condition: Cond) -> CompiledRule:
    alts = tuple({"all": [{"m": _conjunction(conj)}]} for conj in disjuncts(condition))
    return CompiledRule(name, red_line, part, role, condition, alts)
