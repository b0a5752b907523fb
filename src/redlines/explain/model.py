"""What an explanation holds, as data (``to_dict``: the JSON form of ``redlines explain``) and
as plain text (``str()``: its text form). Operator wording comes from the operator table
(:meth:`redlines.rules.operators.Operator.fails`); nothing here decides a match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from ..errors import printable
from ..events import format_time
from ..findings import level_rank
from ..rules.operators import OPERATORS, show

__all__ = [
    "Check",
    "ClauseExplanation",
    "Explanation",
    "PatternExplanation",
    "RedLineExplanation",
    "short_time",
]


def short_time(value: dt.datetime) -> str:
    """A time in explanation text: ``2025-10-04T00:00Z`` (seconds only when there are some)."""
    utc = value.astimezone(dt.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ" if utc.second else "%Y-%m-%dT%H:%MZ")


def _plural(n: int, noun: str, verb: str) -> str:
    """``1 condition fails``, ``2 conditions fail``."""
    return f"{n} {noun} {verb}s" if n == 1 else f"{n} {noun}s {verb}"


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _ordinal(n: int) -> str:
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Check:
    """One condition of a clause's alternative, checked against the event. ``expected`` and
    ``actual`` are as in the event format (times in ISO 8601, sets as sorted lists);
    ``actual`` is None when the event has no value."""

    field: str
    op: str
    expected: Any
    actual: Any
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # field, op, expected, actual, ok

    def failure(self) -> str:
        """``actor_type is 'individuals', needs 'state_forces'``."""
        return OPERATORS[self.op].fails(self.field, self.actual, self.expected)

    def value(self) -> str:
        """``actor 'RUS'``: the event's value that the condition read."""
        return f"{self.field} {show(self.actual)}"


@dataclass(frozen=True)
class ClauseExplanation:
    """One clause: whether the event matched it and, through its nearest alternative, why.
    ``possible`` is False for a clause whose condition no event can satisfy."""

    clause: str
    level: str
    matched: bool
    failed: int
    conditions: tuple[Check, ...]
    possible: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "level": self.level,
            "matched": self.matched,
            "failed": self.failed,
            "conditions": [c.to_dict() for c in self.conditions],
        }

    def why(self) -> str:
        """``matched on actor 'BLR', ...``, ``1 condition fails: ...`` or ``can never match``."""
        if self.matched:
            values = ", ".join(dict.fromkeys(c.value() for c in self.conditions))
            return f"matched on {values}" if values else "matched (no condition)"
        if not self.possible:
            return "can never match"
        failing = "; ".join(c.failure() for c in self.conditions if not c.ok)
        return f"{_plural(self.failed, 'condition', 'fail')}: {failing}"

    def line(self) -> str:
        return f"{self.clause} ({self.level}): {self.why()}"


@dataclass(frozen=True)
class PatternExplanation:
    """One pattern: whether the event is selected, its group (``key``), the group's events in
    the window the event joins or could join, how many there are and are needed, and the last
    time a further event would still complete it. ``level`` (the pattern's) and ``unselected``
    (why the event is not selected) are for the text form only."""

    pattern: str
    level: str
    selected: bool
    key: str
    events: tuple[str, ...]
    count: int
    need: int
    window_ends: dt.datetime
    unselected: str = ""

    @property
    def complete(self) -> bool:
        return self.selected and self.count >= self.need

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "selected": self.selected,
            "key": self.key,
            "events": list(self.events),
            "count": self.count,
            "need": self.need,
            "window_ends": format_time(self.window_ends),
        }

    def line(self, *, ids: bool = False) -> str:
        """``probing POL: 2 of 3 in the window; a third by 2025-10-04T00:00Z completes it``;
        with *ids*, the window's events follow ``in the window``."""
        name = f"{self.pattern} {self.key}" if self.key else self.pattern
        window = "in the window" + (f" ({', '.join(self.events)})" if ids and self.events else "")
        tally = f"{self.count} of {self.need} {window}"
        if not self.selected:
            held = f"the window around it holds {self.count}" + (
                f" ({', '.join(self.events)})" if ids and self.events else ""
            )
            return f"{name}: not selected ({self.unselected}); {held} ({self.need} needed)"
        if self.count >= self.need:
            return f"{name}: {tally}: complete ({self.level})"
        missing = self.need - self.count
        by = short_time(self.window_ends)
        if missing == 1:
            return f"{name}: {tally}; a {_ordinal(self.need)} by {by} completes it"
        return f"{name}: {tally}; {missing} more by {by} complete it"


