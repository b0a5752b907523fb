"""Alerts: one for every change of a red line's status.

A red line's status is what the report says it is: the highest level among all its findings
so far (``clear`` < ``warning`` < ``crossed``). Findings never go away, so a status only
rises, and a watcher alerts at most twice per red line over the life of its state
(``clear -> warning``, ``warning -> crossed``, or ``clear -> crossed`` at once).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from typing import IO, Any

from ..errors import InputError
from ..events import format_time
from ..findings import Finding, level_rank
from ..rules.resolved import Ruleset

__all__ = ["Alert", "AlertWriter", "StatusTracker", "alert_id", "alert_line"]

#: An alert as written: the keys, in this order, of ``docs/watch.md``.
Alert = dict[str, Any]

_COLOURS = {"crossed": "\x1b[1;31m", "warning": "\x1b[33m", "clear": "\x1b[32m"}
_RESET = "\x1b[0m"


def alert_id(ruleset_sha256: str, red_line: str, was: str, now: str, finding: Finding) -> str:
    """The alert's id: a digest of the ruleset's content, the red line, the change and the
    finding that made it (its clause and event ids). The same input gives the same id, so an
    alert repeated after a crash is recognisable."""
    text = "\x1f".join([ruleset_sha256, red_line, was, now, finding.clause, *finding.event_ids])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class StatusTracker:
    """The status of every red line of a ruleset, raised by the findings an evaluator
    returns; each rise is an alert."""

    def __init__(self, ruleset: Ruleset, statuses: Mapping[str, str] | None = None) -> None:
        self.sha256 = ruleset.sha256
        self.statuses = {rl.id: "clear" for rl in ruleset.red_lines}
        if statuses:
            self.statuses.update({k: v for k, v in statuses.items() if k in self.statuses})

    def update(self, findings: Iterable[Finding]) -> list[Alert]:
        """The alerts *findings* (those of one event) raise: per red line, at most one, to the
        highest level among them, named by the first finding (in report order) at that
        level."""
        best: dict[str, Finding] = {}
        for f in sorted(findings, key=Finding.sort_key):
            now = best.get(f.red_line)
            if now is None or level_rank(f.level) > level_rank(now.level):
                best[f.red_line] = f
        alerts = []
        for red_line in self.statuses:  # ruleset order
            top = best.get(red_line)
            was = self.statuses[red_line]
            if top is None or level_rank(top.level) <= level_rank(was):
                continue
            f = top
            self.statuses[red_line] = f.level
            alerts.append(
                {
                    "alert_id": alert_id(self.sha256, red_line, was, f.level, f),
                    "redline": red_line,
                    "from": was,
                    "to": f.level,
                    "at": format_time(f.time),
                    "event_ids": list(f.event_ids),
                    "clause": f.clause,
                    "reason": f.reason,
                }
            )
        return alerts


def alert_json(alert: Alert) -> str:
    """One alert as one line of JSON (keys in their fixed order)."""
    return json.dumps(alert, ensure_ascii=False)


def alert_line(alert: Alert, *, color: bool = False) -> str:
    """One alert as a line for people: time, red line, change, clause, reason, events."""
    change = f"{alert['from']} -> {alert['to']}"
    if color:
        change = f"{_COLOURS.get(alert['to'], '')}{change}{_RESET}"
    events = ", ".join(alert["event_ids"])
    return (
        f"{alert['at']}  {alert['redline']}  {change}  [{alert['clause']}] {alert['reason']} "
        f"(events: {events})"
    )


class AlertWriter:
    """Writes alerts to standard output (a readable line on a terminal, JSON otherwise) or
    appends them, as JSON Lines, to a file, flushed and synced before state is saved."""

    def __init__(self, stream: IO[str], *, human: bool = False, color: bool = False) -> None:
        self.stream = stream
        self.human = human
        self.color = color

    def write(self, alerts: Iterable[Alert]) -> None:
        """Write *alerts* and sync them; an :class:`~redlines.errors.InputError` naming the
        output when it cannot be written (a full disk, a closed pipe)."""
        lines = [
            (alert_line(alert, color=self.color) if self.human else alert_json(alert)) + "\n"
            for alert in alerts
        ]
        if not lines:
            return
        try:
            self._write("".join(lines))
        except OSError as exc:
            name = getattr(self.stream, "name", None)
            raise InputError.one(
                f"cannot write the alerts: {exc.strerror or exc}; the state keeps the last "
                "file done, whose alerts were written",
                file=name if isinstance(name, str) else "<alerts>",
            ) from None

    def _write(self, text: str) -> None:
        """Straight to the file descriptor (nothing left in a buffer to fail later), then
        synced when it is a regular file; a stream without one (``io.StringIO``) is written
        and flushed."""
        try:
            fd = self.stream.fileno()
        except (OSError, ValueError, AttributeError):
            self.stream.write(text)
            self.stream.flush()
            return
        self.stream.flush()
        data = text.encode(getattr(self.stream, "encoding", None) or "utf-8", "replace")
        while data:
            data = data[os.write(fd, data) :]
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fsync(fd)
