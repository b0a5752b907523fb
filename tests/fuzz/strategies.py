"""Hypothesis strategies that mutate valid redlines inputs.

Each generator starts from a valid document (the shipped ruleset, the example ruleset, the
example scenarios and event files, the adapter fixtures), parses it to data, applies a few
mutations (replace a node with an odd value, delete or add keys, rename operators, duplicate or
shuffle list items, move a realistic value to the wrong place), writes it back in its format
and, sometimes, adds noise to the text or bytes. Most examples therefore stay close enough to
valid to reach the rule loader, the event validator, the adapters and the engine, not only the
parser.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

from redlines.events import KINDS as EVENT_KINDS
from redlines.rules.load import PATTERN_PLACEHOLDERS

from .harness import EXAMPLES, FIXTURES, NATO, TAIWAN

Draw = st.DrawFn
PathKey = tuple[Any, ...]

# --------------------------------------------------------------------------------------------
# Reading and writing YAML, JSON, JSON Lines and CSV


class _TextTimestamps(SafeConstructor):
    """A safe loader that keeps YAML timestamps as the text written (as redlines does)."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)


def load_yaml(text: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _TextTimestamps
    return yaml.load(text)


@dataclass(frozen=True)
class Raw:
    """A value written into YAML or JSON exactly as this text, unquoted (``007``, ``0x1F``,
    ``!!binary ...``): what a person could type, which a dumper would quote."""

    text: str


def _with_placeholders(data: Any, raws: list[str]) -> Any:
    if isinstance(data, Raw):
        raws.append(data.text)
        return f"RAWTOKEN{len(raws) - 1}X"
    if isinstance(data, dict):
        return {k: _with_placeholders(v, raws) for k, v in data.items()}
    if isinstance(data, list):
        return [_with_placeholders(v, raws) for v in data]
    return data


def _put_raws(text: str, raws: Sequence[str], quoted: bool) -> str:
    for i in reversed(range(len(raws))):  # RAWTOKEN1X before RAWTOKEN10X would clash
        token = f"RAWTOKEN{i}X"
        text = text.replace(f'"{token}"' if quoted else token, raws[i])
    return text


def dump_yaml(data: Any) -> str:
    raws: list[str] = []
    plain = _with_placeholders(data, raws)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(plain, out)
    return _put_raws(out.getvalue(), raws, quoted=False)


def dump_json(data: Any, *, ensure_ascii: bool = False, indent: int | None = 2) -> str:
    raws: list[str] = []
    plain = _with_placeholders(data, raws)
    text = json.dumps(plain, ensure_ascii=ensure_ascii, indent=indent, default=str)
    return _put_raws(text, raws, quoted=True)


def dump_csv(rows: Sequence[Sequence[str]], *, crlf: bool = False, quote_all: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(
        out,
        lineterminator="\r\n" if crlf else "\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Values


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in *n* draws (shrinking towards False)."""
    return st.sampled_from([False] * (n - 1) + [True])


HUGE_INTS = [
    0,
    -1,
    1,
    2,
    3,
    2**31,
    2**53 + 1,
    2**63 - 1,
    2**63,
    2**64,
    2**64 + 1,
    -(2**63) - 1,
    10**30,
    -(10**30),
    10**400,
]
ODD_FLOATS = [math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -0.0, 0.5, 2.5, 1e16, 90.0001]
ODD_STRINGS = [
    "",
    " ",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "Infinity",
    ".inf",
    "1e400",
    "\u0663\u0660d",  # 30d in Arabic-Indic digits
    "\uff13\uff10d",  # 30d in full-width digits
    "\u0663",  # 3, Arabic-Indic
    "\u00b2",  # ²
    "\u00bd",  # ½
    "\u216b",  # Ⅻ
    "1e3",
    "0x1F",
    "007",
    "1_000",
    "true",
    "null",
    "~",
    "{fatalities:d}",
    "{",
    "}",
    "{}",
    "{0}",
    "{actor!r}",
    "{time:%Y}",
    "{count:>99999}",
    "{target_name.__class__}",
    "{kind[0]}",
    "%s %d",
    "\x00",
    "a\x00b",
    "\u2028",
    "line\u2028sep",
    "\u2029",
    "\x85",
    "a\rb",
    "a\nb",
    "\t",
    "\x1b[31mred",
    "\U0001f1f5\U0001f1f1",  # 🇵🇱
    "\u0130",  # İ
    "\u00df",  # ß
    "\ufeff",
    "\u200b",
    "\ud7ff",
    "\uffff",
    "Polan",
    "RUS ",
    " POL",
    "pl",
    "XK",
    "Kosovo",
    "UA-07",
    "UA-99",
    "ua-07",
    "PL-06",
    "TW-KIN",
    "2024-02-30",
    "0001-01-01",
    "9999-12-31T23:59:59+00:00",
    "\u0662\u0660\u0662\u0664-\u0660\u0666-\u0660\u0661",  # 2024-06-01, Arabic-Indic
    "99999999d",
    "-1d",
    "0d",
    "1.5d",
    "30D",
    "RL1",
    "nato-2024",
    "../../../../etc/passwd",
    "/dev/zero",
    "$mt",
    "has__actor",
    "event_id",
    "__proto__",
]
#: Lengths of long strings; 200 kB rarely (the YAML reader takes about 1 s per 100 kB).
LONG_LENGTHS = [300, 300, 1000, 5_000, 5_000, 70_000, 70_000, 200_000]

ODD_RAWS = [
    "007",
    "0x1F",
    "0o17",
    "1_000",
    "+12",
    "1e3",
    ".inf",
    "-.inf",
    ".nan",
    "0b101",
    "1:30",
    "~",
    "2024-06-01",
    "2024-02-30",
    "0001-01-01",
    "9999-12-31",
    "2024-06-01 04:00:00+00:00",
    "2024-06-01t04:00:00z",
    "!!binary aGVsbG8=",
    "!!python/tuple [1, 2]",
    "!!set {a: null}",
    "!!omap [a: 1]",
    "!!float 1e999",
    "!!int 99999999999999999999999",
    "!!str",
    "!custom 5",
    "!!timestamp 2024-13-45",
    "&anchor [*anchor]",
    "*nowhere",
    "[1, [2, [3, [4, [5]]]]]",
    "[" * 200 + "]" * 200,
    "{? [1, 2] : x}",
    "|\n  block",
    "'unterminated",
    '"\\ud800"',
    '"\\x00"',
    '"\\u2028"',
]
JSON_RAWS = ["NaN", "Infinity", "-Infinity", "1e999", "007", "0x1F", "-0", "1E400", "true", "null"]

TIMES = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T12:00:00+00:00",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T00:00:00+00:00",
    "\u0662\u0660\u0662\u0664-\u0660\u0666-\u0660\u0661",
    "\uff12\uff10\uff12\uff14-\uff10\uff16-\uff10\uff11",
    "2024-06-01T04:00:00",
    "2024-02-30",
    "2024-02-29",
    "2023-02-29",
    "2024-06-01T24:00:00Z",
    "2024-06-01T23:59:60Z",
    "2024-06-01T04:00:00.1234567891234+00:00",
    "2024-06-01T04:00:00,5+03",
    "2024-06-01T04:00+99:00",
    "2024-06-01T04:00:00+23:59",
    "2024-06-01T04:00:00-23:59",
    "2024-06-01T04:00:00+24:00",
    "2024-W22-6",
    "2024-153",
    "20240601",
    " 2024-06-01 ",
    "2024-06-01\n",
    "1970-01-01",
    "2038-01-19T03:14:08Z",
    "-2024-06-01",
    "+2024-06-01",
    "10000-01-01",
    "2024-06-01 04:00:00 +03:00",
    "2024-06-01t01:00:00z",
    "2024-06-01T04:00:00\u2212 03:00",
    "2024-06-01T04:00:00Z\x00",
]
COUNTRIES = [
    "RUS",
    "UKR",
    "POL",
    "BLR",
    "EST",
    "LVA",
    "LTU",
    "MDA",
    "ROU",
    "USA",
    "PRK",
    "CHN",
    "TWN",
    "JPN",
    "PHL",
    "Russia",
    "pl",
    "C\u00f4te d\u2019Ivoire",
    "Kosovo",
    "XK",
    "USR",
    "EUR",
    "Belarusia",
    None,
]
#: Every kind, a group name where a kind is wanted, and two near misses.
KINDS = [*EVENT_KINDS, "MILITARY", "drone_strik", " Drone_Strike "]
VOCAB = [
    "state_forces",
    "state_directed_proxy",
    "non_state",
    "individuals",
    "unknown",
    "deliberate",
    "stray",
    "accidental",
    "confirmed",
    "suspected",
    "disputed",
    "misattributed",
    "crossed",
    "warning",
    "clear",
    "any",
    "Deliberate",
    "deliberat",
]
REGIONS = ["UA-07", "UA-74", "UA-56", "PL-06", "PL-18", "RU-KRS", "TW-KIN", "UA-99", "ua-07", "US"]
FIELDS = [
    "time",
    "actor",
    "on_behalf_of",
    "target",
    "location.country",
    "kind",
    "actor_type",
    "intent",
    "attribution",
    "location.region",
    "location.place",
    "id",
    "notes",
    "location.lat",
    "location.lon",
    "fatalities",
    "sources",
    "location",
    "event_id",
    "has__actor",
    "location__region",
    "targt",
    "__class__",
    "",
]
OPERATORS = ["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "exists", "eqq", "$mt", "regex"]
DURATIONS = [
    "30d",
    "0d",
    "0s",
    "1s",
    "-1d",
    "99999999d",
    "999999999999w",
    "10000000000000000000000000s",
    "\u0663\u0660d",
    "\uff13\uff10d",
    "30 d",
    "30D",
    "1.5d",
    "1e3d",
    "30",
    "d",
    "",
    "P30D",
    "30y",
    "30ms",
    "2w3d",
    " 30d ",
    "30d\n",
    "٣٠ d",
]
REASONS = [
    "{fatalities:d}",
    "{count:d}",
    "{threshold:x}",
    "{fatalities:.2f}",
    "{time:%Y-%m-%d}",
    "{actor!r}",
    "{actor!s:>10}",
    "{kind!a}",
    "{target_name:{width}}",
    "{count:,}",
    "{events:>99999}",
    "{0}",
    "{}",
    "{{literal}}",
    "{",
    "}",
    "{{",
    "}}",
    "{actor",
    "actor}",
    "{actor.real}",
    "{actor[0]}",
    "{target_name.__class__.__mro__}",
    "{count!z}",
    "{ actor }",
    "{ACTOR}",
    "{actr}",
    "{key}",
    "{first}{last}{within}{events}",
    "%(actor)s",
    "$actor",
    "",
    " ",
    "\u2028",
    "a\x00b",
]
PLACEHOLDERS = list(PATTERN_PLACEHOLDERS)
FORMAT_SPECS = [
    "",
    ":d",
    ":x",
    ":.2f",
    ":>5",
    ":^9999",
    ":,",
    "!r",
    "!s",
    "!a",
    "!r:>3",
    ":%Y",
    "[0]",
    ".x",
]


def long_strings() -> st.SearchStrategy[str]:
    return st.builds(
        lambda n, c: c * n,
        st.sampled_from(LONG_LENGTHS),
        st.sampled_from(["x", "é", "\u2028", "{", " ", "9", "a b", "\x00"]),
    )


def odd_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(ODD_STRINGS),
        st.sampled_from(HUGE_INTS),
        st.sampled_from(ODD_FLOATS),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.sampled_from([None, True, False, dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
        st.sampled_from(TIMES),
        long_strings(),
    )


def _deep(depth: int, kind: str) -> Any:
    node: Any = "x"
    for _ in range(depth):
        node = [node] if kind == "list" else {"a": node}
    return node


def odd_values() -> st.SearchStrategy[Any]:
    """Scalars, containers, deep nesting and raw YAML tokens."""
    return st.one_of(
        odd_scalars(),
        odd_scalars(),
        st.lists(odd_scalars(), max_size=4),
        st.dictionaries(st.sampled_from(["a", "field", "eq", "id", ""]), odd_scalars(), max_size=3),
        st.builds(_deep, st.sampled_from([2, 50, 300]), st.sampled_from(["list", "dict"])),
        st.sampled_from([[], {}, [None], [[]], {"": None}]),
        st.sampled_from(ODD_RAWS).map(Raw),
    )


def plain_words(n: int, prefix: str = "w") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def word_lists() -> st.SearchStrategy[list[Any]]:
    """Long ``in`` lists: plain words (one $mt regex), text with spaces and numbers (one rule
    each), and a few odd members."""
    return st.one_of(
        st.builds(plain_words, st.sampled_from([1, 100, 461, 462, 600, 2000])),
        st.builds(lambda n: [f"a b{i}" for i in range(n)], st.sampled_from([5, 300, 600])),
        st.builds(lambda n: list(range(n)), st.sampled_from([3, 511, 513])),
        st.lists(
            st.one_of(st.sampled_from(COUNTRIES + KINDS + REGIONS), odd_scalars()), max_size=5
        ),
    )


def reasons() -> st.SearchStrategy[Any]:
    piece = st.one_of(
        st.sampled_from(REASONS),
        st.builds(
            lambda p, s: "{" + p + s + "}",
            st.sampled_from(PLACEHOLDERS),
            st.sampled_from(FORMAT_SPECS),
        ),
        st.text(max_size=8),
    )
    return st.one_of(st.lists(piece, min_size=1, max_size=4).map(" ".join), odd_scalars())


# --------------------------------------------------------------------------------------------
# Tree mutation


def node_paths(doc: Any, path: PathKey = ()) -> list[PathKey]:
    """Every path below *doc* (not the root), in document order."""
    out: list[PathKey] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((*path, k))
            out.extend(node_paths(v, (*path, k)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.append((*path, i))
            out.extend(node_paths(v, (*path, i)))
    return out


def _get(doc: Any, path: PathKey) -> Any:
    for k in path:
        doc = doc[k]
    return doc


def _set(doc: Any, path: PathKey, value: Any) -> Any:
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _delete(doc: Any, path: PathKey) -> None:
    parent = _get(doc, path[:-1])
    del parent[path[-1]]


#: Per key name: the values worth trying there (besides the generic odd values).
Focus = Mapping[str, Callable[[Any], st.SearchStrategy[Any]]]


@st.composite
def mutate_tree(
    draw: Draw,
    base: Any,
    focus: Focus,
    *,
    max_mutations: int = 3,
    new_keys: Sequence[str] = (),
    renames: Sequence[str] = (),
) -> Any:
    """*base* (deep-copied) after 1..max_mutations mutations. *focus* maps a key name to a
    function (the document) -> strategy of values to try under that key; *new_keys* are keys
    to add (besides random ones), *renames* names to rename keys to."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, max_mutations]))):
        paths = node_paths(doc)
        if not paths:
            return draw(odd_values())
        op = draw(
            st.sampled_from(
                [
                    "focus",
                    "focus",
                    "focus",
                    "replace",
                    "delete",
                    "add",
                    "rename",
                    "dup",
                    "shuffle",
                    "move",
                ]
            )
        )
        if op == "focus":
            targets = [p for p in paths if isinstance(p[-1], str) and p[-1] in focus]
            if targets:
                p = draw(st.sampled_from(targets))
                doc = _set(doc, p, draw(focus[p[-1]](doc)))
                continue
            op = "replace"
        if op == "replace":
            p = draw(st.sampled_from(paths))
            doc = _set(doc, p, draw(odd_values()))
        elif op == "delete":
            _delete(doc, draw(st.sampled_from(paths)))
        elif op == "add":
            dicts = [()] if isinstance(doc, dict) else []
            dicts += [p for p in paths if isinstance(_get(doc, p), dict)]
            if dicts:
                p = draw(st.sampled_from(dicts))
                key = draw(
                    st.one_of(st.sampled_from([*new_keys, *focus, "colour"]), st.text(max_size=6))
                )
                value = (
                    draw(focus[key](doc))
                    if key in focus and draw(st.booleans())
                    else draw(odd_values())
                )
                _get(doc, p)[key] = value
        elif op == "rename":
            keyed = [p for p in paths if isinstance(p[-1], str)]
            if keyed:
                p = draw(st.sampled_from(keyed))
                parent = _get(doc, p[:-1])
                new = draw(st.one_of(st.sampled_from([*renames, *focus]), st.text(max_size=6)))
                items = list(parent.items())
                parent.clear()
                for k, v in items:
                    parent[new if k == p[-1] else k] = v
        elif op == "dup":
            items = [p for p in paths if isinstance(p[-1], int)]
            if items:
                p = draw(st.sampled_from(items))
                times = draw(st.sampled_from([1, 1, 2, 50]))
                lst = _get(doc, p[:-1])
                for _ in range(times):
                    lst.insert(p[-1], copy.deepcopy(lst[p[-1]]))
        elif op == "shuffle":
            lists = [p for p in paths if isinstance(_get(doc, p), list) and len(_get(doc, p)) > 1]
            if lists:
                p = draw(st.sampled_from(lists))
                doc = _set(doc, p, draw(st.permutations(_get(doc, p))))
        elif op == "move":
            src, dst = draw(st.sampled_from(paths)), draw(st.sampled_from(paths))
            if dst[: len(src)] != src and src[: len(dst)] != dst:
                doc = _set(doc, dst, copy.deepcopy(_get(doc, src)))
    return doc


# --------------------------------------------------------------------------------------------
# Rule files


@cache
def rule_bases() -> tuple[Any, ...]:
    return tuple(load_yaml(p.read_text(encoding="utf-8")) for p in (NATO, TAIWAN))


def _names(doc: Any, section: str) -> list[str]:
    part = doc.get(section) if isinstance(doc, dict) else None
    return [str(k) for k in part] if isinstance(part, dict) else []


def _ref_values(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from([*_names(doc, "conditions"), *_names(doc, "sets"), "nowhere"]),
        odd_scalars(),
    )


def _test_values(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(COUNTRIES + KINDS + VOCAB + REGIONS + TIMES),
        st.sampled_from(HUGE_INTS + ODD_FLOATS),
        odd_values(),
    )


def _member_lists(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        word_lists(),
        st.sampled_from(_names(doc, "sets") or ["FLANK"]),
        st.lists(st.sampled_from(COUNTRIES + KINDS + REGIONS + _names(doc, "sets")), max_size=6),
        odd_values(),
    )


def _condition(doc: Any) -> st.SearchStrategy[Any]:
    test = st.builds(
        lambda f, op, v: {"field": f, op: v},
        st.sampled_from(FIELDS),
        st.sampled_from(OPERATORS),
        _test_values(doc),
    )
    ref = st.builds(lambda r: {"ref": r}, _ref_values(doc))
    return st.one_of(
        test,
        ref,
        st.builds(lambda xs: {"all": xs}, st.lists(st.one_of(test, ref), max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(st.one_of(test, ref), max_size=3)),
        st.builds(lambda x: {"not": x}, st.one_of(test, ref)),
        st.builds(
            lambda n: {"any": [{"field": "actor", "in": plain_words(n)}]},
            st.sampled_from([462, 700]),
        ),
        st.builds(
            lambda n: {"all": [{"any": [{"field": "fatalities", "eq": i} for i in range(n)]}] * 3},
            st.sampled_from([8, 9]),
        ),
        odd_values(),
    )


def _const(values: Sequence[Any]) -> Callable[[Any], st.SearchStrategy[Any]]:
    """The values given, three times as often as odd ones."""
    pool = st.sampled_from(list(values))
    return lambda doc: st.one_of(pool, pool, pool, odd_scalars())


RULE_FOCUS: dict[str, Callable[[Any], st.SearchStrategy[Any]]] = {
    "within": _const(DURATIONS + HUGE_INTS),
    "count": _const([*HUGE_INTS, 2.5, "3", "\u0663", True, 1000]),
    "reason": lambda doc: reasons(),
    "level": _const(VOCAB),
    "in": _member_lists,
    "not_in": _member_lists,
    "eq": _test_values,
    "ne": _test_values,
    "gt": _test_values,
    "ge": _test_values,
    "lt": _test_values,
    "le": _test_values,
    "exists": _const([True, False, "yes", 1, 0, None]),
    "field": _const(FIELDS),
    "same": lambda doc: st.one_of(st.lists(st.sampled_from(FIELDS), max_size=4), odd_values()),
    "ref": _ref_values,
    "when": _condition,
    "applies_when": _condition,
    "not": _condition,
    "schema": _const(["redlines/rules/v1", "redlines/rules/v2"]),
    "name": _const(["nato-2024", "x" * 300, "1abc", "a b", "ünï", "a/../b"]),
    "version": _const([1.0, "1.0.0", 10**30]),
    "id": _const(["RL1", "RL2", "TW1", "probing", "deliberate-attack", "a b"]),
    "countries": lambda doc: st.lists(st.sampled_from(COUNTRIES + _names(doc, "sets")), max_size=6),
    "kinds": lambda doc: st.lists(st.sampled_from(KINDS + _names(doc, "sets")), max_size=6),
    "regions": lambda doc: st.lists(st.sampled_from(REGIONS + _names(doc, "sets")), max_size=6),
    "values": lambda doc: word_lists(),
    "date": _const(["2024-02-30", "0001-01-01", "9999-12-31", "2024-05-05", "5 May 2024"]),
    "url": _const(["https://example.org/", "http://[::1", "not a url"]),
}
RULE_KEYS = [
    "reson",
    "clause",
    "pattern",
    "select",
    "applies_when",
    "provenance",
    "description",
    "eqq",
]


@st.composite
def rule_files(draw: Draw) -> bytes:
    """The text of a mutated rule file."""
    base = draw(st.sampled_from(rule_bases()))
    doc = draw(mutate_tree(base, RULE_FOCUS, new_keys=RULE_KEYS, renames=OPERATORS + RULE_KEYS))
    return draw(text_bytes(dump_yaml(doc), rare=True))


# --------------------------------------------------------------------------------------------
# Scenarios and event files


@cache
def scenario_bases() -> tuple[Any, ...]:
    out = []
    for folder in ("scenarios", "scenarios-taiwan"):
        for p in sorted((EXAMPLES / folder).glob("*.yaml")):
            doc = load_yaml(p.read_text(encoding="utf-8"))
            rules = doc.get("rules")
            if isinstance(rules, str) and rules.endswith(".yaml"):
                doc["rules"] = str((p.parent / rules).resolve())  # the copy lives elsewhere
            out.append(doc)
    return tuple(out)


def _ids(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(["007", "0x1F", "1_000", "", " ", "e1", "id\u2028x", "\x00", "a" * 5000]),
        st.sampled_from(
            ["007", "0x1F", "1_000", "0o17", "1e3", "2024-06-01", "!!binary aGVsbG8="]
        ).map(Raw),
        st.sampled_from([7, -1, 2**64, 1.5, True, None, [1], {"a": 1}]),
    )


def _times(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(TIMES),
        st.sampled_from(
            ["2024-06-01", "2024-06-01 04:00:00+00:00", "2024-02-30", "0001-01-01"]
        ).map(Raw),
        st.sampled_from([1717200000, 1.7e9, dt.date(1, 1, 1), dt.date(9999, 12, 31), None, True]),
    )


def _countries(doc: Any) -> st.SearchStrategy[Any]:
    pool = st.sampled_from(COUNTRIES)
    return st.one_of(pool, pool, pool, odd_scalars())


def _location(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "country": st.sampled_from(COUNTRIES),
                "region": st.sampled_from(REGIONS),
                "place": st.one_of(st.sampled_from(["Kovel", "Nova Kakhovka"]), odd_scalars()),
                "lat": st.one_of(
                    st.sampled_from([-90, 90, 90.0001, 51.2, "51.2"]), st.sampled_from(ODD_FLOATS)
                ),
                "lon": st.one_of(
                    st.sampled_from([-180, 180, 180.5, 24.7]), st.sampled_from(ODD_FLOATS)
                ),
                "colour": st.just("red"),
            },
        ),
        odd_values(),
    )


def _numbers(doc: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(HUGE_INTS + ODD_FLOATS),
        st.sampled_from(["3", "\u0663", "1e3", "-0", "2.0", "\uff13"]),
        st.sampled_from(["\u0663", "1_000", "0x10", ".nan"]).map(Raw),
        odd_scalars(),
    )


def _expect(doc: Any) -> st.SearchStrategy[Any]:
    status = st.sampled_from(["crossed", "warning", "clear", "CROSSED", "severe"])
    return st.one_of(
        status,
        st.fixed_dictionaries(
            {"status": status},
            optional={
                "first_crossed_at": st.one_of(st.sampled_from(TIMES), st.none()),
                "clauses": st.lists(
                    st.sampled_from(["probing", "report-example", "nope"]), max_size=3
                ),
                "colour": st.just(1),
            },
        ),
        odd_values(),
    )


SCENARIO_FOCUS: dict[str, Callable[[Any], st.SearchStrategy[Any]]] = {
    "id": _ids,
    "time": _times,
    "actor": _countries,
    "target": _countries,
    "on_behalf_of": _countries,
    "country": _countries,
    "kind": _const(KINDS),
    "intent": _const(VOCAB),
    "attribution": _const(VOCAB),
    "actor_type": _const(VOCAB),
    "region": _const(REGIONS),
    "location": _location,
    "lat": _numbers,
    "lon": _numbers,
    "fatalities": _numbers,
    "sources": lambda doc: st.one_of(st.lists(st.text(max_size=10), max_size=3), odd_values()),
    "notes": lambda doc: st.one_of(long_strings(), odd_scalars()),
    "place": lambda doc: st.one_of(long_strings(), odd_scalars()),
    "rules": _const(
        ["nato-2024", "nato-2025", str(TAIWAN), "missing.yaml", "/dev/null", ".", "", "x" * 300]
    ),
    "status": _const(["crossed", "warning", "clear", "severe"]),
    "first_crossed_at": _times,
    "clauses": lambda doc: st.one_of(
        st.lists(st.sampled_from(["probing", "x"]), max_size=3), odd_values()
    ),
    "RL1": _expect,
    "RL2": _expect,
    "TW1": _expect,
    "TW2": _expect,
    "name": lambda doc: odd_scalars(),
}
SCENARIO_KEYS = ["colour", "evnets", "expect", "rules", "location", "RL3", "sources", "notes"]


@st.composite
def pattern_events(draw: Draw) -> list[dict[str, Any]]:
    """Events that make patterns work: several confirmed Russian warnings against one flank
    country, at times near the ends of the calendar or spread over the window's edge."""
    start = draw(
        st.sampled_from(
            [
                dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
                dt.datetime(1, 1, 20, tzinfo=dt.timezone.utc),
                dt.datetime(9999, 12, 1, tzinfo=dt.timezone.utc),
                dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
                dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc),
            ]
        )
    )
    n = draw(st.integers(1, 6))
    events = []
    for i in range(n):
        step = draw(st.sampled_from([0, 1, 3600, 86400 * 15, 86400 * 30, 86400 * 30 + 1]))
        try:
            when = start + dt.timedelta(seconds=step * i) if i else start
        except OverflowError:
            when = start
        when = min(when, dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc))
        events.append(
            {
                "id": f"p{i}",
                "time": when.isoformat(),
                "actor": "RUS",
                "target": draw(st.sampled_from(["POL", "EST", "TWN", "JPN"])),
                "kind": draw(st.sampled_from(["airspace_violation", "naval_incursion", "threat"])),
                "intent": "unknown",
            }
        )
    return events


