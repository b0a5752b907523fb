"""Scaling in rules and the fixed cost of a run, as ratios measured in one run.

    .venv/bin/python benchmarks/bench_rules.py [--events N] [--only rules fixed]

* ``rules``: 10, 100 and 1,000 generated red lines in the style of nato-2024
  (benchmarks/streams.py), each in a fresh process: the time to load and register them, the
  cost per event of ``Evaluator.consume`` over the same feed-like stream (end to end, rules
  loaded beforehand) and of the matcher alone (the engine's ``match`` for the clauses, then for
  the pattern selectors of the red lines hit, as the evaluator asks), and the peak resident
  memory of the process, each against 10 red lines.
* ``fixed``: ``redlines run --format json`` on a 3-event JSON Lines file against ``python -c
  pass``, each in a fresh process (best of several).

The machines are shared and noisy: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from streams import ruleset_yaml, stream, write_jsonl

PY = sys.executable
HERE = Path(__file__).resolve().parent


def worker(count: int, n: int) -> dict[str, float]:
    """Measures one ruleset size in this process (a fresh one)."""
    from redlines import Evaluator, Event, parse_rules
    from redlines.matching import event_fact

    events = list(stream("feed_like", n, seed=3))
    t0 = time.perf_counter()
    rules = parse_rules(ruleset_yaml(count), f"<{count} red lines>")
    parsed = time.perf_counter()
    Evaluator(rules).feed(events[0])  # registers the engine, which every Evaluator shares
    load = time.perf_counter() - t0
    register = time.perf_counter() - parsed

    best = float("inf")
    for _ in range(2):
        fresh = Evaluator(rules)
        t = time.perf_counter()
        fresh.consume(events)
        best = min(best, time.perf_counter() - t)

    ev = Evaluator(rules)
    engine = ev._engine
    facts = [event_fact(Event.model_validate(e), i) for i, e in enumerate(events)]
    clauses = frozenset(r.name for r in ev.compiled.rules if r.role == "clause")
    patterns: dict[str, list[str]] = {}
    for r in ev.compiled.rules:
        if r.role == "pattern":
            patterns.setdefault(r.red_line, []).append(r.name)

    def match_all() -> None:
        for fact in facts:
            hit = {name.split(":", 1)[0] for name in engine.match(fact, clauses)}
            wanted = [p for rl in hit for p in patterns.get(rl, ())]
            if wanted:
                engine.match(fact, wanted)

    matcher = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        match_all()
        matcher = min(matcher, time.perf_counter() - t)
    return {
        "load": load,
        "register": register,
        "per_event": best / n,
        "matcher": matcher / n,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "shards": len(engine.shards),
    }


def section_rules(n: int) -> None:
    print(f"\n## rules: generated red lines, {n} feed-like events, each size in a fresh process")
    print(
        f"{'red lines':>9} {'load s':>7} {'shards':>6} {'µs/event':>9} {'ratio':>6} "
        f"{'matcher µs':>10} {'ratio':>6} {'peak RSS MB':>11} {'ratio':>6}"
    )
    base: dict[str, float] | None = None
    for count in (10, 100, 1000):
        out = subprocess.run(
            [PY, str(HERE / "bench_rules.py"), "--worker", str(count), "--events", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        got = json.loads(out.stdout)
        base = base or got
        print(
            f"{count:9} {got['load']:7.2f} {got['shards']:6.0f} {got['per_event'] * 1e6:9.1f} "
            f"{got['per_event'] / base['per_event']:5.2f}x {got['matcher'] * 1e6:10.1f} "
            f"{got['matcher'] / base['matcher']:5.2f}x {got['rss_mb']:11.0f} "
            f"{got['rss_mb'] / base['rss_mb']:5.2f}x"
        )


def best_run(argv: list[str], runs: int = 7) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def section_fixed(tmp: Path) -> None:
    path = write_jsonl(tmp / "three.jsonl", stream("all_relevant", 3, seed=9))
    empty = best_run([PY, "-c", "pass"])
    imported = best_run([PY, "-c", "import redlines"])
    run = best_run([PY, "-m", "redlines", "run", "--format", "json", str(path)])
    print("\n## fixed cost: fresh processes, best of 7")
    print(f"python -c pass:                      {empty:6.3f} s")
    print(f"python -c 'import redlines':         {imported:6.3f} s   {imported / empty:5.2f}x")
    print(f"redlines run --format json (3 events): {run:6.3f} s   {run / empty:5.2f}x")


SECTIONS = ("rules", "fixed")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.events)))
        return
    if "rules" in args.only:
        section_rules(args.events)
    if "fixed" in args.only:
        with tempfile.TemporaryDirectory() as d:
            section_fixed(Path(d))


if __name__ == "__main__":
    main()
