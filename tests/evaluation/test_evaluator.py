"""Evaluation with the engine: every CONTRACT §4 boundary, patterns in event time, state
bounds, determinism and isolation."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from redlines import (
    Evaluator,
    Event,
    EventError,
    InputError,
    Ruleset,
    evaluate,
    load_rules,
    parse_rules,
)
from redlines.report import render_json

from ..conftest import make_event

CASES = YAML(typ="safe").load((Path(__file__).parents[1] / "cases" / "nato-2024.yaml").read_text())


@pytest.fixture(scope="module")
def evaluator(nato: Ruleset) -> Evaluator:
    return Evaluator(nato)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_contract_boundaries(case: dict[str, Any], evaluator: Evaluator) -> None:
    event = make_event(**case["event"])
    assert evaluator.levels(event) == {"RL1": case["RL1"], "RL2": case["RL2"]}
    report = evaluate([event])
    assert report.statuses() == {"RL1": case["RL1"], "RL2": case["RL2"]}
    for rl, clause in (case.get("clause") or {}).items():
        (finding,) = report.red_line(rl).findings
        assert finding.clause == clause


def test_report_example_reason(nato: Ruleset) -> None:
    e = make_event(actor="BLR", target="UKR", kind="ground_offensive", location={"region": "UA-56"})
    (finding,) = evaluate([e], nato).red_line("RL1").findings
    assert "the report's own example" in finding.reason
    other = make_event(actor="BLR", target="UKR", kind="ground_offensive")
    (finding,) = evaluate([other], nato).red_line("RL1").findings
    assert "the report's own example" not in finding.reason


def test_first_crossed_at_is_the_earliest_crossing(nato: Ruleset) -> None:
    events = [
        make_event(time="2024-06-03T00:00:00+00:00", intent="deliberate"),
        make_event(time="2024-06-02T00:00:00+00:00", intent="deliberate"),
        make_event(time="2024-06-01T00:00:00+00:00"),  # warning only
    ]
    rl2 = evaluate(events, nato).red_line("RL2")
    assert rl2.status == "crossed"
    assert rl2.first_crossed_at == dt.datetime(2024, 6, 2, tzinfo=dt.timezone.utc)


# -- the probing pattern -------------------------------------------------------------------

DAY0 = dt.datetime(2024, 3, 1, 12, tzinfo=dt.timezone.utc)


def probe(at: dt.timedelta, **fields: Any) -> Event:
    fields.setdefault("actor", "RUS")
    fields.setdefault("target", "LTU")
    fields.setdefault("kind", "airspace_violation")
    return make_event(time=(DAY0 + at).isoformat(), **fields)


def pattern_findings(events: list[Event], nato: Ruleset) -> list[Any]:
    return [f for f in evaluate(events, nato).red_line("RL2").findings if f.basis == "pattern"]


def test_probing_fires_at_exactly_thirty_days(nato: Ruleset) -> None:
    events = [probe(dt.timedelta(0)), probe(dt.timedelta(days=15)), probe(dt.timedelta(days=30))]
    report = evaluate(events, nato)
    assert report.status("RL2") == "crossed"
    (finding,) = [f for f in report.red_line("RL2").findings if f.basis == "pattern"]
    assert finding.clause == "probing"
    assert finding.event_ids == tuple(e.id for e in events)
    assert report.red_line("RL2").first_crossed_at == DAY0 + dt.timedelta(days=30)


def test_probing_does_not_fire_one_second_later(nato: Ruleset) -> None:
    events = [
        probe(dt.timedelta(0)),
        probe(dt.timedelta(days=15)),
        probe(dt.timedelta(days=30, seconds=1)),
    ]
    report = evaluate(events, nato)
    assert report.status("RL2") == "warning"
    assert pattern_findings(events, nato) == []


def test_dates_count_as_midnight(nato: Ruleset) -> None:
    events = [
        make_event(time="2024-03-01", actor="RUS", target="LTU", kind="threat"),
        make_event(time="2024-03-15", actor="RUS", target="LTU", kind="threat"),
        make_event(time="2024-03-31T00:00:00+00:00", actor="RUS", target="LTU", kind="threat"),
    ]
    assert evaluate(events, nato).status("RL2") == "crossed"


@pytest.mark.parametrize(
    "third",
    [
        {"attribution": "suspected"},
        {"target": "LVA"},
        {"actor": "BLR"},
        {"intent": "deliberate"},  # a crossed event is not a warning event
        {"attribution": "misattributed"},
    ],
    ids=["suspected", "other-target", "belarus-alone", "crossed-not-warning", "misattributed"],
)
def test_probing_needs_three_confirmed_russian_warnings_on_one_target(
    third: dict[str, Any], nato: Ruleset
) -> None:
    events = [
        probe(dt.timedelta(0)),
        probe(dt.timedelta(days=1)),
        probe(dt.timedelta(days=2), **third),
    ]
    assert pattern_findings(events, nato) == []


def test_probing_counts_russian_responsibility_through_on_behalf_of(nato: Ruleset) -> None:
    events = [
        probe(dt.timedelta(0), actor=None, on_behalf_of="RUS"),
        probe(dt.timedelta(days=1), actor="BLR", on_behalf_of="RUS", kind="sabotage"),
        probe(dt.timedelta(days=2), actor_type="state_directed_proxy", kind="sabotage"),
    ]
    assert len(pattern_findings(events, nato)) == 1


def test_completion_time_is_the_third_in_event_time_order(nato: Ruleset) -> None:
    a, b, c, d = (probe(dt.timedelta(days=n)) for n in (0, 5, 10, 12))
    for order in ([d, c, b, a], [b, d, a, c], [a, b, c, d]):
        rl2 = evaluate(order, nato).red_line("RL2")
        (finding,) = [f for f in rl2.findings if f.basis == "pattern"]
        assert finding.time == DAY0 + dt.timedelta(days=10)
        assert finding.event_ids == (a.id, b.id, c.id, d.id)


def test_streaming_out_of_order_matches_batch(nato: Ruleset) -> None:
    events = [probe(dt.timedelta(days=n, hours=n)) for n in (0, 3, 7, 40, 41, 44, 90)]
    batch = evaluate(events, nato).to_dict()
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    ev = Evaluator(nato, allowed_lateness=dt.timedelta(days=365))
    ev.feed_many(shuffled)
    streamed = ev.report().to_dict()
    assert streamed["redlines"] == batch["redlines"]


def test_feed_returns_new_findings(nato: Ruleset) -> None:
    ev = Evaluator(nato)
    assert [f.clause for f in ev.feed(probe(dt.timedelta(0)))] == ["russian-activity"]
    ev.feed(probe(dt.timedelta(days=1)))
    new = ev.feed(probe(dt.timedelta(days=2)))
    assert sorted(f.clause for f in new) == ["probing", "russian-activity"]
    assert (
        ev.feed(make_event(actor="DEU", target="RUS", kind="weapons_supply", on_behalf_of="UKR"))
        == []
    )


def test_pattern_state_is_bounded(nato: Ruleset) -> None:
    ev = Evaluator(nato, allowed_lateness=dt.timedelta(days=5))
    peak = 0
    for n in range(400):
        ev.feed(probe(dt.timedelta(days=3 * n)))
        peak = max(peak, ev.retained_events())
    # window 30 days + lateness 5 days at one event every 3 days: at most 13 kept
    assert peak <= 13
    assert ev.events_seen == 400


def test_events_later_than_allowed_lateness_are_reported(nato: Ruleset) -> None:
    ev = Evaluator(nato, allowed_lateness=dt.timedelta(days=1))
    ev.feed(probe(dt.timedelta(days=10)))
    late = probe(dt.timedelta(days=0))
    ev.feed(late)
    assert ev.late_events == [late.id]
    assert ev.report().to_dict()["late_events"] == [late.id]


# -- determinism and isolation --------------------------------------------------------------


def test_same_input_same_bytes(nato: Ruleset) -> None:
    events = [probe(dt.timedelta(days=n)) for n in range(5)]
    assert render_json([evaluate(events, nato)]) == render_json(
        [evaluate(list(reversed(events)), nato)]
    )


def test_evaluators_with_different_rulesets_do_not_interfere(nato: Ruleset) -> None:
    other = parse_rules(
        """schema: redlines/rules/v1
