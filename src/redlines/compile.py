"""Compile a resolved ruleset into durable-rules definitions: plain, deterministic data.

This module never imports durable; :mod:`redlines.engine` is the only one that does. Each
clause and each pattern selector becomes one durable rule over a *fact*: the event flattened
by :func:`event_fact`, with ``location.region`` as ``location__region``, times as epoch
seconds and a ``has__<field>`` flag (1/0) per field. Absence is tested through those flags
because durable-rules' ``$nex`` loops on facts without the field.

Semantics (shared with :mod:`redlines.interpret`): every test except ``exists: false`` is
false on an absent field; ``not`` is pushed down with De Morgan's laws, so ``not (f = v)``
becomes ``f absent or f != v``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .rules.operators import OPERATORS, regex_safe
from .rules.resolved import FIELDS, All, AnyOf, Cond, Not, Ruleset, Test

__all__ = [
    "MAX_DISJUNCTS",
    "CompiledRule",
    "CompiledRuleset",
    "TooComplex",
    "compile_ruleset",
    "disjuncts",
    "negate",
    "simplify",
]

#: A key every fact holds (with the value 1), for rules with no test at all.
ALWAYS = "_always"


def negate(cond: Cond) -> Cond:
    """The negation of *cond* with no ``Not`` left in it (absence-aware De Morgan)."""
    if isinstance(cond, Not):
        return eliminate_not(cond.item)
    if isinstance(cond, All):
        return AnyOf(tuple(negate(c) for c in cond.items))
    if isinstance(cond, AnyOf):
        return All(tuple(negate(c) for c in cond.items))
    if OPERATORS[cond.op].operand == "flag":
        return Test(cond.field, cond.op, not cond.value)
    absent = Test(cond.field, "exists", False)
    return AnyOf((absent, Test(cond.field, OPERATORS[cond.op].negation, cond.value)))


def eliminate_not(cond: Cond) -> Cond:
    """*cond* with every ``Not`` pushed into the leaves."""
    if isinstance(cond, Not):
        return negate(cond.item)
    if isinstance(cond, All):
        return All(tuple(eliminate_not(c) for c in cond.items))
    if isinstance(cond, AnyOf):
        return AnyOf(tuple(eliminate_not(c) for c in cond.items))
    return cond


TRUE: Cond = All(())
FALSE: Cond = AnyOf(())
#: Above this many conjunctions a condition is refused as too complex to compile.
MAX_DISJUNCTS = 512


def simplify(cond: Cond) -> Cond:
    """Remove ``Not`` (absence-aware), settle presence tests on always-present fields, and
    flatten nested ``all``/``any``. ``All(())`` is true and ``AnyOf(())`` is false."""
    cond = eliminate_not(cond)
    if isinstance(cond, Test):
        if cond.op == "exists" and FIELDS[cond.field].always_present:
            return TRUE if cond.value else FALSE
        if cond.op == "in" and not regex_safe(cond.value):
            # Members a whole-string regex cannot hold (numbers, spaces, dots): one alternative
            # per member, so each becomes its own durable rule.
            return AnyOf(tuple(Test(cond.field, "eq", v) for v in cond.value))
        return cond
    if isinstance(cond, All):
        items: list[Cond] = []
        for c in (simplify(i) for i in cond.items):
            if c == FALSE:
                return FALSE
            items.extend(c.items if isinstance(c, All) else [c])
        return items[0] if len(items) == 1 else All(tuple(items))
    assert isinstance(cond, AnyOf)
    alts: list[Cond] = []
    for c in (simplify(i) for i in cond.items):
        if c == TRUE:
            return TRUE
        alts.extend(c.items if isinstance(c, AnyOf) else [c])
    return alts[0] if len(alts) == 1 else AnyOf(tuple(alts))


class TooComplex(ValueError):
    """A condition whose disjunctive normal form exceeds :data:`MAX_DISJUNCTS`."""


def disjuncts(cond: Cond) -> list[tuple[Test, ...]]:
    """*cond* in disjunctive normal form: a list of conjunctions of tests (an empty list is
    false; an empty conjunction is true). Duplicates are removed, order is kept. More than
    :data:`MAX_DISJUNCTS` alternatives raise :class:`TooComplex`."""
    out = _dnf(simplify(cond))
    seen: dict[tuple[Test, ...], None] = {}
    for conj in out:
        seen.setdefault(tuple(dict.fromkeys(conj)), None)
    return _bounded(list(seen))


def _bounded(out: list[tuple[Test, ...]]) -> list[tuple[Test, ...]]:
    if len(out) > MAX_DISJUNCTS:
        raise TooComplex(
            f"the condition expands to more than {MAX_DISJUNCTS} alternatives; "
            "split it into several clauses"
        )
    return out


def _dnf(cond: Cond) -> list[tuple[Test, ...]]:
    if isinstance(cond, Test):
        return [(cond,)]
    if isinstance(cond, AnyOf):
        return _bounded([d for c in cond.items for d in _dnf(c)])
    assert isinstance(cond, All)
    out: list[tuple[Test, ...]] = [()]
    for item in cond.items:
        out = _bounded([(*left, *right) for left in out for right in _dnf(item)])
    return out


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

    def to_json(self) -> str:
        """Canonical JSON of the definitions, for golden files and diffs."""
        return json.dumps(self.definitions(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