@dataclass(frozen=True)
class RedLineExplanation:
    """What one red line made of the event: its level (as in the report), every clause and
    every pattern."""

    id: str
    level: str
    clauses: tuple[ClauseExplanation, ...]
    patterns: tuple[PatternExplanation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "clauses": [c.to_dict() for c in self.clauses],
            "patterns": [p.to_dict() for p in self.patterns],
        }

    def clause(self, clause_id: str) -> ClauseExplanation:
        for c in self.clauses:
            if c.clause == clause_id:
                return c
        raise KeyError(clause_id)

    def nearest(self, above: str | None = None) -> ClauseExplanation | None:
        """The unmatched clause nearest to matching (fewest failing conditions; ties: the first
        defined) among those of a level higher than *above* (default: this red line's level)."""
        floor = level_rank(self.level if above is None else above)
        candidates = [
            c for c in self.clauses if not c.matched and c.possible and level_rank(c.level) > floor
        ]
        return min(candidates, key=lambda c: c.failed, default=None)

    def finding_clause(self) -> ClauseExplanation | None:
        """The clause that names the event's own finding: the first defined at the highest
        level the event matched; None when it matched none."""
        matched = [c for c in self.clauses if c.matched]
        top = max((level_rank(c.level) for c in matched), default=None)
        return next((c for c in matched if level_rank(c.level) == top), None)

    def headline(self) -> str:
        """``RL1 clear — nearest: a-military-action (crossed), 1 condition fails: ...``."""
        parts: list[str] = []
        if self.level != "clear":
            by = self.finding_clause()
            if by is not None and by.level == self.level:
                name, others = (
                    by.clause,
                    [c.clause for c in self.clauses if c.matched and c is not by],
                )
            else:
                pattern = next(p for p in self.patterns if p.complete and p.level == self.level)
                name, others = (
                    f"pattern {pattern.pattern}",
                    [c.clause for c in self.clauses if c.matched],
                )
            parts.append(f"by {name}" + (f", also matched {', '.join(others)}" if others else ""))
        nearest = self.nearest()
        if nearest is not None:
            parts.append(f"nearest: {nearest.clause} ({nearest.level}), {nearest.why()}")
        return f"{self.id} {self.level}" + (f" — {'; '.join(parts)}" if parts else "")

    def lines(self) -> list[str]:
        """The headline, then each clause and each pattern, indented."""
        out = [self.headline()]
        out += [f"  {c.line()}" for c in self.clauses]
        out += [f"  {p.line()}" for p in self.patterns]
        return out


@dataclass(frozen=True)
class Explanation:
    """What every red line made of one event: ``str()`` is the text form of
    ``redlines explain``, :meth:`to_dict` (and :meth:`to_json`) its JSON form."""

    file: str | None
    event: str
    redlines: tuple[RedLineExplanation, ...]

    def red_line(self, red_line_id: str) -> RedLineExplanation:
        for r in self.redlines:
            if r.id == red_line_id:
                return r
        raise KeyError(red_line_id)

    def only(self, red_line_id: str) -> Explanation:
        """The explanation of one red line (a KeyError for an unknown id)."""
        return Explanation(self.file, self.event, (self.red_line(red_line_id),))

    def levels(self) -> dict[str, str]:
        return {r.id: r.level for r in self.redlines}

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "event": self.event,
            "redlines": [r.to_dict() for r in self.redlines],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def __str__(self) -> str:
        head = f"event {self.event}" + (f" in {self.file}" if self.file else "")
        lines = [head] + [line for r in self.redlines for line in r.lines()]
        return "\n".join(printable(line) for line in lines) + "\n"
