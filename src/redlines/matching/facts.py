"""Facts: an event as both matchers see it.

A fact is the event flattened into the engine's vocabulary: ``location.region`` becomes
``location__region``, the time becomes epoch seconds, the event's id travels as ``event_id``
(``id`` is durable-rules' own key), and each field has a presence flag ``has__<key>`` (1 or 0),
because durable-rules cannot test absence (its ``$nex`` loops). List fields post only their
presence to the engine (``contains`` reads the list itself, in Python:
:func:`redlines.rules.operators.derived_key`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..compile import ALWAYS
from ..events import Event
from ..rules.resolved import FIELDS

__all__ = ["event_fact", "field_value"]


def event_fact(event: Event, seq: int) -> dict[str, Any]:
    """The fact posted for *event*. ``id`` is the engine's own key (``f<seq>``); the event's id
    travels as ``event_id`` (a rule testing the field ``id`` reads that key)."""
    fact: dict[str, Any] = {"id": f"f{seq}", ALWAYS: 1}
    location = event.location
    for key, has, read, listed in _READERS:
        value = read(event, location)
        if listed:  # durable compares scalars: the engine is sent only the presence
            fact[has] = 1 if value else 0
            if value:
                fact[key] = value
        elif value is None:
            fact[has] = 0
        else:
            fact[has] = 1
            fact[key] = value
    return fact


Reader = Callable[[Event, Any], Any]


def _reader(name: str) -> Reader:
    """How to read field *name* of an event (and its location), built once per field."""
    if name == "time":
        return lambda event, location: event.time.timestamp()
    if name.startswith("location."):
        attr = name.split(".", 1)[1]
        return lambda event, location: None if location is None else getattr(location, attr)
    return lambda event, location: getattr(event, name)


_READER_OF = {name: _reader(name) for name in FIELDS}
#: (fact key, presence key, reader, is a list) for every field rules may test.
_READERS: tuple[tuple[str, str, Reader, bool], ...] = tuple(
    (spec.key, f"has__{spec.key}", _READER_OF[spec.name], spec.type == "list")
    for spec in FIELDS.values()
)


def field_value(event: Event, name: str) -> Any:
    """The value of a (possibly dotted) field in the engine's vocabulary, or None."""
    return _READER_OF[name](event, event.location)
