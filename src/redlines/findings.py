"""Findings: why a red line has a level. Shared by the evaluator and the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .events import format_time
from .rules.model import LEVELS

__all__ = ["Finding", "level_rank"]


def level_rank(level: str) -> int:
    """clear < warning < crossed."""
    return LEVELS.index(level)


@dataclass(frozen=True)
class Finding:
    """Why a red line has a level: one event (a clause) or several (a pattern)."""

    red_line: str
    level: str
    clause: str
    kind: str  # "event" or "pattern"
    event_ids: tuple[str, ...]
    reason: str
    time: dt.datetime  # the event's time, or when the pattern was completed
    matched: tuple[str, ...] = ()  # every clause of the red line the event matched

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "event_ids": list(self.event_ids),
            "level": self.level,
            "clause": self.clause,
            "basis": self.kind,
            "time": format_time(self.time),
            "reason": self.reason,
        }
        if self.kind == "event":
            out["matched_clauses"] = list(self.matched)
        return out

    def sort_key(self) -> tuple[Any, ...]:
        return (self.time, self.kind == "pattern", self.event_ids, self.clause)
