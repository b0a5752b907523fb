"""The JSON report as pydantic models: the one description of its form, from which
``redlines schema report`` is generated.

:meth:`redlines.report.model.Report.to_dict` writes the report; these models say what it may
hold, and a test validates the reports of every example against them (``tests/test_schemas.py``),
so the two cannot drift apart. The ``input`` object of real-data runs (``docs/data.md``) is
described with every key reports carry (closed, as the rest of the report).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.config import JsonDict

__all__ = [
    "FindingJSON",
    "InputJSON",
    "RedLineJSON",
    "RejectedExampleJSON",
    "ReportJSON",
    "ReportsJSON",
]

_TIME: JsonDict = {"format": "date-time"}
_DATE: JsonDict = {"format": "date"}


def _absent(schema: JsonDict) -> None:
    """A key that is left out rather than null: neither ``null`` nor ``default: null`` in the
    schema (the model takes None for "left out")."""
    schema.pop("default", None)
    branches = schema.get("anyOf")
    if isinstance(branches, list):
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1 and isinstance(kept[0], dict):
            del schema["anyOf"]
            schema.update(kept[0])
        else:
            schema["anyOf"] = kept


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RulesetJSON(_Closed):
    """The ruleset a report was made with."""

    name: str
    version: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ProvenanceJSON(_Closed):
    """Where a red line comes from (keys without a value are left out)."""

    source: str
    date: str | None = Field(default=None, json_schema_extra=_DATE)
    url: str | None = None
    consequence: str | None = None
    notes: str | None = None


class SourcesJSON(_Closed):
    """A finding's sources, kept short: how many, and the first three."""

    count: int = Field(ge=0)
    first: list[str] = Field(max_length=3)


class FindingJSON(_Closed):
    """Why a red line has a level: one event (``basis: event``, a clause) or several
    (``basis: pattern``)."""

    event_ids: list[str]
    level: Literal["warning", "crossed"]
    clause: str
    basis: Literal["event", "pattern"]
    time: str = Field(json_schema_extra=_TIME)
    reason: str
    #: Every clause of the red line the event matched (event findings only).
    matched_clauses: list[str] | None = None
    #: Where: ``location.place``, ``region``, ``country`` of the event, those given (a
    #: pattern: its events' distinct places joined by "; "); null when no event says.
    place: str | None
    sources: SourcesJSON


class RedLineJSON(_Closed):
    """One red line's status and its findings."""

    id: str
    title: str
    status: Literal["crossed", "warning", "clear"]
    first_crossed_at: str | None = Field(json_schema_extra=_TIME)
    provenance: ProvenanceJSON | None
    findings: list[FindingJSON]
    #: Only with ``redlines run --explain``: events one condition short of a higher level and
    #: pattern groups one event short (docs/cli.md).
    near_misses: list[dict[str, Any]] | None = None


class RejectedExampleJSON(_Closed):
    """The first row rejected for a reason: its file (only when the input has several), its
    line number and what exactly was wrong with it."""

    file: str | None = Field(default=None, json_schema_extra=_absent)
    row: int = Field(ge=0)
    detail: str | None


class InputJSON(_Closed):
    """How every row of a real-data export was accounted for (docs/data.md):
    ``rows_read = rows_used + rows_irrelevant + rows_rejected``.

    One stream of export files of several formats (``redlines run --one-stream``) has the
    totals here (``format`` lists the formats, ``files`` every export file) and each format's
    own accounting in ``parts``, sorted by format name."""

    format: str
    files: list[str]
    #: Left out when every file was UTF-8; the encoding, when all were read in one; else
    #: each file's (or zip member's) encoding by its name.
    encoding: str | dict[str, str] | None = Field(default=None, json_schema_extra=_absent)
    rows_read: int = Field(ge=0)
    rows_used: int = Field(ge=0)
    rows_irrelevant: int = Field(ge=0)
    rows_rejected: int = Field(ge=0)
    rejected_by_reason: dict[str, int]
    #: The first rejected row of each reason of ``rejected_by_reason`` (left out when none).
    rejected_examples: dict[str, RejectedExampleJSON] | None = Field(
        default=None, json_schema_extra=_absent
    )
    rows_by_kind: dict[str, int]
    #: One stream of several export formats: each format's accounting, sorted by format.
    parts: list[InputJSON] | None = Field(default=None, json_schema_extra=_absent)


class ReportJSON(_Closed):
    """What a ruleset says about one input (``redlines run --format json``)."""

    report_version: Literal[2]
    scenario: str | None
    file: str | None
    description: str | None = None
    ruleset: RulesetJSON
    events: int = Field(ge=0)
    input: InputJSON | None = None
    redlines: list[RedLineJSON]
    #: Events fed to a streaming evaluator later than its allowed lateness.
    late_events: list[str] | None = None


class ReportsJSON(RootModel[ReportJSON | list[ReportJSON]]):
    """``redlines run --format json`` prints one report for one file, an array of reports for
    several; with ``--one-stream``, one report for all the files (evaluated as one stream,
    named in ``file`` in sorted order)."""
