"""The contract's Event (v1): fields, kinds, and how each is validated and normalised.

Events are pydantic models: unknown fields are rejected, countries are normalised to ISO
alpha-3, kinds and the other closed vocabularies give a "did you mean" on typos, and times are
timezone-aware (a bare date means 00:00 UTC; a datetime without an offset is an error).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import pycountry
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .countries import normalize_country
from .errors import InvalidValue, printable, suggest

__all__ = [
    "ACTOR_TYPES",
    "ATTRIBUTIONS",
    "EVENT_FIELDS",
    "INTENTS",
    "KINDS",
    "KIND_GROUPS",
    "MAX_INTEGER",
    "MAX_TAG",
    "MAX_TEXT",
    "TIME_SCHEMA",
    "Country",
    "Event",
    "Location",
    "earlier",
    "format_time",
    "later",
    "parse_region",
    "parse_time",
    "time_order",
    "unknown_choice",
]

#: The event kinds (docs/events.md), by group. Group names are usable as sets in rule files.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "MILITARY": (
        "ground_offensive",
        "border_incursion",
        "missile_strike",
        "drone_strike",
        "air_strike",
        "artillery_fire",
        "naval_attack",
        "airspace_violation",
        "naval_incursion",
    ),
    "SPILLOVER": ("munition_impact",),
    "SUPPORT": ("troop_deployment", "weapons_supply", "territory_use"),
    "POSTURE": ("mobilization", "military_exercise", "threat"),
    "HYBRID": ("sabotage", "cyberattack", "electronic_warfare", "border_provocation"),
    "OTHER": ("other",),
}
KINDS: tuple[str, ...] = tuple(k for group in KIND_GROUPS.values() for k in group)
ACTOR_TYPES = ("state_forces", "state_directed_proxy", "non_state", "individuals", "unknown")
INTENTS = ("deliberate", "stray", "accidental", "unknown")
ATTRIBUTIONS = ("confirmed", "suspected", "disputed", "misattributed")


#: Vocabularies of at most this many words are listed in full when a value is not one of them;
#: longer ones (the kinds) only when no word comes close.
LISTED_CHOICES = 10


def unknown_choice(what: str, value: Any, allowed: tuple[str, ...]) -> InvalidValue:
    """The error for *value* outside a closed vocabulary: ``unknown intent 'on purpose': use one
    of deliberate, stray, accidental, unknown``, with a "did you mean" when a word is close."""
    hint = suggest(str(value), allowed, cutoff=0.6)
    message = f"unknown {what} '{printable(str(value))}'"  # a lone surrogate too
    if len(allowed) <= LISTED_CHOICES or hint is None:
        message += f": use one of {', '.join(allowed)}"
    return InvalidValue(message, suggestion=hint)


def _choice(what: str, allowed: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidValue(f"{what} must be a string, one of: {', '.join(allowed)}")
        if value in allowed:
            return value
        if value.strip().lower() in allowed:
            return value.strip().lower()
        raise unknown_choice(what, value, allowed)

    return check


def _country(value: Any) -> str:
    return normalize_country(value)


def _words(allowed: tuple[str, ...]) -> WithJsonSchema:
    """The JSON Schema of a closed vocabulary: its words as written in docs/events.md (the
    loader also accepts them in any case)."""
    return WithJsonSchema({"type": "string", "enum": list(allowed)})


Country = Annotated[str, BeforeValidator(_country)]
Kind = Annotated[str, BeforeValidator(_choice("kind", KINDS)), _words(KINDS)]
ActorType = Annotated[str, BeforeValidator(_choice("actor_type", ACTOR_TYPES)), _words(ACTOR_TYPES)]
Intent = Annotated[str, BeforeValidator(_choice("intent", INTENTS)), _words(INTENTS)]
Attribution = Annotated[
    str, BeforeValidator(_choice("attribution", ATTRIBUTIONS)), _words(ATTRIBUTIONS)
]

#: The largest integer an event or a rule may hold: the engine compares 64-bit integers.
MAX_INTEGER = 2**63 - 1

#: The longest text an event field may hold, in characters. The engine refuses values of
#: 16 MiB or more once encoded; this keeps every event well inside that.
MAX_TEXT = 1_000_000
Text = Annotated[str, Field(max_length=MAX_TEXT)]

_DATE_ONLY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
# ISO 8601 / RFC 3339 date-times, and YAML's timestamp form (space or 't' separator, optional
# space before the offset, any number of fraction digits). Parsed by hand so that Python 3.10,
# whose fromisoformat is narrower, reads exactly what 3.11 and 3.12 read.
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(?:(?P<z>[Zz])|(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)?$",
    re.ASCII,  # digits are ASCII only: Arabic-Indic or fullwidth digits are not a date
)
#: ``2024-06-01T04:00:00+00:00`` (with or without six fraction digits): what Python 3.10's
#: ``datetime.fromisoformat`` reads exactly as the full parser below does.
_COMMON = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?"
    r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
)
_TIME_HINT = "expected ISO 8601 with an offset (2024-06-01T04:00:00+00:00) or a date (2024-06-01)"

#: The JSON Schema of a time: what :func:`parse_time` reads, as a pattern (JSON Schema's
#: ``date-time`` format would refuse dates and YAML's space-separated timestamps).
TIME_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": (
        r"^\d{4}-\d{2}-\d{2}"
        r"([Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?))?$"
    ),
    "description": "ISO 8601 with a UTC offset (2024-06-01T04:00:00+00:00), or a date (00:00 UTC)",
}


def parse_time(value: Any) -> dt.datetime:
    """Read an event time: ISO 8601 with offset, a ``YYYY-MM-DD`` date (00:00 UTC), or a YAML
    timestamp. Returns an aware datetime in UTC."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidValue(
                f"datetime '{value.isoformat()}' has no UTC offset: add one (e.g. +00:00), "
                "or give a bare date"
            )
        return _utc(value, value.isoformat())
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if not isinstance(value, str):
        raise InvalidValue(f"a time must be a string or a date, not {type(value).__name__}")
    if _COMMON.match(value):
        # The form every writer of ISO 8601 produces, read by the standard library at C speed;
        # anything it refuses (an offset out of range, say) is worded by the reading below.
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            # already in UTC (``Z``, ``+00:00``): as astimezone would give it
            return stamp if stamp.tzinfo is dt.timezone.utc else _utc(stamp, value)
    text = value.strip()
    day = _DATE_ONLY.match(text)
    if day:
        try:
            date = dt.date(*(int(g) for g in day.groups()))
        except ValueError:
            raise InvalidValue(f"invalid date '{value}'") from None
        return dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
    m = _DATETIME.match(text)
    if m is None:
        raise InvalidValue(f"invalid time '{value}': {_TIME_HINT}")
    if not m.group("z") and not m.group("sign"):
        raise InvalidValue(
            f"datetime '{value}' has no UTC offset: add one (e.g. +00:00), or give a bare date"
        )
    year, month, mday, hour, minute = (int(g) for g in m.groups()[:5])
    second = int(m.group(6) or 0)
    micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
    offset = dt.timedelta(0)
    if m.group("sign"):
        hours, minutes = int(m.group("oh")), int(m.group("om") or 0)
        if hours > 23 or minutes > 59:
            raise InvalidValue(f"invalid time '{value}': the UTC offset is out of range")
        offset = dt.timedelta(hours=hours, minutes=minutes)
        if m.group("sign") == "-":
            offset = -offset
    try:
        stamp = dt.datetime(
            year, month, mday, hour, minute, second, micro, tzinfo=dt.timezone(offset)
        )
    except ValueError as exc:
        raise InvalidValue(f"invalid time '{value}': {exc}") from None
    return _utc(stamp, value)


