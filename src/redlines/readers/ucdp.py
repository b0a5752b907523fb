"""UCDP Georeferenced Event Dataset (GED) CSV, including HDX's variant with an HXL tag row.

UCDP records fighting between two sides (``side_a``, ``side_b``) without saying who struck
first. A side named ``Government of X`` is the state X; other sides (DPR, LPR, ...) are
non-state groups. The event's target is the country where it happened, or the other government
in an interstate dyad; its actor is the state that is not the target, or none (actor type
``non_state``) when the fighting is between a government and a non-state group on the
government's own territory. Kinds come from ``data/ucdp_violence_types.csv``. UCDP is coded by
people: ``event_clarity`` 1 is ``confirmed``, 2 (low clarity) ``suspected``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from ..countries import lookup_country
from .adapter import NO_COUNTRY, Candidate, RowRejected, digits
from .csvbase import CsvAdapter, header_names
from .tables import ucdp_violence_types

__all__ = ["UcdpAdapter", "votes"]

REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "country", "date_start")
#: The header names that tell a UCDP GED export (format detection).
_TELLING = frozenset({"type_of_violence", "side_a", "side_b"})
_GOVERNMENT = re.compile(r"Government of (?P<country>[^,(]+)", re.IGNORECASE)
#: UCDP where_prec: 1 exact place, 2 within 25 km, 3 second-order division, 4 first-order
#: division; 5 a line between places, 6 the country, 7 international waters or airspace.
_PRECISE = frozenset({"1", "2", "3", "4"})


def votes(lines: list[str]) -> int:
    """1 if the first line is a UCDP GED header, else 0 (format detection)."""
    return int(header_names(lines[0]) >= _TELLING)


def _state(side: str) -> str | None:
    match = _GOVERNMENT.match(side.strip())
    if match is None:
        return None
    state = lookup_country(match.group("country").strip())
    if state is None:
        raise RowRejected("unknown actor country", f"side {side!r}")
    return state


class UcdpAdapter(CsvAdapter):
    """UCDP GED CSV records -> candidate events."""

    name = "ucdp"
    required = REQUIRED
    date_columns: tuple[str, ...] = ("date_start", "date_end")
    expected = (
        "a UCDP GED export: a CSV with a header naming id, type_of_violence, side_a, side_b, "
        "country and date_start"
    )

    def convert(self, row: Mapping[str, str]) -> Candidate:
        gid = row["id"]
        if not gid:
            raise RowRejected("invalid event id", "empty id")
        day = self.day(row, "date_start")
        end = self.day(row, "date_end") if row.get("date_end") else None
        violence = row["type_of_violence"]
        if violence not in ucdp_violence_types():
            raise RowRejected("unknown UCDP violence type", f"type_of_violence {violence!r}")
        kind, intent = ucdp_violence_types()[violence]
        where = lookup_country(row["country"]) or lookup_country(row.get("iso3", ""))
        side_a, side_b = row["side_a"], row["side_b"]
        state_a, state_b = _state(side_a), _state(side_b)
        actor, target, actor_type = _sides(violence, state_a, state_b, where)
        if target is None:
            raise RowRejected(NO_COUNTRY, f"country {row['country']!r} is not a country")

        location = self.location(
            where,
            row.get("where_coordinates") or row.get("where_description", ""),
            row.get("latitude", ""),
            row.get("longitude", ""),
            precise=row.get("where_prec", "") in _PRECISE,
        )

        notes = f"UCDP GED {row.get('dyad_name') or f'{side_a} - {side_b}'}"
        if end is not None and end != day:
            notes += f"; between {day.isoformat()} and {end.isoformat()}"
        fields: dict[str, Any] = {
            "time": day.isoformat(),
            "actor": actor,
            "actor_type": actor_type,
            "target": target,
            "kind": kind,
            "intent": intent,
            "notes": notes,
        }
        if location:
            fields["location"] = location
        fatalities = self.fatalities(row.get("best", ""), "best")
        if fatalities is not None:
            fields["fatalities"] = fatalities
        sources = [f"ucdp-ged:{row['relid']}"] if row.get("relid") else []
        attribution: Literal["confirmed", "suspected"] = (
            "suspected" if row.get("event_clarity") == "2" else "confirmed"
        )
        return Candidate(
            fields=fields,
            event_id=f"ucdp-{gid}",
            row_ref=f"ucdp:{gid}",
            attribution=attribution,
            sources=sources,
            order_key=(int(gid) if digits(gid) else 0, gid),
            code=f"UCDP type_of_violence {violence}",
        )


def _sides(
    violence: str, state_a: str | None, state_b: str | None, where: str | None
) -> tuple[str | None, str | None, str]:
    """(actor, target, actor_type) of a dyad fought in *where*."""
    if state_a is not None and state_b is not None and state_a != state_b:
        # Interstate: the target is the side on whose territory it happened.
        if where == state_a:
            return state_b, state_a, "state_forces"
        return state_a, state_b, "state_forces"
    if violence == "3" and state_a is not None:  # one-sided: side_a is the perpetrator
        return state_a, where, "state_forces"
    government = state_a or state_b
    if government is not None and where is not None and government != where:
        # A government fighting a group abroad: that government acts in the country.
        return government, where, "state_forces"
    return None, where, "non_state"
