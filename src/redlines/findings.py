"""Findings: why a red line has a level. Shared by the evaluator and the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .events import format_time
from .rules.model import LEVELS

__all__ = ["SOURCES_SHOWN", "Finding", "level_rank", "place_text"]

#: How many of a finding's sources the JSON report lists (with their count): the evidence
#: stays short; the events themselves have them all.
SOURCES_SHOWN = 3


def level_rank(level: str) -> int:
    """clear < warning < crossed."""
    return LEVELS.index(level)


def place_text(location: Any) -> str | None:
    """Where an event happened, as a finding shows it: ``location.place``, ``region`` and
    ``country``, those given, joined by ``", "`` (``Przewodow, PL-06, POL``); None if none is."""
    if location is None:
        return None
    parts = [location.place, location.region, location.country]
    return ", ".join(str(p) for p in parts if p) or None


@dataclass(frozen=True)
class Finding:
    """Why a red line has a level: one event (a clause) or several (a pattern).

    The field names are those of the JSON report (``basis``, ``matched_clauses``); ``kind``
    and ``matched`` are their 0.1 names, kept as read-only properties.
    """

    red_line: str
    level: str
    clause: str
    basis: str  # "event" or "pattern"
    event_ids: tuple[str, ...]
    reason: str
    time: dt.datetime  # the event's time, or when the pattern was completed
    matched_clauses: tuple[str, ...] = ()  # every clause of the red line the event matched
    #: Where: the event's place (:func:`place_text`); for a pattern, the distinct places of
    #: its events joined by ``"; "``. None when no event says.
    place: str | None = None
    #: The event's sources; for a pattern, those of its events, each once, in event order.
    sources: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The 0.1 name of :attr:`basis`."""
        return self.basis

    @property
    def matched(self) -> tuple[str, ...]:
        """The 0.1 name of :attr:`matched_clauses`."""
        return self.matched_clauses

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "event_ids": list(self.event_ids),
            "level": self.level,
            "clause": self.clause,
            "basis": self.basis,
            "time": format_time(self.time),
            "reason": self.reason,
        }
        if self.basis == "event":
            out["matched_clauses"] = list(self.matched_clauses)
        out["place"] = self.place
        out["sources"] = {
            "count": len(self.sources),
            "first": list(self.sources[:SOURCES_SHOWN]),
        }
        return out

    def sort_key(self) -> tuple[Any, ...]:
        return (self.time, self.basis == "pattern", self.event_ids, self.clause)
