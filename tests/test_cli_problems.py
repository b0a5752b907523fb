"""The command line and problems: warnings and --strict, --context, and every problem of
every file in one round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redlines.cli import EXIT_ERROR, EXIT_OK

from .test_cli import SCENARIO, run

SHADOWED = """schema: redlines/rules/v1
name: shadowed
version: "1"
title: t
red_lines:
  - id: RL1
    title: x
    clauses:
      - {id: any-military, level: crossed, when: {field: kind, in: MILITARY}, reason: r}
      - {id: offensive, level: warning, when: {field: kind, eq: ground_offensive}, reason: r}
  - id: RL2
    title: y
    clauses:
      - {id: never, level: warning, when: {all: [{field: kind, eq: threat}, {field: kind, eq: sabotage}]}, reason: r}
"""
WARNINGS = [
    "warning: {f}:10:14: field 'red_lines[0].clauses[1].id': clause 'offensive' never names a finding: every event it matches is also matched by clause 'any-military' (crossed: a higher level), which names the finding instead",
    "warning: {f}:14:43: field 'red_lines[1].clauses[0].when': clause 'never' can never match: its tests on 'kind' exclude each other",
]


@pytest.fixture
def shadowed(tmp_path: Path) -> Path:
    path = tmp_path / "shadowed.yaml"
    path.write_text(SHADOWED)
    return path


def test_check_prints_warnings_and_exits_0(
    shadowed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", str(shadowed))
    assert code == EXIT_OK and out.startswith(f"ok {shadowed}: shadowed 1")
    assert err.splitlines() == [w.format(f=shadowed) for w in WARNINGS]


def test_strict_turns_warnings_into_exit_2(
    shadowed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", "--strict", str(shadowed))
    assert code == EXIT_ERROR and err.splitlines() == [w.format(f=shadowed) for w in WARNINGS]
    assert run(capsys, "check", "--strict", "nato-2024")[0] == EXIT_OK


def test_run_and_test_print_the_warnings_of_the_rulesets_they_use(
    shadowed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)
    code, out, err = run(capsys, "run", "--format", "json", "--rules", str(shadowed), str(scenario))
    assert code == EXIT_OK and json.loads(out)["ruleset"]["name"] == "shadowed"
    assert err.splitlines() == [w.format(f=shadowed) for w in WARNINGS]
    code, out, err = run(capsys, "run", "--strict", "--rules", str(shadowed), str(scenario))
    assert code == EXIT_ERROR and out == ""
    code, out, err = run(capsys, "test", "--strict", "--rules", str(shadowed), str(scenario))
    assert code == EXIT_ERROR and out == "" and err.count("warning: ") == 2


def test_context_shows_the_line_and_a_caret_below_the_unchanged_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.replace("actor: BLR", "actor: Belarusia"))
    first = f"error: {bad}:6:12: field 'events[0].actor': unknown country 'Belarusia' (did you mean 'Belarus'?)"
    code, _, err = run(capsys, "run", "--context", str(bad))
    assert code == EXIT_ERROR
    assert err.splitlines() == [
        first,
        "    6 |     actor: Belarusia",
        "      |            ^^^^^^^^^",
    ]
    code, _, err = run(capsys, "run", "--no-context", str(bad))
    assert err.splitlines() == [first]
    code, _, err = run(capsys, "run", str(bad))  # stderr is not a terminal here
    assert err.splitlines() == [first]


def test_context_never_reaches_machine_output(
    shadowed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(SCENARIO)
    code, out, err = run(
        capsys, "run", "--format", "json", "--context", "--rules", str(shadowed), str(scenario)
    )
    assert code == EXIT_OK and json.loads(out)["scenario"] == "Belarus opens a northern front"
    assert "      | " in err


def test_check_context_shows_warnings_too(
    shadowed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = run(capsys, "check", "--context", str(shadowed))
    assert err.splitlines()[:3] == [
        WARNINGS[0].format(f=shadowed),
        "   10 |       - {id: offensive, level: warning, when: {field: kind, eq: ground_offensive}, reason: r}",
        "      |              ^^^^^^^^^",
    ]


def test_regression_test_reports_read_and_expect_problems_of_all_files_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown red line in one scenario's expect was reported only once the other
    scenarios read without a problem."""
    broken = tmp_path / "a.yaml"
    broken.write_text(SCENARIO.replace("kind: ground_offensive", "kind: ground_ofensive"))
    expects = tmp_path / "b.yaml"
    expects.write_text(SCENARIO.replace("RL2: clear", "RL3: clear"))
    code, out, err = run(capsys, "test", str(tmp_path))
    assert code == EXIT_ERROR and out == ""
    assert err.splitlines() == [
        f"error: {broken}:8:11: field 'events[0].kind': unknown kind 'ground_ofensive' (did you mean 'ground_offensive'?)",
        f"error: {expects}:13: field 'expect.RL3': unknown red line 'RL3' in expect (the ruleset has RL1, RL2) (did you mean 'RL2'?)",
    ]


def test_a_broken_rule_file_gives_every_problem_in_one_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        SHADOWED.replace("level: crossed", "level: severe").replace("in: MILITARY", "in: MILITRY")
    )
    code, _, err = run(capsys, "check", str(path))
    assert code == EXIT_ERROR
    assert err.splitlines() == [
        f"error: {path}:9:35: field 'red_lines[0].clauses[0].level': input should be 'crossed' or 'warning' (got 'severe')",
        f"error: {path}:9:67: field 'red_lines[0].clauses[0].when.in': unknown set 'MILITRY' (did you mean 'MILITARY'?)",
    ]


def test_strict_still_reports_the_errors_of_other_files(
    shadowed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SHADOWED.replace("level: crossed", "level: severe"))
    code, out, err = run(capsys, "check", "--strict", str(shadowed), str(broken))
    assert code == EXIT_ERROR and out.startswith(f"ok {shadowed}")
    assert [line.split(":")[0] for line in err.splitlines()] == ["warning", "warning", "error"]
