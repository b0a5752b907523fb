"""One exception hierarchy for everything redlines can reject or fail at.

::

    RedlinesError
    ├── InputError            invalid user input; carries one Problem per thing wrong (exit 2)
    │   ├── EventError        events, scenario files, event files
    │   ├── RuleError         rule files and rule definitions
    │   ├── RulesetNotFound   an unknown shipped ruleset name
    │   └── DataFormatError   real-data exports (GDELT, ACLED, UCDP) that cannot be read
    └── EngineError           durable-rules failed while evaluating (a bug, not bad input)

Locations are structured fields on :class:`Problem`, never baked into message strings;
:meth:`Problem.render` is the one place that turns them into ``file:line:col: ...``.

A problem is an error (the input is refused) or a warning (the input is accepted, but something
in it is probably not what was meant: a clause that can never match, say). Warnings are never
raised: a loaded :class:`~redlines.rules.resolved.Ruleset` carries them in ``warnings``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ERROR",
    "UNSET",
    "WARNING",
    "DataFormatError",
    "EngineError",
    "EventError",
    "InputError",
    "InvalidValue",
    "Problem",
    "RedlinesError",
    "RuleError",
    "RulesetNotFound",
    "Severity",
    "in_file_order",
    "printable",
    "shown_as",
    "suggest",
]


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """*text* with control characters shown as escapes (``\\n``, ``\\x1b``, ``\\u2028``), so
    that a value read from a file can neither start a new line in a message nor recolour or
    rewrite the terminal."""
    if text.isprintable() and not _BIDI.intersection(text):
        return text
    out = []
    for ch in text:
        if ch in _BIDI or (not ch.isprintable() and ch != " "):
            out.append(repr(ch)[1:-1] if ch not in "'\"" else ch)
        else:
            out.append(ch)
    return "".join(out)


def suggest(value: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """Return the closest candidate to *value* (case-insensitive), or None: the "did you mean"."""
    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    matches = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[matches[0]] if matches else None


class _Unset:
    """The type of :data:`UNSET`."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


#: "No value": a problem about something other than one value (``None`` is a value: ``null``).
UNSET: Any = _Unset()


def _show(value: Any) -> str:
    if value is None:
        return "null"  # the word users write in YAML and JSON
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 80 else text[:77] + "..."


Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"


def _mentions(message: str, text: str) -> bool:
    """Whether *message* already shows *text* as a whole (``'warnin'`` is not shown by
    ``'warning'``; ``actr`` is, by ``'{actr}'``)."""
    return re.search(rf"(?<!\w){re.escape(text)}(?!\w)", message) is not None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the format allows: an error
    (``severity="error"``, the input is refused) or a warning (it is accepted)."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    value: Any = dataclasses.field(default=UNSET, compare=False)
    suggestion: str | None = None
    #: Where in the document the problem is, as keys and indexes (``("events", 3, "actor")``);
    #: ``field`` is how that place is shown to people.
    path: tuple[str | int, ...] = ()
    severity: Severity = ERROR

    @property
    def has_value(self) -> bool:
        return self.value is not UNSET

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """One line: ``file:line:col: field 'f': message (got 'v'; did you mean 'x'?)``, with
        control characters escaped (:func:`printable`)."""
        return printable(self._render())

    def _render(self) -> str:
        text = f"{self.location()}: "
        if self.field:
            text += f"field '{self.field}': "
        text += self.message
        extras: list[str] = []
        if self.has_value and not _mentions(self.message, _show(self.value).strip("'")):
            extras.append(f"got {_show(self.value)}")
        if self.suggestion is not None:
            extras.append(f"did you mean '{self.suggestion}'?")
        if extras:
            text += " (" + "; ".join(extras) + ")"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "value": self.value if self.has_value else None,
            "path": list(self.path),
            "message": self.message,
            "suggestion": self.suggestion,
            "severity": self.severity,
        }


def shown_as(problems: Iterable[Problem], names: Mapping[str, str]) -> list[Problem]:
    """*problems* with each file that *names* gives another name to shown under that name (a
    temporary copy of standard input is ``<stdin>``)."""
    return [
        dataclasses.replace(p, file=names[p.file]) if p.file is not None and p.file in names else p
        for p in problems
    ]


def in_file_order(problems: Iterable[Problem]) -> list[Problem]:
    """*problems* (of one file) sorted by line and column; those without a line come first, and
    problems at the same place keep their order."""
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


class RedlinesError(Exception):
    """Root of every error redlines raises on purpose."""


class InputError(RedlinesError):
    """Invalid input: one or more located problems. The command line exits 2."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.render() for p in self.problems))

    @classmethod
    def one(cls, message: str, **where: Any) -> InputError:
        """Build the error from a single problem; ``value=`` names the offending value."""
        return cls([Problem(message, **where)])


class EventError(InputError):
    """An event, event file or scenario file is invalid."""


class RuleError(InputError):
    """A rule file or rule definition is invalid."""


class RulesetNotFound(InputError):
    """A ruleset name is neither shipped nor a readable path."""


class DataFormatError(InputError):
    """A real-data export cannot be read in the declared or detected format."""


class EngineError(RedlinesError):
    """durable-rules failed during evaluation; this is a bug in redlines, not in the input."""


class InvalidValue(ValueError):
    """Raised inside field validators; carries a "did you mean" for the located problem."""

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion
