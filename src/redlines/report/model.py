"""The report model (docs/cli.md, JSON report): status per red line, findings, provenance."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import EventError, RedlinesError
from ..events import format_time
from ..findings import Finding, level_rank
from ..rules.resolved import Ruleset

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "FINDING_COLUMNS",
    "REPORT_VERSION",
    "Explains",
    "Located",
    "NearGroup",
    "NearMiss",
    "RedLineResult",
    "Report",
    "locate",
]

#: The columns of :meth:`Report.to_dataframe` (and of the Spark engine's findings frame).
FINDING_COLUMNS = (
    "red_line",
    "level",
    "clause",
    "basis",
    "event_ids",
    "time",
    "reason",
    "place",
    "sources",
)

#: The form of the JSON report (its first key, ``report_version``). 2: findings carry
#: ``place`` and ``sources``. Reports of 0.1 had no version (1).
REPORT_VERSION = 2


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - pandas is a dev dependency
        raise ImportError(
            "Report.to_dataframe and Report.levels_frame need pandas: pip install pandas"
        ) from None
    return pandas


@dataclass(frozen=True)
class NearMiss:
    """An event that missed a clause of a higher level than the one it got by one condition.
    ``failed`` holds ``{field, expected, actual}``; ``summary`` is the line the text and
    Markdown reports show (not serialised)."""

    event: str
    clause: str
    level: str
    failed: tuple[dict[str, Any], ...]
    summary: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "clause": self.clause,
            "level": self.level,
            "failed": [dict(f) for f in self.failed],
        }


@dataclass(frozen=True)
class NearGroup:
    """A pattern group one event short: ``count`` of ``need`` events in one window, which a
    further event by ``window_ends`` completes."""

    pattern: str
    level: str
    key: str
    events: tuple[str, ...]
    count: int
    need: int
    window_ends: dt.datetime
    summary: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "level": self.level,
            "key": self.key,
            "events": list(self.events),
            "count": self.count,
            "need": self.need,
            "window_ends": format_time(self.window_ends),
        }


@dataclass(frozen=True)
class Located:
    """An evaluated event that has coordinates: what the briefing's map draws of it (a
    report's :meth:`Report.located_events`; never serialised)."""

    id: str
    time: dt.datetime
    lat: float
    lon: float


def locate(events: Iterable[Any]) -> tuple[Located, ...]:
    """The events of *events* (:class:`~redlines.events.Event`) that have both ``location.lat``
    and ``location.lon``, in event-time order (the id breaking ties, as events are fed)."""
    found = []
    for e in events:
        loc = e.location
        if loc is not None and loc.lat is not None and loc.lon is not None:
            found.append(Located(str(e.id), e.time, float(loc.lat), float(loc.lon)))
    return tuple(sorted(found, key=lambda p: (p.time, p.id)))


class Explains(Protocol):
    """What a report keeps to explain its events (:class:`redlines.explain.BatchExplainer`)."""

    @property
    def events(self) -> Sequence[Any]:
        """The events explained (read again, if need be, when first asked for)."""
        ...

    def explain(self, event_id: str) -> Any: ...

    def near_misses(self) -> Mapping[str, Sequence[NearMiss | NearGroup]]: ...


