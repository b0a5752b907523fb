"""The watcher's state file: what was read and the evaluator's state, written atomically.

The file is one JSON object (``state_version`` 2)::

    {"state_version": 2, "ruleset": {"name", "version", "sha256"},
     "files": {"watermark": "<name>" | null,                   # directory mode: files done
               "above": {"<name>": {"events": n, "rejected": n}, ...},
               "count": n, "events": n, "rejected": n},
     "stdin_lines": n, "stdin_sha256": "<hex>",                # standard input: lines read
     "statuses": {"RL1": "clear", ...}, "alerts": n,           # alerts written so far
     "pending_webhook": [<alert>, ...],                        # not yet delivered
     "evaluator": <Evaluator.snapshot()>}

Files are taken in name order, so the files done are kept compact: a *watermark* (every name
at or before it is done) and the names done above it (while a file before them cannot be
read yet), with totals; the state stays the same size however many files go by.

It is written to a temporary file in the same folder, synced, renamed over the old one, and
the folder synced: a crash leaves either the old state or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..evaluation import Evaluator
from ..rules.resolved import Ruleset

__all__ = [
    "STATE_VERSION",
    "DoneFiles",
    "WatchState",
    "load_state",
    "remove_leftovers",
    "save_state",
]

STATE_VERSION = 2

#: The sha256 of no line at all (a stream not read yet).
EMPTY_SHA256 = hashlib.sha256().hexdigest()


@dataclass
class DoneFiles:
    """The files of a directory done, kept compact: every name at or before *watermark* is
    done, and so are the names of *above* (files done while an earlier one could not be read
    yet); *count*, *events* and *rejected* are the totals over all of them."""

    watermark: str | None = None
    above: dict[str, dict[str, int]] = field(default_factory=dict)
    count: int = 0
    events: int = 0
    rejected: int = 0

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return (self.watermark is not None and name <= self.watermark) or name in self.above

    def add(self, name: str, events: int, rejected: int) -> None:
        """Mark *name* done (with its events and rejected rows or problems)."""
        if name in self:
            return
        self.above[name] = {"events": events, "rejected": rejected}
        self.count += 1
        self.events += events
        self.rejected += rejected

    def compact(self, waiting: Iterable[str]) -> None:
        """Move the watermark up over the names done that sort before every name *waiting*
        (seen in the folder, not done: still being written, or not readable yet)."""
        first = min((n for n in waiting if n not in self), default=None)
        below = sorted(n for n in self.above if first is None or n < first)
        if below:
            self.watermark = max(self.watermark or below[-1], below[-1])
            for name in below:
                del self.above[name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "watermark": self.watermark,
            "above": {name: self.above[name] for name in sorted(self.above)},
            "count": self.count,
            "events": self.events,
            "rejected": self.rejected,
        }

    @classmethod
    def from_dict(cls, data: Any) -> DoneFiles:
        mark = data["watermark"]
        return cls(
            None if mark is None else str(mark),
            {
                str(name): {"events": int(v["events"]), "rejected": int(v["rejected"])}
                for name, v in data["above"].items()
            },
            int(data["count"]),
            int(data["events"]),
            int(data["rejected"]),
        )


@dataclass
class WatchState:
    """What a watcher has done, and its evaluator."""

    evaluator: Evaluator
    #: Files done (directory mode), compact: a watermark and the names done above it.
    files: DoneFiles = field(default_factory=DoneFiles)
    #: Lines of standard input read and evaluated.
    stdin_lines: int = 0
    #: The sha256 of those lines (as read, line ends included): a restart checks that the
    #: stream it is given starts with them.
    stdin_sha256: str = EMPTY_SHA256
    #: Each red line's status (docs/watch.md): the highest level of its findings so far.
    statuses: dict[str, str] = field(default_factory=dict)
    #: How many alerts were written.
    alerts: int = 0
    #: Alerts the webhook has not delivered yet.
    pending_webhook: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "state_version": STATE_VERSION,
            "ruleset": self.evaluator.ruleset.info(),
            "files": self.files.to_dict(),
            "stdin_lines": self.stdin_lines,
            "stdin_sha256": self.stdin_sha256,
            "statuses": self.statuses,
            "alerts": self.alerts,
            "pending_webhook": self.pending_webhook,
            "evaluator": self.evaluator.snapshot(),
        }


def save_state(path: str | Path, state: WatchState) -> None:
    """Write *state* to *path* atomically: a temporary file, synced, renamed, folder synced."""
    target = Path(path)
    text = json.dumps(state.to_dict(), ensure_ascii=False, separators=(",", ":"))
    try:
        _write_atomically(target, text)
    except OSError as exc:
        raise InputError.one(
            f"cannot write the state: {exc.strerror or exc}; the file keeps the state before",
            file=str(target),
        ) from None


def remove_leftovers(path: str | Path) -> int:
    """Remove the temporary files a save interrupted by a crash left beside the state file
    (``.STATE.*.tmp``); only the watcher holding the state's lock may call it."""
    target = Path(path)
    gone = 0
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            gone += 1
    return gone


