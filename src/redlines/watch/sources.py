"""Where a watcher's events come from: a directory where files appear, or JSON Lines on
standard input."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import EventError, Problem
from ..events import Event
from ..readers import to_event
from ..readers.jsonl import BLANK, InvalidLine, parse_line

__all__ = ["PARTIAL_SUFFIXES", "DirectoryScanner", "StdinLine", "is_partial", "stdin_events"]

#: Files still being written by a download or a copy: never taken.
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", "~")


def is_partial(name: str) -> bool:
    """Hidden files (``.name``) and names a download or editor gives a file being written."""
    return name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES)


class DirectoryScanner:
    """The files of a folder a watcher takes, in name order, each once.

    With *settle*, a file is taken only when its size and modification time are the same at
    two scans in a row (a poll apart); with *min_age*, only once it was last modified at least
    that many seconds ago (``--once``, where there is no next scan): so that a file being
    written is not read half-way. Files after one still settling wait for it, so that files
    are taken in name order.
    """

    def __init__(
        self,
        folder: str | Path,
        *,
        ignore: Iterable[str | Path] = (),
        late: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self._seen: dict[str, tuple[int, int]] = {}
        #: Names in the folder that are the watcher's own files (its state, its alerts).
        here = self.folder.resolve()
        self._own = {p.name for p in (Path(i).resolve() for i in ignore) if p.parent == here}
        #: Every name listed so far (after the first listing, a new name that is already
        #: "done" is a late file: its name sorts at or before the files done).
        self._known: set[str] | None = None
        self._late = late
        #: The names of the last listing that are not done (taken, settling or not readable).
        self.waiting: list[str] = []
        #: The first name of the last listing left for being too recently modified.
        self.fresh: str | None = None

    def ready(
        self, done: Container[str], *, settle: bool = True, min_age: float = 0.0
    ) -> list[Path]:
        try:
            listed = sorted(
                entry.name
                for entry in os.scandir(self.folder)
                if entry.is_file() and not is_partial(entry.name) and entry.name not in self._own
            )
        except FileNotFoundError:
            return []
        if self._known is None:
            self._known = set(listed)
        else:
            for name in listed:
                if name not in self._known:
                    self._known.add(name)
                    if name in done and self._late is not None:
                        self._late(name)
        names = [name for name in listed if name not in done]
        self.waiting = names
        self.fresh = None
        now: dict[str, tuple[int, int]] = {}
        out: list[Path] = []
        waiting = False
        wall = time.time()
        for name in names:
            path = self.folder / name
            try:
                st = path.stat()
            except OSError:  # gone since the listing
                continue
            now[name] = (st.st_size, st.st_mtime_ns)
            if settle and self._seen.get(name) != now[name]:
                waiting = True
            if not waiting and min_age > 0 and wall - st.st_mtime < min_age:
                waiting = True
                self.fresh = name
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


def stdin_events(
    lines: Iterable[str], *, start: int = 0, file: str = "<stdin>"
) -> Iterator[StdinLine]:
    """The events of JSON Lines *lines*, one at a time as they arrive, numbered from
    *start* + 1 (the lines before were read, and checked, before a restart). Blank lines give
    nothing; a line that is not one valid event gives its problems (file, line, field,
    value)."""
    for n, line in enumerate(lines, start + 1):
        try:
            item = parse_line(line)
        except InvalidLine as exc:
            yield StdinLine(n, None, (Problem(exc.message, file=file, line=n, column=exc.column),))
            continue
        if item is BLANK:
            yield StdinLine(n, None)
            continue
        if not isinstance(item, dict):
            problem = Problem("each line must be a JSON object (one event)", file=file, line=n)
            yield StdinLine(n, None, (problem,))
            continue
        try:
            yield StdinLine(n, to_event(item, file=file, line=n))
        except EventError as exc:
            yield StdinLine(n, None, tuple(exc.problems))
