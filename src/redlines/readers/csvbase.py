"""What the two human-coded CSV formats (ACLED, UCDP GED) share: telling them by their header,
header checks, coordinates, location with a region only at sufficient precision, and
fatalities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

from .adapter import RowRejected, number
from .dates import parse_day
from .geo import region_for
from .options import AdapterOptions, DateOrder

__all__ = ["CsvAdapter", "header_names", "parse_coords"]

_A = TypeVar("_A", bound="CsvAdapter")


def header_names(line: str) -> set[str]:
    """The lower-cased column names of a CSV header line (for telling formats apart)."""
    return {h.strip().strip('"').strip("\ufeff").lower() for h in line.split(",")}


def parse_coords(lat_text: str, lon_text: str) -> tuple[float | None, float | None]:
    """Latitude and longitude from text; both None when either is empty."""
    if not lat_text or not lon_text:
        return None, None
    try:
        lat, lon = number(lat_text), number(lon_text)
    except ValueError:
        raise RowRejected("invalid coordinates", f"({lat_text!r}, {lon_text!r})") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RowRejected("invalid coordinates", f"({lat}, {lon}) is not on Earth")
    return lat, lon


class CsvAdapter:
    """Base of the CSV adapters: rows are dicts keyed by lower-cased column names."""

    name = ""
    expected = ""
    required: tuple[str, ...] = ()
    layout: Literal["tsv", "csv"] = "csv"
    date_columns: tuple[str, ...] = ()

    def __init__(self, *, regions: bool = True, region_max_km: float = 50.0) -> None:
        self.regions = regions
        self.region_max_km = region_max_km
        self.date_order: DateOrder | None = None
        self.date_basis: str | None = None

    def day(self, row: Mapping[str, str], column: str) -> dt.date:
        """The date in *column* of *row*, in any layout :mod:`.dates` reads, slashed dates in
        the file's order."""
        return parse_day(row[column], column, self.date_order, basis=self.date_basis)

    @classmethod
    def from_options(cls: type[_A], options: AdapterOptions) -> _A:
        """The adapter configured by the options of one read."""
        return cls(regions=options.regions, region_max_km=options.region_max_km)

    def in_format(self, row: Mapping[str, str]) -> bool:
        return True

    def missing_columns(self, header: Sequence[str]) -> list[str]:
        return [c for c in self.required if c not in header]

    def location(
        self, where: str | None, place: str, lat_text: str, lon_text: str, precise: bool
    ) -> dict[str, Any]:
        """The event's ``location``; a region only for *precise* coordinates in *where*."""
        location: dict[str, Any] = {}
        if where is not None:
            location["country"] = where
        if place:
            location["place"] = place
        lat, lon = parse_coords(lat_text, lon_text)
        if lat is not None and lon is not None:
            location["lat"], location["lon"] = lat, lon
            if self.regions and where is not None and precise:
                region = region_for(where, lat, lon, self.region_max_km)
                if region is not None:
                    location["region"] = region
        return location

    @staticmethod
    def fatalities(text: str, column: str) -> int | None:
        if not text:
            return None
        try:
            return int(number(text))
        except ValueError:
            raise RowRejected("invalid fatalities", f"{column} {text!r}") from None
