"""The command line's explanations: ``redlines explain``, ``run --explain`` and what
``redlines test`` prints under a mismatch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redlines.cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK

from .conftest import ROOT
from .test_cli import run

SCENARIOS = ROOT / "examples" / "scenarios"
ROMANIA = str(SCENARIOS / "22-romania-not-flank.yaml")


def test_explain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", ROMANIA, "--event", "rus-drone-romania-2025-09-13")
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0] == f"event rus-drone-romania-2025-09-13 in {ROMANIA}"
    assert lines[1].startswith("RL1 clear — nearest: a-military-action (crossed), 2 conditions")
    assert (
        "RL2 clear — nearest: russian-activity (warning), 1 condition fails: target is 'ROU', "
        "needs one of ['EST', 'LTU', 'LVA', 'MDA', 'POL']"
    ) in lines


def test_explain_json_one_red_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "explain",
        str(SCENARIOS / "16-probing-one-suspected.yaml"),
        "--event",
        "lt-jamming",
        "--redline",
        "RL2",
        "--format",
        "json",
    )
    assert code == EXIT_OK
    data = json.loads(out)
    assert list(data) == ["file", "event", "redlines"]
    (rl2,) = data["redlines"]
    assert list(rl2) == ["id", "level", "clauses", "patterns"]
    assert (rl2["id"], rl2["level"]) == ("RL2", "warning")
    assert list(rl2["clauses"][0]) == ["clause", "level", "matched", "failed", "conditions"]
    assert list(rl2["clauses"][0]["conditions"][0]) == ["field", "op", "expected", "actual", "ok"]
    assert rl2["patterns"][0]["events"] == ["lt-jamming", "lt-airspace"]


def test_explain_unknown_event_and_red_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "explain", ROMANIA, "--event", "rus-drone-romania")
    assert (code, out) == (EXIT_ERROR, "")
    assert err == (
        f"error: {ROMANIA}: no event with id 'rus-drone-romania' "
        "(did you mean 'rus-drone-romania-2025-09-13'?)\n"
    )
    code, _, err = run(
        capsys, "explain", ROMANIA, "--event", "rus-drone-romania-2025-09-13", "--redline", "RL3"
    )
    assert code == EXIT_ERROR
    assert err == (
        "error: --redline: unknown red line 'RL3': the ruleset has RL1, RL2 (did you mean 'RL2'?)\n"
    )


def test_explain_invalid_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "explain", str(tmp_path / "none.yaml"), "--event", "x")
    assert code == EXIT_ERROR and "no such file" in err and "Traceback" not in err


def test_run_explain_adds_near_misses(capsys: pytest.CaptureFixture[str]) -> None:
    file = str(SCENARIOS / "10-drones-over-poland-2025.yaml")
    _, plain, _ = run(capsys, "run", "--format", "json", file)
    code, out, _ = run(capsys, "run", "--explain", "--format", "json", file)
    assert code == EXIT_OK
    assert "near_misses" not in plain
    data = json.loads(out)
    assert [r["near_misses"] for r in data["redlines"]] == [
        [],
        [
            {
                "event": "rus-drones-poland-2025-09-10",
                "clause": "deliberate-attack",
                "level": "crossed",
                "failed": [{"field": "intent", "expected": "deliberate", "actual": "unknown"}],
            }
        ],
    ]
    for r in data["redlines"]:
        del r["near_misses"]
    assert data == json.loads(plain)
    _, text, _ = run(capsys, "run", "--explain", file)
    assert text.endswith(
        "RL2 near misses:\n  rus-drones-poland-2025-09-10 missed deliberate-attack (crossed) by "
        "one condition: intent is 'unknown', needs 'deliberate'\n"
    )


def test_test_explains_a_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (SCENARIOS / "10-drones-over-poland-2025.yaml").read_text()
    fail = tmp_path / "fail.yaml"
    fail.write_text(source.replace("RL2: warning", "RL2: crossed"))
    code, out, _ = run(capsys, "test", str(fail))
    assert code == EXIT_FAIL
    assert out == (
        f"FAIL {fail} (Russian drones in Polish airspace, 9-10 September 2025)\n"
        "     RL2: expected crossed, actual warning\n"
        "       rus-drones-poland-2025-09-10: nearest deliberate-attack (crossed): 1 condition "
        "fails: intent is 'unknown', needs 'deliberate'\n"
        "       probing POL: 1 of 3 in the window (rus-drones-poland-2025-09-10); 2 more by "
        "2025-10-09T21:30Z complete it\n"
        "0 passed, 1 failed\n"
    )
