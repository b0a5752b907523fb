"""The one place a mapping becomes an :class:`~redlines.events.Event`, and the one check that
event ids are unique.

:func:`to_event` validates one mapping and raises every problem with it at once, located and
with a "did you mean" for misspelt field names. A *record* (``record=True``: a row of a table,
such as a CSV row, a DataFrame row or one of ``df.to_dict("records")``, and any mapping given to
the Python API) is first made an event mapping by :func:`record_to_mapping`: dotted columns
nested, empty values left out. :class:`DuplicateIds` remembers the ids seen and words the
duplicate-id problem. :class:`EventSink` uses both to collect the events of one input file
together with every problem in it, so that a reader reports them all before anything is
evaluated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

import pycountry
from pydantic import ValidationError

from ..countries import normalize_country
from ..errors import UNSET, EventError, InvalidValue, Problem, suggest
from ..events import (
    ACTOR_TYPES,
    ATTRIBUTIONS,
    EVENT_FIELDS,
    INTENTS,
    KINDS,
    MAX_INTEGER,
    MAX_TAG,
    MAX_TEXT,
    Event,
    Location,
    parse_time,
)
from ..source import PathKey, Positions, Where, dotted_path, problems_from_validation
from .adapter import integer, number
from .batch import Skipped

__all__ = [
    "EVENT_COLUMNS",
    "DuplicateIds",
    "EventSink",
    "Skip",
    "checked_values",
    "fast_event",
    "is_missing",
    "record_to_mapping",
    "suggest_column",
    "to_event",
]

#: The columns of an event table: every field, nested ones dotted (``location.country``).
EVENT_COLUMNS: tuple[str, ...] = (
    *(f for f in EVENT_FIELDS[""] if f != "location"),
    *(f"location.{f}" for f in EVENT_FIELDS["location"]),
)
_REQUIRED_NULLABLE = "actor"  # an empty actor is null (unknown), not left out
_INTEGERS = frozenset({"id", "fatalities"})
_NUMBERS = frozenset({"location.lat", "location.lon"})
#: List columns: a cell holds the members separated by ``|``.
_LISTS = frozenset({"sources", "tags"})

#: ``skip(values)``: True for an event (its checked field values) that no rule can match.
Skip = Callable[[dict[str, Any]], bool]


def suggest_column(name: str) -> str | None:
    """The event column *name* most likely means (``contry`` -> ``location.country``)."""
    found = suggest(name, EVENT_COLUMNS, cutoff=0.6)
    if found is None:
        leaves = {c.rsplit(".", 1)[-1]: c for c in EVENT_COLUMNS if "." in c}
        leaf = suggest(name.rsplit(".", 1)[-1], tuple(leaves), cutoff=0.75)
        found = leaves[leaf] if leaf is not None else None
    return found


def is_missing(value: Any) -> bool:
    """An empty value of a table: None, NaN, pandas' NA and NaT, or text that is blank."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float) or type(value).__module__ == "numpy":
        try:
            return bool(value != value)  # NaN, and numpy's NaT, are not equal to themselves
        except (TypeError, ValueError):
            return False
    return type(value).__name__ in ("NAType", "NaTType")


def _scalar(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``numpy.int64(2)`` -> ``2``)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def _cell(column: str, value: Any) -> Any:
    """One non-missing value of *column*, as a record gives it, made what the event field
    takes: text stripped, numbers in number columns read from text, whole floats in integer
    columns (pandas makes an integer column float when it has a gap) as integers, ``sources``
    and ``tags`` split on ``|``, a naive datetime at midnight (a date in pandas) as that date."""
    value = _scalar(value)
    if isinstance(value, str):
        value = value.strip()
        if column in _INTEGERS and column != "id":
            with contextlib.suppress(ValueError):
                return integer(value)
        if column in _NUMBERS:
            with contextlib.suppress(ValueError):
                return number(value)
        if column in _LISTS:
            return [s.strip() for s in value.split("|") if s.strip()]
        return value
    if column in _INTEGERS and isinstance(value, float) and value.is_integer():
        return int(value)
    if column in _NUMBERS and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if column == "time" and isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date()
        # pandas' Timestamp, as the plain datetime it stands for
        return dt.datetime(*value.timetuple()[:6], value.microsecond, tzinfo=value.tzinfo)
    if column in _LISTS and (isinstance(value, (list, tuple)) or hasattr(value, "tolist")):
        items = value.tolist() if hasattr(value, "tolist") else value
        return [v.strip() if isinstance(v, str) else v for v in items if not is_missing(v)]
    return value


