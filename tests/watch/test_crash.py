"""A crash at every point of a run (in process: each evaluation and each state save), then a
restart from the state file: no alert lost, none new, repeats identical, no file read twice."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from redlines.rules.resolved import Ruleset
from redlines.watch import AlertWriter, Watcher
from redlines.watch.state import save_state as real_save

from .helpers import all_events, stream_files, write_file

FILES = stream_files(16)
EVENTS = len(all_events(FILES))
OPERATIONS = EVENTS + len(FILES)  # every feed, every save


class _Crash(Exception):
    pass


def _alerts(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("feed")
    for name, events in FILES.items():
        write_file(folder, name, events)
    return folder


@pytest.fixture(scope="module")
def reference(feed: Path, nato: Ruleset) -> list[dict[str, Any]]:
    out = io.StringIO()
    Watcher(nato, AlertWriter(out), note=lambda m: None).run_directory(feed, once=True)
    return _alerts(out)


@pytest.mark.parametrize("crash_at", range(1, OPERATIONS + 1, 4))
def test_a_crash_anywhere_then_a_restart(
    tmp_path: Path,
    feed: Path,
    nato: Ruleset,
    reference: list[dict[str, Any]],
    crash_at: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert len(reference) == 3  # RL2 warning, RL1 warning, RL2 crossed (probing, 3 files)
    state, out = tmp_path / "state.json", io.StringIO()
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if done == crash_at:
            raise _Crash

    def save(path: Path, st: Any) -> None:
        step()
        real_save(path, st)

    monkeypatch.setattr("redlines.watch.watcher.save_state", save)
    first = Watcher(nato, AlertWriter(out), state_path=state, note=lambda m: None)
    feed_one = first.evaluator.feed

    def feed_counted(event: Any) -> Any:
        step()
        return feed_one(event)

    first.evaluator.feed = feed_counted  # type: ignore[method-assign]
    with pytest.raises(_Crash):
        first.run_directory(feed, once=True)
    first.release()  # what the end of a killed process does
    monkeypatch.setattr("redlines.watch.watcher.save_state", real_save)
    second = Watcher(nato, AlertWriter(out), state_path=state, note=lambda m: None)
    problems: list[Any] = []
    second.problems = problems.extend
    second.run_directory(feed, once=True)
    second.close()
    assert problems == []  # no event evaluated twice: no duplicate id
    got = _alerts(out)
    first_seen: dict[str, dict[str, Any]] = {}
    for a in got:
        assert first_seen.setdefault(a["alert_id"], a) == a
    assert list(first_seen.values()) == reference
    saved = json.loads(state.read_text(encoding="utf-8"))
    done = saved["files"]
    assert (done["watermark"], done["above"]) == (max(FILES), {})  # compact: every file done
    assert (done["count"], done["events"]) == (len(FILES), EVENTS)
    assert saved["alerts"] >= len(reference)
