"""The watcher in process: its last statuses are the batch's, files are taken in name order
once they hold still, and its alerts do not depend on where files are cut."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from redlines.cli import main
from redlines.evaluation import evaluate
from redlines.rules.resolved import Ruleset
from redlines.watch import AlertWriter, Watcher
from redlines.watch.alerts import alert_line
from redlines.watch.sources import DirectoryScanner, is_partial

from .helpers import write_file

START = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)


def _events(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "id": f"e{i}",
                "time": (START + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 40))).isoformat(),
                "actor": rng.choice(["RUS", "RUS", "BLR", "PRK", "USA"]),
                "target": rng.choice(["POL", "LTU", "UKR", "FRA"]),
                "kind": rng.choice(
                    ["airspace_violation", "sabotage", "drone_strike", "troop_deployment", "other"]
                ),
                "intent": rng.choice(["unknown", "deliberate", "stray"]),
                "attribution": rng.choice(["confirmed", "confirmed", "suspected"]),
            }
        )
    return out


def _watch(folder: Path, nato: Ruleset) -> tuple[Watcher, list[dict[str, Any]]]:
    out = io.StringIO()
    watcher = Watcher(nato, AlertWriter(out), note=lambda m: None)
    watcher.run_directory(folder, once=True)
    return watcher, [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("seed", range(5))
def test_last_statuses_are_the_batch_statuses(tmp_path: Path, nato: Ruleset, seed: int) -> None:
    """Events cut into files by time (a feed), each file shuffled: the watcher's last status
    per red line is the status of the batch of all the events."""
    events = sorted(_events(60, seed), key=lambda e: e["time"])
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(events)), 7))
    for n, (a, b) in enumerate(zip([0, *cuts], [*cuts, len(events)], strict=True)):
        chunk = events[a:b]
        rng.shuffle(chunk)
        write_file(tmp_path, f"{n:04d}.jsonl", chunk)
    watcher, alerts = _watch(tmp_path, nato)
    batch = evaluate(events, nato).statuses()
    assert watcher.tracker.statuses == batch
    last = dict.fromkeys(batch, "clear")
    for alert in alerts:
        assert alert["from"] == last[alert["redline"]]  # a chain of changes, each once
        last[alert["redline"]] = alert["to"]
    assert last == batch


def test_alerts_do_not_depend_on_where_files_are_cut(tmp_path: Path, nato: Ruleset) -> None:
    events = sorted(_events(80, 11), key=lambda e: e["time"])
    one, many = tmp_path / "one", tmp_path / "many"
    one.mkdir()
    many.mkdir()
    write_file(one, "all.jsonl", events)
    for i in range(0, len(events), 9):
        write_file(many, f"{i:04d}.jsonl", events[i : i + 9])
    assert _watch(one, nato)[1] == _watch(many, nato)[1]


def test_partial_and_settling_files(tmp_path: Path) -> None:
    assert is_partial(".hidden.jsonl") and is_partial("x.jsonl.part") and is_partial("a.TMP")
    assert not is_partial("20250910013000.export.CSV")
    scanner = DirectoryScanner(tmp_path)
    (tmp_path / "b.jsonl").write_text("{}\n")
    (tmp_path / "c.jsonl.tmp").write_text("{}\n")
    (tmp_path / "sub").mkdir()
    assert scanner.ready(set()) == []  # seen once: not yet known to hold still
    assert scanner.ready(set()) == [tmp_path / "b.jsonl"]
    (tmp_path / "a.jsonl").write_text("{}\n")  # an earlier name, still settling
    assert scanner.ready(set()) == []  # b waits for a: name order
    assert scanner.ready(set()) == [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    assert scanner.ready({"a.jsonl"}) == [tmp_path / "b.jsonl"]
    assert scanner.ready(set(), settle=False) == [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]


def test_a_readable_alert_line() -> None:
    alert = {
        "alert_id": "x",
        "redline": "RL2",
        "from": "clear",
        "to": "crossed",
        "at": "2025-09-10T01:30:00+00:00",
        "event_ids": ["a", "b"],
        "clause": "probing",
        "reason": "three warnings",
    }
    plain = alert_line(alert)
    assert plain == (
        "2025-09-10T01:30:00+00:00  RL2  clear -> crossed  [probing] three warnings (events: a, b)"
    )
    assert "\x1b[" in alert_line(alert, color=True) and "\x1b[" not in plain


def test_gdelt_exports_as_they_arrive(tmp_path: Path, nato: Ruleset) -> None:
    """Three 15-minute GDELT exports (the example sample, event ids made distinct per file):
    each read as an export (rows accounted for, rejected rows reported), and the last
    statuses are those of ``redlines run --one-stream`` over the three files."""
    sample = Path(__file__).parents[2] / "examples" / "data" / "gdelt-sample.export.CSV"
    rows = sample.read_text(encoding="utf-8").splitlines()
    files = []
    for k in range(3):
        out = []
        for row in rows:
            cols = row.split("\t")
            if cols[0].isdigit():
                cols[0] = str(int(cols[0]) + 1000 * k)
            out.append("\t".join(cols))
        path = tmp_path / f"2024060{k}{k}{k}000.export.CSV"
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        files.append(str(path))
    notes: list[str] = []
    problems: list[Any] = []
    out_alerts = io.StringIO()
    watcher = Watcher(nato, AlertWriter(out_alerts), note=notes.append, problems=problems.extend)
    watcher.run_directory(tmp_path, once=True)
    assert problems == []
    assert sum("rows read 13" in n for n in notes) == 3  # every row accounted for, per file
    assert any("rejected 1: wrong number of columns" in n for n in notes)
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        assert main(["run", "--one-stream", "--format", "json", *files]) == 0
    batch = {r["id"]: r["status"] for r in json.loads(report.getvalue())["redlines"]}
    assert watcher.tracker.statuses == batch == {"RL1": "crossed", "RL2": "warning"}


def test_a_restart_removes_what_an_interrupted_save_left(tmp_path: Path, nato: Ruleset) -> None:
    state = tmp_path / "state.json"
    leftover = tmp_path / ".state.json.abc123.tmp"  # as save_state names its temporary file
    leftover.write_text("{half", encoding="utf-8")
    other = tmp_path / ".other.json.abc123.tmp"
    other.write_text("not ours", encoding="utf-8")
    watcher = Watcher(nato, AlertWriter(io.StringIO()), state_path=state, note=lambda m: None)
    watcher.close()
    assert not leftover.exists() and other.exists() and state.exists()
