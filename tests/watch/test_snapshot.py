"""Evaluator.snapshot / Evaluator.restore / retain=False: what the watcher's state rests on."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest

from redlines.errors import InputError
from redlines.evaluation import Evaluator
from redlines.findings import level_rank
from redlines.rules.resolved import Ruleset

START = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def _events(n: int, seed: int) -> list[dict[str, Any]]:
    """Warnings and crossings on the flank, a few days apart: probing windows fill and close."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "id": f"e{i}",
                "time": (START + dt.timedelta(hours=rng.randrange(0, 24 * 200))).isoformat(),
                "actor": rng.choice(["RUS", "RUS", "BLR", "USA"]),
                "target": rng.choice(["POL", "LTU", "EST", "UKR"]),
                "kind": rng.choice(["airspace_violation", "sabotage", "drone_strike", "other"]),
                "intent": rng.choice(["unknown", "deliberate", "stray"]),
                "attribution": rng.choice(["confirmed", "confirmed", "suspected"]),
                "location": {"place": f"p{rng.randrange(3)}"},
                "sources": [f"https://example.org/{i}"],
            }
        )
    return out


def _fed(ev: Evaluator, events: list[dict[str, Any]]) -> list[Any]:
    return [f for e in events for f in ev.feed(e)]


@pytest.mark.parametrize("seed", range(6))
def test_a_restored_evaluator_goes_on_as_the_original(nato: Ruleset, seed: int) -> None:
    events = _events(120, seed)
    random.Random(seed).shuffle(events)  # out of order, within the allowed lateness or not
    cut = random.Random(seed + 100).randrange(1, len(events))
    whole = Evaluator(nato)
    expected_new = _fed(whole, events)
    first = Evaluator(nato)
    got_new = _fed(first, events[:cut])
    snap = json.loads(json.dumps(first.snapshot()))  # it survives JSON
    second = Evaluator.restore(snap, nato)
    got_new += _fed(second, events[cut:])
    assert got_new == expected_new
    assert second.findings() == whole.findings()
    assert second.report().to_dict() == whole.report().to_dict()
    assert second.late_events == whole.late_events
    assert second.snapshot() == whole.snapshot()


def test_retain_false_keeps_statuses_flat(nato: Ruleset) -> None:
    events = sorted(_events(400, 7), key=lambda e: e["time"])
    kept, flat = Evaluator(nato), Evaluator(nato, retain=False)
    status_kept = kept.report().statuses()
    status_flat = dict.fromkeys(status_kept, "clear")
    for e in events:
        kept.feed(e)
        for f in flat.feed(e):
            if level_rank(f.level) > level_rank(status_flat[f.red_line]):
                status_flat[f.red_line] = f.level
        flat.prune()
    assert status_flat == kept.report().statuses()
    assert flat._event_findings == [] and flat._evaluated == []
    # Only pattern findings whose events are still in a window are kept.
    groups = sum(len(g) for s in flat._patterns.values() for g in s.groups.values())
    all_groups = sum(len(g) for s in kept._patterns.values() for g in s.groups.values())
    assert groups < all_groups
    # ... and of those, only the events still in the windows.
    for state in flat._patterns.values():
        for key_groups in state.groups.values():
            assert all(m in state.group_of for g in key_groups for m in g.members)
    restored = Evaluator.restore(json.loads(json.dumps(flat.snapshot())), nato)
    assert restored.retain is False


def test_a_snapshot_of_another_ruleset_is_refused(nato: Ruleset, tmp_path: Any) -> None:
    snap = Evaluator(nato).snapshot()
    snap["ruleset"] = {**snap["ruleset"], "sha256": "0" * 64}
    with pytest.raises(InputError, match="another ruleset"):
        Evaluator.restore(snap, nato)


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.pop("patterns"),
        lambda s: s.update(seq="many"),
        lambda s: s.update(max_time="yesterday"),
        lambda s: s["patterns"][0]["entries"].append([1, {"id": "x"}]),
        lambda s: s.update(snapshot_version=99),
    ],
)
def test_a_damaged_snapshot_is_an_input_error(nato: Ruleset, damage: Any) -> None:
    ev = Evaluator(nato)
    _fed(ev, _events(30, 1))
    snap = json.loads(json.dumps(ev.snapshot()))
    damage(snap)
    with pytest.raises(InputError):
        Evaluator.restore(snap, nato)
