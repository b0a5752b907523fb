"""Reading YAML and JSON documents while remembering where every value came from.

The loaders return plain Python data (dicts, lists, scalars; YAML timestamps stay
``datetime``/``date``) together with a :class:`Positions` map from a document path such as
``("events", 3, "actor")`` to its 1-based line and column. Pydantic reports errors by such
paths (``loc``), so :func:`problems_from_validation` can turn them into located problems.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import InputError, Problem, suggest

__all__ = [
    "CSV_FIELD_LIMIT",
    "Document",
    "Positions",
    "csv_reader",
    "dotted_path",
    "model_keys",
    "problems_from_validation",
]

PathKey = tuple[str | int, ...]

#: At most this many nodes per document once aliases are expanded ("billion laughs" guard).
MAX_NODES = 2_000_000


class _TextTimestamps(RoundTripConstructor):
    """Keeps YAML timestamps as the text the user wrote, so that ``2024-06-01 04:00:00+00:00``
    and the quoted string are read by the same parser (and an impossible date such as
    ``2024-02-30`` is a located error, not a crash inside the YAML library)."""


_TextTimestamps.add_constructor(
    "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
)


class _TooLarge(Exception):
    pass


@dataclass
class Positions:
    """Line/column (1-based) of each node of a document, by path."""

    spots: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """The position of *path*, or of its nearest ancestor that has one."""
        key = tuple(path)
        while True:
            if key in self.spots:
                return self.spots[key]
            if not key:
                return (None, None)
            key = key[:-1]


@dataclass
class Document:
    """A parsed document: its data, where it came from, and where each node sits."""

    data: Any
    file: str
    positions: Positions


def _plain(
    node: Any, path: PathKey, spots: dict[PathKey, tuple[int, int]], budget: list[int]
) -> Any:
    """Convert ruamel's round-trip nodes into plain data, recording value positions."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key in node:
            k = str(key) if not isinstance(key, (str, int)) else key
            sub = (*path, k)
            spot = None
            for where in (node.lc.value, node.lc.key):
                try:
                    spot = where(key)
                except (KeyError, TypeError, IndexError):
                    continue
                if spot:
                    break
            if spot:
                spots[sub] = (spot[0] + 1, spot[1] + 1)
            out[k] = _plain(node[key], sub, spots, budget)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for i, item in enumerate(node):
            sub = (*path, i)
            try:
                line, col = node.lc.item(i)
                spots[sub] = (line + 1, col + 1)
            except (KeyError, TypeError, IndexError):
                pass
            items.append(_plain(item, sub, spots, budget))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node  # datetime / date from YAML timestamps


#: Longest CSV field accepted (characters). Set on every read, because the limit is global to
#: the csv module and reverse_geocode raises it to the maximum when it loads: without this, a
#: runaway quoted field would be an error or not depending on what was imported before.
CSV_FIELD_LIMIT = 1 << 20


def csv_reader(lines: Iterable[str]) -> Any:
    """A csv reader with redlines' own field-size limit."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(lines)


def parse_yaml(text: str, file: str) -> Document:
    """Parse YAML (or JSON, which ruamel reads as YAML) keeping positions; syntax errors are
    raised as :class:`InputError` naming the line and column."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextTimestamps
    yaml.allow_duplicate_keys = False
    try:
        raw = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid syntax"
        raise InputError(
            [Problem(f"invalid YAML/JSON: {what}", file=file, line=line, column=col)]
        ) from None
    except YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise InputError([Problem(f"invalid YAML/JSON: {exc}", file=file)]) from None
    except RecursionError:
        raise InputError([Problem("invalid YAML/JSON: nested too deeply", file=file)]) from None
    except (ValueError, OverflowError) as exc:  # a scalar the YAML library cannot build
        raise InputError([Problem(f"invalid YAML/JSON: {exc}", file=file)]) from None
    spots: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    try:
        data = _plain(raw, (), spots, [MAX_NODES])
    except (_TooLarge, RecursionError):
        message = (
            f"invalid YAML/JSON: more than {MAX_NODES:,} values once aliases are expanded, "
            "or nested too deeply"
        )
        raise InputError([Problem(message, file=file)]) from None
    return Document(data, file, Positions(spots))


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file, turning OS and decoding errors into located problems."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError.one("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise InputError.one("is a directory, not a file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError.one(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path)
        ) from None
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror}", file=str(path)) from None


def model_keys(model: type[BaseModel]) -> tuple[str, ...]:
    """The keys a document may give for *model*: its fields, by alias where one is set."""
    return tuple(info.alias or name for name, info in model.model_fields.items())