@st.composite
def scenario_docs(draw: Draw) -> Any:
    base = copy.deepcopy(draw(st.sampled_from(scenario_bases())))
    if draw(one_in(5)) and isinstance(base.get("events"), list):
        base["events"] = base["events"] + draw(pattern_events())
    return draw(mutate_tree(base, SCENARIO_FOCUS, new_keys=SCENARIO_KEYS, renames=SCENARIO_KEYS))


@st.composite
def scenario_files(draw: Draw) -> tuple[str, bytes]:
    """(suffix, content) of a mutated scenario, as YAML or JSON."""
    doc = draw(scenario_docs())
    suffix = draw(st.sampled_from([".yaml", ".yaml", ".yml", ".json"]))
    if suffix == ".json":
        doc = _json_raws(draw, doc)
        text = dump_json(
            doc, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 2]))
        )
    else:
        text = dump_yaml(doc)
    return suffix, draw(text_bytes(text, rare=True))


def _json_raws(draw: Draw, doc: Any) -> Any:
    """JSON cannot hold YAML's raw tokens; use JSON-ish ones (NaN, 007, ...) instead."""

    def swap(node: Any) -> Any:
        if isinstance(node, Raw):
            return Raw(draw(st.sampled_from(JSON_RAWS)))
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    return swap(doc)


