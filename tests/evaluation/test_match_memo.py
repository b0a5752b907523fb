"""The evaluator's memo of match results (evaluation/evaluator.py, ``_MatchMemo``): an event
whose combination of the values the rules read was seen before is answered from the memo, not
asked of the engine again; reports are the same with and without it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines import Evaluator, Event, Ruleset, load_rules
from redlines.evaluation import evaluator as evaluator_module
from redlines.report import render_json

from ..matching.test_agreement import events, rulesets

_Memo = evaluator_module._MatchMemo


def _report(ruleset: Ruleset, batch: list[Event], *, memo: bool) -> str:
    saved = _Memo.ENABLED
    _Memo.ENABLED = memo
    try:
        ev = Evaluator(ruleset)
        for event in batch:
            ev.feed(event)
        return render_json([ev.report()])
    finally:
        _Memo.ENABLED = saved


def _numbered(batch: list[Event]) -> list[Event]:
    """*batch* with distinct ids and times a few hours apart, so that patterns count them."""
    start = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
    return [
        e.model_copy(update={"id": f"e{i}", "time": start + dt.timedelta(hours=5 * i)})
        for i, e in enumerate(batch)
    ]


# Each random ruleset registers a durable ruleset (about 20 MB that durable never frees), so
# examples are few; each batch repeats its events so that the memo answers some of them.
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(events(), min_size=5, max_size=20))
def test_reports_are_the_same_with_and_without_the_memo(
    ruleset: Ruleset, batch: list[Event]
) -> None:
    batch = _numbered(batch * 3)
    assert _report(ruleset, batch, memo=True) == _report(ruleset, batch, memo=False)


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(events(), min_size=5, max_size=30))
def test_reports_are_the_same_with_and_without_the_memo_on_the_shipped_ruleset(
    batch: list[Event],
) -> None:
    nato = load_rules("nato-2024")
    batch = _numbered(batch * 2)
    assert _report(nato, batch, memo=True) == _report(nato, batch, memo=False)


def test_a_repeated_combination_is_not_asked_of_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ev = Evaluator("nato-2024")
    asked: list[object] = []
    real = ev._engine.match

    def counted(*args: Any) -> list[str]:
        asked.append(args)
        return real(*args)

    monkeypatch.setattr(ev._engine, "match", counted)
    base = {"actor": "BLR", "target": "UKR", "kind": "ground_offensive", "intent": "deliberate"}
    ev.feed({**base, "id": "a", "time": "2024-06-01T00:00:00Z"})
    first = len(asked)
    assert first >= 1
    ev.feed({**base, "id": "b", "time": "2024-06-02T00:00:00Z", "notes": "other words"})
    assert len(asked) == first  # the same values the rules read: answered from the memo
    ev.feed({**base, "id": "c", "time": "2024-06-03T00:00:00Z", "target": "POL"})
    assert len(asked) > first
    by_event = {f.event_ids: (f.red_line, f.level, f.clause) for f in ev.findings()}
    assert by_event[("a",)] == by_event[("b",)] == ("RL1", "crossed", "a-military-action")


def test_the_memo_switches_itself_off_when_values_rarely_repeat() -> None:
    memo = _Memo(Evaluator("nato-2024").compiled)
    for i in range(_Memo.TRIAL):
        key, found = memo.lookup({"actor": f"X{i}", "has__actor": 1})
        assert key is not None
        assert found is None
        memo.put(key, evaluator_module.EventMatch({}, {}, {}))
    assert not memo.on
    assert memo.lookup({"actor": "X0"}) == (None, None)


def test_the_memo_is_bounded() -> None:
    memo = _Memo(Evaluator("nato-2024").compiled)
    empty = evaluator_module.EventMatch({}, {}, {})
    for i in range(_Memo.SIZE + 10):
        key, _ = memo.lookup({"actor": f"X{i}"})
        assert key is not None
        memo.put(key, empty)
        assert memo.lookup({"actor": f"X{i}"}) == (key, empty)  # found: the memo stays on
    assert len(memo._found) <= _Memo.SIZE


def test_a_value_that_cannot_be_a_key_is_asked_of_the_engine() -> None:
    memo = _Memo(Evaluator("nato-2024").compiled)
    assert memo.lookup({"actor": {"not": "hashable"}}) == (None, None)
