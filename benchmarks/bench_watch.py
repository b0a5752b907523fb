"""``redlines watch`` over a feed of 15-minute files: memory over a long run, and throughput.

    .venv/bin/python benchmarks/bench_watch.py [EVENTS_PER_FILE]

Writes 96 files of JSON Lines (``benchmarks/streams.py``'s ``feed_like`` mix, with a
``probing_heavy`` tenth so that pattern windows fill; default 100 events a file) into a
temporary directory and runs the watcher over them in process (``Watcher.run_directory
(once=True)``, state saved after every file, as ``redlines watch DIR --once --state FILE``).

Two timelines over the same 96 files:

* ``day``: the files are a day of 15-minute exports (96 x 15 min of event time): everything
  stays inside nato-2024's 30-day windows plus the 30-day allowed lateness, so what the
  evaluator holds grows through the day (the ids checked for duplicates, the warnings the
  probing pattern may still count);
* ``long run``: the same files, each 2 days of event time apart (192 days): past the 60-day
  horizon, memory must stay flat.

For each: the peak of Python memory (``tracemalloc``) over the first part (``day``: the first
hour, 4 files; ``long run``: the first 64 days, 32 files, just past the horizon) against the
whole run, the events the pattern windows hold, the alerts, and alerts and events per second
(timed without tracemalloc; a red line alerts at most twice, so alerts per second says little).
The baseline, measured in the same run on the same events: a batch ``Evaluator.consume`` of
all of them (compare ratios, not seconds: the machines are shared and noisy).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from streams import stream

from redlines import Evaluator, load_rules
from redlines.watch import AlertWriter, Watcher

FILES = 96
DAY = dt.datetime(2025, 9, 10, tzinfo=dt.timezone.utc)


def make_feed(folder: Path, per_file: int, file_span: dt.timedelta) -> list[dict[str, Any]]:
    """96 files, *per_file* events each, spread evenly over *file_span* of event time."""
    feed = stream("feed_like", FILES * per_file, seed=3)
    probing = stream("probing_heavy", FILES * per_file, seed=4)
    every: list[dict[str, Any]] = []
    for f in range(FILES):
        start = DAY + f * file_span
        events = []
        for k in range(per_file):
            source = probing if k % 10 == 0 else feed
            event = dict(next(source))
            event["id"] = f"f{f}-{k}"
            event["time"] = (start + file_span * k / per_file).isoformat()
            events.append(event)
        name = (DAY + f * file_span).strftime("%Y%m%d%H%M%S") + ".events.jsonl"
        (folder / name).write_text("".join(json.dumps(e) + "\n" for e in events))
        every.extend(events)
    return every


def watch(folder: Path, state: Path, *, measure_memory: bool, first: int) -> dict[str, Any]:
    ruleset = load_rules("nato-2024")
    out = io.StringIO()
    watcher = Watcher(ruleset, AlertWriter(out), state_path=state, note=lambda m: None)
    peaks: list[int] = []
    held: list[int] = []
    original = watcher.process_file

    def process(path: Path) -> None:
        original(path)
        if measure_memory:
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.reset_peak()
        held.append(watcher.evaluator.retained_events())

    watcher.process_file = process  # type: ignore[method-assign]
    if measure_memory:
        tracemalloc.start()
    began = time.perf_counter()
    watcher.run_directory(folder, once=True)
    seconds = time.perf_counter() - began
    if measure_memory:
        tracemalloc.stop()
    result: dict[str, Any] = {
        "seconds": seconds,
        "alerts": len(out.getvalue().splitlines()),
        "held_first": max(held[:first]),
        "held_all": max(held),
    }
    if measure_memory:
        result["peak_first"] = max(peaks[:first])
        result["peak_all"] = max(peaks)
    return result


def batch_baseline(events: list[dict[str, Any]]) -> float:
    ev = Evaluator("nato-2024")
    began = time.perf_counter()
    ev.consume(events)
    return time.perf_counter() - began


def main() -> None:
    per_file = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    n = FILES * per_file
    print(f"{FILES} files x {per_file} events = {n} events (nato-2024)")
    header = (
        f"{'timeline':<9} {'peak first':>11} {'peak all':>10} {'ratio':>6} {'held first':>11} "
        f"{'held all':>9} {'alerts':>7} {'alerts/s':>9} {'events/s':>9} {'vs batch':>9}"
    )
    print(header)
    for label, span, first in (
        ("day", dt.timedelta(minutes=15), 4),
        ("long run", dt.timedelta(days=2), 32),
    ):
        with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
            folder = Path(tmp) / "feed"
            folder.mkdir()
            events = make_feed(folder, per_file, span)
            memory = watch(folder, Path(tmp) / "m.state", measure_memory=True, first=first)
            timed = watch(folder, Path(tmp) / "t.state", measure_memory=False, first=first)
            base = batch_baseline(sorted(events, key=lambda e: (e["time"], e["id"])))
        rate = n / timed["seconds"]
        first_mb, all_mb = memory["peak_first"] / 2**20, memory["peak_all"] / 2**20
        print(
            f"{label:<9} {first_mb:>9.1f}MB {all_mb:>8.1f}MB "
            f"{memory['peak_all'] / memory['peak_first']:>6.2f} {memory['held_first']:>11} "
            f"{memory['held_all']:>9} {timed['alerts']:>7} "
            f"{timed['alerts'] / timed['seconds']:>9.2f} {rate:>9.0f} "
            f"{(n / base) and rate / (n / base):>8.2f}x"
        )
    print(
        "ratio: peak of the whole run / peak of the first part (day: the first hour, 4 files; "
        "long run: the first 64 days, 32 files, past the 60-day horizon); "
        "vs batch: watcher events/s / batch Evaluator.consume events/s, same run"
    )


if __name__ == "__main__":
    main()
