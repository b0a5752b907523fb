"""Reading YAML and JSON documents while remembering where every value came from.

The loaders return plain Python data (dicts, lists, scalars; YAML timestamps stay
``datetime``/``date``) together with a :class:`Positions` map from a document path such as
``("events", 3, "actor")`` to its 1-based line and column. Pydantic reports errors by such
paths (``loc``), so :func:`problems_from_validation` can turn them into located problems.

The text of every document read is remembered (a few dozen, most recent first) so that a
problem can be shown with the line it is on and a caret under its column
(:func:`context_lines`); YAML syntax errors are told in words (:func:`_yaml_sentence`).
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import dataclasses
import io
import os
import re
import stat
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import IO, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Tag, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

try:  # libyaml's parser, as ruamel.yaml.clib builds it
    from _ruamel_yaml import CParser as _LibyamlParser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - the clib is a dependency; without it, the full reader
    _LibyamlParser = None
from .errors import UNSET, InputError, Problem, printable, suggest

#: The fast reader's parser (None: every document is read by the full reader).
_CParser: Any = _LibyamlParser

__all__ = [
    "CSV_FIELD_LIMIT",
    "MAX_DOCUMENT_BYTES",
    "MAX_RULES_BYTES",
    "Document",
    "Positions",
    "Where",
    "context_lines",
    "csv_reader",
    "document_path",
    "dotted_path",
    "model_keys",
    "open_binary",
    "path_kind",
    "problem_at",
    "problems_from_validation",
    "read_text",
    "readable",
    "remember",
    "source_line",
]

PathKey = tuple[str | int, ...]

#: The largest YAML or JSON scenario document read, in bytes (read at about 6 MB a second, and
#: held in memory whole); larger event sets belong in JSON Lines or CSV files, which are
#: streamed and have no such limit.
MAX_DOCUMENT_BYTES = 32 << 20
#: The largest document (in characters) read by the full YAML reader (ruamel.yaml, pure Python,
#: about 100 kB a second), to which the fast one leaves anchors, aliases, tags, tabs and other
#: forms it does not read exactly alike (``_read_fast``); larger ones must be written plainly.
MAX_FULL_READER_CHARS = 1 << 20
#: The largest rule file read, in bytes: 1,000 red lines written out in full take about 1 MB.
#: The full reader reads rule files up to this size too (about 20 seconds).
MAX_RULES_BYTES = 2 << 20
#: At most this many nodes per document once aliases are expanded ("billion laughs" guard).
MAX_NODES = 2_000_000


class _TextTimestamps(RoundTripConstructor):
    """Keeps YAML timestamps as the text the user wrote, so that ``2024-06-01 04:00:00+00:00``
    and the quoted string are read by the same parser (and an impossible date such as
    ``2024-02-30`` is a located error, not a crash inside the YAML library); integers in any
    form but plain decimal digits stay text too (:func:`_int_or_text`)."""


_TextTimestamps.add_constructor(
    "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
)

_DECIMAL = re.compile(r"^(0|-?[1-9][0-9]*)$")


def _int_or_text(constructor: RoundTripConstructor, node: Any) -> int | str:
    """An unquoted integer written in plain decimal digits is an integer; anything else that
    YAML would read as one (``007``, ``0x1F``, ``0o17``, ``1_000``) keeps the text the author
    wrote, so that an id stays ``007`` and a count of ``0x10`` is refused, not read as 16."""
    text = str(node.value)
    return int(text) if _DECIMAL.match(text) else text


_TextTimestamps.add_constructor("tag:yaml.org,2002:int", _int_or_text)


class _TooLarge(Exception):
    pass


class _Refused(Exception):
    """A value the documents of redlines never hold (a YAML tag, binary data, a set)."""


@dataclass
class Positions:
    """Line/column (1-based) of each node of a document, by path."""

    spots: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    #: Line/column of the key of each mapping entry, by the entry's path.
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def find(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """The position of *path*, or of its nearest ancestor that has one."""
        key = tuple(path)
        while True:
            if key in self.spots:
                return self.spots[key]
            if not key:
                return (None, None)
            key = key[:-1]

    def find_key(self, path: Sequence[str | int]) -> tuple[int | None, int | None]:
        """The position of the key of the mapping entry at *path* (where an unknown key is
        written), else that of its value (:meth:`find`)."""
        return self.keys.get(tuple(path)) or self.find(path)


@dataclass
class Document:
    """A parsed document: its data, where it came from, and where each node sits."""

    data: Any
    file: str
    positions: Positions


def _plain(
    node: Any,
    path: PathKey,
    spots: dict[PathKey, tuple[int, int]],
    budget: list[int],
    current: list[PathKey],
    keys: dict[PathKey, tuple[int, int]],
) -> Any:
    """Convert ruamel's round-trip nodes into plain data, recording value positions, and key
    positions in *keys* (and, in *current*, the path being converted, to locate a refusal)."""
    current[0] = path
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
            with contextlib.suppress(KeyError, TypeError, IndexError):
                at = node.lc.key(key)
                if at:
                    keys[sub] = (at[0] + 1, at[1] + 1)
            out[k] = _plain(node[key], sub, spots, budget, current, keys)
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
            items.append(_plain(item, sub, spots, budget, current, keys))
        return items
    if isinstance(node, TaggedScalar) and node.tag.value == "tag:yaml.org,2002:str":
        return str(node.value)  # `!!str 12` is a way of quoting
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, TaggedScalar) or (tag is not None and not tag.startswith("tag:yaml.org")):
        raise _Refused(f"YAML tags such as '{tag}' are not used in redlines files")
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, (bytes, bytearray)):
        raise _Refused("binary values (!!binary) are not used in redlines files")
    raise _Refused(
        f"unsupported YAML value ({type(node).__name__}): use text, numbers, lists and mappings"
    )


#: Longest CSV field accepted (characters). Set on every read, because the limit is global to
#: the csv module and reverse_geocode raises it to the maximum when it loads: without this, a
#: runaway quoted field would be an error or not depending on what was imported before.
CSV_FIELD_LIMIT = 1 << 20


def csv_reader(lines: Iterable[str]) -> Any:
    """A csv reader with redlines' own field-size limit."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    return csv.reader(lines)


