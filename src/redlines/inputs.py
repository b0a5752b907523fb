"""Loading user inputs: scenario files (CONTRACT §5) and plain event files.

Formats, by extension: ``.yaml``/``.yml``/``.json`` hold a scenario (a mapping with
``events``) or a bare list of events; ``.jsonl`` holds one event object per line; ``.csv``
has a header of event field names (``location.region`` for nested fields). Every problem in
a file is collected and reported with its line before anything is evaluated.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator

from .errors import EventError, InputError, Problem, suggest
from .events import EVENT_FIELDS, Event, format_time, parse_time
from .report.model import RedLineResult
from .source import Positions, csv_reader, parse_yaml, problems_from_validation, read_text

__all__ = ["EVENT_FILE_SUFFIXES", "Expectation", "Scenario", "load_events", "load_scenario"]

EVENT_FILE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
Status = Literal["crossed", "warning", "clear"]


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class Expectation(BaseModel):
    """What a scenario expects of one red line: ``RL1: crossed`` is short for
    ``RL1: {status: crossed}``. ``first_crossed_at`` (a time, or null for "never") and
    ``clauses`` (the clause and pattern ids that name its findings, in any order) are checked
    only when given."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    status: Annotated[Status, BeforeValidator(_lower)]
    first_crossed_at: Annotated[dt.datetime, BeforeValidator(parse_time)] | None = None
    clauses: tuple[str, ...] | None = None

    def mismatches(self, actual: RedLineResult) -> list[tuple[str, str, str]]:
        """(what, expected, actual) for each expectation *actual* does not meet."""
        out: list[tuple[str, str, str]] = []
        if actual.status != self.status:
            out.append(("status", self.status, actual.status))
        if "first_crossed_at" in self.model_fields_set:
            want = format_time(self.first_crossed_at) if self.first_crossed_at else "never"
            got = format_time(actual.first_crossed_at) if actual.first_crossed_at else "never"
            if want != got:
                out.append(("first_crossed_at", want, got))
        if self.clauses is not None:
            want_set = sorted(set(self.clauses))
            got_set = sorted({f.clause for f in actual.findings})
            if want_set != got_set:
                out.append(("clauses", ", ".join(want_set) or "none", ", ".join(got_set) or "none"))
        return out