@cache
def jsonl_base() -> tuple[dict[str, Any], ...]:
    lines = (EXAMPLES / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


@st.composite
def jsonl_files(draw: Draw) -> bytes:
    events = draw(
        mutate_tree(
            list(jsonl_base()), SCENARIO_FOCUS, new_keys=SCENARIO_KEYS, renames=SCENARIO_KEYS
        )
    )
    events = _json_raws(draw, events)
    ascii_only = draw(st.booleans())
    if not isinstance(events, list):
        events = [events]
    lines = [dump_json(e, ensure_ascii=ascii_only, indent=None) for e in events]
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["blank", "dupkey", "other", "cut", "sep"]))
        i = draw(st.integers(0, len(lines)))
        if op == "blank":
            lines.insert(i, draw(st.sampled_from(["", "   ", "\t", "\r", "\u2028", "\x0c"])))
        elif op == "dupkey" and lines and lines[min(i, len(lines) - 1)].startswith("{"):
            j = min(i, len(lines) - 1)
            lines[j] = '{"id": "dup", ' + lines[j][1:]
        elif op == "other":
            lines.insert(
                i, draw(st.sampled_from(["[]", "null", "1", '"x"', "{", "}", "{}", "[{}]", "NaN"]))
            )
        elif op == "cut" and lines:
            j = min(i, len(lines) - 1)
            lines[j] = lines[j][: draw(st.integers(0, len(lines[j])))]
        elif op == "sep" and lines:
            j = min(i, len(lines) - 1)
            sep = draw(st.sampled_from(["\u2028", "\u2029", "\x85", "\r", "\x0b", "\x1c"]))
            k = draw(st.integers(0, len(lines[j])))
            lines[j] = lines[j][:k] + sep + lines[j][k:]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return draw(text_bytes(newline.join(lines) + draw(st.sampled_from(["", newline])), rare=True))