class _Slow(Exception):
    """The fast reader leaves this document to the full one (:func:`_read_fast`): what it met,
    in words, and where (a libyaml mark, when known)."""

    def __init__(self, what: str, mark: Any = None, *, invalid: bool = False) -> None:
        super().__init__(what)
        self.what = what
        self.mark = mark
        #: The document is invalid (not only left to the full reader): *what* says why.
        self.invalid = invalid


_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT, _TIME = (
    _TAG + t for t in ("str", "null", "bool", "int", "float", "timestamp")
)
#: YAML 1.2's implicit types of plain scalars, by first character, as ruamel's round-trip
#: loader resolves them for a document without a ``%YAML`` directive (``yes`` is text, ``0o17``
#: an integer, ``1:20`` text): its own table, so that both readers type a value alike.
_IMPLICIT: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [(str(tag), regexp) for tag, regexp in resolvers]
    for first, resolvers in VersionedResolver(version=(1, 2)).versioned_resolver.items()
    if first is not None
}
_FLOAT_TEXT = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
#: Characters the two readers take differently: libyaml accepts a tab after a value, drops a
#: byte-order mark inside the text and counts NEL, LS and PS as line breaks (YAML 1.1);
#: ruamel.yaml refuses the first, keeps the second and reads the others as text (YAML 1.2).
#: A carriage return alone ends a line for both, but not for the regular expressions here.
_ODD_CHARACTER = re.compile("[\t\ufeff\x85\u2028\u2029]|\r(?!\n)")
#: An explicit key (``? key``), whose empty values the readers place differently.
_EXPLICIT_KEY = re.compile(r"(?:^|[\s\[{,])\?(?:\s|\Z)")
#: A directive, a document end, or a document start after the first line: the readers count
#: documents differently (libyaml takes ``...`` twice as one end).
_MARKER = re.compile(r"^(?:\.\.\.|%)|(?<=\n)---", re.MULTILINE)
#: What the fast reader leaves to the full one before it starts, and how it is told.
_LEFT_TO_FULL = (
    (_ODD_CHARACTER, "a tab, a byte-order mark, a Unicode line separator or a lone CR"),
    (_EXPLICIT_KEY, "an explicit key ('? ')"),
    (_MARKER, "a directive ('%') or a document marker ('---' after the first line, '...')"),
)
_BLOCK = ("|", ">")
#: A block scalar's header as both readers take it: no indentation indicator, no comment.
_HEADER = re.compile(r"[|>][-+]? *\Z")
#: Deeper nesting is left to the full reader, which says it is nested too deeply.
_FAST_DEPTH = 200


def _plain_scalar(text: str) -> Any:
    """The value of an untagged plain scalar, as :class:`_TextTimestamps` and :func:`_plain`
    build it from ruamel's round-trip loader (timestamps and integers not in plain decimal
    digits stay text)."""
    for tag, regexp in _IMPLICIT.get(text[:1], ()):  # noqa: B007 - the tag found is used below
        if regexp.match(text):
            break
    else:
        return text
    if tag == _NULL:
        return None
    if tag == _INT:
        return int(text) if _DECIMAL.match(text) else text
    if tag == _TIME:
        return text
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _FLOAT:
        lower = text.lower()
        if lower in (".inf", "+.inf"):
            return float("inf")
        if lower == "-.inf":
            return float("-inf")
        if lower in (".nan", "+.nan", "-.nan"):
            return float("nan")
        if _FLOAT_TEXT.match(text):
            return float(text)
    raise _Slow("a merge key ('<<'), '=' or a number in an unusual form")


def _parse_fast(text: str) -> tuple[Any, Positions] | None:
    """The data and positions of *text* by the fast reader, or None where it leaves the
    document to the full one (:func:`_read_fast`)."""
    try:
        return _read_fast(text)
    except _Slow:
        return None


def _read_fast(text: str) -> tuple[Any, Positions]:
    """The data and positions of *text* as read from libyaml's parser events (about 25 times as
    fast as the pure-Python reader). The full reader is the reference: whatever this one does
    not read exactly as that one does (anchors and aliases, tags, directives, merge keys, keys
    that are not text or whole numbers, repeated keys, several documents, deep nesting, empty
    values outside block mappings, tabs, any syntax error) raises :class:`_Slow`, to leave
    the document to it, so both give the same data, positions and errors (property-tested in
    ``tests/test_source_fast.py``). The composing is done here from the events, not by the C
    composer, which recurses without limit (a segmentation fault on deep nesting)."""
    if _CParser is None:
        raise _Slow("no fast reader")
    for pattern, what in _LEFT_TO_FULL:
        found = pattern.search(text)
        if found:
            raise _Slow(what, _Mark(text, found.start()))
    try:
        return _compose(_CParser(text), text)
    except _Slow:
        raise
    except MarkedYAMLError as exc:  # a syntax error
        raise _Slow("syntax", exc) from None
    except ReaderError as exc:  # a character YAML does not allow, at a character's index
        where = _Mark(text, min(max(int(exc.position), 0), len(text)))
        what = f"invalid YAML/JSON: a character YAML does not allow ({exc.reason})"
        raise _Slow(what, where, invalid=True) from None
    except Exception as exc:  # anything else libyaml refuses
        raise _Slow(f"the YAML reader cannot read this: {exc}") from None