def _utc(stamp: dt.datetime, shown: str) -> dt.datetime:
    try:
        return stamp.astimezone(dt.timezone.utc)
    except OverflowError:
        raise InvalidValue(f"time '{shown}' is outside the years 1-9999 in UTC") from None


def parse_region(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidValue("a region must be an ISO 3166-2 code such as 'UA-07'")
    code = value.strip().upper()
    if pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
        raise InvalidValue(f"unknown ISO 3166-2 region '{value}'")
    return code


#: A tag: a lower-case word of letters, digits and ``_`` (``undersea_cable``).
_TAG = re.compile(r"^[a-z0-9_]+$", re.ASCII)
#: The longest tag, in characters.
MAX_TAG = 64


def _tags(value: Any) -> Any:
    """Tags as given, lower-cased (``Energy`` is ``energy``), in their order, de-duplicated."""
    if not isinstance(value, (list, tuple)):
        return value  # pydantic words the error
    out: list[str] = []
    for tag in value:
        if not isinstance(tag, str):
            raise InvalidValue(f"a tag must be a word, not {tag!r}")
        word = tag.strip().lower()
        if not _TAG.match(word) or len(word) > MAX_TAG:
            hint = re.sub(r"[^a-z0-9_]+", "_", word).strip("_")[:MAX_TAG]
            raise InvalidValue(
                f"invalid tag '{tag}': a tag is a word of letters, digits and '_' (at most "
                f"{MAX_TAG} characters)",
                suggestion=hint if hint and hint != word else None,
            )
        if word not in out:
            out.append(word)
    return out


Tags = Annotated[
    tuple[str, ...],
    BeforeValidator(_tags),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Za-z0-9_]+$", "maxLength": MAX_TAG},
            "description": "lower-case words (critical_infrastructure, energy); any case is "
            "lowered; duplicates are dropped",
        }
    ),
]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Location(_Closed):
    """Where an event happened."""

    country: Country | None = None
    region: Annotated[str, BeforeValidator(parse_region)] | None = None
    place: Text | None = None
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, strict=True)

    @model_validator(mode="after")
    def _region_in_country(self) -> Location:
        if self.region is not None and self.country is not None:
            alpha2 = self.region.split("-", 1)[0]
            found = pycountry.countries.get(alpha_2=alpha2)
            if found is not None and found.alpha_3 != self.country:
                raise InvalidValue(
                    f"region '{self.region}' is in {found.alpha_3}, not in location.country "
                    f"'{self.country}'"
                )
        return self


