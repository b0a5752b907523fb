"""The one place a mapping becomes an :class:`~redlines.events.Event`, and the one check that
event ids are unique.

:func:`to_event` validates one mapping and raises every problem with it at once, located and
with a "did you mean" for misspelt field names. :class:`DuplicateIds` remembers the ids seen
and words the duplicate-id problem. :class:`EventSink` uses both to collect the events of one
input file together with every problem in it, so that a reader reports them all before anything
is evaluated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import EventError, Problem
from ..events import Event
from ..source import PathKey, Positions, Where, problems_from_validation

__all__ = ["DuplicateIds", "EventSink", "to_event"]


def to_event(
    item: Event | Mapping[str, Any],
    *,
    file: str,
    line: int | None = None,
    positions: Positions | None = None,
    path: PathKey = (),
    display: str = "",
) -> Event:
    """*item* as an :class:`Event` (an Event is returned as it is; anything else is validated).

    Raises :class:`~redlines.errors.EventError` with one :class:`~redlines.errors.Problem` per
    thing wrong, never pydantic's own error. Each problem names *file*; its line is *line* (for
    one-event-a-line formats: JSON Lines, CSV, export rows) or, given the document's
    *positions*, that of the field, at document path *path* + the field's own path (for
    YAML/JSON documents). *display* is put before field names in messages (``events[3].``).
    Unknown fields get a "did you mean" from the fields of the model where they were found.
    """
    if isinstance(item, Event):
        return item
    try:
        return Event.model_validate(item)
    except ValidationError as exc:
        problems = problems_from_validation(exc, Event, Where(file, positions, path, display))
        if line is not None:
            problems = [dataclasses.replace(p, line=line) for p in problems]
        raise EventError(problems) from None


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

    def __init__(self, file: str) -> None:
        self.file = file
        self.events: list[Event] = []
        self.problems: list[Problem] = []
        self.ids = DuplicateIds()

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
    ) -> None:
        """Validate one event (arguments as for :func:`to_event`) and check that its id is
        new; its problems are recorded, not raised."""
        try:
            event = to_event(
                item, file=self.file, line=line, positions=positions, path=path, display=display
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