@dataclass(frozen=True)
class RedLineResult:
    id: str
    title: str
    status: str
    first_crossed_at: dt.datetime | None
    findings: tuple[Finding, ...]
    provenance: dict[str, Any] | None = None
    #: Only when asked for (``redlines run --explain``, :meth:`Report.add_near_misses`).
    near_misses: tuple[NearMiss | NearGroup, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "first_crossed_at": format_time(self.first_crossed_at)
            if self.first_crossed_at
            else None,
            "provenance": self.provenance,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.near_misses is not None:
            out["near_misses"] = [n.to_dict() for n in self.near_misses]
        return out


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
    #: The evaluated events as (id, time), in the order they were fed (one tuple per event;
    #: never serialised): what :meth:`levels_frame` has a row for.
    evaluated: tuple[tuple[str, dt.datetime], ...] = field(default=(), repr=False, compare=False)
    #: What explains the report's events: set for batches (``evaluate``, ``evaluate_file``,
    #: ``evaluate_dataframe``); never serialised.
    _explainer: Explains | None = field(default=None, repr=False, compare=False)
    #: The evaluated events that have coordinates (the briefing's map), or what reads them
    #: when first asked for; None: those of the events that explain the report (see
    #: :meth:`located_events`). Never serialised.
    located: Sequence[Located] | Callable[[], Sequence[Located]] | None = field(
        default=None, repr=False, compare=False
    )
    #: The input files of a report over several (``--one-stream``), sorted; never serialised.
    files: tuple[str, ...] = field(default=(), repr=False, compare=False)

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
        evaluated: Sequence[tuple[str, dt.datetime]] = (),
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
            tuple(evaluated),
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

    def explain(self, event_id: str) -> Any:
        """What every red line made of one event of the report, and why
        (a :class:`redlines.explain.Explanation`). An unknown id is an
        :class:`~redlines.errors.EventError` with a "did you mean"."""
        return self._require_explainer().explain(event_id)

    def add_near_misses(self) -> None:
        """Give each red line its ``near_misses`` (what ``redlines run --explain`` shows)."""
        near = self._require_explainer().near_misses()
        self.redlines = tuple(
            dataclasses.replace(r, near_misses=tuple(near.get(r.id, ()))) for r in self.redlines
        )

    def located_events(self) -> Sequence[Located] | None:
        """The evaluated events that have coordinates, in event-time order (the id breaking
        ties): what the briefing's map draws. They are read on first use (a large event
        file's events that no rule can match were only counted); () when the report keeps no
        events (built otherwise than from a batch), None when they cannot be read again
        (standard input, a file that has gone)."""
        source = self.located
        if source is None:
            explainer = self._explainer
            if explainer is None:
                return ()
            source = lambda: locate(explainer.events)  # noqa: E731
        if callable(source):
            try:
                source = tuple(source())
            except (RedlinesError, RuntimeError, OSError):
                return None
            self.located = source
        return source

    def _require_explainer(self) -> Explains:
        if self._explainer is None:
            raise EventError.one(
                "this report keeps no events to explain (only batch reports do: evaluate, "
                "evaluate_file, evaluate_dataframe); use Evaluator.explain(event)",
                file=self.file,
            )
        return self._explainer

    def to_dict(self) -> dict[str, Any]:
        """The JSON report. Key order is fixed; the same input gives the same dict."""
        out: dict[str, Any] = {
            "report_version": REPORT_VERSION,
            "scenario": self.scenario,
            "file": self.file,
        }
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

    def to_dataframe(self) -> pandas.DataFrame:
        """One row per finding, every red line's in report order: ``red_line``, ``level``,
        ``clause``, ``basis``, ``event_ids`` (a tuple), ``time``, ``reason``, ``place`` and
        ``sources`` (a tuple, all of them). Pattern findings are rows too. Needs pandas."""
        pd = _pandas()
        columns = list(FINDING_COLUMNS)
        rows = [
            [
                f.red_line,
                f.level,
                f.clause,
                f.basis,
                f.event_ids,
                f.time,
                f.reason,
                f.place,
                f.sources,
            ]
            for r in self.redlines
            for f in r.findings
        ]
        frame: pandas.DataFrame = pd.DataFrame(rows, columns=columns)
        return frame

    def levels_frame(self) -> pandas.DataFrame:
        """One row per evaluated event (index ``event``, the id), in the order the events
        were fed: a ``time`` column, then a column per red line with the level that red line
        gave the event itself (``clear`` when none). Per-event levels only: a pattern finding
        does not raise the level of its events (:meth:`to_dataframe` has the patterns).

        Only reports made by an evaluator know their events (``evaluate``, ``evaluate_file``,
        ``Evaluator.report``...); a report built otherwise has no rows. Needs pandas."""
        pd = _pandas()
        given: dict[tuple[str, str], str] = {}
        for r in self.redlines:
            for f in r.findings:
                if f.basis == "event":
                    for event_id in f.event_ids:
                        key = (r.id, event_id)
                        if level_rank(f.level) > level_rank(given.get(key, "clear")):
                            given[key] = f.level
        ids = [event_id for event_id, _ in self.evaluated]
        data: dict[str, list[Any]] = {"time": [t for _, t in self.evaluated]}
        for r in self.redlines:
            data[r.id] = [given.get((r.id, event_id), "clear") for event_id in ids]
        frame: pandas.DataFrame = pd.DataFrame(
            data, index=pd.Index(ids, name="event", dtype=object)
        )
        return frame
