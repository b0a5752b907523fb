"""Near misses (``redlines run --explain``) and what decided a mismatch (``redlines test``)."""

from __future__ import annotations

import json

import redlines
from redlines import Ruleset, evaluate, parse_rules
from redlines.explain import BatchExplainer, mismatch_lines
from redlines.report.model import NearGroup, RedLineResult
from redlines.runner import evaluate_run, explainer, prepare

from ..conftest import ROOT, make_event

SCENARIOS = ROOT / "examples" / "scenarios"


def test_near_misses_are_only_there_when_asked_for() -> None:
    report = redlines.evaluate_file(SCENARIOS / "05-unconfirmed-or-irregular.yaml")
    before = redlines.render([report], "json")
    assert "near_misses" not in before
    report.add_near_misses()
    rl1 = report.to_dict()["redlines"][0]
    assert list(rl1)[-1] == "near_misses"
    assert rl1["near_misses"] == [
        {
            "event": "blr-troops-claim-2022-03-01",
            "clause": "report-example",
            "level": "crossed",
            "failed": [{"field": "attribution", "expected": "confirmed", "actual": "disputed"}],
        },
        {
            "event": "blr-troops-claim-2022-03-01",
            "clause": "a-military-action",
            "level": "crossed",
            "failed": [{"field": "attribution", "expected": "confirmed", "actual": "disputed"}],
        },
        {
            "event": "cub-recruits-2023-09",
            "clause": "b-on-russias-behalf",
            "level": "crossed",
            "failed": [
                {"field": "actor_type", "expected": "state_forces", "actual": "individuals"}
            ],
        },
    ]
    # Everything else in the report is as before.
    after = json.loads(redlines.render([report], "json"))
    for r in after["redlines"]:
        del r["near_misses"]
    assert after == json.loads(before)


def test_a_pattern_group_one_event_short() -> None:
    report = redlines.evaluate_file(SCENARIOS / "16-probing-one-suspected.yaml")
    report.add_near_misses()
    near = report.to_dict()["redlines"][1]["near_misses"]
    assert near == [
        {
            "event": "lt-airspace",
            "clause": "deliberate-attack",
            "level": "crossed",
            "failed": [{"field": "intent", "expected": "deliberate", "actual": "unknown"}],
        },
        {
            "pattern": "probing",
            "level": "crossed",
            "key": "LTU",
            "events": ["lt-jamming", "lt-airspace"],
            "count": 2,
            "need": 3,
            "window_ends": "2024-05-31T00:00:00+00:00",
        },
    ]
    text = redlines.render([report], "text")
    assert text.endswith(
        "\nRL2 near misses:\n"
        "  lt-airspace missed deliberate-attack (crossed) by one condition: intent is 'unknown', "
        "needs 'deliberate'\n"
        "  probing LTU: 2 of 3 in the window (lt-jamming, lt-airspace); a third by "
        "2024-05-31T00:00Z completes it\n"
    )
    markdown = redlines.render([report], "markdown")
    assert "\n### RL2 near misses\n\n- lt-airspace missed deliberate-attack" in markdown


def pattern_rules(count: int) -> Ruleset:
    doc = {
        "schema": "redlines/rules/v1",
        "name": "t",
        "version": "1",
        "title": "t",
        "red_lines": [
            {
                "id": "X",
                "title": "x",
                "patterns": [
                    {"id": "p", "select": {}, "count": count, "within": "30d", "reason": "r"}
                ],
            }
        ],
    }
    return parse_rules(json.dumps(doc), "<t>")


def groups(rules: Ruleset, days: list[int]) -> list[tuple[str, ...]]:
    events = [make_event(id=f"d{d}", time=f"2024-{1 + d // 31:02d}-{1 + d % 31:02d}") for d in days]
    near = BatchExplainer(rules, events).near_misses()["X"]
    return [n.events for n in near if isinstance(n, NearGroup)]


def test_one_short_groups_are_maximal_windows() -> None:
    three = pattern_rules(3)
    # 0, 10 and 20 complete the pattern; 20 and 45 are a new window one short.
    assert groups(three, [0, 10, 20, 45]) == [("d20", "d45")]
    assert groups(three, [0, 10, 50]) == [("d0", "d10")]
    assert groups(three, [0, 40, 80]) == []
    assert groups(pattern_rules(2), [0, 40]) == [("d0",), ("d40",)]


