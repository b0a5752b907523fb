"""Facts: an event as both matchers see it.

A fact is the event flattened into the engine's vocabulary: ``location.region`` becomes
``location__region``, the time becomes epoch seconds, the event's id travels as ``event_id``
(``id`` is durable-rules' own key), and each field has a presence flag ``has__<key>`` (1 or 0),
because durable-rules cannot test absence (its ``$nex`` loops). List fields post only their
presence to the engine (``contains`` reads the list itself, in Python:
:func:`redlines.rules.operators.derived_key`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from operator import itemgetter
from typing import Any, cast

from ..compile import ALWAYS, CompiledRuleset
from ..events import Event
from ..rules.normal import disjuncts
from ..rules.resolved import FIELDS
from .prefilter import Prefilter

__all__ = ["event_fact", "field_value", "unmatchable", "values_fact"]


def event_fact(event: Event, seq: int) -> dict[str, Any]:
    """The fact posted for *event*. ``id`` is the engine's own key (``f<seq>``); the event's id
    travels as ``event_id`` (a rule testing the field ``id`` reads that key)."""
    fact: dict[str, Any] = {"id": f"f{seq}", ALWAYS: 1}
    # The models' own dicts, read directly: a third of the cost of an attribute read each.
    values = event.__dict__
    location = values["location"]
    nested = _NO_LOCATION if location is None else location.__dict__
    for key, has, name, in_location, listed in _PLAN:
        value = (nested if in_location else values)[name]
        if listed:  # durable compares scalars: the engine is sent only the presence
            fact[has] = 1 if value else 0
            if value:
                fact[key] = value
        elif value is None:
            fact[has] = 0
        else:
            fact[has] = 1
            fact[key] = value.timestamp() if name == "time" else value
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


#: (fact key, presence key, attribute, whether it is the location's, is a list) of every
#: field rules may test, in the order of the fields.
_PLAN: tuple[tuple[str, str, str, bool, bool], ...] = tuple(
    (
        spec.key,
        f"has__{spec.key}",
        spec.name.split(".", 1)[-1],
        spec.name.startswith("location."),
        spec.type == "list",
    )
    for spec in FIELDS.values()
)
_NO_LOCATION: dict[str, Any] = {name: None for _, _, name, nested, _ in _PLAN if nested}


def field_value(event: Event, name: str) -> Any:
    """The value of a (possibly dotted) field in the engine's vocabulary, or None."""
    return _READER_OF[name](event, event.location)


ValuesReader = Callable[[Mapping[str, Any]], Any]


def _values_reader(name: str) -> ValuesReader:
    """How to read field *name* from an event's field values (as
    :func:`redlines.readers.eventsink.checked_values` gives them: ``location`` a dict)."""
    if name == "time":
        return lambda values: values["time"].timestamp()
    if name.startswith("location."):
        attr = name.split(".", 1)[1]
        return lambda values: None if values["location"] is None else values["location"][attr]
    return lambda values: values[name]


def values_fact(keys: Collection[str]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function making the fact of an event's checked field values, cut to *keys*: under
    those keys, the same values as :func:`event_fact` of the event (a property test checks
    it), without building the event."""
    readers = [
        (spec.key, f"has__{spec.key}", _values_reader(spec.name), spec.type == "list")
        for spec in FIELDS.values()
        if spec.key in keys or f"has__{spec.key}" in keys
    ]

    def fact(values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {ALWAYS: 1}
        for key, has, read, listed in readers:
            value = read(values)
            if listed:
                out[has] = 1 if value else 0
                if value:
                    out[key] = value
            elif value is None:
                out[has] = 0
            else:
                out[has] = 1
                out[key] = value
        return out

    return fact


def unmatchable(compiled: CompiledRuleset) -> Callable[[Mapping[str, Any]], bool]:
    """``unmatchable(compiled)(values)``: True when no rule of *compiled* (clause or pattern
    selector) can match the event of these checked field values, by the prefilter: such an
    event gets ``clear`` from every red line and no pattern counts it."""
    prefilter = Prefilter(compiled)
    tested = sorted(
        {test.field for rule in compiled.rules for b in disjuncts(rule.condition) for test in b}
    )
    keys = {key for f in tested for key in (FIELDS[f].key, f"has__{FIELDS[f].key}")}
    fact = values_fact(keys)
    # The answer depends only on the fields the rules test, which a feed repeats (a few
    # countries and kinds): it is remembered for each combination of their values.
    top = [f for f in tested if not f.startswith("location.")]
    nested = [f.split(".", 1)[1] for f in tested if f.startswith("location.")]
    get_top = _getter(top)
    get_nested = _getter(nested)
    known: dict[tuple[Any, ...], bool] = {}

    def skip(values: Mapping[str, Any]) -> bool:
        location = values["location"]
        key = (get_top(values), None if location is None else get_nested(location))
        found = known.get(key)
        if found is None:
            if len(known) >= _MAX_REMEMBERED:
                known.clear()
            found = known[key] = not prefilter(fact(values))
        return found

    return skip


#: How many combinations of tested values :func:`unmatchable` remembers at most.
_MAX_REMEMBERED = 1 << 16


def _getter(names: list[str]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """The values of *names* in a mapping, as a tuple."""
    if not names:
        return lambda mapping: ()
    if len(names) == 1:
        name = names[0]
        return lambda mapping: (mapping[name],)
    return cast(Callable[[Mapping[str, Any]], tuple[Any, ...]], itemgetter(*names))
