"""Throughput of evaluation against nato-2024, as ratios measured in one run.

    .venv/bin/python benchmarks/bench_evaluate.py [N]

Baselines, measured in the same run on the same events (the machines are shared and noisy,
so compare ratios, not seconds):

* ``validate``    building the Event models only;
* ``interpret``   the pure-Python reference interpreter on every compiled rule;
* ``engine``      durable-rules matching (assert + retract a fact);
* ``evaluator``   the full Evaluator (engine + levels + findings + event-time patterns).

It also reports the peak number of events held in pattern state, which must stay bounded by
the window, not grow with N.

Then reading a JSON Lines event file of N events (feed-like and all-relevant streams of
``streams.py``), against what the reader did before its fast path, measured in the same run:

* ``reference``   each line by ``json.loads`` with the duplicate-key hook, each event by
                  pydantic (``to_event``);
* ``read``        ``read_jsonl``: orjson, the fast check, every event kept;
* ``read+skip``   ``read_jsonl`` with the skip ``redlines run`` uses (events no rule of
                  nato-2024 can match only counted).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streams import stream, write_jsonl

from redlines import Evaluator, Event, load_rules
from redlines.compile import compile_ruleset
from redlines.matching import ReferenceMatcher, event_fact
from redlines.matching.durable import EngineRuleset
from redlines.matching.facts import unmatchable
from redlines.readers.eventsink import to_event
from redlines.readers.jsonl import read_jsonl

ACTORS = ["RUS", "BLR", "PRK", "IRN", "UKR", "USA", None]
TARGETS = ["UKR", "POL", "LTU", "LVA", "EST", "MDA", "ROU", "RUS"]
KINDS = [
    "ground_offensive",
    "drone_strike",
    "airspace_violation",
    "munition_impact",
    "troop_deployment",
    "weapons_supply",
    "threat",
    "sabotage",
    "electronic_warfare",
    "other",
]


def make_events(n: int, seed: int = 1) -> list[dict[str, object]]:
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    return [
        {
            "id": f"b{i}",
            "time": (start + dt.timedelta(hours=6 * i)).isoformat(),
            "actor": rng.choice(ACTORS),
            "target": rng.choice(TARGETS),
            "kind": rng.choice(KINDS),
            "intent": rng.choice(["deliberate", "stray", "unknown"]),
            "attribution": rng.choice(["confirmed", "confirmed", "suspected"]),
        }
        for i in range(n)
    ]


def timed(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(n: int) -> None:
    raw = make_events(n)
    events = [Event.model_validate(r) for r in raw]
    rules = load_rules()
    compiled = compile_ruleset(rules)
    engine = EngineRuleset(compiled)
    reference = ReferenceMatcher(compiled)
    facts = [event_fact(e, i) for i, e in enumerate(events)]
    peak = [0]

    def evaluator() -> None:
        ev = Evaluator(rules)
        for e in events:
            ev.feed(e)
            peak[0] = max(peak[0], ev.retained_events())

    results = {
        "validate": timed(lambda: [Event.model_validate(r) for r in raw]),
        "interpret": timed(lambda: [reference.match(f) for f in facts]),
        "engine": timed(lambda: [engine.match(f) for f in facts]),
        "evaluator": timed(evaluator),
    }
    base = results["validate"]
    print(f"events: {n}  (best of 3 runs each)")
    for name, seconds in results.items():
        print(f"{name:10} {n / seconds:10.0f} events/s   {seconds / base:6.2f}x validate")
    print(f"engine / interpret: {results['engine'] / results['interpret']:.2f}x")
    print(f"peak events in pattern state: {peak[0]} of {n}")


def _reference_read(path: Path) -> list[Event]:
    """The JSON Lines reader before its fast path (valid files only)."""

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"duplicate key '{key}'")
            out[key] = value
        return out

    events = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if line.strip():
            item = json.loads(line, object_pairs_hook=once)
            events.append(to_event(item, file=str(path), line=n))
    return events


def event_files(n: int) -> None:
    skip = unmatchable(compile_ruleset(load_rules()))
    print(f"\nreading {n} JSON Lines events (best of 3 runs each)")
    print(f"{'stream':13} {'reference':>10} {'read':>14} {'read+skip':>16}")
    with tempfile.TemporaryDirectory() as d:
        for kind in ("feed_like", "all_relevant"):
            path = write_jsonl(Path(d) / f"{kind}.jsonl", stream(kind, n))
            base = timed(lambda path=path: _reference_read(path))  # type: ignore[misc]
            read = timed(lambda path=path: read_jsonl(path))  # type: ignore[misc]
            lean = timed(lambda path=path: read_jsonl(path, skip=skip))  # type: ignore[misc]
            print(
                f"{kind:13} {base:9.2f}s {read:7.2f}s {base / read:5.2f}x "
                f"{lean:7.2f}s {base / lean:6.2f}x"
            )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    main(count)
    event_files(count * 10)