class _Mark:
    """A libyaml-like mark (0-based line and column, character index) at an index of *text*."""

    def __init__(self, text: str, index: int) -> None:
        self.index = index
        self.line = text.count("\n", 0, index)
        self.column = index - (text.rfind("\n", 0, index) + 1)


_EOL = re.compile(r"\r\n|\r|\n")


def _line_rest(text: str, index: int) -> str:
    """The text from *index* to the end of its line."""
    end = _EOL.search(text, index)
    return text[index : end.start() if end else len(text)]


def _next_line(text: str, index: int) -> str:
    """The line after the one *index* is on ("" past the end)."""
    end = _EOL.search(text, index)
    return _line_rest(text, end.end()) if end else ""


def _compose(parser: Any, text: str) -> tuple[Any, Positions]:
    # (No budget of values, as the full reader keeps against aliases: there are none here, and
    # without them a document holds fewer values than characters.)
    spots: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    keys: dict[PathKey, tuple[int, int]] = {}
    # Each open collection: [its value, its path, the path of the key awaiting a value, block?]
    stack: list[list[Any]] = []
    # An empty value in a block mapping: the full reader places it where the next token ends
    # (the next key, or the end of the mapping), unless a comment follows the ':'.
    empty: tuple[PathKey, Any] | None = None
    get = parser.get_event
    get()  # the stream's start
    event = get()
    if type(event) is not DocumentStartEvent or event.version or event.tags:
        raise _Slow("an empty document or a directive", event.start_mark)
    while True:
        event = get()
        kind = type(event)
        mark = event.start_mark
        if empty is not None:
            if kind is not ScalarEvent and kind is not MappingEndEvent:
                raise _Slow("an empty value before an unusual token", mark)
            at = empty[1]
            if "#" in _line_rest(text, at.index) and kind is ScalarEvent:
                # `notes:   # to fill`, then the next key: the full reader places the value
                # where the ':' ends, as libyaml does
                spots[empty[0]] = (at.line + 1, at.column + 1)
                empty = None
            else:
                if "#" in text[at.index : mark.index]:
                    raise _Slow("an empty value followed by a comment", at)
                if mark.index >= len(text) and not text.endswith(("\n", "\r")):
                    # libyaml places the end of such a text on a line after it
                    raise _Slow("an empty value at the end of a text without a line break", mark)
                spots[empty[0]] = (mark.line + 1, mark.column + 1)
                empty = None
        if kind is ScalarEvent or kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None:
                raise _Slow("an anchor ('&')", mark)
            if event.tag is not None:
                raise _Slow("a tag ('!')", mark)
        if kind is ScalarEvent:
            if event.style in _BLOCK:
                below = _next_line(text, mark.index)
                if (
                    not _HEADER.match(_line_rest(text, mark.index))
                    or not below.strip()
                    or not below.startswith(" ")
                ):
                    # A header libyaml reads more leniently (`|#`); blank lines first, which
                    # ruamel.yaml refuses when more indented than the text; or text that is
                    # not indented, such as `#` under a header, which only ruamel.yaml reads.
                    raise _Slow("a block scalar ('|' or '>') in an unusual form", mark)
            try:
                value = _plain_scalar(event.value) if event.implicit[0] else event.value
            except _Slow as exc:
                raise _Slow(exc.what, mark) from None
            except ValueError as exc:  # an integer of more digits than Python converts
                raise _Slow(f"invalid YAML/JSON: {exc}", mark, invalid=True) from None
            opened: dict[Any, Any] | list[Any] | None = None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(stack) > _FAST_DEPTH:
                raise _Slow("invalid YAML/JSON: nested too deeply", mark, invalid=True)
            if (
                kind is MappingStartEvent
                and event.flow_style
                and text[mark.index : mark.index + 1] != "{"
            ):
                # `[a: 1]`, a pair in a list: libyaml takes `["a":1]`, ruamel.yaml does not
                raise _Slow("a 'key: value' pair inside '[...]'", mark)
            opened = {} if kind is MappingStartEvent else []
            value = opened
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            if not stack:
                break
            continue
        elif kind is AliasEvent:
            raise _Slow("an alias ('*')", mark)
        else:  # pragma: no cover - libyaml gives no other event inside a document
            raise _Slow("an unexpected event", mark)
        spot = (mark.line + 1, mark.column + 1)
        if not stack:
            if opened is None:
                raise _Slow("a document that is a single value", mark)
            root = value
            stack.append([opened, (), None, not event.flow_style])
            continue
        top = stack[-1]
        into = top[0]
        if type(into) is list:
            if opened is None and event.value == "" and event.implicit[0]:
                raise _Slow("an empty list item", mark)
            path = (*top[1], len(into))
            into.append(value)
        elif top[2] is None:  # a key, kept until its value comes
            if opened is not None or (type(value) is not str and type(value) is not int):
                raise _Slow("a key that is not text or a whole number", mark)
            if value in into:
                twice = f"duplicate key '{value}': a key may appear once in a mapping"
                raise _Slow(f"invalid YAML/JSON: {twice}", mark, invalid=True)
            if value == "" and event.implicit[0]:
                raise _Slow("an empty key", mark)
            key_path = (*top[1], value)
            top[2] = key_path
            keys[key_path] = spot
            continue
        else:
            path = top[2]
            top[2] = None
            into[path[-1]] = value
            if opened is None and event.value == "" and event.implicit[0]:
                if not top[3]:
                    raise _Slow("an empty value in a flow mapping ('{...}')", mark)
                empty = (path, mark)
                continue
        spots[path] = spot
        if opened is not None:
            stack.append([opened, path, None, not event.flow_style])
    event = get()
    if type(event) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        second = "invalid YAML/JSON: a second document ('---'): a redlines file holds one document"
        raise _Slow(second, event.start_mark, invalid=True)
    return root, Positions(spots, keys)