@st.composite
def jsonl_twins(draw: Draw) -> tuple[bytes, bytes]:
    """One mutated event list as JSON Lines twice: with non-ASCII characters escaped
    (``\\u2028``) and as themselves. JSON says both are the same text."""
    events = draw(
        mutate_tree(
            list(jsonl_base()), SCENARIO_FOCUS, new_keys=SCENARIO_KEYS, renames=SCENARIO_KEYS
        )
    )
    events = _json_raws(draw, events if isinstance(events, list) else [events])
    twins = []
    for ascii_only in (True, False):
        lines = [dump_json(e, ensure_ascii=ascii_only, indent=None) for e in events]
        twins.append(("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"))
    return twins[0], twins[1]


@cache
def csv_base() -> tuple[tuple[str, ...], ...]:
    text = (EXAMPLES / "events.csv").read_text(encoding="utf-8")
    return tuple(tuple(r) for r in csv.reader(io.StringIO(text)))


def _cell_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(COUNTRIES[:-1] + KINDS + VOCAB + REGIONS + TIMES + ODD_STRINGS),
        st.sampled_from([str(v) for v in HUGE_INTS + ODD_FLOATS]),
        st.sampled_from(["007", "0x1F", "1_000", "\u0663", "51,2", '"', '""', "a|b||", "|"]),
        st.text(max_size=10),
        long_strings(),
    )


