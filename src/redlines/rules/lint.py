"""Warnings about a ruleset that loads: what its author probably did not mean.

* **A clause that can never match**: every alternative of its condition (with the red line's
  ``applies_when``, in disjunctive normal form, :mod:`redlines.rules.normal`) tests some field
  in ways no value passes: two different ``eq``, an ``eq`` outside an ``in`` or a range, an
  empty ``in``, ``kind in MILITARY`` and ``kind eq threat``, a field both absent and present.
* **A clause that never names a finding** (it is *shadowed*): every event it matches is also
  matched by a clause of the same red line at a higher level, or at the same level and defined
  before it, and that clause names the finding instead (docs/rules.md, "Clauses"). Decided on
  the normal form: clause C is shadowed when each alternative of C that can hold *implies* some
  alternative of one of those clauses, i.e. for each test of that alternative, every event that
  passes the tests of C's alternative passes it too. This is sound (a warning is never wrong),
  not complete: an alternative covered only by several clauses together is not reported.
* **A pattern that can never select an event**: its selection (``applies_when`` and
  ``select.when``) can never hold, or it selects by ``level`` and no clause of the red line at
  that level can match an event it selects.

Each warning is a :class:`~redlines.errors.Problem` with ``severity="warning"``, located at the
clause's ``when`` (never matches), its ``id`` (shadowed) or the pattern's ``select``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import WARNING, Problem
from ..source import PathKey, Positions, problem_at
from .normal import disjuncts
from .operators import OPERATORS
from .resolved import FIELDS, Cond, FieldSpec, ResolvedClause, ResolvedRedLine, Ruleset, Test

__all__ = ["implies", "lint", "satisfiable"]

Conjunction = tuple[Test, ...]

_RANK = {"warning": 1, "crossed": 2}
#: An integer range of at most this many values is enumerated to decide what it leaves.
_ENUMERABLE = 1024


@dataclass
class _Domain:
    """What the tests of one conjunction allow for one field."""

    spec: FieldSpec
    present: bool | None = None  # True: must have a value; False: must have none
    clash: bool = False  # required both present and absent
    allowed: set[Any] | None = None  # the values it may take (None: any)
    excluded: set[Any] = field(default_factory=set)
    lo: float | None = None
    lo_open: bool = False
    hi: float | None = None
    hi_open: bool = False

    def require(self, present: bool) -> None:
        if self.present is not None and self.present != present:
            self.clash = True
        self.present = present

    def add(self, test: Test) -> None:
        if test.op == "exists":
            self.require(bool(test.value))
            return
        self.require(True)
        if test.op == "eq":
            self._allow({test.value})
        elif test.op == "in":
            self._allow(set(test.value))
        elif test.op == "ne":
            self.excluded.add(test.value)
        elif test.op == "not_in":
            self.excluded.update(test.value)
        elif test.op in ("gt", "ge", "lt", "le"):
            self._bound(test.op, test.value)
        # contains, matches and their negations narrow the values in ways not tracked here:
        # the field must be present, nothing more is assumed (a clause is never wrongly
        # called impossible).

    def _allow(self, values: set[Any]) -> None:
        self.allowed = values if self.allowed is None else self.allowed & values

    def _bound(self, op: str, value: float) -> None:
        if self.spec.type == "integer":  # `gt 2` is `ge 3` for integers
            op, value = {
                "gt": ("ge", math.floor(value) + 1),
                "ge": ("ge", math.ceil(value)),
                "lt": ("le", math.ceil(value) - 1),
                "le": ("le", math.floor(value)),
            }[op]
        if op in ("gt", "ge"):
            is_open = op == "gt"
            if self.lo is None or value > self.lo or (value == self.lo and is_open):
                self.lo, self.lo_open = value, is_open
        else:
            is_open = op == "lt"
            if self.hi is None or value < self.hi or (value == self.hi and is_open):
                self.hi, self.hi_open = value, is_open

    def in_range(self, value: Any) -> bool:
        if self.lo is None and self.hi is None:
            return True
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False  # comparisons hold only on numbers and times
        if self.lo is not None and (value < self.lo or (value == self.lo and self.lo_open)):
            return False
        return not (
            self.hi is not None and (value > self.hi or (value == self.hi and self.hi_open))
        )

    def possible(self) -> set[Any] | None:
        """The values the field may take, when they are finitely many; None when unbounded."""
        values = self.allowed
        if values is None and self.spec.type in ("kind", "enum"):
            values = set(self.spec.choices)
        if values is None and self.lo is not None and self.hi is not None:
            if self.lo == self.hi and not (self.lo_open or self.hi_open):
                values = {self.lo}
            elif self.spec.type == "integer" and self.hi - self.lo < _ENUMERABLE:
                values = set(range(int(self.lo), int(self.hi) + 1))
        if values is None:
            return None
        return {v for v in values if v not in self.excluded and self.in_range(v)}

    def satisfiable(self) -> bool:
        if self.clash:
            return False
        if self.present is not True:
            return True  # absent (or not tested) always can be
        values = self.possible()
        if values is not None:
            return bool(values)
        if self.lo is not None and self.hi is not None:
            return self.lo < self.hi or (self.lo == self.hi and not (self.lo_open or self.hi_open))
        return True

    def must_be_present(self) -> bool:
        return self.present is True or self.spec.always_present

    def implies(self, test: Test) -> bool:
        """Whether every value these tests allow passes *test* (on this field)."""
        if test.op == "exists":
            return self.must_be_present() if test.value else self.present is False
        if not self.must_be_present():
            return False  # an absent field fails every test but `exists: false`
        values = self.possible()
        if test.op in ("eq", "in"):
            members = {test.value} if test.op == "eq" else set(test.value)
            return values is not None and values <= members
        if test.op in ("ne", "not_in"):
            members = {test.value} if test.op == "ne" else set(test.value)
            if values is not None:
                return not (values & members)
            return all(m in self.excluded or not self.in_range(m) for m in members)
        if test.op not in ("gt", "ge", "lt", "le"):  # contains, matches, ...
            return values is not None and all(
                isinstance(v, str) and OPERATORS[test.op].holds(v, test.value) for v in values
            )
        if values is not None:
            return all(self._passes(v, test) for v in values)
        return self._bounded_by(test)

    @staticmethod
    def _passes(value: Any, test: Test) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return bool(
            {
                "gt": value > test.value,
                "ge": value >= test.value,
                "lt": value < test.value,
                "le": value <= test.value,
            }[test.op]
        )

    def _bounded_by(self, test: Test) -> bool:
        bound = test.value
        if test.op in ("gt", "ge"):
            if self.lo is None:
                return False
            return self.lo > bound or (self.lo == bound and (test.op == "ge" or self.lo_open))
        if self.hi is None:
            return False
        return self.hi < bound or (self.hi == bound and (test.op == "le" or self.hi_open))


def _domains(conjunction: Iterable[Test]) -> dict[str, _Domain]:
    out: dict[str, _Domain] = {}
    for test in conjunction:
        domain = out.get(test.field)
        if domain is None:
            domain = out[test.field] = _Domain(FIELDS[test.field])
        domain.add(test)
    return out


def satisfiable(conjunction: Iterable[Test]) -> bool:
    """Whether some event passes every test of *conjunction*."""
    return all(d.satisfiable() for d in _domains(conjunction).values())


def implies(conjunction: Sequence[Test], other: Sequence[Test]) -> bool:
    """Whether every event that passes the tests of *conjunction* (which can hold) passes those
    of *other* too."""
    domains = _domains(conjunction)
    for test in other:
        domain = domains.get(test.field) or _Domain(FIELDS[test.field])
        if not domain.implies(test):
            return False
    return True


def _clashes(conjunction: Iterable[Test]) -> list[str]:
    """Why *conjunction* can never hold, per field."""
    out = []
    for name, domain in _domains(conjunction).items():
        if domain.clash:
            out.append(f"'{name}' would have to be both absent and present")
        elif not domain.satisfiable():
            out.append(f"its tests on '{name}' exclude each other")
    return out


def _never(alternatives: list[Conjunction]) -> str | None:
    """Why a condition of these *alternatives* can never hold, or None when it can."""
    if any(satisfiable(a) for a in alternatives):
        return None
    if not alternatives:
        return "its condition is always false (an empty 'in' or 'any')"
    reasons = list(dict.fromkeys(r for a in alternatives for r in _clashes(a)))
    return "; ".join(reasons)


def _shadowers(j: int, clauses: Sequence[ResolvedClause], ks: Sequence[int]) -> str:
    """``clause 'a' (crossed: a higher level), which names the finding instead``."""
    parts = []
    for k in ks:
        other = clauses[k]
        why = "a higher level" if other.level != clauses[j].level else "defined before it"
        parts.append(f"'{other.id}' ({other.level}: {why})")
    if len(parts) == 1:
        return f"clause {parts[0]}, which names the finding instead"
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"clauses {listed}, which name the finding instead"


@dataclass
class _Linter:
    ruleset: Ruleset
    positions: Positions | None
    found: list[Problem] = field(default_factory=list)

    def warn(self, path: PathKey, message: str, value: Any = None) -> None:
        extra: dict[str, Any] = {} if value is None else {"value": value}
        self.found.append(
            problem_at(
                self.positions, path, message, file=self.ruleset.source, severity=WARNING, **extra
            )
        )

    def red_line(self, i: int, rl: ResolvedRedLine) -> None:
        alternatives = [_alternatives(c.condition) for c in rl.clauses]
        for j, clause in enumerate(rl.clauses):
            path: PathKey = ("red_lines", i, "clauses", j)
            never = _never(alternatives[j])
            if never is not None:
                self.warn((*path, "when"), f"clause '{clause.id}' can never match: {never}")
                continue
            by = _shadowed_by(j, rl.clauses, alternatives)
            if by:
                self.warn(
                    (*path, "id"),
                    f"clause '{clause.id}' never names a finding: every event it matches is "
                    f"also matched by {_shadowers(j, rl.clauses, by)}",
                    value=clause.id,
                )
        for j, pattern in enumerate(rl.patterns):
            path = ("red_lines", i, "patterns", j, "select")
            selected = _alternatives(pattern.condition)
            never = _never(selected)
            if never is not None:
                self.warn(path, f"pattern '{pattern.id}' can never select an event: {never}")
                continue
            if pattern.select_level is None:
                continue
            levels = (
                ("warning", "crossed") if pattern.select_level == "any" else (pattern.select_level,)
            )
            givers = [
                a
                for c, alts in zip(rl.clauses, alternatives, strict=True)
                for a in alts
                if c.level in levels
            ]
            if not any(satisfiable((*s, *g)) for s in selected for g in givers):
                self.warn(
                    path,
                    f"pattern '{pattern.id}' can never select an event: no clause of red line "
                    f"'{rl.id}' at level '{pattern.select_level}' can match the events it selects",
                )


def _alternatives(condition: Cond) -> list[Conjunction]:
    return disjuncts(condition)


def _shadowed_by(
    j: int, clauses: Sequence[ResolvedClause], alternatives: list[list[Conjunction]]
) -> list[int]:
    """The indexes of the clauses that take every event of clause *j* from it, or [] when
    some event may be named by clause *j*."""
    level = _RANK[clauses[j].level]
    before = [
        k
        for k, other in enumerate(clauses)
        if k != j and (_RANK[other.level] > level or (_RANK[other.level] == level and k < j))
    ]
    candidates = [(k, other) for k in before for other in alternatives[k] if satisfiable(other)]
    used: dict[int, None] = {}
    for alternative in alternatives[j]:
        if satisfiable(alternative) and not _covered(alternative, candidates, used, _SPLITS):
            return []
    return sorted(used)


#: At most this many cases are tried when an alternative is split by the values of its fields.
_SPLITS = 256


def _covered(
    alternative: Conjunction,
    candidates: Sequence[tuple[int, Conjunction]],
    used: dict[int, None],
    budget: int,
) -> bool:
    """Whether every event of *alternative* passes one of the *candidates* (recording, in
    *used*, the clauses that do). One candidate implying the alternative settles it; else the
    alternative is split by the values a field can take (``target in [POL, LTU]`` into
    ``target = POL`` and ``target = LTU``), and each case must be covered, within *budget*
    cases."""
    for k, other in candidates:
        if implies(alternative, other):
            used[k] = None
            return True
    for name, domain in sorted(_domains(alternative).items()):
        values = domain.possible() if domain.must_be_present() else None
        if values is None or len(values) < 2 or len(values) > budget:
            continue
        share = budget // len(values)
        cases = [(*alternative, Test(name, "eq", v)) for v in sorted(values, key=repr)]
        return all(_covered(case, candidates, used, share) for case in cases)
    return False


def lint(ruleset: Ruleset, positions: Positions | None = None) -> list[Problem]:
    """The warnings of *ruleset* (see the module's docstring), in file order. *positions* (the
    rule file's, :class:`redlines.source.Positions`) gives them their line and column; the
    loader passes them and keeps the result in ``Ruleset.warnings``."""
    linter = _Linter(ruleset, positions)
    for i, rl in enumerate(ruleset.red_lines):
        linter.red_line(i, rl)
    return linter.found