def parse_yaml(text: str, file: str, *, full_limit: int = MAX_FULL_READER_CHARS) -> Document:
    """Parse YAML (or JSON, which ruamel reads as YAML) keeping positions; syntax errors are
    raised as :class:`InputError` naming the line and column. A document the fast reader
    leaves to the full one is read by it up to *full_limit* characters, and refused above."""
    remember(file, text)
    try:
        data, positions = _read_fast(text)
    except _Slow as slow:
        if len(text) > full_limit:
            raise InputError([_left_to_full(slow, text, file, full_limit)]) from None
    else:
        return Document(data, file, positions)
    yaml = YAML(typ="rt")
    yaml.Constructor = _TextTimestamps
    yaml.allow_duplicate_keys = False
    try:
        raw = yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        what, line, col = _yaml_sentence(exc, _EOL.split(text))
        raise InputError(
            [Problem(f"invalid YAML/JSON: {what}", file=file, line=line, column=col)]
        ) from None
    except YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise InputError([Problem(f"invalid YAML/JSON: {exc}", file=file)]) from None
    except RecursionError:
        raise InputError([Problem("invalid YAML/JSON: nested too deeply", file=file)]) from None
    except TypeError:  # `? [a, [b]]`: a key the YAML library cannot hash
        raise InputError(
            [Problem("invalid YAML/JSON: a list or mapping as a key: keys are text", file=file)]
        ) from None
    except (ValueError, OverflowError) as exc:  # a scalar the YAML library cannot build
        raise InputError([Problem(f"invalid YAML/JSON: {exc}", file=file)]) from None
    except AssertionError as exc:  # e.g. a `%YAML 1.3` directive, which ruamel asserts on
        raise InputError(
            [Problem(f"invalid YAML/JSON: {exc or 'the parser gave up'}", file=file, line=1)]
        ) from None
    except Exception as exc:  # the YAML library's own failures (comments
        # placed where its round-trip reader cannot keep them: NotImplementedError)
        raise InputError(
            [Problem(f"invalid YAML/JSON: the YAML reader cannot read this: {exc}", file=file)]
        ) from None
    spots: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    keys: dict[PathKey, tuple[int, int]] = {}
    path: list[PathKey] = [()]
    # Without aliases a document holds fewer values than characters: more means aliases
    # expanding a "billion laughs", refused after as much work as the file is long.
    budget = min(MAX_NODES, len(text) + 1000)
    try:
        data = _plain(raw, (), spots, [budget], path, keys)
    except (_TooLarge, RecursionError):
        message = (
            f"invalid YAML/JSON: more values once aliases are expanded than the document has "
            f"characters (or more than {MAX_NODES:,}), or nested too deeply"
        )
        raise InputError([Problem(message, file=file)]) from None
    except _Refused as exc:
        line, col = Positions(spots).find(path[0])
        raise InputError(
            [Problem(f"invalid YAML/JSON: {exc}", file=file, line=line, column=col)]
        ) from None
    return Document(data, file, Positions(spots, keys))


def _left_to_full(slow: _Slow, text: str, file: str, full_limit: int) -> Problem:
    """The problem of a document too large for the full reader that the fast one left to it:
    its syntax error, or what the fast reader does not read."""
    if isinstance(slow.mark, MarkedYAMLError):
        what, line, col = _yaml_sentence(slow.mark, _EOL.split(text))
        return Problem(f"invalid YAML/JSON: {what}", file=file, line=line, column=col)
    line, col = (slow.mark.line + 1, slow.mark.column + 1) if slow.mark is not None else (1, 1)
    if slow.invalid:
        return Problem(slow.what, file=file, line=line, column=col)
    limit = f"{full_limit / 1e6:.1f} MB"
    return Problem(
        f"{slow.what}: in YAML documents above {limit} (this one has {len(text) / 1e6:.1f} MB) "
        f"only the plain forms are read; write it plainly, or give large event sets as JSON "
        f"Lines or CSV",
        file=file,
        line=line,
        column=col,
    )


