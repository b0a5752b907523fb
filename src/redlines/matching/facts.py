"""Facts: an event as both matchers see it.

A fact is the event flattened into the engine's vocabulary: ``location.region`` becomes
``location__region``, the time becomes epoch seconds, the event's id travels as ``event_id``
(``id`` is durable-rules' own key), and each field has a presence flag ``has__<key>`` (1 or 0),
because durable-rules cannot test absence (its ``$nex`` loops). List fields post only their
presence.
"""

from __future__ import annotations

from typing import Any

from ..compile import ALWAYS
from ..events import Event
from ..rules.resolved import FIELDS

__all__ = ["event_fact", "field_value"]


def event_fact(event: Event, seq: int) -> dict[str, Any]:
    """The fact posted for *event*. ``id`` is the engine's own key (``f<seq>``); the event's id
    travels as ``event_id`` (a rule testing the field ``id`` reads that key)."""
    fact: dict[str, Any] = {"id": f"f{seq}", ALWAYS: 1}
    for spec in FIELDS.values():
        value = field_value(event, spec.name)
        if spec.type == "list":  # only presence is posted: durable compares scalars
            value = value or None
        fact[f"has__{spec.key}"] = 0 if value is None else 1
        if value is not None and spec.type != "list":
            fact[spec.key] = value
    return fact


def field_value(event: Event, name: str) -> Any:
    """The value of a (possibly dotted) field in the engine's vocabulary, or None."""
    if name == "time":
        return event.time.timestamp()
    if name.startswith("location."):
        if event.location is None:
            return None
        return getattr(event.location, name.split(".", 1)[1])
    return getattr(event, name)
