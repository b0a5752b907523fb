"""The evaluator's pure match step (what Spark executors run): no state read or changed, and
the same levels and findings as feeding the event (no Spark needed)."""

from __future__ import annotations

from pathlib import Path

from redlines.evaluation import Evaluator
from redlines.readers import read

ROOT = Path(__file__).resolve().parents[2]


def test_match_event_is_pure_and_agrees_with_feed() -> None:
    events = read([ROOT / "examples" / "events.jsonl"]).events
    evaluator = Evaluator("nato-2024")
    fed = Evaluator("nato-2024")
    for event in sorted(events, key=lambda e: (e.time, e.id)):
        first = evaluator.match_event(event)
        assert evaluator.match_event(event, 99) == first  # the fact id changes nothing
        assert evaluator.events_seen == 0 and not evaluator.findings()
        per_event = evaluator.event_findings(event, first)
        assert set(per_event) == {rl for rl, level in first.levels.items() if level != "clear"}
        assert {rl: evaluator.levels(event)[rl] for rl in first.levels} == first.levels
        new = fed.feed(event)
        assert [f for f in new if f.basis == "event"] == list(per_event.values())
    # Fed, the probing pattern of examples/events.jsonl is found; matched only, nothing is.
    assert any(f.basis == "pattern" for f in fed.findings())
    assert evaluator.findings() == [] and evaluator.events_seen == 0