def _yaml_sentence(exc: MarkedYAMLError, lines: list[str]) -> tuple[str, int | None, int | None]:
    """What a YAML syntax error means, in words, and the line and column (1-based) to look at.

    ruamel.yaml says what its parser expected (``expected <block end>, but found '-'``); the
    common cases are told here as the mistake a person made: a line indented less or more than
    its mapping, a list item where a key was expected, a tab, a ``:`` in a plain value, an
    unclosed quote or bracket. Anything else keeps ruamel's own words."""
    problem = exc.problem or ""
    context = exc.context or ""
    pm, cm = exc.problem_mark, exc.context_mark

    def at(mark: Any) -> tuple[int | None, int | None]:
        return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)

    def text_of(mark: Any) -> str:
        return lines[mark.line] if mark is not None and mark.line < len(lines) else ""

    def indent(text: str) -> int:
        return len(text) - len(text.lstrip(" "))

    def previous(mark: Any) -> str:
        """The nearest line above *mark* that holds something other than a comment."""
        for n in range(mark.line - 1, -1, -1):
            if lines[n].strip() and not lines[n].lstrip().startswith("#"):
                return lines[n]
        return ""

    pl, pc = at(pm)
    found = re.match(r"found character '(.+)' that cannot start any token", problem)
    if found and found.group(1) in ("\\t", "\t"):
        if pm is not None and not text_of(pm)[: pm.column].strip():
            return "a tab character: YAML indents with spaces, not tabs", pl, pc
        return "a tab character: use spaces (or quote the value if the tab is part of it)", pl, pc
    if found:
        return f"'{found.group(1)}' cannot start a plain value: quote the value", pl, pc
    if problem == "mapping values are not allowed here" and pm is not None:
        line = text_of(pm)
        before = line[: pm.column].lstrip(" ").removeprefix("- ")
        if ": " in before or before.endswith(":"):
            return "a ':' inside a plain value: quote the value", pl, pc
        if indent(line) > indent(previous(pm)):
            return (
                "this line is indented more than the mapping it belongs to (or a ':' in the "
                "value above needs quotes)",
                pl,
                indent(line) + 1,
            )
        return (
            "a 'key: value' line after a line that is not one: add the missing ':' above, or "
            "quote the text",
            pl,
            indent(line) + 1,
        )
    if problem == "could not find expected ':'":
        cl, cc = at(cm)
        if cm is not None and previous(cm).lstrip().startswith("- "):
            return "a line without '- ' in a list (or without ':' in a mapping)", cl, cc
        return "a line without ':' in a mapping: write 'key: value'", cl, cc
    ended = re.match(r"expected <block end>, but found '(.+)'$", problem)
    if ended and pm is not None:
        what = ended.group(1)
        if what == "-":
            return "a list item where a key was expected: indent the list under its key", pl, pc
        if what == "?" and "collection" in context:
            return (
                "a key where a list item ('- ...') was expected: indent it like the keys of the "
                "item above, or start a new item with '- '",
                pl,
                pc,
            )
        if what in ("?", "<block mapping start>"):
            above = indent(previous(pm)) + 1
            return (
                f"this line is indented less than the mapping it belongs to (whose keys start at "
                f"column {above}): indent every key of a mapping alike",
                pl,
                pc,
            )
        if what == "<scalar>" and text_of(pm)[: pm.column].rstrip().endswith(("'", '"')):
            return "text after a quoted value: put the whole value inside the quotes", pl, pc
    flow = re.match(r"expected ',' or '([\]}])', but got '(.+)'$", problem)
    if flow and cm is not None:
        close, got = flow.groups()
        opening = "[" if close == "]" else "{"
        cl, cc = at(cm)
        if got == "<stream end>":
            return f"this '{opening}' is never closed (a '{close}' is missing)", cl, cc
        if got == ":" and pm is not None and pm.line == cm.line:
            return f"a ':' inside a value in '{opening}...{close}': quote the value", pl, pc
        return (
            f"a ',' or a closing '{close}' is missing before this point (the '{opening}' is at "
            f"line {cl}, column {cc})",
            pl,
            pc,
        )
    if "quoted scalar" in context and "end of stream" in problem and cm is not None:
        cl, cc = at(cm)
        quote = text_of(cm)[cm.column : cm.column + 1] or '"'
        return f"this quote ({quote}) is never closed", cl, cc
    if problem == "expected the node content, but found '<stream end>'":
        return "the file ends where a value was expected (is a '[' or '{' not closed?)", pl, pc
    alias = re.match(r"found undefined alias '(.+)'$", problem)
    if alias:
        name = alias.group(1)
        return (
            f"'*{name}' reads as a YAML alias, and no '&{name}' is defined: quote the value if "
            "the '*' is text",
            pl,
            pc,
        )
    if problem == "sequence entries are not allowed here":
        return (
            "a list item ('- ') on the same line as its key: start the list on the next line, "
            "or quote the value",
            pl,
            pc,
        )
    duplicate = re.match(r'found duplicate key "(.*)" with value', problem)
    if duplicate:
        return f"duplicate key '{duplicate.group(1)}': a key may appear once in a mapping", pl, pc
    if problem == "but found another document":
        return "a second document ('---'): a redlines file holds one document", pl, pc
    escape = re.match(r"found unknown escape character '(.+)'$", problem)
    if escape:
        return (
            f"'\\{escape.group(1)}' is not an escape in double quotes: use single quotes, or "
            "write '\\\\'",
            pl,
            pc,
        )
    if problem.startswith("expected '<document start>'"):
        return "more text after the end of the document (an extra closing bracket?)", pl, pc
    where_line, where_col = at(pm or cm)
    return problem or context or "invalid syntax", where_line, where_col


#: The texts of the documents read most recently, by file name (see :func:`remember`).
_TEXTS: OrderedDict[str, str] = OrderedDict()
#: How many documents' texts are kept for showing the lines of their problems.
REMEMBERED_TEXTS = 64


