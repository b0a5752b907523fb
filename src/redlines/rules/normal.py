"""Conditions in normal form: ``not`` pushed into the tests, and disjunctive normal form.

Semantics shared by both matchers: every test except ``exists: false`` is false on an absent
field, so ``not`` is pushed down with absence-aware De Morgan: ``not (f = v)`` becomes
``f absent or f != v`` (each operator's negation comes from the operator table). A condition
whose disjunctive normal form has more than :data:`MAX_DISJUNCTS` alternatives is refused when
its rule file is loaded; the compiler turns each alternative into one durable rule.
"""

from __future__ import annotations

from .operators import OPERATORS, regex_chunks, regex_safe
from .resolved import FIELDS, All, AnyOf, Cond, Not, Test

__all__ = [
    "FALSE",
    "MAX_DISJUNCTS",
    "TRUE",
    "TooComplex",
    "disjuncts",
    "eliminate_not",
    "negate",
    "simplify",
]


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
        if OPERATORS[cond.op].operand == "set" and not cond.value:
            # `in: []` never holds; `not_in: []` holds whenever the field has a value.
            return FALSE if cond.op == "in" else simplify(Test(cond.field, "exists", True))
        if cond.op == "in" and not regex_safe(cond.value):
            # Members a whole-string regex cannot hold (numbers, spaces, dots): one alternative
            # per member, so each becomes its own durable rule.
            return AnyOf(tuple(Test(cond.field, "eq", v) for v in cond.value))
        if cond.op == "in" and len(chunks := regex_chunks(cond.value)) > 1:
            # A membership too long for one durable regex: one alternative per run of members.
            return AnyOf(tuple(Test(cond.field, "in", chunk) for chunk in chunks))
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
