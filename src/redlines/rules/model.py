"""The rule language (v1) as pydantic models: closed, frozen, validated.

A rule file declares named sets and conditions, then red lines. Each red line has clauses
(a condition on one event that gives a level) and patterns (N selected events sharing a key
within a window of event time). See docs/rules.md for the language and nato-2024 as the
worked example.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    WithJsonSchema,
    field_validator,
)

from ..errors import InvalidValue
from .operators import ALIASES, OPERATORS

__all__ = [
    "AllOf",
    "AnyOf",
    "Clause",
    "Condition",
    "FieldTest",
    "Level",
    "NotOf",
    "Pattern",
    "PatternSelect",
    "Provenance",
    "RedLine",
    "Ref",
    "RuleFile",
    "SetDef",
    "parse_window",
    "window_text",
]

Level = Literal["crossed", "warning"]
LEVELS: tuple[str, ...] = ("clear", "warning", "crossed")  # ordered, lowest first

_ID = r"^[A-Za-z][A-Za-z0-9_.-]*$"

#: A date, or a date-time whose day is taken (YAML timestamps are read as text).
_DATE_SCHEMA = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}([Tt ].*)?$",
    "description": "a date (2024-05-05); a date-time names its day",
}


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(_Closed):
    """Where a red line comes from: shown in every report."""

    source: str
    date: Annotated[dt.date, WithJsonSchema(_DATE_SCHEMA)] | None = None
    url: str | None = None
    consequence: str | None = None
    notes: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        # YAML timestamps arrive as text (see source.py); a date-time names its day.
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str) and len(value) > 10 and value[10] in "Tt ":
            return value[:10]
        return value


class SetDef(_Closed):
    """A named set: exactly one of countries, kinds, regions or values. Members may name other
    sets of the same type (including the built-in kind groups such as ``MILITARY``)."""

    description: str | None = None
    countries: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    values: tuple[str | int | float, ...] | None = None


Scalar = str | int | float | bool | dt.date | dt.datetime


def _field_names(schema: dict[str, Any]) -> None:
    """The JSON Schema of ``field``: one of the testable event fields (for editors)."""
    from .resolved import FIELDS  # resolved.py imports this module

    schema["enum"] = list(FIELDS)
    schema["description"] = "the event field tested (docs/rules.md, Field tests)"


class FieldTest(_Closed):
    """A test on one event field. Every test except ``exists: false`` is false when the field
    is absent or null; ``not`` is plain negation on top of that."""

    field: str = Field(json_schema_extra=_field_names)
    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: str | tuple[Scalar, ...] | None = Field(default=None, alias="in")
    not_in: str | tuple[Scalar, ...] | None = None
    gt: Scalar | None = None
    ge: Scalar | None = None
    lt: Scalar | None = None
    le: Scalar | None = None
    exists: bool | None = None
    contains: str | None = None
    not_contains: str | None = None
    matches: str | None = None
    not_matches: str | None = None
    #: A modifier of ``contains``, ``matches`` and their negations: any letter case.
    ignore_case: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    #: An unknown key in a test is an unknown operator; other names of operators and of
    #: ``field`` give the "did you mean" (see :data:`redlines.rules.operators.ALIASES`).
    unknown_key: ClassVar[str] = "unknown operator"
    key_synonyms: ClassVar[dict[str, str]] = {
        **ALIASES,
        "key": "field",
        "name": "field",
        "attribute": "field",
        "case_insensitive": "ignore_case",
        "icase": "ignore_case",
        "nocase": "ignore_case",
    }

    def operators(self) -> list[tuple[str, Any]]:
        """The (operator, operand) pairs that are set, in the operator table's order. The
        model's operator keys are those of :data:`redlines.rules.operators.OPERATORS` (a test
        keeps the two in step)."""
        out: list[tuple[str, Any]] = []
        for name, info in type(self).model_fields.items():
            key = info.alias or name
            value = getattr(self, name)
            if key in OPERATORS and value is not None:
                out.append((key, value))
        return sorted(out, key=lambda pair: list(OPERATORS).index(pair[0]))


class AllOf(_Closed):
    all: tuple[Condition, ...]
    key_synonyms: ClassVar[dict[str, str]] = {"and": "all", "every": "all", "all_of": "all"}


class AnyOf(_Closed):
    any: tuple[Condition, ...]
    key_synonyms: ClassVar[dict[str, str]] = {
        "or": "any",
        "some": "any",
        "either": "any",
        "any_of": "any",
    }


class NotOf(_Closed):
    not_: Condition = Field(alias="not")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    key_synonyms: ClassVar[dict[str, str]] = {"unless": "not", "except": "not", "negate": "not"}


class Ref(_Closed):
    """Use a named condition from the file's ``conditions``."""

    ref: str
    key_synonyms: ClassVar[dict[str, str]] = {"use": "ref", "condition": "ref", "$ref": "ref"}


