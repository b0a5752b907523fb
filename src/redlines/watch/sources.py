"""Where a watcher's events come from: a directory where files appear, or JSON Lines on
standard input."""

from __future__ import annotations

import json
import os
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EventError, Problem
from ..events import Event
from ..readers import to_event

__all__ = ["PARTIAL_SUFFIXES", "DirectoryScanner", "StdinLine", "is_partial", "stdin_events"]

#: Files still being written by a download or a copy: never taken.
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", "~")


def is_partial(name: str) -> bool:
    """Hidden files (``.name``) and names a download or editor gives a file being written."""
    return name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES)


class DirectoryScanner:
    """The files of a folder a watcher takes, in name order, each once.

    With *settle*, a file is taken only when its size and modification time are the same at
    two scans in a row (a poll apart), so that a file being written is not read half-way;
    files after one still settling wait for it, so that files are taken in name order.
    """

    def __init__(self, folder: str | Path, *, ignore: Iterable[str | Path] = ()) -> None:
        self.folder = Path(folder)
        self._seen: dict[str, tuple[int, int]] = {}
        #: Names in the folder that are the watcher's own files (its state, its alerts).
        here = self.folder.resolve()
        self._own = {p.name for p in (Path(i).resolve() for i in ignore) if p.parent == here}

    def ready(self, done: Container[str], *, settle: bool = True) -> list[Path]:
        try:
            names = sorted(
                entry.name
                for entry in os.scandir(self.folder)
                if entry.is_file()
                and not is_partial(entry.name)
                and entry.name not in done
                and entry.name not in self._own
            )
        except FileNotFoundError:
            return []
        now: dict[str, tuple[int, int]] = {}
        out: list[Path] = []
        waiting = False
        for name in names:
            path = self.folder / name
            try:
                st = path.stat()
            except OSError:  # gone since the listing
                continue
            now[name] = (st.st_size, st.st_mtime_ns)
            if settle and self._seen.get(name) != now[name]:
                waiting = True
            if not waiting:
                out.append(path)
        self._seen = now
        return out


@dataclass(frozen=True)
class StdinLine:
    """One line of standard input: its number, and its event or what was wrong with it."""

    line: int
    event: Event | None
    problems: tuple[Problem, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key '{key}'")
        out[key] = value
    return out


def stdin_events(
    lines: Iterable[str], *, skip: int = 0, file: str = "<stdin>"
) -> Iterator[StdinLine]:
    """The events of JSON Lines *lines*, one at a time as they arrive, after the first *skip*
    lines (read before a restart). Blank lines give nothing; a line that is not one valid
    event gives its problems (file, line, field, value)."""
    for n, line in enumerate(lines, 1):
        if n <= skip:
            continue
        raw = line.rstrip("\n").removesuffix("\r")
        if not raw.strip():
            yield StdinLine(n, None)
            continue
        try:
            item = json.loads(raw, object_pairs_hook=_object)
        except json.JSONDecodeError as exc:
            yield StdinLine(
                n, None, (Problem(f"invalid JSON: {exc.msg}", file=file, line=n, column=exc.colno),)
            )
            continue
        except ValueError as exc:
            yield StdinLine(n, None, (Problem(f"invalid JSON: {exc}", file=file, line=n),))
            continue
        if not isinstance(item, dict):
            problem = Problem("each line must be a JSON object (one event)", file=file, line=n)
            yield StdinLine(n, None, (problem,))
            continue
        try:
            yield StdinLine(n, to_event(item, file=file, line=n))
        except EventError as exc:
            yield StdinLine(n, None, tuple(exc.problems))