def remember(file: str, text: str) -> None:
    """Keep *text* as the content of *file*, so that its problems can show their line
    (:func:`context_lines`); the :data:`REMEMBERED_TEXTS` most recent are kept."""
    _TEXTS[file] = text
    _TEXTS.move_to_end(file)
    while len(_TEXTS) > REMEMBERED_TEXTS:
        _TEXTS.popitem(last=False)


def source_line(file: str | None, line: int) -> str | None:
    """Line *line* (1-based) of *file*, without its line ending: from the remembered text of a
    document, else read from the file itself (JSON Lines, CSV and export files are streamed,
    not remembered); None when it cannot be had."""
    if file is None or line < 1:
        return None
    text = _TEXTS.get(file)
    if text is not None:
        lines = text.split("\n")
        return lines[line - 1].removesuffix("\r") if line <= len(lines) else None
    try:
        with readable(file).open("rb") as fh:
            for n, raw in enumerate(fh, 1):
                if n == line:
                    if n == 1:
                        raw = raw.removeprefix(b"\xef\xbb\xbf")
                    return raw.decode("utf-8", errors="replace").rstrip("\r\n")
    except OSError:
        return None
    return None


#: Width of the line-number gutter of context lines.
_GUTTER = 5


def context_lines(problem: Problem) -> list[str]:
    """The line *problem* is on and a caret under its column, as shown below an ``error:`` or
    ``warning:`` line (each starts with spaces; control characters escaped)::

           11 |         when: {field: targt, eq: POL}
              |                       ^^^^^

    The carets span the offending value where its text is found at the column (with its
    quotes), else one caret. A problem with a line but no column (JSON Lines, CSV rows) gets
    its carets under the value or the CSV cell when they can be found on the line. Empty when
    the problem has no line or the line cannot be read."""
    if problem.line is None:
        return []
    text = source_line(problem.file, problem.line)
    if text is None:
        return []
    out = [f"{problem.line:>{_GUTTER}} | {printable(text)}".rstrip()]
    span = _span(problem, text)
    if span is not None:
        start, width = span
        offset = len(printable(text[:start]))
        carets = "^" * max(1, len(printable(text[start : start + width])))
        out.append(f"{'':>{_GUTTER}} | {' ' * offset}{carets}")
    return out


def _span(problem: Problem, text: str) -> tuple[int, int] | None:
    """(start, width) in *text* of what *problem* is about, or None."""
    cells = _csv_cells(problem.file, text)
    if cells is not None and problem.field:
        index = problem.column
        if index is None:
            header = source_line(problem.file, 1) or ""
            names = [n.strip().lower() for n in _csv_split(header)]
            key = problem.field.strip().lower()
            index = names.index(key) + 1 if key in names else None
        if index is not None and 1 <= index <= len(cells):
            return cells[index - 1]
        return None
    tokens = _value_texts(problem)
    if problem.column is not None:
        start = problem.column - 1
        if start > len(text):
            return None
        for token in tokens:
            if token and text.startswith(token, start):
                return start, len(token)
        if start < len(text) and text[start] in "'\"":
            end = text.find(text[start], start + 1)
            if end > start:
                return start, end - start + 1
        return start, 1
    for token in tokens:
        if token and text.count(token) == 1:
            return text.index(token), len(token)
    return None


def _value_texts(problem: Problem) -> list[str]:
    """How the offending value of *problem* may be written in a document, quoted forms first."""
    value = problem.value
    if not problem.has_value or isinstance(value, (dict, list, tuple)):
        # An unknown key is located at the key itself: its name is the last of the path.
        last = problem.path[-1] if problem.path else None
        return [f'"{last}"', f"'{last}'", last] if isinstance(last, str) else []
    if value is None:
        return ["null", "~"]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str):
        return [f'"{value}"', f"'{value}'", value]
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return [f'"{text}"', text]


def _csv_cells(file: str | None, text: str) -> list[tuple[int, int]] | None:
    """(start, width) of each cell of a CSV line, for files named ``*.csv``; else None."""
    if file is None or not file.lower().endswith(".csv"):
        return None
    cells: list[tuple[int, int]] = []
    start, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            cells.append((start, i - start))
            start = i + 1
    cells.append((start, len(text) - start))
    return cells


def _csv_split(text: str) -> list[str]:
    return [text[a : a + w] for a, w in (_csv_cells("x.csv", text) or [])]


_SPOOLED: dict[str, Path] = {}