def record_to_mapping(record: Mapping[Any, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A record (a table's row: flat, dotted column names, empty values) as an event mapping,
    and the problems of its column names (unknown, with a "did you mean"; given twice).

    Column names match in any letter case; ``location.country`` (or a ``location`` mapping) is
    nested into ``location``; an empty value (None, NaN, NaT, blank text) leaves the field out
    (``actor`` becomes null: unknown); values are converted as :func:`_cell` says."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    flat: list[tuple[Any, Any]] = []
    for key, value in record.items():
        if (
            isinstance(key, str)
            and key.strip().lower() == "location"
            and isinstance(value, Mapping)
        ):
            flat.extend((f"location.{k}", v) for k, v in value.items())
        else:
            flat.append((key, value))
    seen: dict[str, Any] = {}
    for key, value in flat:
        column = key.strip().lower() if isinstance(key, str) else key
        if column == "location" and is_missing(value):
            continue
        if column not in EVENT_COLUMNS and column != "location":
            shown = str(key)
            problems.append(
                Problem("unknown field", field=shown, suggestion=suggest_column(shown.lower()))
            )
            continue
        if column in seen:
            problems.append(Problem(f"given twice (as '{seen[column]}' and '{key}')", field=column))
            continue
        seen[column] = key
        if is_missing(value):
            if column == _REQUIRED_NULLABLE:
                out["actor"] = None
            continue
        converted = _cell(column, value)
        if column.startswith("location."):
            nested = out.setdefault("location", {})
            if not isinstance(nested, dict):  # a `location` that is not a mapping, too
                problems.append(
                    Problem(f"given twice (as 'location' and '{key}')", field="location")
                )
                continue
            nested[column.split(".", 1)[1]] = converted
        else:
            out[column] = converted
    return out, problems


# The fast check: most events of a real feed are in the plain shape a program writes (codes
# already ISO alpha-3, words of the vocabularies as listed, ISO times with an offset). For
# those, every check pydantic would make is a plain Python test here, and the model is built
# without validating again; anything else (a typo, a name for a country, a region, an
# unknown field) takes the full path, :func:`to_event`, which words every problem.

_EVENT_KEYS = frozenset(EVENT_FIELDS[""])
_LOCATION_KEYS = frozenset({"country", "place", "lat", "lon"})  # a region takes the full path
_KINDS = frozenset(KINDS)
_ACTOR_TYPES = frozenset(ACTOR_TYPES)
_INTENTS = frozenset(INTENTS)
_ATTRIBUTIONS = frozenset(ATTRIBUTIONS)
_TAG_WORD = re.compile(r"^[a-z0-9_]+$", re.ASCII)


@cache
def _canonical_countries() -> frozenset[str]:
    """The ISO alpha-3 codes that the country check returns unchanged."""
    out: set[str] = set()
    for country in pycountry.countries:
        code = country.alpha_3
        with contextlib.suppress(InvalidValue):
            if normalize_country(code) == code:
                out.add(code)
    return frozenset(out)


def _plain_text(value: Any) -> bool:
    """A string the model keeps as it is: no surrounding white space, not too long."""
    return type(value) is str and len(value) <= MAX_TEXT and value == value.strip()


def _plain_location(value: Any, countries: frozenset[str]) -> dict[str, Any] | None:
    if type(value) is not dict or not value.keys() <= _LOCATION_KEYS:
        return None
    country = value.get("country")
    if country is not None and country not in countries:
        return None
    place = value.get("place")
    if place is not None and not _plain_text(place):
        return None
    lat, lon = value.get("lat"), value.get("lon")
    if lat is not None and not (type(lat) is float and -90 <= lat <= 90):
        return None
    if lon is not None and not (type(lon) is float and -180 <= lon <= 180):
        return None
    return {"country": country, "region": None, "place": place, "lat": lat, "lon": lon}


def checked_values(item: Mapping[str, Any], *, whole_text: bool = False) -> dict[str, Any] | None:
    """The field values of the :class:`Event` that *item* (an event mapping) validates to,
    when it is in the plain shape (see above), checked by plain Python; None when it is not
    (it may still be valid, or not: :func:`to_event` decides and words its problems).

    ``location`` is a dict of the location's fields, or None. A property test checks that
    whatever this accepts, pydantic accepts with the same values. *whole_text*: the item's
    strings are known to hold no lone surrogate (orjson, which parsed them, refuses one), so
    they are not looked at for one."""
    if type(item) is not dict or not item.keys() <= _EVENT_KEYS:
        return None
    if not whole_text and _has_lone_surrogate(item):
        return None
    try:
        return _checked(item)
    except TypeError:  # a list or a mapping where a word is expected
        return None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(item: dict[str, Any]) -> bool:
    """Whether :func:`lone_surrogates` finds any in *item*, at the cost of a look at each
    string (most are ASCII, which holds none)."""
    stack: list[Any] = [item]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)  # the keys
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def lone_surrogates(item: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The paths in *item* (a mapping or list, nested) of the strings, keys included, that hold
    a lone surrogate: a ``\\ud800``-``\\udfff`` JSON or YAML escape that pairs with nothing
    is not a character, and no text can be written with one."""
    found: list[tuple[str | int, ...]] = []
    if isinstance(item, str):
        if not item.isascii() and _SURROGATE.search(item):
            found.append(path)
    elif isinstance(item, Mapping):
        for key, value in item.items():
            if isinstance(key, str) and not key.isascii() and _SURROGATE.search(key):
                found.append((*path, key))
            elif not isinstance(value, (int, float, bool)) and value is not None:
                found.extend(lone_surrogates(value, (*path, key)))
    elif isinstance(item, (list, tuple)):
        for i, value in enumerate(item):
            found.extend(lone_surrogates(value, (*path, i)))
    return found


def _checked(item: dict[str, Any]) -> dict[str, Any] | None:
    countries = _canonical_countries()
    try:
        event_id = item["id"]
        time = item["time"]
        actor = item["actor"]
        target = item["target"]
        kind = item["kind"]
    except KeyError:
        return None
    if type(event_id) is int:
        event_id = str(event_id)
    elif not _plain_text(event_id):
        return None
    if not event_id or type(time) is not str:
        return None
    if (actor is not None and actor not in countries) or target not in countries:
        return None
    if kind not in _KINDS:
        return None
    if len(item) == 5:  # only the fields without a default: the others take it
        try:
            stamp = parse_time(time)
        except InvalidValue:
            return None
        return {
            "id": event_id,
            "time": stamp,
            "actor": actor,
            "actor_type": "state_forces",
            "on_behalf_of": None,
            "target": target,
            "kind": kind,
            "intent": "unknown",
            "attribution": "confirmed",
            "location": None,
            "fatalities": None,
            "sources": (),
            "tags": (),
            "notes": None,
        }
    get = item.get
    actor_type = get("actor_type", "state_forces")
    intent = get("intent", "unknown")
    attribution = get("attribution", "confirmed")
    if actor_type not in _ACTOR_TYPES or intent not in _INTENTS or attribution not in _ATTRIBUTIONS:
        return None
    on_behalf_of = get("on_behalf_of")
    if on_behalf_of is not None and on_behalf_of not in countries:
        return None
    location = get("location")
    if location is not None:
        location = _plain_location(location, countries)
        if location is None:
            return None
    fatalities = get("fatalities")
    if fatalities is not None and not (type(fatalities) is int and 0 <= fatalities <= MAX_INTEGER):
        return None
    sources = get("sources", ())
    if sources:
        if type(sources) is not list or not all(_plain_text(s) for s in sources):
            return None
        sources = tuple(sources)
    elif type(sources) is not list and sources != ():
        return None
    else:
        sources = ()
    tags = get("tags", ())
    if tags:
        if (
            type(tags) is not list
            or not all(type(t) is str and len(t) <= MAX_TAG and _TAG_WORD.match(t) for t in tags)
            or len(set(tags)) != len(tags)
        ):
            return None
        tags = tuple(tags)
    elif type(tags) is not list and tags != ():
        return None
    else:
        tags = ()
    notes = get("notes")
    if notes is not None and not _plain_text(notes):
        return None
    try:
        stamp = parse_time(time)
    except InvalidValue:
        return None
    return {
        "id": event_id,
        "time": stamp,
        "actor": actor,
        "actor_type": actor_type,
        "on_behalf_of": on_behalf_of,
        "target": target,
        "kind": kind,
        "intent": intent,
        "attribution": attribution,
        "location": location,
        "fatalities": fatalities,
        "sources": sources,
        "tags": tags,
        "notes": notes,
    }


def fast_event(item: Mapping[str, Any]) -> Event | None:
    """*item* as an :class:`Event` when :func:`checked_values` accepts it (the same event
    :func:`to_event` would give, built without validating again); None otherwise."""
    values = checked_values(item)
    return None if values is None else _construct(values, item)


def _construct(values: dict[str, Any], item: Mapping[str, Any]) -> Event:
    """The event of checked *values* (every field, in the model's order), its fields set
    those *item* gives: what pydantic's ``model_construct`` makes, without its loop over
    fields and aliases (neither model has aliases, extra fields or private attributes)."""
    location = values["location"]
    if location is not None:
        values = {**values, "location": _bare(Location, _given(item["location"]), location)}
    return _bare(Event, _given(item), values)


#: One set of given field names per combination, shared by the models that have it (frozen
#: models never change theirs; pydantic copies it when a model is copied).
_GIVEN: dict[tuple[str, ...], set[str]] = {}


def _given(item: Mapping[str, Any]) -> set[str]:
    names = tuple(item)
    found = _GIVEN.get(names)
    if found is None:
        if len(_GIVEN) >= 4096:
            _GIVEN.clear()
        found = _GIVEN[names] = set(names)
    return found


_M = TypeVar("_M", Event, Location)
_set = object.__setattr__


def _bare(model: type[_M], fields_set: set[str], values: dict[str, Any]) -> _M:
    out = model.__new__(model)
    _set(out, "__dict__", values)
    _set(out, "__pydantic_fields_set__", fields_set)
    _set(out, "__pydantic_extra__", None)
    _set(out, "__pydantic_private__", None)
    return out


def to_event(
    item: Event | Mapping[str, Any],
    *,
    file: str,
    line: int | None = None,
    positions: Positions | None = None,
    path: PathKey = (),
    display: str = "",
    record: bool = False,
) -> Event:
    """*item* as an :class:`Event` (an Event is returned as it is; anything else is validated).

    Raises :class:`~redlines.errors.EventError` with one :class:`~redlines.errors.Problem` per
    thing wrong, never pydantic's own error. Each problem names *file*; its line is *line* (for
    one-event-a-line formats: JSON Lines, CSV, export rows) or, given the document's
    *positions*, that of the field, at document path *path* + the field's own path (for
    YAML/JSON documents). *display* is put before field names in messages (``events[3].``).
    Unknown fields get a "did you mean" from the fields of the model where they were found.
    With *record*, *item* is a table's row, made an event mapping by
    :func:`record_to_mapping` first (whose problems come first).
    """
    if isinstance(item, Event):
        return item
    found: list[Problem] = []
    if record:
        if not isinstance(item, Mapping):
            raise EventError.one(
                f"an event must be a mapping of fields, not {type(item).__name__}",
                file=file,
                line=line,
                field=display.rstrip(".") or None,
            )
        item, columns = record_to_mapping(item)
        found = [
            dataclasses.replace(p, file=file, line=line, field=f"{display}{p.field}")
            for p in columns
        ]
    if isinstance(item, Mapping) and (bad := lone_surrogates(item)):
        raise EventError(
            found
            + [_surrogate_problem(item, at, file, line, positions, path, display) for at in bad]
        )
    try:
        event = Event.model_validate(item)
    except ValidationError as exc:
        problems = problems_from_validation(exc, Event, Where(file, positions, path, display))
        if line is not None:
            problems = [dataclasses.replace(p, line=line) for p in problems]
        raise EventError(found + problems) from None
    if found:
        raise EventError(found)
    return event


def _surrogate_problem(
    item: Mapping[str, Any],
    at: tuple[str | int, ...],
    file: str,
    line: int | None,
    positions: Positions | None,
    path: PathKey,
    display: str,
) -> Problem:
    value: Any = item
    for step in at:
        value = value[step]
    if at and isinstance(at[-1], str) and _SURROGATE.search(at[-1]):
        value = UNSET  # the key holds it: the field names it
    column = None
    if positions is not None and line is None:
        line, column = positions.find((*path, *at))
    return Problem(
        "not text: a lone surrogate (a \\ud800-\\udfff escape that pairs with no other) is not "
        "a character",
        file=file,
        line=line,
        column=column,
        field=f"{display}{dotted_path(at)}",
        value=value,
        path=(*path, *at),
    )


class DuplicateIds:
    """The event ids seen so far, each with the line it was first seen at (None when unknown).

    ``add`` says whether an id is new; ``problem`` words the error for one seen before::

        ids = DuplicateIds()
        if not ids.add(event.id, line):
            problems.append(ids.problem(event.id, file=file, line=line))
    """

    def __init__(self) -> None:
        self._first: dict[str, int | None] = {}

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._first

    def __len__(self) -> int:
        return len(self._first)

    def add(self, event_id: str, line: int | None = None) -> bool:
        """Remember *event_id*, first seen at *line*. False if it was seen before (the first
        line is kept)."""
        if event_id in self._first:
            return False
        self._first[event_id] = line
        return True

    def first_line(self, event_id: str) -> int | None:
        """The line *event_id* was first seen at, or None (not seen, or seen at no line)."""
        return self._first.get(event_id)

    def discard(self, event_id: str) -> None:
        """Forget *event_id* (a streaming evaluator forgets ids past its horizon)."""
        self._first.pop(event_id, None)

    def problem(
        self,
        event_id: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str = "id",
        because: str | None = None,
    ) -> Problem:
        """The problem of a second event with *event_id*, found at *file*, *line*, *column*:
        ``duplicate event id 'X'``, then `` (first at line N)`` when the first was seen at a
        line, then ``: <because>`` when given."""
        message = f"duplicate event id '{event_id}'"
        first = self.first_line(event_id)
        if first:
            message += f" (first at line {first})"
        if because:
            message += f": {because}"
        return Problem(message, file=file, line=line, column=column, field=field, value=event_id)


class EventSink:
    """The events of one input file and every problem found in it.

    A reader calls :meth:`add` for each event mapping and :meth:`problem` for anything wrong
    with the file itself, then :meth:`events_or_raise` once at the end.
    """

    def __init__(self, file: str, *, skip: Skip | None = None, record: bool = False) -> None:
        self.file = file
        self.events: list[Event] = []
        self.problems: list[Problem] = []
        self.ids = DuplicateIds()
        #: ``skip(values)`` (the field values :func:`checked_values` gives) is True for an
        #: event no rule can match: it is checked, counted in :attr:`skipped` (with its id and
        #: time when *record* is set), never kept.
        self.skip = skip
        self.skipped = Skipped(record=record)

    def problem(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        """Record a problem of the file (not of one event's fields)."""
        self.problems.append(
            Problem(
                message,
                file=self.file,
                line=line,
                column=column,
                field=field,
                suggestion=suggestion,
            )
        )

    def add(
        self,
        item: Mapping[str, Any],
        *,
        line: int | None = None,
        positions: Positions | None = None,
        path: PathKey = (),
        display: str = "",
        record: bool = False,
        whole_text: bool = False,
    ) -> None:
        """Validate one event (arguments as for :func:`to_event`) and check that its id is
        new; its problems are recorded, not raised. An event in the plain shape is checked by
        :func:`checked_values` (and, when :attr:`skip` says so, only counted); any other by
        :func:`to_event`. *whole_text*: as for :func:`checked_values`."""
        if positions is None and type(item) is dict:
            mapping: dict[str, Any] | None = item
            if record:
                mapping, columns = record_to_mapping(item)
                if columns:
                    mapping = None  # the full path words the column problems
            values = (
                checked_values(mapping, whole_text=whole_text and not record)
                if mapping is not None
                else None
            )
            if values is not None:
                assert mapping is not None
                event_id: str = values["id"]
                if not self.ids.add(event_id, line):
                    self.problems.append(
                        self.ids.problem(event_id, file=self.file, line=line, field=f"{display}id")
                    )
                if self.skip is not None and self.skip(values):
                    self.skipped.add(event_id, values["time"])
                else:
                    self.events.append(_construct(values, mapping))
                return
        try:
            event = to_event(
                item,
                file=self.file,
                line=line,
                positions=positions,
                path=path,
                display=display,
                record=record,
            )
        except EventError as exc:
            self.problems.extend(exc.problems)
            return
        column = None
        if positions is not None:
            line, column = positions.find((*path, "id"))
        if not self.ids.add(event.id, line):
            self.problems.append(
                self.ids.problem(
                    event.id, file=self.file, line=line, column=column, field=f"{display}id"
                )
            )
        self.events.append(event)

    def events_or_raise(self) -> list[Event]:
        """The events, or an :class:`~redlines.errors.EventError` with every problem found."""
        if self.problems:
            raise EventError(self.problems)
        return self.events
