"""Scenario files (docs/events.md), YAML or JSON: a mapping with ``events`` and optionally
``name``, ``description``, ``rules`` and ``expect``, or a bare list of events.

Every problem in a file is collected and reported with its line and column before anything is
evaluated. Whether a report meets the expectations is :mod:`redlines.scenarios`' business.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from ..errors import EventError, InputError, Problem, in_file_order
from ..events import TIME_SCHEMA, Event, parse_time
from ..source import (
    MAX_DOCUMENT_BYTES,
    PathKey,
    Positions,
    Where,
    dotted_path,
    parse_yaml,
    problems_from_validation,
    read_text,
)
from .batch import Batch
from .eventsink import EventSink

__all__ = ["SUFFIXES", "Expectation", "ScenarioFile", "Status", "named_rules", "read_scenario"]

SUFFIXES = (".yaml", ".yml", ".json")
Status = Literal["crossed", "warning", "clear"]


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class Expectation(BaseModel):
    """What a scenario expects of one red line: ``RL1: crossed`` is short for
    ``RL1: {status: crossed}``. ``first_crossed_at`` (a time, or null for "never") and
    ``clauses`` (the clause and pattern ids that name its findings, in any order) are checked
    only when given (see :func:`redlines.scenarios.expectation_mismatches`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    status: Annotated[Status, BeforeValidator(_lower)]
    first_crossed_at: (
        Annotated[dt.datetime, BeforeValidator(parse_time), WithJsonSchema(TIME_SCHEMA)] | None
    ) = None
    clauses: tuple[str, ...] | None = None


class _ScenarioKeys(BaseModel):
    """The keys of a scenario that say what it is."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str | None = None
    rules: str | None = None


class _ScenarioHead(_ScenarioKeys):
    """The scenario keys other than the events themselves (each event is validated on its
    own, so that every problem of every event is found)."""

    events: list[Any]
    expect: dict[str, Expectation] | None = None

    @field_validator("expect", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {"status": v} if isinstance(v, str) else v for k, v in value.items()}
        return value


class ScenarioFile(_ScenarioKeys):
    """A scenario file as a whole, events included, ``RL1: crossed`` short for ``RL1: {status:
    crossed}``: the model of its JSON Schema (``redlines schema scenario``). Files are read in
    two steps (:func:`read_scenario`: the head, then each event on its own)."""

    events: list[Event]
    expect: dict[str, Expectation | Status] | None = None


def read_scenario(path: str | Path) -> Batch:
    """A scenario file, or a YAML/JSON list of events, as a :class:`Batch` (format
    ``scenario``). Raises :class:`~redlines.errors.EventError` with every problem found."""
    file = str(path)
    try:
        doc = parse_yaml(read_text(path, limit=MAX_DOCUMENT_BYTES), file)
    except InputError as exc:
        raise EventError(exc.problems) from None
    data = doc.data
    if isinstance(data, list):
        return Batch(file, _events_from_list(data, file, doc.positions, ()), format="scenario")
    if isinstance(data, dict) and "events" not in data and {"id", "kind"} <= set(data):
        raise EventError.one(
            "this is a single event: put it in a list, or under 'events:' in a scenario",
            file=file,
            line=1,
        )
    if not isinstance(data, dict):
        raise EventError.one(
            "expected a scenario (a mapping with 'events') or a list of events", file=file, line=1
        )
    # The head (name, rules, expect...) and the events are checked in one round: a mistake in
    # one never hides the mistakes of the other.
    problems: list[Problem] = []
    head: _ScenarioHead | None = None
    try:
        head = _ScenarioHead.model_validate(data)
    except ValidationError as exc:
        problems.extend(_head_problems(exc, data, file, doc.positions))
    events: list[Event] = []
    if isinstance(data.get("events"), list):
        try:
            events = _events_from_list(data["events"], file, doc.positions, ("events",))
        except EventError as exc:
            problems.extend(exc.problems)
    if problems or head is None:
        raise EventError(in_file_order(problems))
    lines = {k: doc.positions.find(("expect", k))[0] for k in (head.expect or {})}
    rules_line = doc.positions.find(("rules",))[0] if head.rules is not None else None
    return Batch(
        file,
        events,
        format="scenario",
        name=head.name,
        description=head.description,
        rules=head.rules,
        rules_line=rules_line,
        expectations=dict(head.expect or {}),
        expect_lines=lines,
    )


def named_rules(path: str | Path) -> tuple[str, int | None] | None:
    """The ruleset a scenario file names in ``rules``, and its line, read even when the rest of
    the file is wrong (so that it is checked in the same round); None when it names none."""
    try:
        doc = parse_yaml(read_text(path, limit=MAX_DOCUMENT_BYTES), str(path))
    except InputError:
        return None
    rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
    return (rules, doc.positions.find(("rules",))[0]) if isinstance(rules, str) else None


def _head_problems(
    exc: ValidationError, data: dict[str, Any], file: str, positions: Positions
) -> list[Problem]:
    raw_expect = data.get("expect")
    expect: dict[str, Any] = raw_expect if isinstance(raw_expect, dict) else {}
    problems = problems_from_validation(exc, _ScenarioHead, Where(file, positions))
    # `RL1: crosed` is the short form of `RL1: {status: crosed}`: name what the user wrote.
    short = {("expect", k, "status") for k, v in expect.items() if isinstance(v, str)}
    return [
        dataclasses.replace(p, field=dotted_path(p.path[:-1]), path=p.path[:-1])
        if p.path in short
        else p
        for p in problems
    ]


def _events_from_list(
    items: list[Any], file: str, positions: Positions, prefix: PathKey
) -> list[Event]:
    sink = EventSink(file)
    label = ".".join(str(p) for p in prefix)
    for i, item in enumerate(items):
        where = (*prefix, i)
        display = f"{label}[{i}]." if label else f"[{i}]."
        if not isinstance(item, dict):
            line, col = positions.find(where)
            sink.problem(
                "an event must be a mapping of fields",
                line=line,
                column=col,
                field=display.rstrip("."),
            )
            continue
        sink.add(item, positions=positions, path=where, display=display)
    return sink.events_or_raise()