def _condition_tag(value: Any) -> str | None:
    if isinstance(value, BaseModel):
        return {AllOf: "all", AnyOf: "any", NotOf: "not", Ref: "ref", FieldTest: "field"}.get(
            type(value)
        )
    if not isinstance(value, dict):
        return None
    # `field` first: `{field: kind, not: threat}` is a test with a misnamed operator.
    for tag in ("field", "all", "any", "not", "ref"):
        if tag in value:
            return tag
    return None


Condition = Annotated[
    Annotated[FieldTest, Tag("field")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[Ref, Tag("ref")],
    Discriminator(
        _condition_tag,
        custom_error_type="condition",
        custom_error_message=(
            "a condition is a mapping with one of the keys 'field', 'all', 'any', 'not' or 'ref'"
        ),
    ),
]

AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Clause(_Closed):
    """A condition on a single event that gives the red line a level."""

    id: str = Field(pattern=_ID)
    level: Level
    when: Condition
    reason: str = Field(min_length=1)
    description: str | None = None


class PatternSelect(_Closed):
    """Which events a pattern counts: those that satisfy ``when`` and, if ``level`` is given,
    that this red line's clauses gave exactly that level (``any``: warning or crossed). Without
    ``level`` the clauses are not consulted."""

    level: Literal["warning", "crossed", "any"] | None = None
    when: Condition | None = None


_WINDOW = re.compile(r"^\s*([0-9]+)\s*(w|d|h|m|s)\s*$")
_UNITS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
#: The longest pattern window: 36,500 days (about a century). Event-time arithmetic stays
#: exact and within the years 1-9999 whatever the window.
MAX_WINDOW = dt.timedelta(days=36_500)


def parse_window(value: Any) -> dt.timedelta:
    """``30d``, ``12h``, ``2w``, ``90m``, ``45s`` -> timedelta (ASCII digits, at most
    :data:`MAX_WINDOW`)."""
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    else:
        m = _WINDOW.match(value) if isinstance(value, str) else None
        digits = m.group(1).lstrip("0") if m is not None else ""
        if m is None or not digits:
            raise InvalidValue(
                f"invalid window '{value}': expected a positive duration such as 30d or 12h"
            )
        # More than 15 digits is past the maximum in any unit (and past int()'s digit limit).
        seconds = int(digits) * _UNITS[m.group(2)] if len(digits) <= 15 else 10**20
    if seconds > MAX_WINDOW.total_seconds():
        raise InvalidValue(
            f"invalid window '{value}': longer than the maximum of {MAX_WINDOW.days} days"
        )
    if seconds <= 0:
        raise InvalidValue(f"invalid window '{value}': expected a positive duration")
    return dt.timedelta(seconds=seconds)


class Pattern(_Closed):
    """``count`` or more selected events, sharing the ``same`` fields, whose event times span at
    most ``within`` (inclusive) from first to last."""

    id: str = Field(pattern=_ID)
    level: Level = "crossed"
    select: PatternSelect
    count: int = Field(ge=2, le=1_000_000, strict=True)
    within: Annotated[
        dt.timedelta,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": r"^\s*[0-9]+\s*(w|d|h|m|s)\s*$",
                "description": "a window: 2w, 30d, 12h, 90m, 45s (at most 36500d)",
            }
        ),
    ]
    same: tuple[str, ...] = ()
    reason: str = Field(min_length=1)
    description: str | None = None

    @field_validator("within", mode="before")
    @classmethod
    def _window(cls, value: Any) -> dt.timedelta:
        return parse_window(value)


class RedLine(_Closed):
    id: str = Field(pattern=_ID)
    title: str
    description: str | None = None
    provenance: Provenance | None = None
    applies_when: Condition | None = None
    clauses: tuple[Clause, ...] = ()
    patterns: tuple[Pattern, ...] = ()


class RuleFile(_Closed):
    """The whole rule file as written."""

    schema_: Literal["redlines/rules/v1"] = Field(alias="schema")
    name: str = Field(pattern=_ID)
    version: Annotated[str, WithJsonSchema({"type": ["string", "number"]})]
    title: str
    description: str | None = None
    provenance: Provenance | None = None
    sets: dict[str, SetDef] = Field(default_factory=dict)
    conditions: dict[str, Condition] = Field(default_factory=dict)
    red_lines: tuple[RedLine, ...]

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


def window_text(delta: dt.timedelta) -> str:
    """A window as people say it: ``30 days``, ``36 hours``, ``1 minute``."""
    seconds = int(delta.total_seconds())
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit[:-1] if n == 1 else unit}"
    return f"{seconds} seconds"