name: romania
version: 1
title: t
red_lines:
  - id: RO
    title: Romania
    clauses:
      - {id: any, level: crossed, when: {field: target, eq: ROU}, reason: "{actor_name} hit Romania"}
""",
        "romania.yaml",
    )
    a, b = Evaluator(nato), Evaluator(other)
    ro = make_event(target="ROU", intent="deliberate")
    pl = make_event(target="POL", intent="deliberate")
    for e in (ro, pl):
        a.feed(e)
        b.feed(e)
    assert a.report().statuses() == {"RL1": "clear", "RL2": "crossed"}
    assert b.report().statuses() == {"RO": "crossed"}
    assert [f.event_ids for f in b.findings()] == [(ro.id,)]


def test_duplicate_ids_in_a_batch(nato: Ruleset) -> None:
    e = make_event(id="same")
    with pytest.raises(EventError, match="duplicate event id 'same'"):
        evaluate([e, e], nato)


def test_plain_dicts_are_validated(nato: Ruleset) -> None:
    with pytest.raises(EventError) as err:
        evaluate(
            [
                {
                    "id": "a",
                    "time": "2024-06-01",
                    "actor": "Polan",
                    "target": "POL",
                    "kind": "threat",
                }
            ],
            nato,
        )
    assert err.value.problems[0].render() == (
        "<events>: field 'events[0].actor': unknown country 'Polan' (did you mean 'Poland'?)"
    )


PATTERN_RULES = """schema: redlines/rules/v1
name: sel
version: 1
title: t
red_lines:
  - id: X
    title: x
    clauses:
      - {{id: sab, level: warning, when: {{field: kind, eq: sabotage}}, reason: r}}
    patterns:
      - id: p
        select: {select}
        count: 2
        within: 10d
        reason: r
