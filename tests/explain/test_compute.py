"""Explanations computed from the reference matcher over the conditions as written: example
scenarios, membership as the author wrote it, values in the event format, patterns, and the
Python entry points (``Report.explain``, ``Evaluator.explain``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import redlines
from redlines import Evaluator, EventError, Ruleset, evaluate, parse_rules
from redlines.compile import compile_ruleset
from redlines.explain import BatchExplainer, Explanation
from redlines.rules.operators import MAX_REGEX_CHARS

from ..conftest import ROOT, make_event

SCENARIOS = ROOT / "examples" / "scenarios"


def rules_with(when: dict[str, Any], *, applies_when: dict[str, Any] | None = None) -> Ruleset:
    red_line: dict[str, Any] = {
        "id": "X",
        "title": "x",
        "clauses": [{"id": "c", "level": "crossed", "when": when, "reason": "r"}],
    }
    if applies_when is not None:
        red_line["applies_when"] = applies_when
    doc = {
        "schema": "redlines/rules/v1",
        "name": "t",
        "version": "1",
        "title": "t",
        "red_lines": [red_line],
    }
    return parse_rules(json.dumps(doc), "<t>")


def explain_one(rules: Ruleset, **event: Any) -> Explanation:
    e = make_event(**event)
    explanation: Explanation = evaluate([e], rules).explain(e.id)
    return explanation


def conditions(explanation: Explanation) -> list[dict[str, Any]]:
    return explanation.to_dict()["redlines"][0]["clauses"][0]["conditions"]  # type: ignore[no-any-return]


def test_romania_is_one_condition_from_an_rl2_warning() -> None:
    report = redlines.evaluate_file(SCENARIOS / "22-romania-not-flank.yaml")
    explanation = report.explain("rus-drone-romania-2025-09-13")
    rl2 = explanation.red_line("RL2")
    assert rl2.level == "clear"
    assert rl2.headline() == (
        "RL2 clear — nearest: russian-activity (warning), 1 condition fails: target is 'ROU', "
        "needs one of ['EST', 'LTU', 'LVA', 'MDA', 'POL']"
    )
    (failing,) = [c for c in rl2.clause("russian-activity").conditions if not c.ok]
    assert failing.to_dict() == {
        "field": "target",
        "op": "in",
        "expected": ["EST", "LTU", "LVA", "MDA", "POL"],
        "actual": "ROU",
        "ok": False,
    }
    assert explanation.red_line("RL1").level == "clear"


def test_recruits_miss_the_crossing_by_their_actor_type() -> None:
    report = redlines.evaluate_file(SCENARIOS / "05-unconfirmed-or-irregular.yaml")
    rl1 = report.explain("cub-recruits-2023-09").red_line("RL1")
    assert rl1.level == "warning"
    assert rl1.clause("unconfirmed-or-irregular").matched
    assert rl1.headline() == (
        "RL1 warning — by unconfirmed-or-irregular; nearest: b-on-russias-behalf (crossed), "
        "1 condition fails: actor_type is 'individuals', needs 'state_forces'"
    )
    claim = report.explain("blr-troops-claim-2022-03-01").red_line("RL1")
    assert claim.nearest() is claim.clause("report-example")
    assert [c.failure() for c in claim.clause("report-example").conditions if not c.ok] == [
        "attribution is 'disputed', needs 'confirmed'"
    ]


def test_every_clause_of_every_red_line_is_listed(nato: Ruleset) -> None:
    report = redlines.evaluate_file(SCENARIOS / "01-belarus-northern-front.yaml")
    explanation = report.explain("blr-kovel")
    assert [[c.clause for c in r.clauses] for r in explanation.redlines] == [
        [c.id for c in rl.clauses] for rl in nato.red_lines
    ]
    rl1 = explanation.red_line("RL1")
    assert rl1.level == "crossed" and rl1.headline().startswith("RL1 crossed — by report-example")
    assert all(c.failed == 0 for c in rl1.clauses if c.matched)


def test_probing_counts_the_window_and_says_when_it_closes() -> None:
    report = redlines.evaluate_file(SCENARIOS / "16-probing-one-suspected.yaml")
    (jamming,) = report.explain("lt-jamming").red_line("RL2").patterns
    assert jamming.to_dict() == {
        "pattern": "probing",
        "selected": True,
        "key": "LTU",
        "events": ["lt-jamming", "lt-airspace"],
        "count": 2,
        "need": 3,
        "window_ends": "2024-05-31T00:00:00+00:00",
    }
    assert jamming.line() == (
        "probing LTU: 2 of 3 in the window; a third by 2024-05-31T00:00Z completes it"
    )
    (arson,) = report.explain("lt-arson").red_line("RL2").patterns
    assert not arson.selected and arson.events == ("lt-jamming", "lt-airspace")
    assert arson.line() == (
        "probing LTU: not selected (attribution is 'suspected', needs 'confirmed'); "
        "the window around it holds 2 (3 needed)"
    )


def test_a_completed_pattern_gives_its_events_its_level() -> None:
    report = redlines.evaluate_file(SCENARIOS / "14-probing-poland-september-2025.yaml")
    for event_id in report.red_line("RL2").findings[-1].event_ids:
        rl2 = report.explain(event_id).red_line("RL2")
        assert rl2.level == "crossed"
        assert rl2.patterns[0].complete and rl2.patterns[0].count == 3
    assert report.explain("rus-zapad-2025-09-12").red_line("RL2").headline() == (
        "RL2 crossed — by pattern probing, also matched russian-activity"
    )


def test_window_edges_are_inclusive_to_the_second() -> None:
    exact = redlines.evaluate_file(SCENARIOS / "17-probing-exactly-30-days.yaml")
    (probing,) = exact.explain("lv-1").red_line("RL2").patterns
    assert (probing.count, probing.window_ends.isoformat()) == (3, "2024-03-31T12:00:00+00:00")
    late = redlines.evaluate_file(SCENARIOS / "18-probing-30-days-and-1-second.yaml")
    first = next(e for e in late.explain("lv-1").redlines if e.id == "RL2")
    assert (first.level, first.patterns[0].count) == ("warning", 2)


def test_membership_shows_as_written_not_as_the_engine_splits_it() -> None:
    """``in`` with members a durable regex cannot hold compiles to one ``eq`` per member, and a
    long one to several regex chunks; explanations show the one ``in`` the author wrote."""
    places = ["Kovel", "Nova Kakhovka", "St. Petersburg"]
    rules = rules_with({"field": "location.place", "in": places})
    assert len(compile_ruleset(rules).rules[0].alternatives) == 3  # the engine's form
    (check,) = conditions(explain_one(rules, location={"place": "Lviv"}))
    assert check == {
        "field": "location.place",
        "op": "in",
        "expected": ["Kovel", "Nova Kakhovka", "St. Petersburg"],
        "actual": "Lviv",
        "ok": False,
    }
    many = [f"place-{i:04d}" for i in range(MAX_REGEX_CHARS // 5)]
    rules = rules_with({"field": "location.place", "in": many})
    assert len(compile_ruleset(rules).rules[0].alternatives) > 1
    (check,) = conditions(explain_one(rules, location={"place": "place-0007"}))
    assert check["ok"] and check["expected"] == sorted(many)


def test_values_are_shown_in_the_event_format() -> None:
    rules = rules_with(
        {
            "all": [
                {"field": "time", "ge": "2024-06-02"},
                {"field": "on_behalf_of", "exists": True},
                {"field": "kind", "in": "MILITARY"},
                {"field": "fatalities", "in": [3, 1, 2]},
            ]
        }
    )
    checks = conditions(explain_one(rules, time="2024-06-01T05:00:00+02:00", kind="threat"))
    assert checks == [
        {
            "field": "time",
            "op": "ge",
            "expected": "2024-06-02T00:00:00+00:00",
            "actual": "2024-06-01T03:00:00+00:00",
            "ok": False,
        },
        {"field": "on_behalf_of", "op": "exists", "expected": True, "actual": None, "ok": False},
        {
            "field": "kind",
            "op": "in",
            "expected": sorted(redlines.KIND_GROUPS["MILITARY"]),
            "actual": "threat",
            "ok": False,
        },
        {"field": "fatalities", "op": "in", "expected": [1, 2, 3], "actual": None, "ok": False},
    ]


def test_the_nearest_alternative_wins_and_ties_go_to_the_first_written() -> None:
    rules = rules_with(
        {
            "any": [
                {"all": [{"field": "actor", "eq": "BLR"}, {"field": "kind", "eq": "threat"}]},
                {"field": "actor", "eq": "POL"},
                {"field": "actor", "eq": "LTU"},
            ]
        },
        applies_when={"field": "target", "eq": "POL"},
    )
    explanation = explain_one(rules, actor="RUS", target="POL")
    (c,) = explanation.red_line("X").clauses
    assert (c.failed, [(k.field, k.expected, k.ok) for k in c.conditions]) == (
        1,
        [("target", "POL", True), ("actor", "POL", False)],
    )


def test_a_clause_no_event_can_match() -> None:
    rules = rules_with({"all": [{"field": "actor", "eq": "RUS"}, {"field": "actor", "ne": "RUS"}]})
    (c,) = explain_one(rules).red_line("X").clauses
    assert (c.matched, c.possible, c.failed, c.conditions) == (False, False, 0, ())
    assert c.line() == "c (crossed): can never match"


def test_an_unknown_id_gets_a_did_you_mean(nato: Ruleset) -> None:
    report = evaluate([make_event(id="rus-drone-1")], nato, file="drones.yaml")
    with pytest.raises(EventError) as exc:
        report.explain("rus-drone-2")
    assert str(exc.value) == (
        "drones.yaml: no event with id 'rus-drone-2' (did you mean 'rus-drone-1'?)"
    )


def test_the_explainer_is_private_and_never_serialised(nato: Ruleset) -> None:
    report = evaluate([make_event(id="a")], nato)
    assert "_explainer" not in json.dumps(report.to_dict())
    assert "explainer" not in repr(report)
    assert report == evaluate([make_event(id="a")], nato)


def test_a_streaming_report_explains_nothing(nato: Ruleset) -> None:
    live = Evaluator(nato)
    live.feed(make_event(id="a"))
    with pytest.raises(EventError, match=r"Evaluator\.explain"):
        live.report().explain("a")


def test_the_evaluator_explains_over_what_it_holds(nato: Ruleset) -> None:
    live = Evaluator(nato)

    def warning(i: str, day: int) -> dict[str, Any]:
        return {
            "id": i,
            "time": f"2024-03-{day:02d}",
            "actor": "RUS",
            "target": "LVA",
            "kind": "electronic_warfare",
        }

    live.feed_many([warning("a", 1), warning("b", 10)])
    fed = live.explain(warning("b", 10)).red_line("RL2")
    assert (fed.level, fed.patterns[0].count) == ("warning", 2)
    third = live.explain(warning("c", 20)).red_line("RL2")
    assert (third.level, third.patterns[0].events) == ("crossed", ("a", "b", "c"))
    assert live.events_seen == 2 and live.report().status("RL2") == "warning"
    live.feed(warning("c", 20))
    assert live.report().status("RL2") == "crossed"


def test_a_batch_explainer_computes_only_what_it_is_asked(nato: Ruleset) -> None:
    events = [make_event(id=f"e{i}") for i in range(3)]
    explainer = BatchExplainer(nato, events, file="x")
    assert explainer.ids() == ["e0", "e1", "e2"]
    assert explainer.explain("e1") is explainer("e1")
    assert [e.event for e in explainer.explanations()] == ["e0", "e1", "e2"]


def test_reports_of_files_and_dataframes_explain_their_events(tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(
        ROOT / "examples" / "data" / "acled-sample.csv", dtype=str, keep_default_na=False
    )
    report = redlines.evaluate_dataframe(frame, "acled")
    for result in report.redlines:
        for finding in result.findings:
            for event_id in finding.event_ids:
                assert report.explain(event_id).red_line(result.id).level != "clear"
    from_file = redlines.evaluate_file(ROOT / "examples" / "data" / "acled-sample.csv")
    some = from_file.red_line("RL1").findings[0].event_ids[0]
    assert from_file.explain(some).to_dict()["file"] == from_file.file
