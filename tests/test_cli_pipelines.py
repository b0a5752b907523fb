"""Pipelines and evidence: `run -`, -o, --fail-on, NO_COLOR, --rejections - and help texts;
place, sources and description in reports; the report's DataFrames."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import redlines
from redlines.cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK

from .test_cli import SCENARIO, run

EVENTS = (
    '{"id": "e1", "time": "2024-06-01T04:00:00+00:00", "actor": "BLR", "target": "UKR", '
    '"kind": "ground_offensive", "intent": "deliberate", '
    '"location": {"country": "UKR", "region": "UA-07", "place": "Kovel"}, '
    '"sources": ["https://a.example", "https://b.example", "https://c.example", '
    '"https://d.example"]}\n'
    '{"id": "e2", "time": "2024-06-02T04:00:00+00:00", "actor": "RUS", "target": "POL", '
    '"kind": "drone_strike", "intent": "stray"}\n'
    '{"id": "e3", "time": "2024-06-03T04:00:00+00:00", "actor": "FRA", "target": "DEU", '
    '"kind": "threat"}\n'
)
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + "description: A test of the evidence.\n")
    return path


@pytest.fixture
def events(tmp_path: Path) -> Path:
    path = tmp_path / "e.jsonl"
    path.write_text(EVENTS)
    return path


def test_run_reads_stdin(
    events: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(EVENTS))
    code, out, err = run(capsys, "run", "--format", "json", "-")
    assert code == EXIT_OK and err == ""
    data = json.loads(out)
    assert data["file"] == "<stdin>" and data["events"] == 3
    _, from_file, _ = run(capsys, "run", "--format", "json", str(events))
    assert data["redlines"] == json.loads(from_file)["redlines"]


def test_run_stdin_problems_name_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("{not json}\n"))
    code, out, err = run(capsys, "run", "-")
    assert code == EXIT_ERROR and out == ""
    assert err.startswith("error: <stdin>:1") and "Traceback" not in err
    assert run(capsys, "run", "-", "-")[0] == EXIT_ERROR


def test_output_file(scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    code, out, err = run(capsys, "run", "--format", "json", "-o", str(target), str(scenario))
    assert (code, out, err) == (EXIT_OK, "", "")
    _, expected, _ = run(capsys, "run", "--format", "json", str(scenario))
    assert target.read_text() == expected
    code, out, _ = run(capsys, "run", "--output", str(target), "--color", str(scenario))
    assert code == EXIT_OK and "\x1b[" in target.read_text()  # --color is obeyed
    code, _, _ = run(capsys, "run", "-o", str(target), str(scenario))
    assert "\x1b[" not in target.read_text()  # a file is no terminal
    code, _, err = run(capsys, "run", "-o", str(tmp_path / "no" / "r.txt"), str(scenario))
    assert code == EXIT_ERROR and "cannot write" in err


def test_output_to_dev_null(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "run", "-o", "/dev/null", str(scenario)) == (EXIT_OK, "", "")


@pytest.mark.parametrize(
    ("level", "file", "code"),
    [
        ("crossed", "s", EXIT_FAIL),
        ("warning", "s", EXIT_FAIL),
        ("crossed", "calm", EXIT_OK),
        ("warning", "calm", EXIT_OK),
        ("crossed", "warn", EXIT_OK),
        ("warning", "warn", EXIT_FAIL),
    ],
)
def test_fail_on(
    level: str,
    file: str,
    code: int,
    scenario: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = EVENTS.splitlines()
    paths = {"s": scenario, "calm": tmp_path / "calm.jsonl", "warn": tmp_path / "warn.jsonl"}
    paths["calm"].write_text(lines[2] + "\n")
    paths["warn"].write_text(lines[1].replace('"stray"', '"unknown"') + "\n")
    got, out, _ = run(capsys, "run", "--fail-on", level, str(paths[file]))
    assert got == code and "RED LINE" in out  # the report is printed either way
    assert run(capsys, "run", "--fail-on", "bogus", str(scenario))[0] == EXIT_ERROR


def test_no_color(
    scenario: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, "run", str(scenario))
    assert code == EXIT_OK and "\x1b[" not in out
    code, out, _ = run(capsys, "run", "--color", str(scenario))
    assert "\x1b[" in out  # an explicit --color wins over NO_COLOR (no-color.org)
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset


def test_rejections_to_stdout_needs_output(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "run", "--rejections", "-", str(scenario))
    assert code == EXIT_ERROR and out == ""
    assert "--rejections - writes to standard output" in err and "-o FILE" in err
    assert run(capsys, "run", "--rejections", "-", "-o", "-", str(scenario))[0] == EXIT_ERROR
    target = tmp_path / "r.txt"
    code, out, _ = run(capsys, "run", "--rejections", "-", "-o", str(target), str(scenario))
    assert code == EXIT_OK and out == "" and "RED LINE" in target.read_text()
    assert run(capsys, "convert", "x.csv", "-o", "-", "--rejections", "-")[0] == EXIT_ERROR
    code, _, err = run(capsys, "explain", str(scenario), "--event", "e1", "--rejections", "-")
    assert code == EXIT_ERROR and "explanation" in err


@pytest.mark.parametrize(
    "command", ["run", "test", "explain", "check", "rules", "convert", "schema"]
)
def test_help_states_exit_codes(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == EXIT_OK and "Exit codes:" in out
    if command == "rules":
        assert "scenario" not in out


def test_group_help_is_not_cut(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK and "exits 0" in out
    commands = out.split("Commands:")[1].strip().splitlines()
    assert len(commands) == 8 and not any(line.endswith("...") for line in commands)


def test_reports_carry_the_evidence(
    events: Path, scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "run", "--format", "json", str(events))
    (f,) = json.loads(out)["redlines"][0]["findings"]
    assert f["place"] == "Kovel, UA-07, UKR"
    assert f["sources"] == {
        "count": 4,
        "first": ["https://a.example", "https://b.example", "https://c.example"],
    }
    _, text, _ = run(capsys, "run", str(events))
    assert "place: Kovel, UA-07, UKR  sources: https://a.example" in text and "(+1 more)" in text
    _, md, _ = run(capsys, "run", "--format", "markdown", str(events))
    assert "Place: Kovel, UA-07, UKR; sources: https://a.example" in md
    for fmt in ("text", "markdown"):
        _, out, _ = run(capsys, "run", "--format", fmt, str(scenario))
        assert "A test of the evidence." in out


def test_finding_names_match_the_json() -> None:
    report = redlines.evaluate_file(EXAMPLES / "events.jsonl")
    finding = next(f for r in report.redlines for f in r.findings if f.basis == "event")
    assert (finding.kind, finding.matched) == (finding.basis, finding.matched_clauses)
    assert finding.to_dict()["matched_clauses"] == list(finding.matched_clauses)


def test_frames() -> None:
    pytest.importorskip("pandas")
    report = redlines.evaluate_file(
        EXAMPLES / "scenarios" / "14-probing-poland-september-2025.yaml"
    )
    findings = report.to_dataframe()
    assert list(findings.columns) == [
        "red_line",
        "level",
        "clause",
        "basis",
        "event_ids",
        "time",
        "reason",
        "place",
        "sources",
    ]
    assert len(findings) == sum(len(r.findings) for r in report.redlines)
    assert set(findings["basis"]) == {"event", "pattern"}
    levels = report.levels_frame()
    assert list(levels.columns) == ["time", "RL1", "RL2"]
    assert len(levels) == report.events and levels.index.name == "event"
    assert set(levels["RL1"]) == {"clear"}
    assert set(levels["RL2"]) == {"warning"}  # per-event levels: the pattern raises none


def test_levels_frame_of_a_live_evaluator() -> None:
    pytest.importorskip("pandas")
    ev = redlines.Evaluator("nato-2024")
    for line in EVENTS.splitlines():
        ev.feed(json.loads(line))
    levels = ev.report().levels_frame()
    assert list(levels.index) == ["e1", "e2", "e3"]
    assert list(levels["RL1"]) == ["crossed", "clear", "clear"]