"""


@pytest.mark.parametrize(
    ("select", "kinds", "fires"),
    [
        ("{level: any}", ["cyberattack", "cyberattack"], False),
        ("{level: any}", ["sabotage", "sabotage"], True),
        ("{level: warning}", ["sabotage", "cyberattack"], False),
        ("{when: {field: kind, eq: cyberattack}}", ["cyberattack", "cyberattack"], True),
    ],
)
def test_regression_select_level_any_means_warning_or_crossed(
    select: str, kinds: list[str], fires: bool
) -> None:
    rs = parse_rules(PATTERN_RULES.format(select=select), "sel.yaml")
    events = [make_event(kind=k, time=f"2024-06-0{i + 1}") for i, k in enumerate(kinds)]
    found = [f for f in evaluate(events, rs).red_line("X").findings if f.basis == "pattern"]
    assert bool(found) is fires


def test_regression_feed_rejects_a_duplicate_id(nato: Ruleset) -> None:
    ev = Evaluator(nato)
    ev.feed(make_event(id="a"))
    with pytest.raises(EventError, match="duplicate event id 'a'"):
        ev.feed(make_event(id="a", time="2024-06-02"))
    assert ev.events_seen == 1


def test_regression_evaluators_share_engine_memory(nato: Ruleset) -> None:
    """durable keeps ~20 MB per registered ruleset and never frees it: evaluators of the same
    ruleset must share one engine, so many evaluate() calls do not grow memory."""
    import resource

    assert Evaluator(nato)._engine is Evaluator(load_rules("nato-2024"))._engine
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    for _ in range(30):
        evaluate([make_event()], nato)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 60, f"30 evaluations grew peak memory by {grown_mib:.0f} MiB"


def test_regression_feed_takes_plain_dicts_and_raises_event_errors(nato: Ruleset) -> None:
    ev = Evaluator(nato)
    base = {"id": "d1", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "threat"}
    assert [f.clause for f in ev.feed(base)] == ["russian-activity"]
    with pytest.raises(EventError) as err:
        ev.feed({**base, "id": "d2", "kind": "thret"})
    assert err.value.problems[0].render() == (
        "<event>: field 'kind': unknown kind 'thret' (did you mean 'threat'?)"
    )


def _reference_pattern(
    times: list[int], count: int, within: int
) -> set[tuple[frozenset[int], int]]:
    """Brute force: windows [c - within, c] holding >= count events; overlapping windows are
    one finding, crossing at its earliest holding window."""
    order = sorted(range(len(times)), key=lambda i: (times[i], i))
    windows = []
    for c in order:
        members = frozenset(i for i in order if times[c] - within <= times[i] <= times[c])
        if len(members) >= count:
            windows.append((members, times[c]))
    groups: list[tuple[set[int], int]] = []
    for members, at in windows:
        touching = [g for g in groups if g[0] & members]
        merged, crossed = set(members), at
        for g in touching:
            merged |= g[0]
            crossed = min(crossed, g[1])
            groups.remove(g)
        groups.append((merged, crossed))
    return {(frozenset(m), at) for m, at in groups}


@settings(max_examples=400, deadline=None)
@given(
    days=st.one_of(
        st.lists(st.integers(min_value=0, max_value=120), min_size=0, max_size=14),
        # many events at few instants: windows shared by every event of an instant
        st.lists(st.sampled_from([0, 1, 31, 32, 62]), min_size=0, max_size=20),
    ),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_pattern_matches_a_brute_force_reference_in_any_arrival_order(
    days: list[int], seed: int, nato: Ruleset
) -> None:
    events = [probe(dt.timedelta(days=d), id=f"p{i}") for i, d in enumerate(days)]
    arrival = events[:]
    random.Random(seed).shuffle(arrival)
    ev = Evaluator(nato, allowed_lateness=dt.timedelta(days=365))
    ev.feed_many(arrival)
    got = {
        (frozenset(int(i[1:]) for i in f.event_ids), int((f.time - DAY0).total_seconds() // 86400))
        for f in ev.findings()
        if f.basis == "pattern"
    }
    assert got == _reference_pattern(days, 3, 30)


# -- hardening: library calls raise RedlinesErrors, arithmetic saturates -------------------


@pytest.mark.parametrize("events", [None, 3, "e1", {"id": "e1"}])
def test_regression_evaluate_refuses_what_is_not_a_list_of_events(events: Any) -> None:
    with pytest.raises(EventError, match="events must be a list"):
        evaluate(events)


@pytest.mark.parametrize(
    "times",
    [
        ["0001-01-01", "0001-01-05", "0001-01-09"],
        ["9999-12-20T00:00:00Z", "9999-12-25", "9999-12-31T23:59:59Z"],
    ],
)
def test_regression_events_at_the_ends_of_the_calendar(times: list[str], nato: Ruleset) -> None:
    """Window and lateness arithmetic saturates at the years 1 and 9999 instead of overflowing."""
    events = [make_event(time=t, target="EST", intent="unknown") for t in times]
    report = evaluate(events, nato)
    assert report.status("RL2") == "crossed"
    assert [f.clause for f in report.red_line("RL2").findings].count("probing") == 1


def test_regression_a_huge_allowed_lateness_saturates(nato: Ruleset) -> None:
    ev = Evaluator(nato, allowed_lateness=dt.timedelta.max)
    ev.feed(make_event(time="9999-12-20T00:00:00Z"))
    ev.feed(make_event(time="0001-01-01"))
    assert ev.late_events == []


def test_a_negative_allowed_lateness_is_an_input_error(nato: Ruleset) -> None:
    with pytest.raises(InputError, match="allowed_lateness must be a duration of zero or more"):
        Evaluator(nato, allowed_lateness=dt.timedelta(days=-1))
