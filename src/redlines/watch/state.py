"""The watcher's state file: what was read and the evaluator's state, written atomically.

The file is one JSON object (``state_version`` 1)::

    {"state_version": 1, "ruleset": {"name", "version", "sha256"},
     "files": {"<name>": {"events": n, "rejected": n}, ...},   # directory mode: files done
     "stdin_lines": n,                                         # standard input: lines read
     "statuses": {"RL1": "clear", ...}, "alerts": n,           # alerts written so far
     "pending_webhook": [<alert>, ...],                        # not yet delivered
     "evaluator": <Evaluator.snapshot()>}

It is written to a temporary file in the same folder, synced, renamed over the old one, and
the folder synced: a crash leaves either the old state or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..evaluation import Evaluator
from ..rules.resolved import Ruleset

__all__ = ["STATE_VERSION", "WatchState", "load_state", "remove_leftovers", "save_state"]

STATE_VERSION = 1


@dataclass
class WatchState:
    """What a watcher has done, and its evaluator."""

    evaluator: Evaluator
    #: Files done (directory mode), by name, with their events and rejected rows or problems.
    files: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Lines of standard input read and evaluated.
    stdin_lines: int = 0
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
            "files": self.files,
            "stdin_lines": self.stdin_lines,
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
        files = {
            str(name): {"events": int(v["events"]), "rejected": int(v["rejected"])}
            for name, v in data["files"].items()
        }
        statuses = {str(k): str(v) for k, v in data["statuses"].items()}
        pending = [dict(a) for a in data["pending_webhook"]]
        state = WatchState(
            evaluator,
            files,
            int(data["stdin_lines"]),
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
