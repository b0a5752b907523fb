"""GDELT event exports, 2.0 (61 columns) and 1.0 (58 columns in daily files, 57 in the backfile).

Files are tab-separated whatever their extension, have no header, and are read as strings:
CAMEO ``0841`` stays ``0841``. Actor countries are CAMEO codes (mostly ISO alpha-3, see
``data/cameo_country_codes.csv``); location countries are FIPS 10-4 (``BO`` Belarus, ``RS``
Russia, ``UP`` Ukraine; ``BY`` is Burundi). One row is one machine-coded mention of a happening:
rows start ``suspected`` and only corroboration across articles can make them ``confirmed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ..countries import country_name
from ..events import KIND_GROUPS
from .adapter import NO_COUNTRY, Candidate, Evidence, RowRejected, digits, number
from .geo import region_for
from .options import AdapterOptions, DateOrder
from .tables import (
    CameoCode,
    cameo_actor_types,
    cameo_codes,
    cameo_country,
    fips_to_iso3,
    tags_for,
)
from .text import clean

__all__ = [
    "GdeltAdapter",
    "make_v1",
    "make_v2",
    "restore_cameo_code",
    "restore_cameo_codes",
    "votes_v1",
    "votes_v2",
]

#: Kinds that happen where their target is (see ``AdapterOptions.check_place``).
_PLACED_KINDS = frozenset(KIND_GROUPS["MILITARY"]) | {"munition_impact"}

#: GDELT geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (ADM1).
GEO_COUNTRY = 1
_GEO_PRECISE = frozenset({4, 5})


@dataclass(frozen=True)
class _Layout:
    """Column positions of one GDELT version (0-based)."""

    widths: frozenset[int]
    action_geo: int  #: first ActionGeo column (Type)
    geo_has_adm2: bool  #: 2.0 adds ADM2Code to every geo block
    url: int  #: SOURCEURL, absent from 1.0 backfile rows


_V2 = _Layout(frozenset({61}), action_geo=51, geo_has_adm2=True, url=60)
_V1 = _Layout(frozenset({57, 58}), action_geo=49, geo_has_adm2=False, url=57)


def _votes(layout: _Layout, lines: list[str]) -> int:
    return sum(len(line.split("\t")) in layout.widths for line in lines if "\t" in line)


def votes_v2(lines: list[str]) -> int:
    """How many of a file's first lines have the width of a GDELT 2.0 row (format detection:
    GDELT has no header, so the widths of the first lines vote, and one malformed first row
    does not hide the format of the file)."""
    return _votes(_V2, lines)


def votes_v1(lines: list[str]) -> int:
    """How many of a file's first lines have the width of a GDELT 1.0 row."""
    return _votes(_V1, lines)


def restore_cameo_code(value: str) -> str:
    """Put back the leading zero a spreadsheet or DataFrame dropped from a CAMEO event code
    (``841`` -> ``0841``, ``43`` -> ``043``); codes that are already strings pass unchanged.

    CAMEO roots run 01-20, so a 3-digit value whose first two digits are not a root, and a
    2-digit value, lost a zero."""
    code = value.strip()
    if code.endswith(".0"):
        code = code[:-2]
    if not digits(code) or code.startswith("0"):
        return code
    if len(code) == 2 or (len(code) == 3 and not 10 <= int(code[:2]) <= 20):
        return "0" + code
    return code


def restore_cameo_codes(fields: list[str]) -> list[str]:
    """*fields* with the leading zeros of EventCode, EventBaseCode and EventRootCode put back
    (for rows that went through a DataFrame)."""
    for i in (26, 27, 28):
        if i < len(fields):
            fields[i] = restore_cameo_code(fields[i])
    return fields


@lru_cache(maxsize=4096)
def _day(text: str) -> dt.date:
    """SQLDATE (``YYYYMMDD``) as a date; ValueError when it is not one. A file holds few."""
    return dt.datetime.strptime(text, "%Y%m%d").date()


def _int(value: str) -> int:
    try:
        return max(int(number(value)), 0) if value else 0
    except ValueError:
        return 0