def path_kind(path: str | Path) -> str:
    """``"file"``, ``"dir"``, ``"missing"`` or ``"other"`` (a pipe, a device) for *path*; a
    name the system cannot take (a NUL byte in it, a part longer than the system allows) is
    ``"missing"``, never an exception."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):
        return "missing"
    if stat.S_ISREG(mode):
        return "file"
    return "dir" if stat.S_ISDIR(mode) else "other"


def readable(path: str | Path) -> Path:
    """A path that can be opened as often as needed: *path* itself for a regular file (or one
    that does not exist, for the caller to report); for a pipe, FIFO or device such as
    ``/dev/stdin``, which can be read only once, a temporary copy of everything it gives, made
    once per process and removed at exit. Format detection and reading then read the copy."""
    p = Path(path)
    if path_kind(p) != "other":
        return p
    key = str(p)
    if key not in _SPOOLED:
        _SPOOLED[key] = _spool(p)
    return _SPOOLED[key]


#: The most a pipe or device is read into its temporary copy.
MAX_SPOOL_BYTES = 2 << 30


def _spool(p: Path) -> Path:
    """Copy a pipe or device into a temporary file. What is plainly not text (NUL bytes or
    bytes that are not UTF-8 in its first 64 kB, as ``/dev/zero`` or ``/dev/urandom`` give) is
    refused at once, and so is a stream longer than :data:`MAX_SPOOL_BYTES`."""
    file = str(p)
    fd, name = tempfile.mkstemp(prefix="redlines-", suffix=p.suffix)
    atexit.register(_remove, name)
    try:
        with os.fdopen(fd, "wb") as copy, p.open("rb") as stream:
            head = stream.read(1 << 16)
            if not head.startswith(b"PK\x03\x04"):  # a zip archive is binary on purpose
                _text_head(head, file)
            copy.write(head)
            total = len(head)
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > MAX_SPOOL_BYTES:
                    raise InputError.one(
                        f"more than {MAX_SPOOL_BYTES >> 30} GB from a pipe or device: save it to "
                        "a file and read that",
                        file=file,
                    )
                copy.write(chunk)
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None
    return Path(name)


def _text_head(head: bytes, file: str) -> None:
    """Refuse a stream whose first bytes are plainly not text: a NUL byte, or mostly bytes that
    are not UTF-8 (a few, as in a real export, are read as U+FFFD like those of a file)."""
    if b"\x00" in head:
        decode(head, file)  # raises, located at the NUL byte
    replaced = head.decode("utf-8", errors="replace").count("\ufffd")
    if replaced > len(head) // 10:
        raise InputError.one(
            "not text: most of the first bytes are not UTF-8; save the file as UTF-8", file=file
        )


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)


_EVENT_ADVICE = (
    "YAML and JSON documents are limited to {limit}; give large event sets as JSON Lines or CSV"
)


def open_binary(path: str | Path) -> IO[bytes]:
    """*path* (a pipe or device: its copy) opened for reading bytes, its OS errors as located
    problems."""
    file = str(path)
    try:
        return readable(path).open("rb")
    except FileNotFoundError:
        raise InputError.one("no such file", file=file) from None
    except IsADirectoryError:
        raise InputError.one("is a directory, not a file", file=file) from None
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None
    except ValueError:  # a NUL byte in the name
        raise InputError.one("no such file (the name holds a NUL byte)", file=file) from None


def read_text(path: str | Path, *, limit: int | None = None, advice: str = _EVENT_ADVICE) -> str:
    """Read a UTF-8 text file (a byte-order mark is dropped; UTF-16 with a byte-order mark is
    read too), turning OS and decoding errors into located problems. With *limit*, a file of
    more bytes is refused before it is parsed, with *advice* (``{limit}``: the limit in MB)."""
    p = readable(path)
    file = str(path)
    with open_binary(path) as fh:
        try:
            data = fh.read() if limit is None else fh.read(limit + 1)
        except OSError as exc:
            raise InputError.one(f"cannot read: {exc.strerror or exc}", file=file) from None
    if limit is not None and len(data) > limit:
        size = p.stat().st_size if stat.S_ISREG(p.stat().st_mode) else len(data)
        raise InputError.one(
            f"the file has {size / 1e6:.1f} MB: " + advice.format(limit=f"{limit / 1e6:.1f} MB"),
            file=file,
        )
    return decode(data, file)


def decode(data: bytes, file: str) -> str:
    """UTF-8 text (or UTF-16 with its byte-order mark) from *data*; a NUL byte or bytes that are
    not UTF-8 are a problem located at their line and column."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # reported below as not UTF-8
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise InputError.one(
            f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8",
            file=file,
            line=line,
            column=col,
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise InputError.one(
            "a NUL byte: this is not UTF-8 text (UTF-16 without a byte-order mark?); "
            "save the file as UTF-8",
            file=file,
            line=line,
            column=col,
        )
    return text


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


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


def problem_at(
    positions: Positions | None, path: PathKey, message: str, *, file: str, **details: Any
) -> Problem:
    """A problem about the node at document *path*, located by *positions* (None: no line),
    its ``field`` the path written out unless *details* give one."""
    line, col = positions.find(path) if positions is not None else (None, None)
    details["field"] = details.get("field") or dotted_path(path)
    return Problem(message, file=file, line=line, column=col, path=path, **details)


@dataclass(frozen=True)
class Where:
    """Where a validated object sits: its file, the positions of the document it is part of
    (None for formats without them), its path in that document, and what to put before field
    names in messages (``events[3].``)."""

    file: str
    positions: Positions | None = None
    prefix: PathKey = ()
    display: str = ""


def problems_from_validation(
    exc: ValidationError, model: type[BaseModel], where: Where
) -> list[Problem]:
    """Turn pydantic's errors from validating *model* into located problems.

    Error locations are decoded against *model* itself (:class:`_Location`): union tags and
    member names that pydantic puts in them are not keys of the document and are left out, and
    an unknown key gets a "did you mean" from the keys of the model found at its parent.
    Errors of the members of a union of scalar types at one place become one problem.
    """
    found = [_problem(err, model, where) for err in exc.errors(include_url=False)]
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


def _unwrap(tp: Any) -> Any:
    """*tp* without ``Annotated`` and without ``None`` in an optional."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    if get_origin(tp) in (Union, UnionType):
        members = [m for m in get_args(tp) if m is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return tp


def _tag(member: Any) -> str | None:
    if get_origin(member) is Annotated:
        for extra in get_args(member)[1:]:
            if isinstance(extra, Tag):
                return extra.tag
    return None


@dataclass
class _Location:
    """A pydantic error location read against the model: the path in the document, the union
    members it names, and the model whose keys were expected at its last key."""

    path: tuple[str | int, ...]
    members: list[str]
    keys: tuple[str, ...]
    #: The model whose keys were expected at the last key (for its synonyms), if any.
    parent: type[BaseModel] | None = None
    #: The type expected at the location itself.
    node: Any = None

    @classmethod
    def decode(cls, loc: Sequence[str | int], model: type[BaseModel]) -> _Location:
        path: list[str | int] = []
        members: list[str] = []
        keys: tuple[str, ...] = ()
        parent: type[BaseModel] | None = None
        node: Any = model
        for part in loc:
            node = _unwrap(node)
            if get_origin(node) in (Union, UnionType):
                options = get_args(node)
                tags = {_tag(m): m for m in options if _tag(m) is not None}
                if part in tags:  # a discriminated union's tag: pydantic's marker
                    node = tags[part]
                    continue
                if isinstance(part, str) and (part in _MEMBER_WORDS or "[" in part):
                    members.append(part)  # a member of a union of scalars
                    node = None
                    continue
            if isinstance(part, str) and part.startswith("function-"):
                continue
            path.append(part)
            if isinstance(node, type) and issubclass(node, BaseModel):
                keys = model_keys(node)
                parent = node
                node = _field_type(node, part)
            elif get_origin(node) in (tuple, list) and isinstance(part, int):
                node = get_args(node)[0]
            elif get_origin(node) is dict:
                node = get_args(node)[1]
            else:
                node = None
        return cls(tuple(path), members, keys, parent, node)


def document_path(loc: Sequence[str | int], model: type[BaseModel]) -> PathKey:
    """The document path of a pydantic error location *loc* from validating *model* (union
    tags and member names, which are not keys of the document, left out)."""
    return _Location.decode(loc, model).path


def _synonyms(model: type[BaseModel] | None) -> dict[str, str]:
    """Other names people give the keys of *model* (``equals`` for ``eq``), lower case: a
    model lists them in a ``key_synonyms`` class variable."""
    found = getattr(model, "key_synonyms", None) if model is not None else None
    return {k.lower(): v for k, v in found.items()} if isinstance(found, dict) else {}


def _nearest_key(key: str, keys: Sequence[str], model: type[BaseModel] | None) -> str | None:
    """The "did you mean" for an unknown *key*: a synonym, else the closest of *keys*."""
    synonym = _synonyms(model).get(key.strip().lower())
    if synonym is not None:
        return synonym
    return suggest(key, keys, cutoff=0.6) if keys else None


def _union_tags(node: Any) -> dict[str, Any]:
    """The tags of a discriminated union type (``{'all': AllOf, ...}``), or ``{}``."""
    node = _unwrap(node)
    if get_origin(node) not in (Union, UnionType):
        return {}
    return {tag: _unwrap(m) for m in get_args(node) if (tag := _tag(m)) is not None}


def _tag_hint(value: Any, node: Any) -> str | None:
    """For a mapping that has none of the tags of the union expected at its place
    (``{alll: [...]}``, ``{and: [...]}``): the tag its keys come closest to."""
    tags = _union_tags(node)
    if not tags or not isinstance(value, dict):
        return None
    for key in value:
        for tag, member in tags.items():
            if _synonyms(member if isinstance(member, type) else None).get(str(key).lower()) == tag:
                return tag
        hint = suggest(str(key), list(tags), cutoff=0.6)
        if hint is not None:
            return hint
    return None


def _field_type(model: type[BaseModel], key: str | int) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _problem(err: Any, model: type[BaseModel], where: Where) -> tuple[Problem, list[str]]:
    located = _Location.decode(err["loc"], model)
    loc = located.path
    line = col = None
    if where.positions is not None and err["type"] == "extra_forbidden":
        line, col = where.positions.find_key((*where.prefix, *loc))
    elif where.positions is not None:
        line, col = where.positions.find((*where.prefix, *loc))
    name = dotted_path(loc)
    full = f"{where.display}{name}" if name else (where.display.rstrip(".") or None)
    value = err.get("input")
    suggestion = getattr((err.get("ctx") or {}).get("error"), "suggestion", None)
    msg = str(err["msg"]).removeprefix("Value error, ")
    message = msg[:1].lower() + msg[1:]
    members = located.members
    if err["type"] == "extra_forbidden":
        unknown = getattr(located.parent, "unknown_key", "unknown field")
        message, value, members = str(unknown).format(key=loc[-1]), UNSET, []
        suggestion = _nearest_key(str(loc[-1]), located.keys, located.parent)
    elif err["type"] == "missing":
        message, value, members = "required field is missing", UNSET, []
    elif err["type"] == "literal_error" and isinstance(value, str):
        words = [w for w in get_args(_unwrap(located.node)) if isinstance(w, str)]
        suggestion = suggest(value, words, cutoff=0.6)
    elif suggestion is None and isinstance(value, dict):
        suggestion = _tag_hint(value, located.node)
    problem = Problem(
        message,
        file=where.file,
        line=line,
        column=col,
        field=full,
        value=UNSET if isinstance(value, (dict, list)) else value,
        suggestion=suggestion,
        path=(*where.prefix, *loc),
    )
    return problem, members


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