def dotted_path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def problems_from_validation(
    exc: ValidationError,
    *,
    file: str,
    positions: Positions | None = None,
    prefix: PathKey = (),
    field_names: Mapping[str, Sequence[str]] | None = None,
    display_prefix: str = "",
    tags: Mapping[str, Sequence[str]] | None = None,
) -> list[Problem]:
    """Turn pydantic errors into located problems.

    *prefix* is where the validated object sits in the document (for positions). *field_names*
    maps a dotted parent path (``""`` for the root) to the allowed keys there, for "did you mean"
    on unknown fields. *display_prefix* is prepended to field names in messages. *tags* names
    the tags of discriminated unions with the keys that may follow each (``*``: any), so tags,
    which are not keys of the document, are left out of paths. Errors of the members of a
    union of scalar types at one place become one problem.
    """
    found = _problems(exc, file, positions, prefix, field_names, display_prefix, tags)
    return _one_per_place(found)


#: pydantic's names of union members, as they appear in error locations, in words.
_MEMBER_WORDS = {
    "str": "text",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "date": "a date",
    "datetime": "a date-time",
}


def _document_loc(
    loc: Sequence[str | int], tags: Mapping[str, Sequence[str]]
) -> tuple[tuple[str | int, ...], list[str]]:
    """*loc* without pydantic's markers (validator names, union members, union tags), and the
    union members that were named in it."""
    out: list[str | int] = []
    members: list[str] = []
    parts = list(loc)
    for i, part in enumerate(parts):
        if isinstance(part, str):
            if part.startswith("function-"):
                continue
            if part in _MEMBER_WORDS or "[" in part:
                members.append(part)
                continue
            following = parts[i + 1] if i + 1 < len(parts) else None
            if (
                part in tags
                and following is not None
                and (following in tags[part] or "*" in tags[part])
            ):
                continue
        out.append(part)
    return tuple(out), members


def _one_per_place(found: list[tuple[Problem, list[str]]]) -> list[Problem]:
    """One problem per place: a value that fits no member of a union of scalars gets one line
    naming what would fit, instead of one line per member."""
    merged: dict[tuple[int | None, int | None, str | None], list[tuple[Problem, list[str]]]] = {}
    for problem, members in found:
        key = (
            (problem.line, problem.column, problem.field) if members else (None, None, id(problem))
        )
        merged.setdefault(key, []).append((problem, members))  # type: ignore[arg-type]
    out = []
    for group in merged.values():
        first = group[0][0]
        members = [m for _, ms in group for m in ms]
        if len(group) == 1 or not members:
            out.append(first)
            continue
        words = list(dict.fromkeys(_MEMBER_WORDS[m] for m in members if m in _MEMBER_WORDS))
        wanted = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
        out.append(dataclasses.replace(first, message=f"invalid value: expected {wanted}"))
    return out


def _problems(
    exc: ValidationError,
    file: str,
    positions: Positions | None,
    prefix: PathKey,
    field_names: Mapping[str, Sequence[str]] | None,
    display_prefix: str,
    tags: Mapping[str, Sequence[str]] | None,
) -> list[tuple[Problem, list[str]]]:
    problems: list[tuple[Problem, list[str]]] = []
    for err in exc.errors(include_url=False):
        loc, members = _document_loc(err["loc"], tags or {})
        line = col = None
        if positions is not None:
            line, col = positions.find((*prefix, *loc))
        name = dotted_path(loc)
        full = f"{display_prefix}{name}" if name else (display_prefix.rstrip(".") or None)
        etype = err["type"]
        value = err.get("input")
        msg = err["msg"]
        suggestion = None
        if etype == "extra_forbidden":
            parent = dotted_path(loc[:-1])
            allowed = (field_names or {}).get(parent, ())
            msg = "unknown field"
            suggestion = suggest(str(loc[-1]), allowed, cutoff=0.6) if allowed else None
            value = None
            problems.append(
                (
                    Problem(
                        msg, file=file, line=line, column=col, field=full, suggestion=suggestion
                    ),
                    [],
                )
            )
            continue
        if etype == "missing":
            missing = Problem(
                "required field is missing", file=file, line=line, column=col, field=full
            )
            problems.append((missing, []))
            continue
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        ctx = err.get("ctx") or {}
        if isinstance(ctx.get("error"), Exception):
            suggestion = getattr(ctx["error"], "suggestion", None)
        problem = Problem(
            msg[0].lower() + msg[1:] if msg else msg,
            file=file,
            line=line,
            column=col,
            field=full,
            value=value,
            has_value=not isinstance(value, (dict, list)),
            suggestion=suggestion,
        )
        problems.append((problem, members))
    return problems
