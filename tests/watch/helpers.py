"""Helpers of the watcher's tests: a stream of 15-minute files, the watcher as a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

START = dt.datetime(2025, 9, 9, 0, 0, tzinfo=dt.timezone.utc)


def quarter(i: int, minute: int = 0) -> str:
    return (START + dt.timedelta(minutes=15 * i + minute)).isoformat()


def stream_files(n: int = 24) -> dict[str, list[dict[str, Any]]]:
    """*n* files of 15 minutes (``f000.jsonl``...), three ordinary events each (out of time
    order within a file), and a story spread over them: three confirmed Russian warnings
    against Poland in files 3, 9 and 15 (the probing pattern, which spans files, crosses
    RL2), a Belarusian build-up in file 6 (RL1 warning) and a strike for Russia in file 20
    (RL1 crossed)."""
    files: dict[str, list[dict[str, Any]]] = {}
    for i in range(n):
        events = [
            {
                "id": f"n{i}-{k}",
                "time": quarter(i, 10 - 4 * k),
                "actor": "USA",
                "target": "FRA",
                "kind": "other",
            }
            for k in range(3)
        ]
        if i in (3, 9, 15):
            events.append(
                {
                    "id": f"pl-{i}",
                    "time": quarter(i, 7),
                    "actor": "RUS",
                    "target": "POL",
                    "kind": "airspace_violation",
                    "intent": "unknown",
                }
            )
        if i == 6:
            events.append(
                {
                    "id": "by-6",
                    "time": quarter(i, 1),
                    "actor": "BLR",
                    "target": "UKR",
                    "kind": "troop_deployment",
                }
            )
        if i == 20:
            events.append(
                {
                    "id": "by-20",
                    "time": quarter(i, 2),
                    "actor": "BLR",
                    "target": "UKR",
                    "kind": "artillery_fire",
                    "intent": "deliberate",
                    "on_behalf_of": "RUS",
                }
            )
        files[f"f{i:03d}.jsonl"] = events
    return files


def write_file(folder: Path, name: str, events: list[dict[str, Any]]) -> Path:
    """Write a file the way a feed should: under a .tmp name, then renamed; dated a minute
    ago, so that ``--once`` (which leaves files modified in the last seconds) takes it."""
    tmp = folder / f"{name}.tmp"
    tmp.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    ago = time.time() - 60
    os.utime(tmp, (ago, ago))
    return tmp.rename(folder / name)


def all_events(files: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [e for name in sorted(files) for e in files[name]]


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "redlines", *args]


def run(
    *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
    )


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.pop("NO_COLOR", None)
    return out


def start(*args: str, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(*args),
        stdout=kw.pop("stdout", subprocess.PIPE),
        stderr=kw.pop("stderr", subprocess.PIPE),
        stdin=kw.pop("stdin", subprocess.DEVNULL),
        text=True,
        env=env(),
        **kw,
    )


def wait_for(check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or check}")


def alerts_in(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def files_done(state: Path) -> int:
    try:
        return int(json.loads(state.read_text(encoding="utf-8"))["files"]["count"])
    except (OSError, ValueError, KeyError):
        return 0


def on_a_terminal(*args: str, environ: dict[str, str] | None = None) -> str:
    """What ``redlines watch ARGS`` writes to standard output when that is a terminal (a pty);
    it must exit 0."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "redlines", "watch", *args],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=env() if environ is None else environ,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=30) == 0
    return b"".join(chunks).decode()
