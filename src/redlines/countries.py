"""Country names and codes, normalised to ISO 3166-1 alpha-3.

ISO data comes from pycountry; ``data/country_aliases.yaml`` adds the few widely used English
names ISO spells otherwise (``Russia``, ``Turkey``, ``UK``). Matching is exact and
case-insensitive; a near miss raises :class:`~redlines.errors.InvalidValue` with a suggestion.
Codes that are not ISO 3166 but are often taken for it (the IOC's and FIFA's ``GER``, the former
ISO ``ROM``, ``PRC``: ``data/country_codes_not_iso.csv``) are refused with the ISO code as the
suggestion: they are not accepted, since a code means one thing in a rule file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from functools import lru_cache
from importlib import resources

import pycountry
from ruamel.yaml import YAML

from .errors import InvalidValue, suggest

__all__ = ["country_name", "lookup_country", "normalize_country", "subdivision_name"]


def _fold(name: str) -> str:
    """Lower case, accents removed, typographic apostrophes made plain: ``Türkiye`` and
    ``turkiye``, ``Côte d'Ivoire`` and ``cote d'ivoire`` are the same name. Still an exact
    match, not a fuzzy one."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip().lower()


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str]]:
    """(folded name or code -> alpha-3, alpha-3 -> display name)."""
    lookup: dict[str, str] = {}
    display: dict[str, str] = {}
    for c in pycountry.countries:
        a3 = c.alpha_3
        display[a3] = getattr(c, "common_name", None) or c.name
        for attr in ("alpha_3", "alpha_2", "name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                lookup.setdefault(_fold(value), a3)
    text = resources.files("redlines").joinpath("data/country_aliases.yaml").read_text("utf-8")
    aliases = YAML(typ="safe").load(text)
    for name, a3 in aliases.items():
        if a3 not in display:  # pragma: no cover - guarded by a test on the data file
            raise RuntimeError(f"country_aliases.yaml maps {name!r} to unknown code {a3!r}")
        lookup[_fold(str(name))] = a3
    display["RUS"] = "Russia"  # ISO's short name is "Russian Federation"
    display["PRK"] = "North Korea"
    display["KOR"] = "South Korea"
    return lookup, display


@lru_cache(maxsize=1)
def _not_iso() -> dict[str, tuple[str, str]]:
    """Codes often taken for ISO 3166 ones: code -> (alpha-3, where the code comes from)."""
    text = resources.files("redlines").joinpath("data/country_codes_not_iso.csv")
    rows = csv.DictReader(io.StringIO(text.read_text("utf-8"), newline=""))
    return {r["code"]: (r["iso3"], r["source"]) for r in rows}


def _source_words(source: str) -> str:
    """``FIFA and IOC`` -> ``the FIFA and IOC code``; ``common`` -> ``a common abbreviation``."""
    if source == "common":
        return "a common abbreviation"
    return f"the {source} code"


def normalize_country(value: object) -> str:
    """Map a code or name to ISO alpha-3, or raise InvalidValue with a did-you-mean."""
    if value is None:
        raise InvalidValue("a country is required here (a code or name, not null)")
    if not isinstance(value, str):
        raise InvalidValue(f"a country must be a code or name, not {type(value).__name__}")
    code = _find(value)
    if code is not None:
        return code
    other = _not_iso().get(value.strip().upper())
    if other is not None:
        code, source = other
        raise InvalidValue(
            f"unknown country '{value}': {_source_words(source)} for {country_name(code)}; "
            "redlines reads ISO 3166 codes",
            suggestion=code,
        )
    key = _fold(value)
    names = [n for n in _table()[0] if len(n) > 3]
    hint = suggest(key, names, cutoff=0.8)
    if hint is not None:
        hint = _pretty(hint)
    raise InvalidValue(f"unknown country '{value}'", suggestion=hint)


@lru_cache(maxsize=4096)
def _find(value: str) -> str | None:
    """The alpha-3 code for *value*, or None; cached, as real data repeats a few names."""
    return _table()[0].get(_fold(value))


def lookup_country(value: str) -> str | None:
    """Like :func:`normalize_country`, but None for an unknown name and no "did you mean": for
    readers of real data, which reject or skip such rows themselves."""
    return _find(value) if value else None


def _pretty(lower_name: str) -> str:
    """Recover the usual spelling of a lower-cased name for a suggestion."""
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            v = getattr(c, attr, None)
            if v and _fold(v) == lower_name:
                return str(v)
    return lower_name.title()


def subdivision_name(code: str) -> str:
    """The ISO 3166-2 name of a subdivision (``UA-07`` -> ``Volynska oblast``), else the code."""
    found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return str(found.name) if found is not None else code


def country_name(code: str) -> str:
    """A readable English name for an alpha-3 code (the code itself if unknown)."""
    return _table()[1].get(code, code)
