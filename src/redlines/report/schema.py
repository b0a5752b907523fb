"""The JSON report as pydantic models: the one description of its form, from which
``redlines schema report`` is generated.

:meth:`redlines.report.model.Report.to_dict` writes the report; these models say what it may
hold, and a test validates the reports of every example against them (``tests/test_schemas.py``),
so the two cannot drift apart. The ``input`` object of real-data runs (``docs/data.md``) is
described by its contract keys; readers may add keys of their own to it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.config import JsonDict

__all__ = ["FindingJSON", "InputJSON", "RedLineJSON", "ReportJSON", "ReportsJSON"]

_TIME: JsonDict = {"format": "date-time"}
_DATE: JsonDict = {"format": "date"}


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


class InputJSON(BaseModel):
    """How every row of a real-data export was accounted for (docs/data.md)."""

    model_config = ConfigDict(extra="allow")

    format: str
    files: list[str]
    rows_read: int = Field(ge=0)
    rows_used: int = Field(ge=0)
    rows_irrelevant: int = Field(ge=0)
    rows_rejected: int = Field(ge=0)
    rejected_by_reason: dict[str, int]
    rows_by_kind: dict[str, int]


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
    """``redlines run --format json`` prints one report for one file, an array for several."""