@st.composite
def table_mutations(
    draw: Draw,
    rows: list[list[str]],
    cells: st.SearchStrategy[str],
    header_names: Sequence[str],
    max_mutations: int = 3,
    header: bool = True,
    column_cells: Callable[[str], st.SearchStrategy[str] | None] | None = None,
) -> list[list[str]]:
    """Mutations of a table (first row the header when *header*). *column_cells* gives, for a
    header name, the values worth trying in that column (None: only *cells*)."""
    rows = [list(r) for r in rows]
    first = 1 if header else 0
    for _ in range(draw(st.sampled_from([1, 1, 2, max_mutations]))):
        op = draw(
            st.sampled_from(
                [
                    "cell",
                    "cell",
                    "cell",
                    "header",
                    "dupcol",
                    "dropcol",
                    "addcol",
                    "row",
                    "droprow",
                    "duprow",
                    "width",
                ]
            )
        )
        if not rows:
            rows = [[]]
        r = draw(st.integers(0, len(rows) - 1))
        row = rows[r]
        if op == "cell" and row:
            c = draw(st.integers(0, len(row) - 1))
            if not header:
                named: str | None = str(c)  # no header: columns are known by position
            else:
                named = rows[0][c] if column_cells and c < len(rows[0]) else None
            special = column_cells(named) if column_cells and named is not None else None
            row[c] = draw(st.one_of(special, special, cells) if special is not None else cells)
        elif op == "header" and header and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][c] = draw(
                st.one_of(
                    st.sampled_from(
                        [*header_names, rows[0][c].upper(), " " + rows[0][c], "\ufeff" + rows[0][c]]
                    ),
                    st.text(max_size=8),
                )
            )
        elif op == "dupcol" and header and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            for each in rows:
                if c < len(each):
                    each.append(each[c])
        elif op == "dropcol" and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            for each in rows:
                if c < len(each):
                    del each[c]
        elif op == "addcol":
            name = draw(st.sampled_from([*header_names, "colour", ""]))
            for i, each in enumerate(rows):
                each.append(name if header and i == 0 else draw(cells))
        elif op == "row":
            rows.insert(
                draw(st.integers(first, len(rows))), [draw(cells) for _ in range(len(rows[0]))]
            )
        elif op == "droprow" and len(rows) > first:
            del rows[draw(st.integers(first, len(rows) - 1))]
        elif op == "duprow" and len(rows) > first:
            k = draw(st.integers(first, len(rows) - 1))
            for _ in range(draw(st.sampled_from([1, 1, 30]))):
                rows.insert(k, list(rows[k]))
        elif op == "width":
            if draw(st.booleans()) and row:
                row.pop()
            else:
                row.append(draw(cells))
    return rows


