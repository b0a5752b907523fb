"""``redlines run --one-stream``: several inputs evaluated as one stream in event-time order."""

from __future__ import annotations

import json
import re
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
    for fmt in ("json", "text", "markdown", "html"):
        one = render([evaluate_stream([a, b])], fmt)
        assert render([evaluate_stream([b, a])], fmt) == one, fmt
    # The files are named in sorted order.
    assert evaluate_stream([b, a]).file == f"{a}, {b}"


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
    assert both.input["files"] == sorted([str(gdelt), str(copy)])
    assert both.input["rows_read"] == 2 * alone.input["rows_read"]
    # Every row of one file repeats an id of the other (read first: files are read in name
    # order): rejected as duplicates, so the events are those of one file.
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
    assert mixed.file == ", ".join(sorted([str(events), str(gdelt), str(ucdp)]))


def test_the_report_does_not_depend_on_the_order_of_the_files(tmp_path: Path) -> None:
    """Files are read in name order, parts sorted by format, the files listed sorted."""
    gdelt = shared_data("gdelt", "20191024143000.export.CSV")
    ucdp = shared_data("ucdp", "conflict_data_ukr.csv")
    events = _jsonl(tmp_path / "z.jsonl", FIRST)
    copy = tmp_path / "copy.export.CSV"
    shutil.copy(gdelt, copy)
    orders = [[ucdp, events, gdelt, copy], [copy, gdelt, events, ucdp]]
    reports = [evaluate_stream(files, rules=PROBE) for files in orders]
    for fmt in ("json", "text", "markdown", "html"):
        assert render([reports[0]], fmt) == render([reports[1]], fmt), fmt
    report = reports[0]
    assert report.input is not None
    assert [p["format"] for p in report.input["parts"]] == ["gdelt", "ucdp"]
    assert report.input["format"] == "gdelt, ucdp"
    assert report.input["files"] == sorted(str(f) for f in (gdelt, ucdp, copy))
    assert report.file == ", ".join(sorted(str(f) for f in (gdelt, ucdp, copy, events)))
    assert report.files == tuple(sorted(str(f) for f in (gdelt, ucdp, copy, events)))


def test_a_duplicate_id_names_the_file_it_was_first_given_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _jsonl(tmp_path / "a.jsonl", FIRST)
    b = _jsonl(tmp_path / "b.jsonl", [FIRST[1]])
    for order in ([a, b], [b, a]):
        with pytest.raises(EventError) as caught:
            evaluate_stream(order)
        [problem] = caught.value.problems
        assert problem.file == str(b)  # the later file in name order
        assert "duplicate event id 'pl-3'" in problem.message
        assert f"(first given in {a})" in problem.message
    assert main(["run", "--one-stream", str(b), str(a)]) == 2
    assert f"first given in {a}" in capsys.readouterr().err


def test_the_briefing_of_many_files_has_a_short_title(tmp_path: Path) -> None:
    files = [
        _jsonl(tmp_path / f"feed-{n:02d}-of-the-long-running-series.jsonl", []) for n in range(6)
    ]
    files.append(_jsonl(tmp_path / "zz.jsonl", FIRST))
    html = render([evaluate_stream(files)], "html")
    title = re.findall(r"<title>(.*)</title>", html)[0]  # the page's, before the SVGs' own
    [h1] = re.findall(r"<h1>(.*)</h1>", html)
    assert title == h1
    assert title.startswith(
        "Red lines briefing: 7 files: feed-00-of-the-long-running-series.jsonl, "
    )
    assert title.endswith(", \u2026") and len(title) < 120
    assert str(tmp_path) not in title
    # The section still names every file.
    assert all(str(f) in html for f in files)
    # One file keeps its own name as the title.
    one = render([evaluate_stream([files[-1]])], "html")
    assert f"<title>Red lines briefing: {files[-1]}</title>" in one


def test_duplicates_in_several_files_each_name_their_first_file(tmp_path: Path) -> None:
    a = _jsonl(tmp_path / "a.jsonl", [FIRST[0]])
    b = _jsonl(tmp_path / "b.jsonl", [FIRST[1], SECOND[0]])
    c = _jsonl(tmp_path / "c.jsonl", [FIRST[0], FIRST[1], SECOND[0]])
    with pytest.raises(EventError) as caught:
        evaluate_stream([c, b, a])
    found = [
        (p.file, p.value, p.message.rsplit("first given in ", 1)[1]) for p in caught.value.problems
    ]
    assert found == [
        (str(c), "pl-1", f"{a})"),
        (str(c), "pl-3", f"{b})"),
        (str(c), "pl-2", f"{b})"),
    ]
