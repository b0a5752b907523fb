"""Mapping tables shipped as data files in ``redlines/data`` (never as code), loaded once.

Each table is a UTF-8 CSV with a header; ``docs/data.md`` shows them as Markdown tables and a
test checks that the two agree. Codes are read as strings: CAMEO ``0841`` is not ``841``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..countries import lookup_country
from ..events import INTENTS, KINDS

__all__ = [
    "AcledActorRule",
    "AcledTypeRule",
    "CameoCode",
    "acled_actor_rules",
    "acled_type_rules",
    "cameo_actor_types",
    "cameo_codes",
    "cameo_country",
    "cameo_country_table",
    "fips_to_iso3",
    "geonames_regions",
    "markdown_table",
    "read_table",
    "ucdp_violence_types",
]


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of the shipped table ``data/<name>`` as dicts of strings."""
    text = resources.files("redlines").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _check(table: str, code: str, kind: str, intent: str) -> None:
    if kind not in KINDS or intent not in INTENTS:  # pragma: no cover - guarded by tests
        raise RuntimeError(f"{table}: row {code!r} has kind {kind!r}, intent {intent!r}")


@dataclass(frozen=True)
class CameoCode:
    """One CAMEO event code and what it maps to."""

    code: str
    kind: str
    intent: str
    plover: str
    description: str


@lru_cache(maxsize=1)
def cameo_codes() -> dict[str, CameoCode]:
    """CAMEO event code (string, leading zeros kept) -> kind, intent, PLOVER category."""
    out: dict[str, CameoCode] = {}
    for r in read_table("cameo_event_codes.csv"):
        _check("cameo_event_codes.csv", r["code"], r["kind"], r["intent"])
        out[r["code"]] = CameoCode(r["code"], r["kind"], r["intent"], r["plover"], r["description"])
    return out


@lru_cache(maxsize=1)
def cameo_country_table() -> dict[str, str | None]:
    """CAMEO actor country codes that are not ISO alpha-3: -> ISO alpha-3, or None (a region,
    a historical state, or a place without an ISO code)."""
    return {r["cameo"]: (r["iso3"] or None) for r in read_table("cameo_country_codes.csv")}


@lru_cache(maxsize=4096)
def cameo_country(code: str) -> str | None:
    """ISO alpha-3 for a CAMEO actor country code, or None if it names no current country."""
    code = code.strip().upper()
    if not code:
        return None
    table = cameo_country_table()
    if code in table:
        return table[code]
    if len(code) != 3:
        return None
    return code if lookup_country(code) == code else None


@lru_cache(maxsize=1)
def cameo_actor_types() -> dict[str, str]:
    """CAMEO actor type code (``MIL``, ``GOV``, ``REB``...) -> contract actor_type."""
    return {r["code"]: r["actor_type"] for r in read_table("cameo_actor_types.csv")}


@lru_cache(maxsize=1)
def source_tags() -> dict[tuple[str, str], str]:
    """(source, code) -> event tag, from ``source_tags.csv``: ACLED sub-event types
    (``("ACLED", "air/drone strike")``, lower case) and GDELT actor type codes
    (``("GDELT", "MIL")``)."""
    out: dict[tuple[str, str], str] = {}
    for r in read_table("source_tags.csv"):
        value = r["value"].lower() if r["source"] == "ACLED" else r["value"]
        out[(r["source"], value)] = r["tag"]
    return out


def tags_for(source: str, codes: list[str]) -> list[str]:
    """The tags *codes* of *source* give, in order, each once."""
    table = source_tags()
    out: list[str] = []
    for code in codes:
        key = code.strip().lower() if source == "ACLED" else code.strip().upper()
        tag = table.get((source, key))
        if tag is not None and tag not in out:
            out.append(tag)
    return out


@lru_cache(maxsize=1)
def fips_to_iso3() -> dict[str, str]:
    """FIPS 10-4 country code (GDELT locations) -> ISO alpha-3. ``BO`` is Belarus, ``BY``
    Burundi, ``RS`` Russia, ``UP`` Ukraine."""
    return {r["fips"]: r["iso3"] for r in read_table("fips10_4_to_iso3.csv")}


@lru_cache(maxsize=1)
def geonames_regions() -> dict[tuple[str, str], str]:
    """(ISO alpha-2, GeoNames first-level division name) -> ISO 3166-2 code."""
    return {
        (r["country"], r["geonames_admin1"]): r["iso3166_2"]
        for r in read_table("geonames_admin1_iso3166_2.csv")
    }


@lru_cache(maxsize=1)
def ucdp_violence_types() -> dict[str, tuple[str, str]]:
    """UCDP ``type_of_violence`` -> (kind, intent)."""
    out: dict[str, tuple[str, str]] = {}
    for r in read_table("ucdp_violence_types.csv"):
        _check("ucdp_violence_types.csv", r["type_of_violence"], r["kind"], r["intent"])
        out[r["type_of_violence"]] = (r["kind"], r["intent"])
    return out


@dataclass(frozen=True)
class AcledTypeRule:
    """One row of the ACLED event-type table; ``sub_event_type`` ``*`` matches any."""

    event_type: str
    sub_event_type: str
    keyword: re.Pattern[str] | None
    kind: str
    intent: str


@lru_cache(maxsize=1)
def acled_type_rules() -> dict[str, list[AcledTypeRule]]:
    """Lower-cased ACLED event type -> its rules, in table order (first match wins)."""
    out: dict[str, list[AcledTypeRule]] = {}
    for r in read_table("acled_event_types.csv"):
        _check("acled_event_types.csv", r["event_type"], r["kind"], r["intent"])
        keyword = re.compile(rf"\b(?:{r['keyword']})", re.IGNORECASE) if r["keyword"] else None
        rule = AcledTypeRule(r["event_type"], r["sub_event_type"], keyword, r["kind"], r["intent"])
        out.setdefault(r["event_type"].lower(), []).append(rule)
    return out


@dataclass(frozen=True)
class AcledActorRule:
    """One row of the ACLED actor table: a full-match pattern on the actor name."""

    pattern: re.Pattern[str]
    country: str  #: ISO alpha-3, ``{country}`` (the pattern's group), or empty: no state
    actor_type: str
    attribution: str


@lru_cache(maxsize=1)
def acled_actor_rules() -> list[AcledActorRule]:
    """ACLED actor name patterns, in table order (first match wins)."""
    return [
        AcledActorRule(
            re.compile(r["pattern"], re.IGNORECASE), r["country"], r["actor_type"], r["attribution"]
        )
        for r in read_table("acled_actors.csv")
    ]


#: The shipped tables, in the order ``docs/data.md`` shows them.


def markdown_table(name: str) -> str:
    """A shipped table as a Markdown table (how ``docs/data.md`` shows it)."""
    rows = read_table(name)
    text = resources.files("redlines").joinpath(f"data/{name}").read_text("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(row[h].replace("|", "\\|") for h in header) + " |")
    return "\n".join(lines)
