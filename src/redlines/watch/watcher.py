"""The watcher: one long-lived evaluator fed from a directory or standard input, alerts on
status changes, state saved after each file (or every N lines of standard input)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from ..errors import EventError, InputError, Problem
from ..evaluation import Evaluator
from ..events import Event, time_order
from ..findings import Finding
from ..matching import Relevance
from ..readers import EXPORT_FORMATS, AdapterOptions, Batch, detect_format, read, read_exports
from ..report.render import input_notes
from ..rules.model import window_text
from ..rules.resolved import Ruleset
from .alerts import Alert, AlertWriter, StatusTracker
from .sources import DirectoryScanner, stdin_events
from .state import EMPTY_SHA256, WatchState, load_state, remove_leftovers, save_state
from .webhook import WebhookSender

__all__ = ["Watcher"]


class _Interrupted(Exception):
    """SIGTERM or SIGINT while waiting for standard input."""


def _stderr_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        print(f"{p.severity}: {p.render()}", file=sys.stderr, flush=True)


def _stderr_note(message: str) -> None:
    print(f"watch: {message}", file=sys.stderr, flush=True)


class Watcher:
    """Evaluates a stream with one :class:`~redlines.evaluation.Evaluator` (``retain=False``:
    memory stays flat) and writes an alert for every change of a red line's status.

    With *state_path*, the state there is taken up (an :class:`~redlines.errors.InputError`
    if it is damaged or of another ruleset) and saved after each file, or every
    *checkpoint_every* lines of standard input.
    """

    def __init__(
        self,
        ruleset: Ruleset,
        alerts: AlertWriter,
        *,
        state_path: str | Path | None = None,
        webhook: WebhookSender | None = None,
        input_format: str | None = None,
        options: AdapterOptions | None = None,
        checkpoint_every: int = 1000,
        allowed_lateness: dt.timedelta = dt.timedelta(days=30),
        problems: Callable[[Sequence[Problem]], None] = _stderr_problems,
        note: Callable[[str], None] = _stderr_note,
    ) -> None:
        self.ruleset = ruleset
        self.alerts = alerts
        self.state_path = Path(state_path) if state_path is not None else None
        self.webhook = webhook
        self.input_format = input_format
        self.options = options or AdapterOptions(max_rejections_kept=0)
        self.checkpoint_every = max(1, checkpoint_every)
        self.problems = problems
        self.note = note
        self._lock = _lock_state(self.state_path) if self.state_path is not None else None
        try:
            if self.state_path is not None:
                remove_leftovers(self.state_path)
            loaded = load_state(self.state_path, ruleset) if self.state_path else None
        except BaseException:
            self.release()
            raise
        self.resumed = loaded is not None
        if loaded is not None and loaded.evaluator.allowed_lateness != allowed_lateness:
            kept = loaded.evaluator.allowed_lateness
            note(
                f"the state's allowed lateness ({window_text(kept)}) is kept, not "
                f"{window_text(allowed_lateness)}: give a new --state file to change it"
            )
        self.state = loaded or WatchState(
            Evaluator(ruleset, allowed_lateness=allowed_lateness, retain=False)
        )
        self.tracker = StatusTracker(ruleset, self.state.statuses)
        self.state.statuses = self.tracker.statuses
        self._relevance: Relevance | None = None
        self.stop_requested = False
        self._waiting_for_input = False
        #: The names of the folder not done yet (the watermark of the files done stays
        #: before them).
        self._waiting: Sequence[str] = ()
        if webhook is not None and self.state.pending_webhook:
            webhook.submit(self.state.pending_webhook)

    def release(self) -> None:
        """Let another watcher take the state file (done by :meth:`close`): the lock file is
        removed while still held, then let go."""
        if self._lock is not None and self.state_path is not None:
            with contextlib.suppress(OSError):
                _lock_path(self.state_path).unlink()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    @property
    def evaluator(self) -> Evaluator:
        return self.state.evaluator

    # --- stopping ------------------------------------------------------------------------

    def install_signal_handlers(self) -> Callable[[], None]:
        """SIGTERM and SIGINT stop the watcher after the current file (or line); returns
        what puts the previous handlers back."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

        return restore

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested = True
        if self._waiting_for_input:
            raise _Interrupted

    def request_stop(self) -> None:
        self.stop_requested = True

    # --- evaluation ----------------------------------------------------------------------

    def _feed(self, events: Iterable[Event], file: str) -> tuple[list[Alert], int, int]:
        """Feed *events*; (alerts, events evaluated, events refused)."""
        alerts: list[Alert] = []
        fed = refused = 0
        evaluator = self.evaluator
        for event in events:
            try:
                found: list[Finding] = evaluator.feed(event)
            except EventError as exc:  # an id already evaluated (in an earlier file)
                self.problems([_in_file(p, file) for p in exc.problems])
                refused += 1
                continue
            fed += 1
            if found:
                alerts.extend(self.tracker.update(found))
        if evaluator.late_events:
            late = evaluator.late_events
            shown = ", ".join(late[:5]) + (f" and {len(late) - 5} more" if len(late) > 5 else "")
            self.note(
                f"{file}: {len(late)} event(s) more than the allowed lateness behind the latest "
                f"event time ({shown}): evaluated, but patterns may miss them"
            )
            late.clear()
        return alerts, fed, refused

    def _emit(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        self.alerts.write(alerts)
        self.state.alerts += len(alerts)
        if self.webhook is not None:
            self.webhook.submit(alerts)

    def checkpoint(self) -> None:
        """Save the state (if there is a state file): alerts are written before."""
        self.state.files.compact(self._waiting)
        self.evaluator.prune()
        if self.webhook is not None:
            self.state.pending_webhook = self.webhook.pending()
        if self.state_path is not None:
            save_state(self.state_path, self.state)

    def process_file(self, path: Path) -> None:
        """Read one file (any format of the readers' registry), feed its events in event-time
        order, write its alerts, mark it done and save the state.

        A file whose content is invalid is reported (file, line, field, value) and marked
        done: it will not get better. A file that cannot be read now (an ``OSError``:
        permission, gone, an I/O error) is reported and *not* marked done: it is read
        again at the next poll, or the next run."""
        name = path.name
        batch: Batch
        try:
            with open(path, "rb") as probe:  # unreadable now: said, and tried again later
                probe.read(1)
            fmt = self.input_format or detect_format(path)
            if fmt in EXPORT_FORMATS:
                if self._relevance is None:
                    self._relevance = Relevance(self.ruleset)
                batch = read_exports([path], fmt, options=self.options, relevant=self._relevance)
            else:
                batch = read([path], fmt)
        except Exception as exc:  # one bad file must not stop a watcher
            transient = _os_error(exc)
            if transient is None and not path.exists():  # gone while being read
                transient = FileNotFoundError(2, "gone while being read")
            if transient is not None:
                self.note(
                    f"{path}: cannot be read now ({transient.strerror or transient}): not "
                    "marked done; tried again at the next poll (or the next run)"
                )
                return
            problems = (
                exc.problems
                if isinstance(exc, InputError)
                else [
                    Problem(f"cannot read this file: {type(exc).__name__}: {exc}", file=str(path))
                ]
            )
            self.problems(problems)
            self.state.files.add(name, 0, len(problems))
            self.note(f"{path}: not read ({len(problems)} problem(s)); marked done")
            self.checkpoint()
            return
        events = batch.events
        ordered = [events[i] for i in time_order(events)]
        alerts, fed, refused = self._feed(ordered, str(path))
        self._emit(alerts)
        rows_rejected = batch.summary.rows_rejected if batch.summary is not None else 0
        self.state.files.add(name, fed, refused + rows_rejected)
        detail = ""
        if batch.summary is not None:
            s = batch.summary
            detail = (
                f" (rows read {s.rows_read}, used {s.rows_used}, irrelevant "
                f"{s.rows_irrelevant}, rejected {s.rows_rejected})"
            )
        self.note(
            f"{path}: {fed} event(s){detail}"
            + (f", {refused} refused" if refused else "")
            + (f", {len(alerts)} alert(s)" if alerts else "")
        )
        if batch.summary is not None:
            for line in input_notes(batch.summary.to_dict()):
                self.note(f"  {path.name}: {line}")
        self.checkpoint()

    def run_directory(
        self, folder: str | Path, *, once: bool = False, poll: float = 5.0, settle: float = 0.0
    ) -> None:
        """Take the files of *folder* in name order, each once; with *once*, those there now
        (those modified in the last *settle* seconds are left for the next run, and said),
        then return; otherwise poll every *poll* seconds until stopped (a file is taken once
        its size and modification time hold for a poll)."""
        own: list[Path] = []
        if self.state_path is not None:
            own += [self.state_path, _lock_path(self.state_path)]
        alerts_file = getattr(self.alerts.stream, "name", None)
        if isinstance(alerts_file, str):
            own.append(Path(alerts_file))
        files = self.state.files

        def late(name: str) -> None:
            self.note(
                f"{Path(folder) / name}: not read: its name sorts at or before "
                f"{files.watermark}, the files done (the state keeps only where it is, not "
                "each name); give it a name that sorts after them to have it read"
            )

        scanner = DirectoryScanner(folder, ignore=own, late=late)
        while not self.stop_requested:
            for path in scanner.ready(files, settle=not once, min_age=settle if once else 0):
                if self.stop_requested:
                    break
                self._waiting = scanner.waiting
                self.process_file(path)
            if once:
                if scanner.fresh is not None and not self.stop_requested:
                    self.note(
                        f"{Path(folder) / scanner.fresh} (and the files after it) modified "
                        f"less than {settle:g} s ago: left for the next run (--settle)"
                    )
                break
            until = time.monotonic() + poll
            while not self.stop_requested and time.monotonic() < until:
                time.sleep(min(0.1, poll))

    def run_stdin(self, stream: Iterable[str], *, new_stream: bool = False) -> None:
        """Evaluate JSON Lines events from *stream* as they come, until its end or a stop.

        With a state that has read lines already, *stream* must start with those very lines
        (checked against their sha256): they are skipped, and said; a stream that does not
        is an :class:`~redlines.errors.InputError` naming the state file, unless
        *new_stream* says that *stream* is a new one (then it is read from its first line)."""
        if new_stream:
            self.state.stdin_lines, self.state.stdin_sha256 = 0, EMPTY_SHA256
        digest = hashlib.sha256()
        lines = _interruptible(stream, self)
        skip = self.state.stdin_lines
        try:
            if skip:
                read = 0
                for line in lines:
                    digest.update(line.encode("utf-8", "surrogateescape"))
                    read += 1
                    if read == skip:
                        break
                if self.stop_requested:
                    self.checkpoint()
                    return
                if read < skip or digest.hexdigest() != self.state.stdin_sha256:
                    what = (
                        f"it ended after {read} line(s)"
                        if read < skip
                        else "they differ (their sha256 does not match)"
                    )
                    raise InputError.one(
                        f"standard input does not start with the {skip} line(s) this state "
                        f"has read ({what}): give --new-stream to read it from its first "
                        "line, or another --state file",
                        file=str(self.state_path),
                        field="stdin_sha256",
                    )
                self.note(
                    f"skipping {skip} line(s) read before (state {self.state_path}); "
                    "--new-stream reads a new stream from its first line"
                )
        except _Interrupted:
            self.checkpoint()
            return

        def hashed(source: Iterable[str]) -> Iterator[str]:
            for line in source:
                digest.update(line.encode("utf-8", "surrogateescape"))
                yield line

        since = 0
        reader = stdin_events(hashed(lines), start=skip)
        try:
            for item in reader:
                if item.problems:
                    self.problems(item.problems)
                elif item.event is not None:
                    alerts, _, _ = self._feed([item.event], "<stdin>")
                    self._emit(alerts)
                self.state.stdin_lines = item.line
                self.state.stdin_sha256 = digest.hexdigest()
                since += 1
                if since >= self.checkpoint_every:
                    self.checkpoint()
                    since = 0
                if self.stop_requested:
                    break
        except _Interrupted:
            pass
        self.checkpoint()

    def close(self, grace: float = 10.0) -> None:
        """Stop: give the webhook up to *grace* seconds, save the state with what it has not
        delivered, and say on stderr what was not."""
        if self.webhook is not None:
            left = self.webhook.close(grace)
            self.state.pending_webhook = left
            if left:
                ids = ", ".join(str(a.get("alert_id")) for a in left)
                kept = (
                    f"kept in {self.state_path} and sent again at the next start"
                    if self.state_path is not None
                    else "lost (no --state file to keep them in)"
                )
                self.note(
                    f"{len(left)} alert(s) not delivered to {self.webhook.url}: {ids}; {kept}"
                )
            for alert in self.webhook.failed:
                self.note(f"alert {alert.get('alert_id')} was refused by {self.webhook.url}")
        self.evaluator.prune()
        if self.state_path is not None:
            save_state(self.state_path, self.state)
        self.release()


def _lock_path(state: Path) -> Path:
    return state.with_name(state.name + ".lock")


def _lock_state(state: Path) -> IO[bytes]:
    """Hold an exclusive lock beside the state file (``STATE.lock``) while watching: two
    watchers on one state would each save their own.

    The lock is an ``flock``: the system lets it go when its process dies, so a lock file a
    killed watcher left behind does not block a restart. A clean stop removes the file (while
    still holding the lock); a lock taken on a file removed meanwhile is taken again on the
    new one."""
    path = _lock_path(state)
    while True:
        try:
            lock = open(path, "a+b")  # noqa: SIM115 - held open until release()
        except OSError as exc:
            raise InputError.one(
                f"cannot create the lock file of the state: {exc.strerror or exc}",
                file=str(path),
            ) from None
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            raise InputError.one(
                "another redlines watch is using this state file (it holds "
                f"{path.name}): stop it first, or give another --state file",
                file=str(state),
            ) from None
        try:
            same = os.path.samestat(os.fstat(lock.fileno()), os.stat(path))
        except OSError:
            same = False
        if same:
            return lock
        lock.close()  # removed by the watcher that held it: lock the new one


def _os_error(exc: BaseException) -> OSError | None:
    """The ``OSError`` at the root of *exc* (itself, or what it was raised from or during),
    if any: a file that cannot be read now, as opposed to one whose content is invalid."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _interruptible(lines: Iterable[str], watcher: Watcher) -> Iterator[str]:
    """*lines*, with the watcher marked as waiting while the next one is read (a signal
    then ends the read at once)."""
    it = iter(lines)
    while True:
        watcher._waiting_for_input = True
        try:
            if watcher.stop_requested:
                return
            line = next(it, None)
        finally:
            watcher._waiting_for_input = False
        if line is None:
            return
        yield line


def _in_file(problem: Problem, file: str) -> Problem:
    return (
        problem
        if problem.file not in (None, "<event>")
        else dataclasses.replace(problem, file=file)
    )
