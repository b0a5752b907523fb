"""Reason text: a finding's one-line reason, from its clause's template and the event.

A template names placeholders (``{actor_name}``, ``{region_name}``, ...; the list a rule file
may use is checked at load, see :data:`redlines.rules.load.CLAUSE_PLACEHOLDERS`). Values that
an event lacks read as words (``an unknown region``), never as ``None``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..countries import country_name, subdivision_name
from ..events import Event, format_time

__all__ = ["event_reason", "event_values", "render_reason"]


class _Placeholders(string.Formatter):
    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "unknown")


_FORMATTER = _Placeholders()


def event_values(event: Event) -> dict[str, Any]:
    loc = event.location
    return {
        "id": event.id,
        "time": format_time(event.time),
        "date": event.time.date().isoformat(),
        "actor": event.actor or "unknown",
        "actor_name": country_name(event.actor) if event.actor else "an unknown actor",
        "actor_type": event.actor_type,
        "on_behalf_of": event.on_behalf_of or "no one",
        "on_behalf_of_name": country_name(event.on_behalf_of) if event.on_behalf_of else "no one",
        "target": event.target,
        "target_name": country_name(event.target),
        "kind": event.kind.replace("_", " "),
        "intent": event.intent,
        "attribution": event.attribution,
        "region": (loc.region if loc and loc.region else "an unknown region"),
        "region_name": (
            f"{subdivision_name(loc.region)} ({loc.region})"
            if loc and loc.region
            else "an unknown region"
        ),
        "place": (loc.place if loc and loc.place else "an unknown place"),
        "location_country": (loc.country if loc and loc.country else "unknown"),
        "fatalities": event.fatalities if event.fatalities is not None else "unknown",
    }


def render_reason(template: str, values: dict[str, Any]) -> str:
    """*template* with its placeholders filled from *values* (a missing one reads
    ``unknown``), white space collapsed to single spaces."""
    parts = _parts(template)
    if parts is None:
        text = _FORMATTER.format(template, **values)
    else:
        text = "".join(
            literal if name is None else literal + format(values.get(name, "unknown"), "")
            for literal, name in parts
        )
    return _SPACES.sub(" ", text).strip()


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _parts(template: str) -> tuple[tuple[str, str | None], ...] | None:
    """*template* parsed once: (literal text, placeholder name or None) pairs; None when a
    placeholder has a format, a conversion or a name that is not a plain word (then
    :class:`string.Formatter` reads it each time, as it always did)."""
    out: list[tuple[str, str | None]] = []
    try:
        for literal, name, spec, conversion in _FORMATTER.parse(template):
            if name is not None and (spec or conversion or not name.isidentifier()):
                return None
            out.append((literal, name))
    except ValueError:
        return None
    return tuple(out)


def _location(event: Event) -> Any:
    loc = event.location
    return None if loc is None else (loc.region, loc.place, loc.country)


def _field(name: str) -> Callable[[Event], Any]:
    return lambda event: getattr(event, name)


#: What each placeholder of :func:`event_values` is made from: the event's own values, so
#: that two events with the same ones read alike (:func:`event_reason`).
_RAW: dict[str, Callable[[Event], Any]] = {
    "id": _field("id"),
    "time": _field("time"),
    "date": _field("time"),
    **{
        name: _field(name.removesuffix("_name"))
        for name in (
            "actor", "actor_name", "actor_type", "on_behalf_of", "on_behalf_of_name", "target",
            "target_name", "kind", "intent", "attribution", "fatalities",
        )
    },
    **{name: _location for name in ("region", "region_name", "place", "location_country")},
}  # fmt: skip


def _nothing(event: Event) -> None:
    """A name that is no placeholder of an event (it reads "unknown")."""
    return None


#: Rendered reasons by template and the values they read; cleared when full.
_REASONS: dict[tuple[Any, ...], str] = {}
_REASONS_KEPT = 8_192


def event_reason(template: str, event: Event) -> str:
    """``render_reason(template, event_values(event))``, remembered by the values of *event*
    the template reads: a feed repeats the same actor, target and kind in reason after reason,
    and a reason that names no id, time or place is then rendered once."""
    reads = _reads(template)
    if reads is None:
        return render_reason(template, event_values(event))
    try:
        key = (template, *(raw(event) for raw in reads))
        found = _REASONS.get(key)
    except TypeError:  # a value that cannot be a key
        return render_reason(template, event_values(event))
    if found is None:
        if len(_REASONS) >= _REASONS_KEPT:
            _REASONS.clear()
        found = _REASONS[key] = render_reason(template, event_values(event))
    return found


@lru_cache(maxsize=4096)
def _reads(template: str) -> tuple[Callable[[Event], Any], ...] | None:
    """What *template*'s placeholders are made from (:data:`_RAW`); None when it is not
    parsed into plain placeholders (:func:`_parts`)."""
    parts = _parts(template)
    if parts is None:
        return None
    names = dict.fromkeys(n for _, n in parts if n is not None)
    return tuple(_RAW.get(name, _nothing) for name in names)
