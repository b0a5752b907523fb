"""redlines end to end against the engine it wraps, as ratios measured in one run.

    .venv/bin/python benchmarks/bench_pipeline.py [--events N] [--only SECTION ...] [--cpu]

Sections (all by default):

* ``streams``: ``redlines run --format json`` on seeded JSON Lines streams (feed-like,
  all-relevant, probing-heavy; benchmarks/streams.py) against raw durable-rules fed the same
  events as ready facts through the compiled per-event clauses of nato-2024 (asserted and
  retracted, no validation, no report). A ratio above 1 means redlines is faster than raw
  durable on that stream (it can be, by never sending irrelevant events to the engine).
* ``memory``: peak resident memory of ``redlines run`` on a feed-like stream of 10N events
  against the same on N.
* ``gdelt``: the real GDELT 2.0 export from ../shared/data replicated to about 100,000 rows
  (distinct GLOBALEVENTIDs), ``redlines run`` against Python's csv module only reading it.
* ``rules``: the cost per event of 10, 100 and 1,000 generated red lines (end to end, and the
  matcher alone) and the peak memory of each, each size in a fresh process
  (benchmarks/bench_rules.py, which also measures the fixed cost of a run).
* ``yaml``: a YAML scenario against the same events as JSON Lines.

The machines are shared and noisy: compare the ratios, not the seconds. With ``--cpu`` the
timings are CPU time (user and system, the child process's included) instead of wall-clock
time: steadier when other work shares the cores.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from streams import stream, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
SHARED_GDELT = ROOT.parent / "shared" / "data" / "gdelt" / "20191024143000.export.CSV"
PY = sys.executable


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of the children it has waited for:
    steadier than wall-clock time on a machine shared with other work (``--cpu``)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


#: What :func:`best_of` measures with: wall-clock time, or CPU time with ``--cpu``.
CLOCK: Callable[[], float] = time.perf_counter


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = CLOCK()
        fn()
        best = min(best, CLOCK() - t0)
    return best


def redlines_run(*args: str) -> None:
    done = subprocess.run(
        [PY, "-m", "redlines", "run", "--format", "json", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"redlines run {args} failed: {done.stderr.decode()[-500:]}")


def peak_rss_mb(*args: str) -> float:
    """Peak RSS of ``redlines run ARGS`` in a fresh process, in MB."""
    probe = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [PY, "-c", probe, PY, "-m", "redlines", "run", "--format", "json", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip()) / 1024


#: The baseline's rules: nato-2024's per-event clauses written in durable-rules' own operators
#: (memberships as ``$mt`` regexes), as a hand-written durable ruleset would be. Frozen here
#: on purpose: redlines' own compiled form moves memberships into flags it computes in Python,
#: and a baseline that borrowed that work would no longer be raw durable-rules.
RAW_RULES = Path(__file__).resolve().parent / "raw_durable_nato2024.json"


def raw_durable_seconds(events: list[dict[str, Any]]) -> float:
    """nato-2024's per-event clauses (:data:`RAW_RULES`) in a plain durable Host, fed ready
    facts."""
    from durable.engine import Host, MessageNotHandledException

    from redlines import Event
    from redlines.matching import event_fact

    definitions = {
        name: {**alt, "run": lambda c: None}
        for name, alt in json.loads(RAW_RULES.read_text(encoding="utf-8")).items()
    }
    host = Host()
    host.register_rulesets({"raw": definitions})
    facts = [event_fact(Event.model_validate(e), i) for i, e in enumerate(events)]

    def feed() -> None:
        for fact in facts:
            with contextlib.suppress(MessageNotHandledException):
                host.assert_fact("raw", fact)
            with contextlib.suppress(MessageNotHandledException):
                host.retract_fact("raw", fact)

    return best_of(feed)


def section_streams(n: int, tmp: Path) -> None:
    print(f"\n## streams: {n} events each, redlines run against raw durable-rules")
    print(f"{'stream':15} {'raw durable s':>14} {'redlines s':>11} {'ratio':>7}")
    for kind in ("feed_like", "all_relevant", "probing_heavy"):
        events = list(stream(kind, n))
        path = write_jsonl(tmp / f"{kind}.jsonl", iter(events))
        raw = raw_durable_seconds(events)
        ours = best_of(lambda path=path: redlines_run(str(path)))  # type: ignore[misc]
        print(f"{kind:15} {raw:14.2f} {ours:11.2f} {raw / ours:6.2f}x")


def section_memory(n: int, tmp: Path) -> None:
    small = write_jsonl(tmp / "mem-small.jsonl", stream("feed_like", n))
    large = write_jsonl(tmp / "mem-large.jsonl", stream("feed_like", 10 * n))
    a, b = peak_rss_mb(str(small)), peak_rss_mb(str(large))
    print(f"\n## memory: peak RSS of redlines run, feed-like, {n} and {10 * n} events")
    print(f"{n:>9} events: {a:7.0f} MB\n{10 * n:>9} events: {b:7.0f} MB   ratio {b / a:.2f}x")


def replicate_gdelt(target_rows: int, out: Path) -> int:
    rows = SHARED_GDELT.read_text(encoding="utf-8", errors="replace").splitlines()
    copies = max(1, target_rows // len(rows))
    written = 0
    with out.open("w", encoding="utf-8") as fh:
        for c in range(copies):
            for line in rows:
                fields = line.split("\t")
                fields[0] = str(int(fields[0]) + c * 10_000_000_000)
                fh.write("\t".join(fields) + "\n")
                written += 1
    return written


def section_gdelt(tmp: Path) -> None:
    if not SHARED_GDELT.exists():
        print(f"\n## gdelt: skipped, {SHARED_GDELT} is absent")
        return
    path = tmp / "replicated.export.CSV"
    rows = replicate_gdelt(100_000, path)

    def read_csv() -> None:
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            for _ in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                pass

    from redlines import load_rules
    from redlines.runner import evaluate_file

    small = write_jsonl(tmp / "three.jsonl", stream("feed_like", 3))
    nato = load_rules("nato-2024")
    evaluate_file(path, rules=nato)  # tables, geocoder, engine and pyarrow loaded once

    base = best_of(read_csv)
    ours = best_of(lambda: redlines_run(str(path)), runs=2)
    fixed = best_of(lambda: redlines_run(str(small)), runs=2)
    warm = best_of(lambda: evaluate_file(path, rules=nato))
    print(f"\n## gdelt: {rows} real GDELT 2.0 rows (replicated)")
    print(f"csv module only reading: {base:.2f} s ({rows / base:,.0f} rows/s)")
    print(
        f"redlines run:            {ours:.2f} s ({rows / ours:,.0f} rows/s)   "
        f"ratio {base / ours:.2f}x"
    )
    print(
        f"  start-up:              {fixed:.2f} s (redlines run on 3 events; "
        "GDELT adds pyarrow's import)"
    )
    print(
        f"evaluate_file, warm:     {warm:.2f} s ({rows / warm:,.0f} rows/s)   "
        f"ratio {base / warm:.2f}x (read and evaluated in a process that has started)"
    )


def section_rules(n: int, tmp: Path) -> None:
    """Each ruleset size in a fresh process: see benchmarks/bench_rules.py."""
    import bench_rules

    bench_rules.section_rules(n)


def section_yaml(n: int, tmp: Path) -> None:
    events = list(stream("all_relevant", n, seed=5))
    jsonl = write_jsonl(tmp / "same.jsonl", iter(events))
    yaml_path = tmp / "same.yaml"
    with yaml_path.open("w", encoding="utf-8") as fh:
        fh.write("name: the same events\nevents:\n")
        for e in events:
            fh.write(f"  - id: {e['id']}\n")
            for key, value in e.items():
                if key != "id":
                    fh.write(f"    {key}: {json.dumps(value)}\n")
    a = best_of(lambda: redlines_run(str(jsonl)), runs=1)
    try:
        b = best_of(lambda: redlines_run(str(yaml_path)), runs=1)
    except SystemExit as exc:
        print(f"\n## yaml: {n} events ({yaml_path.stat().st_size / 1e6:.1f} MB): {exc}")
        return
    print(
        f"\n## yaml: {n} events, a YAML scenario "
        f"({yaml_path.stat().st_size / 1e6:.1f} MB) against JSON Lines"
    )
    print(f"JSON Lines {a:.2f} s, YAML {b:.2f} s: {b / a:.2f}x the JSON Lines time")


SECTIONS = ("streams", "memory", "gdelt", "rules", "yaml")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument(
        "--cpu", action="store_true", help="measure CPU time instead of wall-clock time"
    )
    args = parser.parse_args(argv)
    n: int = args.events
    if args.cpu:
        global CLOCK
        CLOCK = cpu_seconds
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "streams" in args.only:
            section_streams(n, tmp)
        if "memory" in args.only:
            section_memory(n // 5, tmp)
        if "gdelt" in args.only:
            section_gdelt(tmp)
        if "rules" in args.only:
            section_rules(min(n, 5_000), tmp)
        if "yaml" in args.only:
            section_yaml(n, tmp)


if __name__ == "__main__":
    main()
