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
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable

from redlines import Evaluator, Event, load_rules
from redlines.compile import compile_ruleset
from redlines.matching import ReferenceMatcher, event_fact
from redlines.matching.durable import EngineRuleset

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
