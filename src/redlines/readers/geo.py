"""ISO 3166-2 regions from coordinates, offline, for Ukraine, Belarus and the eastern flank.

The point is matched to the nearest populated place (GeoNames, population 1,000 or more) shipped
with the ``reverse_geocode`` package, whose first-level division name is mapped to ISO 3166-2 by
``data/geonames_admin1_iso3166_2.csv``. No network is used at run time.

Precision: a region is only as good as the coordinates. Callers give a region only for
coordinates that locate a place (a city, a village, a first-level division's centroid), never for
a country-level geocode: GDELT geo type 1 and UCDP precision 6 are country centroids, and the
centroid of Ukraine would otherwise be "found" in Kirovohrad oblast. Near a border between two
divisions the nearest town may lie across it; a point farther than ``max_km`` from any known
place, or whose nearest place is in another country, gets no region.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from .tables import geonames_regions

__all__ = ["COVERED", "region_for"]

#: Countries whose regions are filled, ISO alpha-3 -> alpha-2.
COVERED: dict[str, str] = {
    "UKR": "UA",
    "BLR": "BY",
    "POL": "PL",
    "EST": "EE",
    "LVA": "LV",
    "LTU": "LT",
    "MDA": "MD",
}


def _nearest(lat: float, lon: float) -> dict[str, Any]:
    import reverse_geocode  # type: ignore[import-untyped]  # loads its data on first use

    place: dict[str, Any] = reverse_geocode.get((lat, lon))
    return place


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=65536)
def region_for(country: str, lat: float, lon: float, max_km: float = 50.0) -> str | None:
    """The ISO 3166-2 code of the first-level division of *country* (alpha-3) at the point, or
    None when the country is not covered or the point cannot be placed with confidence."""
    alpha2 = COVERED.get(country)
    if alpha2 is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    place = _nearest(lat, lon)
    if place.get("country_code") != alpha2:
        return None
    if _km(lat, lon, float(place["latitude"]), float(place["longitude"])) > max_km:
        return None
    state = place.get("state")
    if not isinstance(state, str):
        return None
    return geonames_regions().get((alpha2, state))
