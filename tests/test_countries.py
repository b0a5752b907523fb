"""Country codes that are not ISO 3166 (countries.py, data/country_codes_not_iso.csv): refused,
with the ISO code as the suggestion."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pycountry
import pytest

from redlines.countries import normalize_country
from redlines.errors import InvalidValue


def table() -> list[dict[str, str]]:
    text = resources.files("redlines").joinpath("data/country_codes_not_iso.csv")
    return list(csv.DictReader(io.StringIO(text.read_text("utf-8"), newline="")))


@pytest.mark.parametrize(
    ("given", "code", "message"),
    [
        (
            "PRC",
            "CHN",
            "unknown country 'PRC': a common abbreviation for China; redlines reads ISO 3166 codes",
        ),
        (
            "ROM",
            "ROU",
            "unknown country 'ROM': the former ISO 3166 code for Romania; redlines reads ISO 3166 codes",
        ),
        (
            "GER",
            "DEU",
            "unknown country 'GER': the FIFA and IOC code for Germany; redlines reads ISO 3166 codes",
        ),
        (
            "ger",
            "DEU",
            "unknown country 'ger': the FIFA and IOC code for Germany; redlines reads ISO 3166 codes",
        ),
        (
            "LAT",
            "LVA",
            "unknown country 'LAT': the IOC code for Latvia; redlines reads ISO 3166 codes",
        ),
        (
            "SUI",
            "CHE",
            "unknown country 'SUI': the FIFA and IOC code for Switzerland; redlines reads ISO 3166 codes",
        ),
    ],
)
def test_near_miss_codes_suggest_the_iso_code(given: str, code: str, message: str) -> None:
    with pytest.raises(InvalidValue) as err:
        normalize_country(given)
    assert (str(err.value), err.value.suggestion) == (message, code)


def test_codes_redlines_accepts_are_not_in_the_table() -> None:
    """UK (an alias) and ISO's own codes are accepted: the table never shadows them."""
    assert normalize_country("UK") == "GBR"
    for row in table():
        with pytest.raises(InvalidValue):
            normalize_country(row["code"])


def test_the_table_maps_to_iso_codes_and_names_its_sources() -> None:
    iso = {c.alpha_3 for c in pycountry.countries}
    rows = table()
    assert len({r["code"] for r in rows}) == len(rows)
    for row in rows:
        assert row["iso3"] in iso and row["code"] not in iso, row
        assert row["source"] in {
            "IOC",
            "FIFA",
            "FIFA and IOC",
            "former ISO 3166",
            "common",
        }, row
