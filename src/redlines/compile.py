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

``in`` with two members or more (a set membership) also tests a derived flag,
``<key>__in__<digest>`` (:func:`membership_key`), 1 when the fact's value is a member: durable's
own form, one ``$mt`` regular expression, costs about 0.3 MB once durable has compiled it
(the 6,000 of 1,000 generated red lines took 1.8 GB), while a flag is one equality test. The
engine's caller computes the flags of the rules it asks (``matching/durable.py``).
:func:`redlines.rules.normal.simplify` still splits memberships a regular expression could not
hold into ``eq`` alternatives, and long ones into several: neither changes what a rule means.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .rules.normal import disjuncts
from .rules.operators import OPERATORS, derived_key
from .rules.resolved import FIELDS, Cond, Ruleset, Test

__all__ = [
    "ALWAYS",
    "CompiledRule",
    "CompiledRuleset",
    "compile_ruleset",
    "derived_flags",
    "membership_key",
]

#: A key every fact holds (with the value 1), for rules with no test at all.
ALWAYS = "_always"


def membership_key(key: str, members: tuple[Any, ...]) -> str:
    """The fact key of the flag (1 or 0) that says whether the field at *key* is one of
    *members* (an ``in`` of two members or more): the form durable-rules tests."""
    text = json.dumps(list(members), ensure_ascii=False, separators=(",", ":"))
    return f"{key}__in__{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


def _term(test: Test) -> list[dict[str, Any]]:
    spec = FIELDS[test.field]
    has = f"has__{spec.key}"
    operator = OPERATORS[test.op]
    if operator.operand == "flag":
        return [{has: 1 if test.value else 0}]
    if test.op == "in" and len(test.value) > 1:
        return [{membership_key(spec.key, test.value): 1}]
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

    def derived(self) -> dict[str, tuple[str, str, Any]]:
        """The derived flags the definitions read: flag key -> (the field's fact key, the
        positive operator, its operand): ``contains``, ``matches`` and their case-insensitive
        forms, and ``in`` (memberships of two members or more, :func:`membership_key`). The
        flag is 1 when the operator holds of the fact's value, 0 when it does not; it is left
        out when the field is absent."""
        out: dict[str, tuple[str, str, Any]] = {}
        for rule in self.rules:
            for conj in disjuncts(rule.condition):
                out.update(derived_flags(conj))
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


def derived_flags(conj: tuple[Test, ...]) -> dict[str, tuple[str, str, Any]]:
    """The derived flags one alternative (a conjunction of tests) reads, as
    :meth:`CompiledRuleset.derived` gives them."""
    out: dict[str, tuple[str, str, Any]] = {}
    for test in conj:
        key = FIELDS[test.field].key
        if OPERATORS[test.op].derived:
            positive = test.op.removeprefix("not_")
            out[derived_key(positive, key, test.value)] = (key, positive, test.value)
        elif test.op == "in" and len(test.value) > 1:
            out[membership_key(key, test.value)] = (key, "in", test.value)
    return out


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
