"""ACLED exports: the 31-column layout (since March 2023), the older layout with numeric
``inter1``/``inter2`` codes, and the UPPERCASE headers of ACLED's curated Ukraine files.

Columns are found by (lower-cased) name, so column order and case do not matter. Dates are
``2023-03-15`` or ``15 March 2023``. Actor names such as ``Military Forces of Russia (2000-)``
map to a state and actor type through ``data/acled_actors.csv``; event and sub-event types map to
kinds through ``data/acled_event_types.csv``. ACLED is coded by people, so named state forces are
``confirmed``; a state inferred behind a proxy is ``suspected``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import pycountry

from ..countries import lookup_country
from .adapter import NO_COUNTRY, Candidate, RowRejected, digits
from .csvbase import CsvAdapter, header_names
from .dates import parse_day
from .options import DateOrder
from .tables import AcledTypeRule, acled_actor_rules, acled_type_rules, tags_for

__all__ = ["AcledAdapter", "parse_acled_date", "votes"]

REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "country")
#: The header names that tell an ACLED export (format detection).
_TELLING = frozenset({"event_id_cnty", "event_date", "event_type"})
#: ACLED geo_precision: 1 the town itself, 2 a part of a region near it, 3 a larger region.
_PRECISE = frozenset({"1", "2"})


def votes(lines: list[str]) -> int:
    """1 if the first line is an ACLED header, else 0 (format detection)."""
    return int(header_names(lines[0]) >= _TELLING)


def parse_acled_date(value: str, order: DateOrder | None = None) -> dt.date:
    """An ACLED ``event_date`` in any of its styles (``2023-03-15``, ``15 March 2023``) or as a
    spreadsheet saved it (``3/15/2023``; slashed dates that could be either in *order*): see
    :mod:`redlines.readers.dates`."""
    return parse_day(value, "event_date", order)


def _country(name: str) -> str | None:
    return lookup_country(name)


def actor_state(name: str) -> tuple[str | None, str, Literal["confirmed", "suspected"]]:
    """(state alpha-3 or None, actor_type, attribution) for an ACLED actor name."""
    for rule in acled_actor_rules():
        match = rule.pattern.fullmatch(name)
        if match is None:
            continue
        attribution: Literal["confirmed", "suspected"] = (
            "suspected" if rule.attribution == "suspected" else "confirmed"
        )
        if rule.country == "{country}":
            state = match.group("country").strip()
            iso = _country(state)
            if iso is None:
                raise RowRejected("unknown actor country", f"{state!r} in actor {name!r}")
            return iso, rule.actor_type, attribution
        return (rule.country or None), rule.actor_type, attribution
    return None, "unknown", "confirmed"  # pragma: no cover - the table ends with a catch-all


def _type_rule(event_type: str, sub_event_type: str, notes: str) -> AcledTypeRule:
    rules = acled_type_rules().get(event_type.lower())
    if not rules:
        raise RowRejected("unknown ACLED event type", f"event_type {event_type!r}")
    for rule in rules:
        if rule.sub_event_type not in ("*", sub_event_type) and (
            rule.sub_event_type.lower() != sub_event_type.lower()
        ):
            continue
        if rule.keyword is not None and not rule.keyword.search(notes):
            continue
        return rule
    raise RowRejected(
        "unknown ACLED event type", f"sub_event_type {sub_event_type!r} of {event_type!r}"
    )


class AcledAdapter(CsvAdapter):
    """ACLED CSV records -> candidate events."""

    name = "acled"
    required = REQUIRED
    date_columns: tuple[str, ...] = ("event_date",)
    expected = (
        "an ACLED export: a CSV with a header naming event_id_cnty, event_date, event_type, "
        "actor1 and country"
    )

    def _event_country(self, row: Mapping[str, str]) -> str | None:
        iso = _country(row.get("country", ""))
        if iso is None and digits(row.get("iso", "")):
            found = pycountry.countries.get(numeric=row["iso"].zfill(3))
            iso = found.alpha_3 if found is not None else None
        return iso

    def convert(self, row: Mapping[str, str]) -> Candidate:
        event_id = row["event_id_cnty"]
        if not event_id:
            raise RowRejected("invalid event id", "empty event_id_cnty")
        day = self.day(row, "event_date")
        notes_text = row.get("notes", "")
        rule = _type_rule(row["event_type"], row.get("sub_event_type", ""), notes_text)
        actor1, actor2 = row["actor1"], row.get("actor2", "")
        actor, actor_type, attribution = actor_state(actor1)
        where = self._event_country(row)
        target = None
        if actor2:
            state2, type2, _ = actor_state(actor2)
            if state2 is not None and type2 in ("state_forces", "state_directed_proxy"):
                target = state2 if state2 != actor else None
        if target is None:
            target = where
        if target is None:
            raise RowRejected(NO_COUNTRY, f"country {row.get('country', '')!r} is not a country")

        location = self.location(
            where,
            row.get("location", ""),
            row.get("latitude", ""),
            row.get("longitude", ""),
            precise=row.get("geo_precision", "") in _PRECISE,
        )

        fields: dict[str, Any] = {
            "time": day.isoformat(),
            "actor": actor,
            "actor_type": actor_type,
            "target": target,
            "kind": rule.kind,
            "intent": rule.intent,
            "notes": _notes(row, actor1, actor2, notes_text),
        }
        if location:
            fields["location"] = location
        tags = tags_for("ACLED", [row.get("sub_event_type", "")])
        if tags:
            fields["tags"] = tags
        fatalities = self.fatalities(row.get("fatalities", ""), "fatalities")
        if fatalities is not None:
            fields["fatalities"] = fatalities
        sources = [s.strip() for s in row.get("source", "").split(";") if s.strip()]
        return Candidate(
            fields=fields,
            event_id=f"acled-{event_id}",
            row_ref=f"acled:{event_id}",
            attribution=attribution,
            sources=sources,
            order_key=(0, event_id),
            code=f"ACLED {row['event_type']}"
            + (f" / {row['sub_event_type']}" if row.get("sub_event_type") else ""),
        )


def _notes(row: Mapping[str, str], actor1: str, actor2: str, text: str) -> str:
    sub = row.get("sub_event_type", "")
    head = f"ACLED {row['event_type']}" + (f" / {sub}" if sub else "")
    head += f": {actor1}" + (f" vs {actor2}" if actor2 else "")
    return f"{head}. {text}" if text else head
