"""The report model (docs/cli.md, JSON report): status per red line, findings, provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..events import format_time
from ..findings import Finding, level_rank
from ..rules.resolved import Ruleset

__all__ = ["RedLineResult", "Report"]


@dataclass(frozen=True)
class RedLineResult:
    id: str
    title: str
    status: str
    first_crossed_at: dt.datetime | None
    findings: tuple[Finding, ...]
    provenance: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "first_crossed_at": format_time(self.first_crossed_at)
            if self.first_crossed_at
            else None,
            "provenance": self.provenance,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class Report:
    """What a ruleset says about one input: built by the evaluator, rendered by renderers."""

    scenario: str | None
    file: str | None
    ruleset: dict[str, Any]
    events: int
    redlines: tuple[RedLineResult, ...]
    description: str | None = None
    input: dict[str, Any] | None = None
    late_events: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        ruleset: Ruleset,
        findings: Sequence[Finding],
        *,
        events: int,
        scenario: str | None = None,
        file: str | None = None,
        description: str | None = None,
        late_events: Sequence[str] = (),
    ) -> Report:
        results = []
        for rl in ruleset.red_lines:
            mine = tuple(f for f in findings if f.red_line == rl.id)
            status = "clear"
            for f in mine:
                if level_rank(f.level) > level_rank(status):
                    status = f.level
            crossed = [f.time for f in mine if f.level == "crossed"]
            prov = (
                rl.provenance.model_dump(mode="json", exclude_none=True) if rl.provenance else None
            )
            results.append(
                RedLineResult(
                    rl.id, rl.title, status, min(crossed) if crossed else None, mine, prov
                )
            )
        return cls(
            scenario,
            file,
            ruleset.info(),
            events,
            tuple(results),
            description,
            None,
            list(late_events),
        )

    def status(self, red_line: str) -> str:
        """The status of one red line: ``crossed``, ``warning`` or ``clear``."""
        return self.red_line(red_line).status

    def red_line(self, red_line: str) -> RedLineResult:
        for r in self.redlines:
            if r.id == red_line:
                return r
        raise KeyError(red_line)

    def statuses(self) -> dict[str, str]:
        return {r.id: r.status for r in self.redlines}

    def to_dict(self) -> dict[str, Any]:
        """The JSON report. Key order is fixed; the same input gives the same dict."""
        out: dict[str, Any] = {"scenario": self.scenario, "file": self.file}
        if self.description:
            out["description"] = self.description
        out["ruleset"] = dict(self.ruleset)
        out["events"] = self.events
        if self.input is not None:
            out["input"] = self.input
        out["redlines"] = [r.to_dict() for r in self.redlines]
        if self.late_events:
            out["late_events"] = list(self.late_events)
        return out