class _ScenarioHead(BaseModel):
    """The scenario keys other than the events themselves."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str | None = None
    rules: str | None = None
    events: list[Any]
    expect: dict[str, Expectation] | None = None

    @field_validator("expect", mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {"status": v} if isinstance(v, str) else v for k, v in value.items()}
        return value


_SCENARIO_KEYS = tuple(_ScenarioHead.model_fields)


@dataclass
class Scenario:
    """A loaded input file: its events and, for scenario files, name, rules and expectations."""

    file: str
    events: list[Event]
    name: str | None = None
    description: str | None = None
    rules: str | None = None
    expect: dict[str, Status] | None = None
    expect_lines: dict[str, int | None] = field(default_factory=dict)
    rules_line: int | None = None
    #: the full expectations, including first_crossed_at and clauses where given
    expectations: dict[str, Expectation] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return Path(self.file).parent

    def check_expect(self, red_line_ids: list[str]) -> None:
        """Reject expectations for red lines the ruleset does not have."""
        problems = []
        for rl in self.expect or {}:
            if rl not in red_line_ids:
                problems.append(
                    Problem(
                        f"unknown red line '{rl}' in expect (the ruleset has "
                        f"{', '.join(red_line_ids)})",
                        file=self.file,
                        line=self.expect_lines.get(rl),
                        field=f"expect.{rl}",
                        suggestion=suggest(rl, red_line_ids, cutoff=0.5),
                    )
                )
        if problems:
            raise EventError(problems)


def load_scenario(path: str | Path) -> Scenario:
    """Load any supported input file as a :class:`Scenario` (plain event files have no name,
    rules or expectations)."""
    file = str(path)
    suffix = Path(file).suffix.lower()
    if suffix == ".jsonl":
        return Scenario(file, _events_jsonl(read_text(path), file))
    if suffix == ".csv":
        return Scenario(file, _events_csv(read_text(path), file))
    if suffix not in (".yaml", ".yml", ".json"):
        raise EventError.one(
            f"unsupported file type '{suffix or '(none)'}': expected one of "
            f"{', '.join(EVENT_FILE_SUFFIXES)}",
            file=file,
        )
    try:
        doc = parse_yaml(read_text(path), file)
    except InputError as exc:
        raise EventError(exc.problems) from None
    data = doc.data
    if isinstance(data, list):
        return Scenario(file, _events_from_list(data, file, doc.positions, ()))
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
    try:
        head = _ScenarioHead.model_validate(data)
    except ValidationError as exc:
        raw_expect = data.get("expect")
        expect: dict[str, Any] = raw_expect if isinstance(raw_expect, dict) else {}
        names: dict[str, tuple[str, ...]] = {"": _SCENARIO_KEYS}
        names.update({f"expect.{k}": tuple(Expectation.model_fields) for k in expect})
        problems = problems_from_validation(
            exc, file=file, positions=doc.positions, field_names=names
        )
        # `RL1: crosed` is the short form of `RL1: {status: crosed}`: name what the user wrote.
        short = {f"expect.{k}.status" for k, v in expect.items() if isinstance(v, str)}
        problems = [
            dataclasses.replace(p, field=p.field[: -len(".status")]) if p.field in short else p
            for p in problems
        ]
        raise EventError(problems) from None
    events = _events_from_list(head.events, file, doc.positions, ("events",))
    lines = {k: doc.positions.find(("expect", k))[0] for k in (head.expect or {})}
    rules_line = doc.positions.find(("rules",))[0] if head.rules is not None else None
    statuses = {k: e.status for k, e in head.expect.items()} if head.expect is not None else None
    return Scenario(
        file,
        events,
        head.name,
        head.description,
        head.rules,
        statuses,
        lines,
        rules_line,
        dict(head.expect or {}),
    )


def load_events(path: str | Path) -> list[Event]:
    """The events of any supported input file."""
    return load_scenario(path).events


def _events_from_list(
    items: list[Any], file: str, positions: Positions, prefix: tuple[str | int, ...]
) -> list[Event]:
    events: list[Event] = []
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    label = ".".join(str(p) for p in prefix)
    for i, item in enumerate(items):
        where = (*prefix, i)
        display = f"{label}[{i}]." if label else f"[{i}]."
        if not isinstance(item, dict):
            line, col = positions.find(where)
            problems.append(
                Problem(
                    "an event must be a mapping of fields",
                    file=file,
                    line=line,
                    column=col,
                    field=display.rstrip("."),
                )
            )
            continue
        try:
            event = Event.model_validate(item)
        except ValidationError as exc:
            problems.extend(
                problems_from_validation(
                    exc,
                    file=file,
                    positions=positions,
                    prefix=where,
                    field_names=EVENT_FIELDS,
                    display_prefix=display,
                )
            )
            continue
        line, col = positions.find((*where, "id"))
        _check_duplicate(event, seen, line, col, file, display, problems)
        events.append(event)
    if problems:
        raise EventError(problems)
    return events


def _check_duplicate(
    event: Event,
    seen: dict[str, int | None],
    line: int | None,
    col: int | None,
    file: str,
    display: str,
    problems: list[Problem],
) -> None:
    if event.id in seen:
        first = seen[event.id]
        where = f" (first at line {first})" if first else ""
        problems.append(
            Problem(
                f"duplicate event id '{event.id}'{where}",
                file=file,
                line=line,
                column=col,
                field=f"{display}id",
            )
        )
    else:
        seen[event.id] = line


def _events_jsonl(text: str, file: str) -> list[Event]:
    events: list[Event] = []
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(f"invalid JSON: {exc.msg}", file=file, line=n, column=exc.colno)
            )
            continue
        except ValueError as exc:  # a duplicate key, or a number Python will not convert
            reason = str(exc) if "duplicate key" in str(exc) else "a number too long to read"
            problems.append(Problem(f"invalid JSON: {reason}", file=file, line=n))
            continue
        if not isinstance(item, dict):
            problems.append(
                Problem("each line must be a JSON object (one event)", file=file, line=n)
            )
            continue
        _validate_flat(item, file, n, events, problems, seen)
    if problems:
        raise EventError(problems)
    return events


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def _validate_flat(
    item: dict[str, Any],
    file: str,
    line: int,
    events: list[Event],
    problems: list[Problem],
    seen: dict[str, int | None],
) -> None:
    try:
        event = Event.model_validate(item)
    except ValidationError as exc:
        found = problems_from_validation(exc, file=file, field_names=EVENT_FIELDS)
        problems.extend(dataclasses.replace(p, line=line) for p in found)
        return
    _check_duplicate(event, seen, line, None, file, "", problems)
    events.append(event)


_NUMERIC = {"fatalities": int, "location.lat": float, "location.lon": float}
_CSV_COLUMNS = (
    *(f for f in EVENT_FIELDS[""] if f != "location"),
    *(f"location.{f}" for f in EVENT_FIELDS["location"]),
)


def _events_csv(text: str, file: str) -> list[Event]:
    reader = csv_reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise EventError.one(
            "empty CSV file: expected a header of event fields", file=file
        ) from None
    except csv.Error as exc:
        raise EventError.one(f"invalid CSV: {exc}", file=file, line=1) from None
    problems: list[Problem] = []
    if len(header) == 1 and ";" in header[0]:
        raise EventError.one("the CSV must be comma-separated (found ';')", file=file, line=1)
    names = [h.strip().lower() for h in header]  # column names match in any case
    first_col: dict[str, int] = {}
    for col, name in enumerate(names, 1):
        if name not in _CSV_COLUMNS:
            problems.append(
                Problem(
                    "unknown column",
                    file=file,
                    line=1,
                    column=col,
                    field=header[col - 1].strip(),
                    suggestion=suggest(name, _CSV_COLUMNS, cutoff=0.6),
                )
            )
        elif name in first_col:
            problems.append(
                Problem(
                    f"duplicate column (also column {first_col[name]})",
                    file=file,
                    line=1,
                    column=col,
                    field=name,
                )
            )
        first_col.setdefault(name, col)
    if problems:
        raise EventError(problems)
    events: list[Event] = []
    seen: dict[str, int | None] = {}
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(f"invalid CSV: {exc}", file=file, line=line))
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            problems.append(
                Problem(f"expected {len(names)} cells, found {len(row)}", file=file, line=line)
            )
            continue
        item: dict[str, Any] = {}
        for name, cell in zip(names, row, strict=False):
            value: Any = cell.strip()
            if value == "":
                if name == "actor":
                    item["actor"] = None
                continue
            if name in _NUMERIC:
                # Left as text when it does not convert: validation reports it with the field.
                with contextlib.suppress(ValueError):
                    value = _NUMERIC[name](value)
            if name == "sources":
                value = [s.strip() for s in value.split("|") if s.strip()]
            if name.startswith("location."):
                item.setdefault("location", {})[name.split(".", 1)[1]] = value
            else:
                item[name] = value
        _validate_flat(item, file, line, events, problems, seen)
    if problems:
        raise EventError(problems)
    return events