def _float(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        return number(value)
    except ValueError:
        raise RowRejected("invalid coordinates", f"{name} {value!r} is not a number") from None


class GdeltAdapter:
    """GDELT 2.0 (``gdelt``) or 1.0 (``gdelt1``) event rows -> candidate events."""

    layout: Literal["tsv", "csv"] = "tsv"
    #: SQLDATE is always YYYYMMDD: no date order to decide.
    date_columns: tuple[str, ...] = ()
    date_order: DateOrder | None = None
    date_basis: str | None = None

    def __init__(
        self,
        version: Literal[1, 2],
        *,
        regions: bool = True,
        check_place: bool = True,
        region_max_km: float = 50.0,
    ) -> None:
        self.version = version
        self.name = "gdelt" if version == 2 else "gdelt1"
        self._layout = _V2 if version == 2 else _V1
        self.expected = (
            "a GDELT 2.0 event export: 61 tab-separated columns, no header"
            if version == 2
            else "a GDELT 1.0 event export: 57 or 58 tab-separated columns, no header"
        )
        self.regions = regions
        self.check_place = check_place
        self.region_max_km = region_max_km

    @classmethod
    def from_options(cls, version: Literal[1, 2], options: AdapterOptions) -> GdeltAdapter:
        """The adapter of GDELT *version*, configured by the options of one read."""
        return cls(
            version,
            regions=options.regions,
            check_place=options.check_place,
            region_max_km=options.region_max_km,
        )

    def in_format(self, row: Sequence[str]) -> bool:
        return len(row) in self._layout.widths

    def missing_columns(self, header: Sequence[str]) -> list[str]:
        return []

    def _code(self, row: Sequence[str]) -> CameoCode:
        table = cameo_codes()
        for index in (26, 27, 28):  # EventCode, EventBaseCode, EventRootCode
            code = restore_cameo_code(row[index])
            if code in table:
                return table[code]
        raise RowRejected("unknown CAMEO event code", f"EventCode {row[26]!r}")

    # -- screening: whole classes of rows judged from a few columns (readers/columnar.py) ----

    @property
    def widths(self) -> frozenset[int]:
        """The column counts of a row of this version."""
        return self._layout.widths

    def screen_columns(self) -> dict[str, int]:
        """The columns (0-based) that decide what :meth:`convert` makes of a row whose width
        is right, whose GLOBALEVENTID is ASCII digits, whose SQLDATE passes :meth:`date_ok`
        and whose coordinates are plain numbers well inside their ranges, or empty: such a
        row is rejected, or becomes an event that passes validation, as the ``screen_*``
        methods below say from these columns alone (``readers/columnar.py``). Each reads one
        value as read (before cleaning), with the code :meth:`convert` runs."""
        g = self._layout.action_geo
        shift = 1 if self._layout.geo_has_adm2 else 0
        return {
            "id": 0,
            "date": 1,
            "actor": 7,
            "actor_type": 12,
            "target": 17,
            "code": 26,
            "base_code": 27,
            "root_code": 28,
            "geo_type": g,
            "place": g + 2,
            "lat": g + 4 + shift,
            "lon": g + 5 + shift,
        }

    @staticmethod
    def date_ok(value: str) -> bool:
        """Whether :meth:`convert` reads SQLDATE *value* as a date."""
        try:
            _day(clean(value))
        except ValueError:
            return False
        return True

    def screen_code(self, code: str, base: str, root: str) -> CameoCode | RowRejected:
        """The CAMEO code the EventCode, EventBaseCode and EventRootCode values give, or the
        rejection of a row with them."""
        try:
            return self._code(("",) * 26 + tuple(clean(v) for v in (code, base, root)))
        except RowRejected as exc:
            return exc

    @staticmethod
    def screen_country(value: str) -> str | None:
        """The country of an Actor1CountryCode or Actor2CountryCode value (None: none)."""
        return cameo_country(clean(value))

    @staticmethod
    def screen_place(value: str) -> str | None:
        """The country of an ActionGeo_CountryCode value (None: none). A row without a
        location has none either."""
        return fips_to_iso3().get(clean(value).upper())

    @staticmethod
    def screen_actor_type(value: str) -> str:
        """The actor type of an Actor1Type1Code value."""
        return cameo_actor_types().get(clean(value), "unknown")

    @staticmethod
    def screen_geo_country(value: str) -> bool:
        """Whether an ActionGeo_Type value is a country-level geocode."""
        return _int(clean(value)) == GEO_COUNTRY

    def screen_places_target(self, kind: str) -> bool:
        """Whether the target of an event of *kind* is taken from its place when the place
        is in another country (``check_place``; see :meth:`convert`)."""
        return self.check_place and kind in _PLACED_KINDS

    @staticmethod
    def screen_no_country(actor: str, target: str) -> RowRejected:
        """The rejection of a row with these Actor1CountryCode and Actor2CountryCode values
        whose target is found neither in Actor2 nor in the place."""
        actor = clean(actor)
        return RowRejected(NO_COUNTRY, _country_detail(actor, cameo_country(actor), clean(target)))

    def _place(self, row: Sequence[str]) -> tuple[dict[str, Any] | None, int, str]:
        """(location, geo type, place key) from the ActionGeo columns."""
        g = self._layout.action_geo
        shift = 1 if self._layout.geo_has_adm2 else 0
        geo_type = _int(row[g])
        name, fips = row[g + 1], row[g + 2].upper()
        lat = _float(row[g + 4 + shift], "ActionGeo_Lat")
        lon = _float(row[g + 5 + shift], "ActionGeo_Long")
        feature = row[g + 6 + shift]
        if geo_type == 0 and not fips and lat is None:
            return None, 0, ""
        location: dict[str, Any] = {}
        country = fips_to_iso3().get(fips)
        if country is not None:
            location["country"] = country
        if name:
            location["place"] = name
        if lat is not None and lon is not None:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise RowRejected("invalid coordinates", f"({lat}, {lon}) is not on Earth")
            location["lat"], location["lon"] = lat, lon
            if self.regions and country is not None and geo_type in _GEO_PRECISE:
                region = region_for(country, lat, lon, self.region_max_km)
                if region is not None:
                    location["region"] = region
        key = feature or f"{fips}:{row[g + 4 + shift]}:{row[g + 5 + shift]}"
        return (location or None), geo_type, key

    def convert(self, row: Sequence[str]) -> Candidate:
        if not self.in_format(row):
            widths = " or ".join(str(w) for w in sorted(self._layout.widths))
            raise RowRejected("wrong number of columns", f"{len(row)} columns, expected {widths}")
        gid = row[0]
        if not digits(gid):
            raise RowRejected("invalid event id", f"GLOBALEVENTID {gid!r}")
        try:
            day = _day(row[1])
        except ValueError:
            raise RowRejected("invalid date", f"SQLDATE {row[1]!r}") from None
        code = self._code(row)
        actor, target = cameo_country(row[7]), cameo_country(row[17])
        location, geo_type, place_key = self._place(row)
        target_from_place = False
        if target is None and location is not None and location.get("country"):
            # Actor2 has no country (a one-actor event such as "Russian aircraft violated
            # airspace"): the state affected is the one where it happened.
            target, target_from_place = location["country"], True
        if target is None:
            raise RowRejected(NO_COUNTRY, _country_detail(row[7], actor, row[17]))

        coded_target = None
        place_country = location.get("country") if location else None
        if self.check_place and code.kind in _PLACED_KINDS and place_country is not None:
            # A strike or an incursion happens where its target is. When the geocoder puts it
            # in another country, the coded Actor2 is the wrong state (an "Odessa" in Texas, a
            # Russian "occupation" placed in Afghanistan): the state affected is the place's.
            # GDELT's fallback of a country-level geocode of the actor's own country is no
            # evidence either way and leaves the coded target.
            at_actor_centroid = geo_type == GEO_COUNTRY and place_country == actor
            if place_country != target and not at_actor_centroid:
                coded_target, target = target, place_country

        url = row[self._layout.url] if len(row) > self._layout.url else ""
        fields: dict[str, Any] = {
            "time": day.isoformat(),
            "actor": actor,
            "actor_type": cameo_actor_types().get(row[12], "unknown"),
            "target": target,
            "kind": code.kind,
            "intent": code.intent,
            "notes": _notes(code, row[6], row[16], coded_target, target_from_place),
        }
        if location is not None:
            fields["location"] = location
        tags = tags_for("GDELT", [row[12], row[13], row[14]])  # Actor1Type1Code ... Type3Code
        if tags:
            fields["tags"] = tags
        return Candidate(
            fields=fields,
            event_id=f"gdelt-{gid}",
            row_ref=f"gdelt:{gid}",
            attribution="suspected",
            sources=[url] if url else [],
            group_key=(day, actor, target, code.code[:2], place_key),
            evidence=Evidence(url=url, num_sources=_int(row[32]), num_articles=_int(row[33])),
            order_key=(int(gid), ""),
            code=f"CAMEO {code.code} '{code.description}'",
        )


def make_v2(options: AdapterOptions) -> GdeltAdapter:
    """The GDELT 2.0 adapter (format ``gdelt``)."""
    return GdeltAdapter.from_options(2, options)


def make_v1(options: AdapterOptions) -> GdeltAdapter:
    """The GDELT 1.0 adapter (format ``gdelt1``)."""
    return GdeltAdapter.from_options(1, options)


def _country_detail(actor_code: str, actor: str | None, target_code: str) -> str:
    target_text = (
        f"Actor2CountryCode {target_code!r} is not a country and no location country"
        if target_code
        else "no Actor2CountryCode and no location country"
    )
    if actor is not None:
        return f"{target_text} (actor {actor})"
    actor_text = (
        f"Actor1CountryCode {actor_code!r} is not a country"
        if actor_code
        else ("no Actor1CountryCode")
    )
    return f"{target_text}; {actor_text}"


def _notes(
    code: CameoCode, actor1: str, actor2: str, coded_target: str | None, target_from_place: bool
) -> str:
    text = f"GDELT CAMEO {code.code} {code.description}: {actor1 or '?'} -> {actor2 or '?'}"
    if target_from_place:
        text += "; target is the country of the action's location (Actor2 has no country)"
    if coded_target is not None:
        text += (
            f"; Actor2 coded as {country_name(coded_target)}, but the action is placed in "
            "another country: target taken from the place"
        )
    return text