class Event(_Closed):
    """One structured incident (docs/events.md)."""

    id: Annotated[Text, WithJsonSchema({"type": ["string", "integer"], "minLength": 1})] = Field(
        min_length=1
    )
    time: Annotated[dt.datetime, BeforeValidator(parse_time), WithJsonSchema(TIME_SCHEMA)]
    actor: Country | None
    actor_type: ActorType = "state_forces"
    on_behalf_of: Country | None = None
    target: Country
    kind: Kind
    intent: Intent = "unknown"
    attribution: Attribution = "confirmed"
    location: Location | None = None
    fatalities: int | None = Field(default=None, ge=0, le=MAX_INTEGER, strict=True)
    sources: tuple[Text, ...] = ()
    tags: Tags = ()
    notes: Text | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise InvalidValue("an id must be a string")
        return str(value) if isinstance(value, int) else value

    def contract_dict(self) -> dict[str, Any]:
        """The event as contract JSON: ISO time in UTC, unset optional fields left out."""
        out: dict[str, Any] = {"id": self.id, "time": format_time(self.time)}
        for name in (
            "actor",
            "actor_type",
            "on_behalf_of",
            "target",
            "kind",
            "intent",
            "attribution",
        ):
            value = getattr(self, name)
            if value is not None or name == "actor":
                out[name] = value
        if self.location is not None:
            out["location"] = self.location.model_dump(exclude_none=True)
        if self.fatalities is not None:
            out["fatalities"] = self.fatalities
        if self.sources:
            out["sources"] = list(self.sources)
        if self.tags:
            out["tags"] = list(self.tags)
        if self.notes is not None:
            out["notes"] = self.notes
        return out


def format_time(value: dt.datetime) -> str:
    """The one rendering of a time in reports: ISO 8601 in UTC with ``+00:00``."""
    return value.astimezone(dt.timezone.utc).isoformat()


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
_LATEST = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


def later(time: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``time + delta`` (*delta* >= 0), at most the last instant of the year 9999 (UTC):
    windows near either end of the calendar stop there instead of overflowing."""
    try:
        return time + delta
    except OverflowError:
        return _LATEST


def earlier(time: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``time - delta`` (*delta* >= 0), at least the first instant of the year 1 (UTC)."""
    try:
        return time - delta
    except OverflowError:
        return _EARLIEST


#: Field names allowed at each level, for "did you mean" on unknown fields.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "": tuple(Event.model_fields),
    "location": tuple(Location.model_fields),
}


def time_order(events: Sequence[Event]) -> list[int]:
    """The positions of *events* in event-time order, ties broken by event id: the order a
    batch is evaluated in, so that a report does not depend on the order of the input, even
    for events at the same instant (ids are unique within a batch)."""
    return sorted(range(len(events)), key=lambda i: (events[i].time, events[i].id))
