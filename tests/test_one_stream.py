"""``redlines run --one-stream``: several inputs evaluated as one stream in event-time order."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from redlines.cli import main
from redlines.errors import EventError, InputError
from redlines.report.render import render
from redlines.runner import evaluate_file, evaluate_stream

from .conftest import shared_data

ROOT = Path(__file__).resolve().parents[1]
#: A ruleset that gives real rows levels and patterns (tests/spark/probe.yaml).
PROBE = ROOT / "tests" / "spark" / "probe.yaml"

# The three warnings of the probing pattern (examples/events.jsonl), split over two files.
FIRST: list[dict[str, Any]] = [
    {
        "id": "pl-1",
        "time": "2025-09-09T23:30:00+02:00",
        "actor": "RUS",
        "target": "POL",
        "kind": "airspace_violation",
        "intent": "unknown",
        "location": {"country": "POL", "region": "PL-06"},
    },
    {
        "id": "pl-3",
        "time": "2025-09-19",
        "actor": "RUS",
        "target": "POL",
        "kind": "border_provocation",
        "intent": "deliberate",
    },
]
SECOND: list[dict[str, Any]] = [
    {
        "id": "pl-2",
        "time": "2025-09-12",
        "actor": "RUS",
        "target": "POL",
        "kind": "military_exercise",
    },
]


def _jsonl(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


@pytest.fixture
def split(tmp_path: Path) -> tuple[Path, Path]:
    return _jsonl(tmp_path / "a.jsonl", FIRST), _jsonl(tmp_path / "b.jsonl", SECOND)


def test_a_pattern_spans_two_files(split: tuple[Path, Path]) -> None:
    a, b = split
    # Apart, neither file holds three warnings within ten days ...
    assert evaluate_file(a).status("RL2") == "warning"
    assert evaluate_file(b).status("RL2") == "warning"
    # ... together they do, and the pattern's finding names events of both files.
    report = evaluate_stream([a, b])
    assert report.status("RL2") == "crossed"
    pattern = [f for f in report.red_line("RL2").findings if f.basis == "pattern"]
    assert [f.event_ids for f in pattern] == [("pl-1", "pl-2", "pl-3")]
    assert report.events == 3
    assert report.file == f"{a}, {b}"
    assert report.input is None  # event files have no row accounting


def test_the_order_of_the_files_does_not_matter(split: tuple[Path, Path]) -> None:
    a, b = split
    one = render([evaluate_stream([a, b])], "json")
    other = render([evaluate_stream([b, a])], "json")
    # Only the file list differs.
    assert one.replace(f"{a}, {b}", "X") == other.replace(f"{b}, {a}", "X")


def test_one_file_gives_the_single_file_report_byte_for_byte(tmp_path: Path) -> None:
    for path in (ROOT / "examples" / "scenarios").glob("1*.yaml"):
        assert render([evaluate_stream([path])], "json") == render([evaluate_file(path)], "json")


def test_the_cli_gives_one_report(
    split: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = split
    assert main(["run", "--format", "json", "--one-stream", str(a), str(b)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert isinstance(report, dict)  # one report, not an array of two
    assert report["redlines"][1]["status"] == "crossed"
    assert main(["run", "--format", "json", str(a), str(b)]) == 0
    reports = json.loads(capsys.readouterr().out)
    assert [r["redlines"][1]["status"] for r in reports] == ["warning", "warning"]
    assert main(["run", "--one-stream", "--fail-on", "crossed", str(a), str(b)]) == 1


def test_a_directory_is_its_files(
    split: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, _ = split
    assert main(["run", "--format", "json", "--one-stream", str(a.parent)]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 3
    assert main(["run", "--format", "json", "--one-stream", str(a.parent / "*.jsonl")]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 3
    assert main(["run", str(a.parent / "*.nothing")]) == 2
    assert "no file matches this pattern" in capsys.readouterr().err


def test_ids_must_be_unique_across_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _jsonl(tmp_path / "a.jsonl", FIRST)
    b = _jsonl(tmp_path / "b.jsonl", [FIRST[0]])
    with pytest.raises(EventError) as caught:
        evaluate_stream([a, b])
    [problem] = caught.value.problems
    assert problem.file == str(b)
    assert "duplicate event id 'pl-1'" in problem.message
    assert "unique across its files" in problem.message
    assert main(["run", "--one-stream", str(a), str(b)]) == 2
    err = capsys.readouterr().err
    assert str(b) in err and "pl-1" in err


def test_every_problem_of_every_file_is_reported(tmp_path: Path) -> None:
    a = _jsonl(tmp_path / "a.jsonl", [{"id": "x", "time": "not a time"}])
    b = _jsonl(tmp_path / "b.jsonl", [{"id": "y", "kind": "no_such_kind"}])
    with pytest.raises(InputError) as caught:
        evaluate_stream([a, b])
    assert {p.file for p in caught.value.problems} == {str(a), str(b)}


def test_scenarios_naming_different_rulesets_cannot_share_a_stream(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    event = "events:\n  - {id: e1, time: 2024-06-01, actor: RUS, target: POL, kind: drone_strike}\n"
    a.write_text("name: A\nrules: nato-2024\n" + event, encoding="utf-8")
    other = ROOT / "examples" / "rulesets" / "taiwan-blockade.yaml"
    b.write_text(f"name: B\nrules: {other}\n" + event.replace("e1", "e2"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        evaluate_stream([a, b])
    [problem] = caught.value.problems
    assert problem.file == str(b) and problem.field == "rules"
    assert "one stream is evaluated against one ruleset" in problem.message
    # --rules decides for every file.
    assert evaluate_stream([a, b], rules="nato-2024").events == 2


def test_exports_and_event_files_in_one_stream(tmp_path: Path) -> None:
    gdelt = shared_data("gdelt", "20191024143000.export.CSV")
    ucdp = shared_data("ucdp", "conflict_data_ukr.csv")
    events = _jsonl(tmp_path / "a.jsonl", FIRST)
    copy = tmp_path / "second.export.CSV"
    shutil.copy(gdelt, copy)
    alone = evaluate_file(gdelt, rules=PROBE)
    assert alone.input is not None
    # Two GDELT files are read together: the rows of one happening are one event across them.
    both = evaluate_stream([gdelt, copy], rules=PROBE)
    assert both.input is not None
    assert both.input["files"] == [str(gdelt), str(copy)]
    assert both.input["rows_read"] == 2 * alone.input["rows_read"]
    # Every row of the copy repeats an id of the original: rejected as duplicates, so the
    # events are those of the original.
    assert both.events == alone.events
    assert both.input["rejected_by_reason"]["duplicate id"] == alone.input["rows_used"]
    # Files of several formats: one accounting object per format, their totals on top.
    mixed = evaluate_stream([events, gdelt, ucdp], rules=PROBE)
    assert mixed.input is not None
    parts = mixed.input["parts"]
    assert [p["format"] for p in parts] == ["gdelt", "ucdp"]
    assert mixed.input["format"] == "gdelt, ucdp"
    assert mixed.input["files"] == [str(gdelt), str(ucdp)]
    for key in ("rows_read", "rows_used", "rows_irrelevant", "rows_rejected"):
        assert mixed.input[key] == sum(p[key] for p in parts)
    assert mixed.input["rows_read"] == (
        mixed.input["rows_used"] + mixed.input["rows_irrelevant"] + mixed.input["rows_rejected"]
    )
    assert mixed.events == len(FIRST) + alone.events + evaluate_file(ucdp, rules=PROBE).events
    assert mixed.file == f"{events}, {gdelt}, {ucdp}"
