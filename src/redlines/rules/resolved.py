"""The checked, resolved form of a rule file: what the compiler and the interpreter read.

Named conditions are inlined, set names are replaced by their (normalised, sorted) members,
and every value is in the event's own vocabulary (countries as ISO alpha-3, times as epoch
seconds). Nothing here refers back to YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import Problem
from .model import LEVELS, Provenance, RuleFile

__all__ = [
    "FIELDS",
    "All",
    "AnyOf",
    "Cond",
    "FieldSpec",
    "Not",
    "ResolvedClause",
    "ResolvedPattern",
    "ResolvedRedLine",
    "Ruleset",
    "Test",
]

FieldType = Literal[
    "country", "kind", "enum", "region", "text", "number", "integer", "time", "list"
]


@dataclass(frozen=True)
class FieldSpec:
    """An event field that rules may test, with its type and its key in the engine's fact."""

    name: str
    type: FieldType
    key: str
    choices: tuple[str, ...] = ()
    always_present: bool = False  # required or defaulted in every Event


def _spec(
    name: str, type_: FieldType, choices: tuple[str, ...] = (), *, always: bool = False
) -> FieldSpec:
    return FieldSpec(name, type_, name.replace(".", "__"), choices, always)


def _fields() -> dict[str, FieldSpec]:
    from ..events import ACTOR_TYPES, ATTRIBUTIONS, INTENTS, KINDS

    specs = [
        # The event id travels as `event_id`: `id` is durable-rules' own fact key.
        FieldSpec("id", "text", "event_id", (), True),
        _spec("time", "time", always=True),
        _spec("actor", "country"),
        _spec("actor_type", "enum", ACTOR_TYPES, always=True),
        _spec("on_behalf_of", "country"),
        _spec("target", "country", always=True),
        _spec("kind", "kind", KINDS, always=True),
        _spec("intent", "enum", INTENTS, always=True),
        _spec("attribution", "enum", ATTRIBUTIONS, always=True),
        _spec("location.country", "country"),
        _spec("location.region", "region"),
        _spec("location.place", "text"),
        _spec("location.lat", "number"),
        _spec("location.lon", "number"),
        _spec("fatalities", "integer"),
        _spec("sources", "list"),  # `exists` (any source) and `contains` (a member)
        _spec("tags", "list"),
        _spec("notes", "text"),
    ]
    return {s.name: s for s in specs}


#: Every event field a condition may test, with its type and its key in the engine's fact.
#: List fields (``sources``, ``tags``) allow only ``exists`` (any member) and ``contains``.
FIELDS: dict[str, FieldSpec] = _fields()

Value = str | int | float | bool


@dataclass(frozen=True)
class Test:
    """``field op value``: *op* names an operator of :data:`redlines.rules.operators.OPERATORS`;
    ``value`` is a sorted tuple for set operands (``in``, ``not_in``)."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class All:
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Cond, ...]


@dataclass(frozen=True)
class Not:
    item: Cond


Cond = Test | All | AnyOf | Not


@dataclass(frozen=True)
class ResolvedClause:
    id: str
    level: Literal["crossed", "warning"]
    condition: Cond  # includes the red line's applies_when
    reason: str
    description: str | None


@dataclass(frozen=True)
class ResolvedPattern:
    id: str
    level: Literal["crossed", "warning"]
    select_level: Literal["warning", "crossed", "any"] | None
    condition: Cond  # applies_when and select.when
    count: int
    within: dt.timedelta
    same: tuple[str, ...]
    reason: str
    description: str | None

    def selects(self, level: str) -> bool:
        """Whether ``select.level`` takes an event its red line's clauses gave *level*."""
        if self.select_level == "any":
            return level != "clear"
        return self.select_level is None or self.select_level == level


@dataclass(frozen=True)
class ResolvedRedLine:
    id: str
    title: str
    description: str | None
    provenance: Provenance | None
    clauses: tuple[ResolvedClause, ...]
    patterns: tuple[ResolvedPattern, ...]

    def level_of(self, matched: Collection[str]) -> str:
        """The level the red line gives an event that matches the clauses *matched*: the
        highest of their levels, ``clear`` for none."""
        level = "clear"
        for clause in self.clauses:
            if clause.id in matched and LEVELS.index(clause.level) > LEVELS.index(level):
                level = clause.level
        return level


@dataclass(frozen=True)
class Ruleset:
    """A loaded, checked ruleset. Build one with :func:`redlines.load_rules`."""

    name: str
    version: str
    title: str
    description: str | None
    provenance: Provenance | None
    red_lines: tuple[ResolvedRedLine, ...]
    sha256: str
    source: str  # "builtin:nato-2024" or the file path
    sets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    model: RuleFile | None = field(default=None, compare=False, repr=False)
    #: What :func:`redlines.rules.lint.lint` found when the file was loaded: clauses that can
    #: never match or never name a finding, patterns that can never select an event. Problems
    #: with ``severity="warning"``; the ruleset works, but probably not as its author meant.
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    @property
    def path(self) -> Path | None:
        return None if self.source.startswith("builtin:") else Path(self.source)

    def red_line(self, red_line_id: str) -> ResolvedRedLine:
        for rl in self.red_lines:
            if rl.id == red_line_id:
                return rl
        raise KeyError(red_line_id)

    def info(self) -> dict[str, Any]:
        """The report's ``ruleset`` object."""
        return {"name": self.name, "version": self.version, "sha256": self.sha256}
