"""The explanation model: its JSON shape (fixed keys) and its text form."""

from __future__ import annotations

import datetime as dt
import json

from redlines.explain import (
    Check,
    ClauseExplanation,
    Explanation,
    PatternExplanation,
    RedLineExplanation,
)
from redlines.explain.model import short_time

T = dt.datetime(2025, 10, 4, tzinfo=dt.timezone.utc)

FAILING = Check("actor_type", "eq", "state_forces", "individuals", False)
HOLDING = Check("attribution", "eq", "confirmed", "confirmed", True)


def clause(name: str, level: str, *checks: Check, possible: bool = True) -> ClauseExplanation:
    failed = sum(not c.ok for c in checks)
    return ClauseExplanation(name, level, possible and failed == 0, failed, checks, possible)


def probing(count: int, *, selected: bool = True, unselected: str = "") -> PatternExplanation:
    ids = tuple(f"e{i}" for i in range(1, count + 1))
    return PatternExplanation("probing", "crossed", selected, "POL", ids, count, 3, T, unselected)


def test_the_json_form_has_the_keys_of_the_spec() -> None:
    explanation = Explanation(
        "f.yaml",
        "e1",
        (
            RedLineExplanation(
                "RL1",
                "clear",
                (clause("third-party-attack", "crossed", FAILING, HOLDING),),
                (probing(2),),
            ),
        ),
    )
    assert json.loads(explanation.to_json()) == explanation.to_dict()
    assert explanation.to_dict() == {
        "file": "f.yaml",
        "event": "e1",
        "redlines": [
            {
                "id": "RL1",
                "level": "clear",
                "clauses": [
                    {
                        "clause": "third-party-attack",
                        "level": "crossed",
                        "matched": False,
                        "failed": 1,
                        "conditions": [
                            {
                                "field": "actor_type",
                                "op": "eq",
                                "expected": "state_forces",
                                "actual": "individuals",
                                "ok": False,
                            },
                            {
                                "field": "attribution",
                                "op": "eq",
                                "expected": "confirmed",
                                "actual": "confirmed",
                                "ok": True,
                            },
                        ],
                    }
                ],
                "patterns": [
                    {
                        "pattern": "probing",
                        "selected": True,
                        "key": "POL",
                        "events": ["e1", "e2"],
                        "count": 2,
                        "need": 3,
                        "window_ends": "2025-10-04T00:00:00+00:00",
                    }
                ],
            }
        ],
    }


def test_the_text_form_reads_plainly() -> None:
    rl1 = RedLineExplanation(
        "RL1", "clear", (clause("third-party-attack", "crossed", FAILING, HOLDING),), (probing(2),)
    )
    assert str(Explanation("f.yaml", "e1", (rl1,))) == (
        "event e1 in f.yaml\n"
        "RL1 clear — nearest: third-party-attack (crossed), 1 condition fails: actor_type is "
        "'individuals', needs 'state_forces'\n"
        "  third-party-attack (crossed): 1 condition fails: actor_type is 'individuals', needs "
        "'state_forces'\n"
        "  probing POL: 2 of 3 in the window; a third by 2025-10-04T00:00Z completes it\n"
    )


def test_headlines_name_what_gave_the_level_and_what_came_nearest() -> None:
    matched = clause("activity", "warning", HOLDING)
    near = clause("attack", "crossed", FAILING, Check("intent", "eq", "deliberate", None, False))
    warning = RedLineExplanation("RL2", "warning", (near, matched), ())
    assert warning.headline() == (
        "RL2 warning — by activity; nearest: attack (crossed), 2 conditions fail: actor_type is "
        "'individuals', needs 'state_forces'; intent is absent, needs 'deliberate'"
    )
    by_pattern = RedLineExplanation("RL2", "crossed", (near, matched), (probing(3),))
    assert by_pattern.headline() == "RL2 crossed — by pattern probing, also matched activity"
    both = RedLineExplanation(
        "RL1", "crossed", (clause("a", "crossed"), clause("b", "crossed")), ()
    )
    assert both.headline() == "RL1 crossed — by a, also matched b"
    assert RedLineExplanation("RL3", "clear", (), (probing(0),)).headline() == "RL3 clear"


def test_nearest_takes_the_fewest_failing_then_the_first_defined() -> None:
    two = clause("two", "crossed", FAILING, FAILING)
    one = clause("one", "warning", FAILING)
    other = clause("other", "crossed", FAILING)
    never = clause("never", "crossed", possible=False)
    rl = RedLineExplanation("RL", "clear", (never, two, one, other), ())
    assert rl.nearest() is one
    assert rl.nearest(above="warning") is other


def test_clause_lines() -> None:
    assert clause("c", "warning", HOLDING, HOLDING).line() == (
        "c (warning): matched on attribution 'confirmed'"
    )
    assert clause("c", "warning").line() == "c (warning): matched (no condition)"
    assert clause("c", "crossed", possible=False).line() == "c (crossed): can never match"
    absent = Check("on_behalf_of", "exists", False, "RUS", False)
    assert clause("c", "crossed", absent).line() == (
        "c (crossed): 1 condition fails: on_behalf_of is 'RUS', needs no value"
    )
    member = Check("target", "in", ["EST", "POL"], "ROU", False)
    assert member.failure() == "target is 'ROU', needs one of ['EST', 'POL']"


def test_pattern_lines() -> None:
    assert probing(1).line() == (
        "probing POL: 1 of 3 in the window; 2 more by 2025-10-04T00:00Z complete it"
    )
    assert probing(3).line() == "probing POL: 3 of 3 in the window: complete (crossed)"
    assert probing(2).line(ids=True) == (
        "probing POL: 2 of 3 in the window (e1, e2); a third by 2025-10-04T00:00Z completes it"
    )
    unselected = probing(2, selected=False, unselected="attribution is 'suspected', needs 'x'")
    assert unselected.line() == (
        "probing POL: not selected (attribution is 'suspected', needs 'x'); the window around it "
        "holds 2 (3 needed)"
    )
    many = PatternExplanation("p", "warning", True, "", ("a",) * 21, 21, 22, T)
    assert many.line() == "p: 21 of 22 in the window; a 22nd by 2025-10-04T00:00Z completes it"


def test_short_time() -> None:
    assert short_time(T) == "2025-10-04T00:00Z"
    assert short_time(T.replace(second=5)) == "2025-10-04T00:00:05Z"
    east = dt.timezone(dt.timedelta(hours=2))
    assert short_time(dt.datetime(2025, 9, 9, 23, 30, tzinfo=east)) == "2025-09-09T21:30Z"


def test_only_one_red_line_and_control_characters() -> None:
    rl = RedLineExplanation("RL1", "clear", (), ())
    explanation = Explanation(
        None, "evil\x1b[31m", (rl, RedLineExplanation("RL2", "clear", (), ()))
    )
    assert [r.id for r in explanation.only("RL2").redlines] == ["RL2"]
    assert str(explanation).startswith("event evil\\x1b[31m\nRL1 clear\n")
    assert explanation.levels() == {"RL1": "clear", "RL2": "clear"}