EVENT_COLUMNS = [
    "id",
    "time",
    "actor",
    "actor_type",
    "on_behalf_of",
    "target",
    "kind",
    "intent",
    "attribution",
    "location.country",
    "location.region",
    "location.place",
    "location.lat",
    "location.lon",
    "fatalities",
    "sources",
    "notes",
    "ID",
    "Kind",
    "location",
    "colour",
    "location.colour",
]


def as_cell(value: Any) -> str:
    """A value as a CSV cell: null is empty, raw text as written."""
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, (list, dict)):
        return "|".join(as_cell(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


NUMBER_CELLS = ["0", "1", "9223372036854775807", "9223372036854775808", "-1", "1.0", "2.5", "1e3"]
NUMBER_CELLS += [
    "\u0663",
    "-0",
    "+5",
    " 5 ",
    "5_000",
    "nan",
    "inf",
    "-inf",
    "1e-320",
    "0x10",
    "\uff15",
]
COORD_CELLS = ["51.2", "-90", "90", "180", "-180", "90.0000001", "\u0665\u0660", "1e400", "51,2"]
#: Per event CSV column (lower case, last dotted part): cells near or at the edge of valid.
CSV_DOMAIN: dict[str, list[str]] = {
    "id": ["e9", "007", "0x1F", "1_000", "a b", "blr-kovel", "\u0663", " e1 ", "e1\u2028"],
    "time": [t for t in TIMES if "\n" not in t],
    "actor": [as_cell(c) for c in COUNTRIES],
    "target": [as_cell(c) for c in COUNTRIES],
    "on_behalf_of": [as_cell(c) for c in COUNTRIES],
    "country": [as_cell(c) for c in COUNTRIES],
    "kind": KINDS,
    "intent": VOCAB,
    "attribution": VOCAB,
    "actor_type": VOCAB,
    "region": REGIONS,
    "place": ["Kovel", 'Nova Kakhovka, "x"', "x" * 5000, "\u2028"],
    "lat": COORD_CELLS + NUMBER_CELLS,
    "lon": COORD_CELLS + NUMBER_CELLS,
    "fatalities": NUMBER_CELLS,
    "sources": [
        "a|b",
        "|",
        "a||b",
        "x" * 1000,
        " | ",
        "https://a.example.org/x|https://a.example.org/x",
    ],
    "notes": ["", "x" * 70_000, "a\nb", "\u2028", "\x85"],
}


def _event_column_cells(name: str) -> st.SearchStrategy[str] | None:
    key = name.split(".")[-1].strip().lower()
    return st.sampled_from(CSV_DOMAIN[key]) if key in CSV_DOMAIN else None


@st.composite
def event_csv_files(draw: Draw) -> bytes:
    rows = draw(
        table_mutations(
            [list(r) for r in csv_base()],
            _cell_values(),
            EVENT_COLUMNS,
            column_cells=_event_column_cells,
        )
    )
    text = dump_csv(rows, crlf=draw(st.booleans()), quote_all=draw(st.booleans()))
    if draw(one_in(10)):
        text = text.replace(",", ";")
    return draw(text_bytes(text, rare=True))


# --------------------------------------------------------------------------------------------
# Real-data exports

REAL_FIXTURES = {
    "gdelt": "gdelt2_sample.export.CSV",
    "gdelt1": "gdelt1_mixed.csv",
    "acled": "acled_current.csv",
    "acled-pre2023": "acled_pre2023.csv",
    "acled-upper": "acled_ukraine_upper.csv",
    "ucdp": "ucdp_hdx.csv",
}
GDELT_CELLS = [
    "",
    "0",
    "-1",
    "1",
    "4",
    "5",
    "9",
    "20240631",
    "20240230",
    "99999999",
    "00000000",
    "00010101",
    "99991231",
    "2024060",
    "\u0662\u0660\u0662\u0664\u0660\u0666\u0660\u0661",
    "190",
    "0841",
    "9999",
    "1952",
    "19",
    "99",
    "abc",
    "RUS",
    "UKR",
    "POL",
    "BLR",
    "EUR",
    "USR",
    "XXX",
    "RUSMIL",
    "UP",
    "RS",
    "BO",
    "PL",
    "ZZ",
    "UP00",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "-91",
    "181",
    "91",
    "\u0665\u0660.\u0661",
    "1e10",
    "99999999999999999999999",
    "-5",
    "3.5",
    "http://[::1",
    "http://a:99999/x",
    "http://a:-1/",
    "https://例え.jp/a",
    "https://a.example.org/x?utm_source=1&b=2#f",
    "//",
    "http://",
    "mailto:x",
    "https://" + "a" * 300 + ".org/",
    "Kovel, Volyn, Ukraine",
    "Odessa, Texas, United States",
    "\x00",
    '"',
    "'",
    "\r",
]
ACLED_CELLS = [
    "2024-06-01",
    "15 March 2023",
    "15-March-2023",
    "15 Mar 2023",
    "31 February 2023",
    "0001-01-01",
    "9999-12-31",
    "\u0662\u0660\u0662\u0664-\u0660\u0666-\u0660\u0661",
    "Battles",
    "Explosions/Remote violence",
    "Strategic developments",
    "Teleportation",
    "Air/drone strike",
    "Military Forces of Russia (2000-)",
    "Military Forces of  (2000-)",
    "Military Forces of Narnia",
    "Wagner Group",
    "NAF: ",
    "Unidentified Armed Group (Ukraine)",
    "Civilians (Ukraine)",
    "Ukraine",
    "Poland",
    "Kosovo",
    "804",
    "616",
    "0",
    "999",
    "-1",
    "1e400",
    "nan",
    "inf",
    "-91",
    "181",
    "3",
    "1",
    "2",
    "\u0663",
    "99999999999999999999999",
    "-3",
    "3.5",
    "UKR100001",
    "",
    "#date+year",
    "#",
    "ucdp:1",
]


@cache
def real_base(name: str) -> str:
    return (FIXTURES / REAL_FIXTURES[name]).read_text(encoding="utf-8")


DATES = ["20240601", "20240230", "20241301", "00000000", "00010101", "99991231", "2024060", "", "x"]
DATES += ["\u0662\u0660\u0662\u0664\u0660\u0666\u0660\u0661", "2024-06-01", "20240601.0"]
COUNTS = ["0", "1", "3", "-5", "99999999999999999999999", "1e400", "nan", "3.5", "", "\u0663"]
COORDS = ["50.1", "-91", "91", "181", "-181", "nan", "inf", "1e400", "", "\u0665\u0660", "0", "-0"]
CAMEO_ACTORS = ["RUS", "UKR", "POL", "BLR", "EUR", "USR", "XXX", "RUSMIL", "", "rus", "R"]
FIPS = ["UP", "RS", "BO", "PL", "EN", "LG", "LH", "MD", "BY", "ZZ", "", "up", "U"]
URLS = [
    "http://[::1",
    "http://a:99999/x",
    "https://例え.jp/a",
    "https://a.example.org/x?utm_source=1&b=2#f",
    "//",
    "",
    "https://d.example.org/drone",
    "http://www.d.example.org/drone/?utm_source=twitter#comments",
]
#: GDELT 2.0 columns by position (0-based): dates, actors, CAMEO codes, counts, ActionGeo, URL.
GDELT2_COLUMNS: dict[str, list[str]] = {
    "0": ["1", "0", "-1", "900000001", "99999999999999999999", "x", ""],
    "1": DATES,
    "5": CAMEO_ACTORS,
    "7": CAMEO_ACTORS,
    "12": ["MIL", "GOV", "COP", "REB", "CVL", "", "XXX"],
    "15": CAMEO_ACTORS,
    "17": CAMEO_ACTORS,
    "26": ["190", "0841", "1952", "9999", "19", "", "abc", "841", "043", "20", "2"],
    "27": ["190", "084", "195", "999", ""],
    "28": ["19", "08", "20", "99", "", "0"],
    "31": COUNTS,
    "32": COUNTS,
    "33": COUNTS,
    "51": ["0", "1", "2", "3", "4", "5", "9", "", "x"],
    "52": ["Kovel, Volyn, Ukraine", "Odessa, Texas, United States", "", "a" * 5000],
    "53": FIPS,
    "54": ["UP00", "UP02", "PL00", "", "XX99"],
    "56": COORDS,
    "57": COORDS,
    "58": ["-1", "", "BO", "x"],
    "60": URLS,
}
#: GDELT 1.0: the ActionGeo block starts at 49 and has no ADM2 column.
GDELT1_COLUMNS: dict[str, list[str]] = {
    **{k: v for k, v in GDELT2_COLUMNS.items() if int(k) < 49},
    "49": GDELT2_COLUMNS["51"],
    "50": GDELT2_COLUMNS["52"],
    "51": FIPS,
    "53": COORDS,
    "54": COORDS,
    "57": URLS,
}
#: ACLED and UCDP columns by (lower-case) header name.
EXPORT_COLUMNS: dict[str, list[str]] = {
    "event_date": [
        "2024-06-01",
        "15 March 2023",
        "31 February 2023",
        "0001-01-01",
        "9999-12-31",
        "",
    ],
    "event_type": [
        "Battles",
        "Explosions/Remote violence",
        "Strategic developments",
        "Teleportation",
    ],
    "sub_event_type": ["Air/drone strike", "Armed clash", "Disrupted weapons use", "", "Beam"],
    "actor1": [
        "Military Forces of Russia (2000-)",
        "Military Forces of Narnia",
        "Wagner Group",
        "NAF: ",
        "",
    ],
    "actor2": [
        "Military Forces of Ukraine (2019-)",
        "Civilians (Ukraine)",
        "",
        "Military Forces of  (2000-)",
    ],
    "country": ["Ukraine", "Poland", "Kosovo", "Russia", "", "ukraine"],
    "iso": ["804", "616", "0", "999", "-1", "", "UKR"],
    "iso3": ["UKR", "POL", "XKX", "", "ukr"],
    "latitude": COORDS,
    "longitude": COORDS,
    "geo_precision": ["1", "2", "3", "0", "9", ""],
    "where_prec": ["1", "4", "5", "6", "7", "0", ""],
    "fatalities": COUNTS,
    "best": COUNTS,
    "notes": ["", "drone", "Iskander missile", "x" * 70_000, "a\nb"],
    "event_id_cnty": ["UKR100001", "", "x" * 300],
    "id": ["500001", "", "0", "x"],
    "type_of_violence": ["1", "2", "3", "4", "0", "", "1.0"],
    "side_a": ["Government of Ukraine", "Government of Russia (Soviet Union)", "DPR", ""],
    "side_b": ["Government of Ukraine", "Government of Russia (Soviet Union)", "DPR", ""],
    "event_clarity": ["1", "2", "3", ""],
    "date_start": ["2015-01-20 00:00:00.000", "2015-02-30 00:00:00.000", "", "2015-01-20"],
    "date_end": ["2015-01-20 00:00:00.000", "2014-01-20 00:00:00.000", ""],
}


def _export_cells(
    columns: Mapping[str, list[str]],
) -> Callable[[str], st.SearchStrategy[str] | None]:
    def cells(name: str) -> st.SearchStrategy[str] | None:
        key = name.strip().lower()
        return st.sampled_from(columns[key]) if key in columns else None

    return cells


@st.composite
def real_data_files(draw: Draw) -> tuple[str, str, bytes]:
    """(fixture name, suffix, content) of a mutated real-data export."""
    name = draw(st.sampled_from(sorted(REAL_FIXTURES)))
    text = real_base(name)
    cells = st.one_of(
        st.sampled_from(GDELT_CELLS + ACLED_CELLS), _cell_values(), st.text(max_size=6)
    )
    if name.startswith("gdelt"):
        rows = [line.split("\t") for line in text.rstrip("\n").split("\n")]
        columns = GDELT1_COLUMNS if name == "gdelt1" else GDELT2_COLUMNS
        rows = draw(
            table_mutations(
                rows,
                cells,
                [],
                max_mutations=4,
                header=False,
                column_cells=_export_cells(columns),
            )
        )
        if draw(one_in(6)):  # a GDELT column-name line on top
            rows.insert(0, [f"Col{i}" for i in range(len(rows[0]) if rows else 61)])
        out = "\n".join("\t".join(r) for r in rows) + "\n"
    else:
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        header_names = [
            "event_id_cnty",
            "event_date",
            "event_type",
            "type_of_violence",
            "side_a",
            "side_b",
            "notes",
            "latitude",
            "id",
        ]
        rows = draw(
            table_mutations(
                rows,
                cells,
                header_names,
                max_mutations=4,
                column_cells=_export_cells(EXPORT_COLUMNS),
            )
        )
        out = dump_csv(rows, crlf=draw(st.booleans()), quote_all=draw(one_in(6)))
    suffix = draw(
        st.sampled_from([Path(REAL_FIXTURES[name]).suffix, ".csv", ".CSV", ".tsv", ".txt", ""])
    )
    return name, suffix, draw(text_bytes(out, rare=False))


# --------------------------------------------------------------------------------------------
# Text and byte noise

YAML_HEADS = [
    "%YAML 1.1\n---\n",
    "%YAML 1.2\n---\n",
    "%YAML 1.3\n---\n",
    "%YAML 1.0\n---\n",
    "%YAML 2.0\n---\n",
    "%TAG !e! tag:example.com,2000:\n---\n",
    "%FOO bar\n---\n",
    "---\n",
    "--- !!map\n",
    "--- |\n",
    "...\n",
    "# comment\n",
    "? \n",
]
NOISE_CHARS = [
    "\x00",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\x85",
    "\r",
    "\t",
    "\x0b",
    "\x1b",
    "\ud7ff",
    '"',
    "'",
    "\\",
    "\u200b",
]
BAD_BYTES = [
    b"\xff",
    b"\xfe",
    b"\xc3(",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\x80",
]


@st.composite
def text_noise(draw: Draw, text: str, rare: bool) -> str:
    """*text*, sometimes with CRLF, a byte-order mark, an odd character, or cut short."""
    if not draw(one_in(5 if rare else 2)):
        return text
    op = draw(st.sampled_from(["crlf", "cr", "bom", "char", "cut", "tail", "head"]))
    if op == "head":  # YAML directives and document markers
        return draw(st.sampled_from(YAML_HEADS)) + text
    if op == "crlf":
        return text.replace("\n", "\r\n")
    if op == "cr":
        return text.replace("\n", "\r")
    if op == "bom":
        return "\ufeff" + text
    i = draw(st.integers(0, len(text)))
    if op == "char":
        return text[:i] + draw(st.sampled_from(NOISE_CHARS)) + text[i:]
    if op == "cut":
        return text[:i]
    return text + draw(st.sampled_from(["\n\n\n", "\x00", "garbage", "\n" + "x" * 70_000, "\t\t"]))


@st.composite
def text_bytes(draw: Draw, text: str, rare: bool) -> bytes:
    """*text* with :func:`text_noise`, as UTF-8, sometimes with invalid UTF-8 inserted."""
    data = draw(text_noise(text, rare)).encode("utf-8", "surrogatepass")
    if draw(one_in(10 if rare else 4)):
        i = draw(st.integers(0, len(data)))
        data = data[:i] + draw(st.sampled_from(BAD_BYTES)) + data[i:]
    return data