def result(report: redlines.Report, red_line: str) -> RedLineResult:
    return report.red_line(red_line)


def scenario(name: str) -> tuple[redlines.Report, BatchExplainer]:
    run = prepare(SCENARIOS / name)
    return evaluate_run(run), explainer(run)


def test_a_level_not_reached_shows_the_nearest_misses() -> None:
    report, why = scenario("10-drones-over-poland-2025.yaml")
    assert mismatch_lines(why, result(report, "RL2"), "status", "crossed", "warning") == [
        "rus-drones-poland-2025-09-10: nearest deliberate-attack (crossed): 1 condition fails: "
        "intent is 'unknown', needs 'deliberate'",
        "probing POL: 1 of 3 in the window (rus-drones-poland-2025-09-10); 2 more by "
        "2025-10-09T21:30Z complete it",
    ]


def test_a_level_overshot_shows_what_gave_it() -> None:
    report, why = scenario("14-probing-poland-september-2025.yaml")
    assert mismatch_lines(why, result(report, "RL2"), "status", "warning", "crossed") == [
        "probing POL: 3 of 3 in the window (rus-drones-poland-2025-09-10, rus-zapad-2025-09-12, "
        "rus-jets-petrobaltic-2025-09-19): complete (crossed)"
    ]
    report, why = scenario("01-belarus-northern-front.yaml")
    lines = mismatch_lines(why, result(report, "RL1"), "status", "warning", "crossed")
    assert lines[0].startswith("blr-kovel: report-example (crossed): matched on ")
    assert "actor 'BLR'" in lines[0] and "location.region 'UA-07'" in lines[0]


def test_a_pattern_not_reached_names_the_events_it_leaves_out() -> None:
    report, why = scenario("16-probing-one-suspected.yaml")
    lines = mismatch_lines(why, result(report, "RL2"), "status", "crossed", "warning")
    assert lines[-2:] == [
        "probing LTU: 2 of 3 in the window (lt-jamming, lt-airspace); a third by "
        "2024-05-31T00:00Z completes it",
        "lt-arson: not selected by probing (attribution is 'suspected', needs 'confirmed')",
    ]


def test_first_crossed_at_and_clauses(nato: Ruleset) -> None:
    events = [
        make_event(id="a", time="2024-03-01", target="LVA", kind="electronic_warfare"),
        make_event(id="b", time="2024-03-10", target="LVA", intent="deliberate"),
    ]
    report = evaluate(events, nato)
    why = BatchExplainer(nato, events)
    rl2 = result(report, "RL2")
    first = mismatch_lines(
        why, rl2, "first_crossed_at", "2024-03-01T00:00:00+00:00", "2024-03-10T00:00:00+00:00"
    )
    assert first == [
        "b: deliberate-attack (crossed): matched on target 'LVA', attribution 'confirmed', "
        "actor 'RUS', actor_type 'state_forces', intent 'deliberate', kind 'drone_strike'"
    ]
    clauses = mismatch_lines(
        why, rl2, "clauses", "probing, russian-activity", "deliberate-attack, russian-activity"
    )
    assert clauses == [
        first[0],
        "probing LVA: 1 of 3 in the window (a); 2 more by 2024-03-31T00:00Z complete it",
        "b: not selected by probing (it counts warning events; this one is crossed)",
    ]
    never = mismatch_lines(why, result(report, "RL1"), "first_crossed_at", "2024-03-01", "never")
    assert never[0] == (
        "b: nearest a-military-action (crossed): 2 conditions fail: actor is 'RUS', must not be "
        "one of ['RUS', 'UKR']; target is 'LVA', needs 'UKR'"
    )


def test_many_misses_are_cut_short(nato: Ruleset) -> None:
    events = [make_event(id=f"e{i}", intent="unknown", target="UKR") for i in range(8)]
    report = evaluate(events, nato)
    lines = mismatch_lines(
        BatchExplainer(nato, events), result(report, "RL2"), "status", "warning", "clear"
    )
    assert lines[4].startswith("e4: nearest ") and lines[5] == "... and 3 more"
    assert lines[6] == "probing: no event is selected"
