"""The mapping tables: well-formed, complete where it matters, and documented in docs/data.md."""

from __future__ import annotations

import re
from pathlib import Path

import pycountry
import pytest

from redlines.events import INTENTS, KINDS
from redlines.readers.geo import region_for
from redlines.readers.tables import (
    cameo_codes,
    cameo_country,
    fips_to_iso3,
    geonames_regions,
    read_table,
    source_tags,
    tags_for,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data.md"
TABLES = [
    "cameo_event_codes.csv",
    "cameo_country_codes.csv",
    "cameo_actor_types.csv",
    "fips10_4_to_iso3.csv",
    "acled_event_types.csv",
    "acled_actors.csv",
    "ucdp_violence_types.csv",
    "source_tags.csv",
    "geonames_admin1_iso3166_2.csv",
]


def test_cameo_codes_are_strings_with_leading_zeros() -> None:
    codes = cameo_codes()
    assert "0841" in codes and "841" not in codes
    assert all(c.kind in KINDS and c.intent in INTENTS for c in codes.values())
    assert codes["190"].kind == "ground_offensive"
    assert codes["072"].kind == "weapons_supply"
    assert codes["1952"].kind == "drone_strike"
    assert codes["040"].kind == "other"


@pytest.mark.parametrize(
    ("fips", "iso"),
    [
        ("BO", "BLR"),
        ("RS", "RUS"),
        ("UP", "UKR"),
        ("EN", "EST"),
        ("LG", "LVA"),
        ("LH", "LTU"),
        ("MD", "MDA"),
        ("PL", "POL"),
        ("BY", "BDI"),
        ("RI", "SRB"),
    ],
)
def test_fips_traps(fips: str, iso: str) -> None:
    assert fips_to_iso3()[fips] == iso


def test_fips_targets_are_iso() -> None:
    assert all(pycountry.countries.get(alpha_3=a) for a in fips_to_iso3().values())


@pytest.mark.parametrize(
    ("code", "iso"),
    [
        ("RUS", "RUS"),
        ("ROM", "ROU"),
        ("EUR", None),
        ("AFR", None),
        ("USR", None),
        ("", None),
        ("XYZ", None),
    ],
)
def test_cameo_country_codes(code: str, iso: str | None) -> None:
    assert cameo_country(code) == iso


def test_region_codes_exist_in_iso_3166_2() -> None:
    for (alpha2, _), code in geonames_regions().items():
        sub = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        assert sub is not None and sub.country_code == alpha2


@pytest.mark.parametrize(
    ("country", "lat", "lon", "region"),
    [
        ("UKR", 51.2153, 24.7121, "UA-07"),  # Kovel, Volyn
        ("UKR", 51.4982, 31.2893, "UA-74"),  # Chernihiv
        ("UKR", 50.4501, 30.5234, "UA-30"),  # Kyiv city
        ("BLR", 53.9, 27.5667, "BY-HM"),  # Minsk city
        ("POL", 52.2297, 21.0122, "PL-14"),  # Warsaw
        ("EST", 59.437, 24.7536, "EE-37"),  # Tallinn
        ("MDA", 46.84, 29.63, "MD-SN"),  # Tiraspol
        ("UKR", 31.8457, -102.368, None),  # Odessa, Texas is not in Ukraine
        ("RUS", 55.75, 37.62, None),  # Russia is not covered
    ],
)
def test_region_from_coordinates(country: str, lat: float, lon: float, region: str | None) -> None:
    assert region_for(country, lat, lon) == region


@pytest.mark.parametrize("name", TABLES)
def test_every_table_row_is_in_docs(name: str) -> None:
    """docs/data.md shows each table (``redlines.readers.tables.markdown_table`` renders it)."""
    text = DOCS.read_text(encoding="utf-8")
    for row in read_table(name):
        first = next(iter(row.values()))
        cells = "| " + " | ".join(v.replace("|", "\\|") for v in row.values()) + " |"
        assert cells in text, f"{name}: row {first!r} is not in docs/data.md"


@pytest.mark.parametrize("name", TABLES)
def test_tables_have_no_stray_columns(name: str) -> None:
    """An unquoted comma in a CSV cell would shift columns silently."""
    for row in read_table(name):
        assert None not in row and None not in row.values(), row


def test_source_tags() -> None:
    """ACLED sub-event types (any case) and GDELT actor type codes give tags, each once."""
    assert tags_for("ACLED", ["air/drone strike"]) == ["air_or_drone_strike"]
    assert tags_for("ACLED", ["Peaceful protest"]) == []
    assert tags_for("GDELT", ["MIL", "", "mil", "COP"]) == ["military", "police"]
    assert all(re.fullmatch(r"[a-z0-9_]+", tag) for tag in source_tags().values())