def _write_atomically(target: Path, text: str) -> None:
    folder = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _damaged(path: Path, message: str, **where: Any) -> InputError:
    return InputError(
        [
            Problem(
                f"{message}; this is not a state file redlines watch wrote, or it was damaged: "
                "give another --state file (a new one starts from the beginning)",
                file=str(path),
                **where,
            )
        ]
    )


def load_state(path: str | Path, ruleset: Ruleset) -> WatchState | None:
    """The state in *path*, or None when there is no such file (a first start). A file that
    is not a state, is damaged, or was written for another ruleset (its sha256 differs) is an
    :class:`~redlines.errors.InputError`: never a silent restart."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _damaged(p, f"cannot read the state file: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _damaged(p, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    if not isinstance(data, dict) or data.get("state_version") != STATE_VERSION:
        got = data.get("state_version") if isinstance(data, dict) else None
        if isinstance(got, int) and 0 < got < STATE_VERSION:
            raise InputError(
                [
                    Problem(
                        f"this state file is of an older form (state_version {got}, not "
                        f"{STATE_VERSION}) that this redlines does not take up: give a new "
                        "--state file (it starts from the beginning)",
                        file=str(p),
                        field="state_version",
                        value=got,
                    )
                ]
            )
        raise _damaged(
            p, f"expected state_version {STATE_VERSION}", field="state_version", value=got
        )
    theirs = data.get("ruleset")
    if theirs != ruleset.info():
        described = (
            f"{theirs.get('name')} {theirs.get('version')} (sha256 {theirs.get('sha256')})"
            if isinstance(theirs, dict)
            else repr(theirs)
        )
        raise InputError(
            [
                Problem(
                    f"this state was written for another ruleset, {described}, not "
                    f"{ruleset.name} {ruleset.version} (sha256 {ruleset.sha256}): watch with "
                    "the ruleset it was written for, or give another --state file",
                    file=str(p),
                    field="ruleset",
                )
            ]
        )
    try:
        evaluator = Evaluator.restore(data["evaluator"], ruleset)
        files = DoneFiles.from_dict(data["files"])
        statuses = {str(k): str(v) for k, v in data["statuses"].items()}
        pending = [dict(a) for a in data["pending_webhook"]]
        state = WatchState(
            evaluator,
            files,
            int(data["stdin_lines"]),
            str(data["stdin_sha256"]),
            statuses,
            int(data["alerts"]),
            pending,
        )
    except InputError as exc:
        raise _damaged(p, "; ".join(q.message for q in exc.problems), field="evaluator") from None
    except KeyError as exc:
        raise _damaged(p, f"'{exc.args[0]}' is missing", field=str(exc.args[0])) from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise _damaged(p, f"a value of the wrong type ({exc})") from None
    if set(statuses) - {rl.id for rl in ruleset.red_lines} or any(
        v not in ("clear", "warning", "crossed") for v in statuses.values()
    ):
        raise _damaged(p, "statuses do not match the ruleset", field="statuses")
    return state
