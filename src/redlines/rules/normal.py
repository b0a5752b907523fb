"""Conditions in normal form: ``not`` pushed into the tests, and disjunctive normal form.

Semantics shared by both matchers: every test except ``exists: false`` is false on an absent
field, so ``not`` is pushed down with absence-aware De Morgan: ``not (f = v)`` becomes
``f absent or f != v`` (each operator's negation comes from the operator table). A condition
whose disjunctive normal form has more than :data:`MAX_DISJUNCTS` alternatives is refused when
its rule file is loaded; the compiler turns each alternative into one durable rule.
"""

from __future__ import annotations

import math

from .operators import OPERATORS, regex_chunks, regex_safe
from .resolved import FIELDS, All, AnyOf, Cond, Not, Test

__all__ = [
    "FALSE",
    "MAX_DISJUNCTS",
    "TRUE",
    "TooComplex",
    "alternatives",
    "disjuncts",
    "eliminate_not",
    "feasible",
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


def simplify(cond: Cond, *, engine: bool = True) -> Cond:
    """Remove ``Not`` (absence-aware), settle presence tests on always-present fields, and
    flatten nested ``all``/``any``. ``All(())`` is true and ``AnyOf(())`` is false. With
    *engine* (the default), also rewrite what durable-rules cannot take as written: ``in``
    tests whose members a regular expression cannot hold, or too long for one; without it, the
    tests stay as the author wrote them (for explanations and coverage)."""
    cond = eliminate_not(cond)
    if isinstance(cond, Test):
        if cond.op == "exists" and FIELDS[cond.field].always_present:
            return TRUE if cond.value else FALSE
        if OPERATORS[cond.op].operand == "set" and not cond.value:
            # `in: []` never holds; `not_in: []` holds whenever the field has a value.
            return FALSE if cond.op == "in" else simplify(Test(cond.field, "exists", True))
        if not engine:
            return cond
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
        for c in (simplify(i, engine=engine) for i in cond.items):
            if c == FALSE:
                return FALSE
            items.extend(c.items if isinstance(c, All) else [c])
        return items[0] if len(items) == 1 else All(tuple(items))
    assert isinstance(cond, AnyOf)
    alts: list[Cond] = []
    for c in (simplify(i, engine=engine) for i in cond.items):
        if c == TRUE:
            return TRUE
        alts.extend(c.items if isinstance(c, AnyOf) else [c])
    return alts[0] if len(alts) == 1 else AnyOf(tuple(alts))


class TooComplex(ValueError):
    """A condition whose disjunctive normal form exceeds :data:`MAX_DISJUNCTS`."""


def disjuncts(cond: Cond, *, engine: bool = True) -> list[tuple[Test, ...]]:
    """*cond* in disjunctive normal form: a list of conjunctions of tests (an empty list is
    false; an empty conjunction is true). Duplicates are removed, order is kept. More than
    :data:`MAX_DISJUNCTS` alternatives raise :class:`TooComplex`. *engine*: as for
    :func:`simplify`."""
    out = _dnf(simplify(cond, engine=engine))
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


def alternatives(cond: Cond) -> list[tuple[Test, ...]]:
    """The branches of *cond* as its author wrote them: its disjunctive normal form without the
    engine's rewrites, less the branches no event can satisfy (:func:`feasible`): what
    explanations and coverage show."""
    return [branch for branch in disjuncts(cond, engine=False) if feasible(branch)]


def feasible(branch: tuple[Test, ...]) -> bool:
    """Whether some event could satisfy every test of *branch* (a conjunction). Decided per
    field: presence against absence, then the values the field could take: the members of its
    ``eq`` and ``in`` tests, or its whole vocabulary for closed ones (kinds, actor types, ...),
    each checked against every other test with the operator table's meaning; for open fields
    without such a test, the bounds of ``gt``/``ge``/``lt``/``le`` (integers counted as such).
    Sound for every condition the language can write: False only when no event can match."""
    by_field: dict[str, list[Test]] = {}
    for test in branch:
        by_field.setdefault(test.field, []).append(test)
    return all(_field_feasible(name, tests) for name, tests in by_field.items())


def _field_feasible(name: str, tests: list[Test]) -> bool:
    presence = {bool(t.value) for t in tests if OPERATORS[t.op].operand == "flag"}
    values = [t for t in tests if OPERATORS[t.op].operand != "flag"]
    if presence == {True, False} or (False in presence and values):
        return False
    if not values:
        return True
    spec = FIELDS[name]
    candidates: set[object] | None = set(spec.choices) if spec.choices else None
    for t in values:
        if t.op == "eq":
            candidates = {t.value} if candidates is None else candidates & {t.value}
        elif t.op == "in":
            candidates = set(t.value) if candidates is None else candidates & set(t.value)
    if candidates is not None:
        return any(all(OPERATORS[t.op].holds(c, t.value) for t in values) for c in candidates)
    return _range_feasible(values, integer=spec.type == "integer")


def _range_feasible(tests: list[Test], *, integer: bool) -> bool:
    """Whether the order comparisons among *tests* leave some value (``ne`` and ``not_in``
    exclude finitely many values of an open range, which never empties it unless it is one
    point)."""
    low: tuple[float, bool] | None = None  # (bound, inclusive)
    high: tuple[float, bool] | None = None
    for t in tests:
        if t.op in ("gt", "ge"):
            bound = (float(t.value), t.op == "ge")
            if low is None or bound[0] > low[0] or (bound[0] == low[0] and not bound[1]):
                low = bound
        elif t.op in ("lt", "le"):
            bound = (float(t.value), t.op == "le")
            if high is None or bound[0] < high[0] or (bound[0] == high[0] and not bound[1]):
                high = bound
    if low is None or high is None:
        return True
    lo, hi = low[0], high[0]
    if integer:
        lo = float(math.floor(lo) + 1) if not low[1] or lo != math.floor(lo) else lo
        hi = float(math.ceil(hi) - 1) if not high[1] or hi != math.ceil(hi) else hi
        if lo > hi:
            return False
        if lo == hi:
            excluded = {t.value for t in tests if t.op == "ne"}
            excluded |= {v for t in tests if t.op == "not_in" for v in t.value}
            return lo not in excluded
        return True
    if lo < hi:
        return True
    if lo > hi or not (low[1] and high[1]):
        return False
    excluded = {t.value for t in tests if t.op == "ne"}
    excluded |= {v for t in tests if t.op == "not_in" for v in t.value}
    return lo not in excluded
