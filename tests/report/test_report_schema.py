"""The report schema (``redlines schema report``, report/schema.py) against real reports of
every kind: scenarios, event files, each export format (rejections with examples, an encoding
other than UTF-8), several files of one format, one stream of several formats (``parts``),
``--explain``. Closed objects refuse keys the schema does not describe."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from redlines.cli import EXIT_OK, main
from redlines.schemas import schema

from ..conftest import ROOT, shared_data

EXAMPLES = ROOT / "examples"
ACLED = EXAMPLES / "data" / "acled-sample.csv"
GDELT = EXAMPLES / "data" / "gdelt-sample.export.CSV"
EVENTS = EXAMPLES / "events.jsonl"
SCENARIO = EXAMPLES / "scenarios" / "01-belarus-northern-front.yaml"


def _errors(instance: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema("report"))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def _run(*argv: str | Path) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", "--format", "json", *(str(a) for a in argv)]) == EXIT_OK
    return json.loads(out.getvalue())


def _cp1252(tmp_path: Path) -> Path:
    """The ACLED sample with a note in cp1252 (not UTF-8): its report names the encoding."""
    text = ACLED.read_text(encoding="utf-8").replace("Atlantis", "Atl\u00e9ntis")
    path = tmp_path / "acled-cp1252.csv"
    path.write_bytes(text.encode("cp1252"))
    return path


def test_reports_of_every_kind_meet_the_schema(tmp_path: Path) -> None:
    second = tmp_path / "second.export.CSV"
    second.write_bytes(GDELT.read_bytes())
    latin = _cp1252(tmp_path)
    reports = {
        "scenario": _run(SCENARIO),
        "several": _run(SCENARIO, EVENTS, ACLED),
        "explain": _run("--explain", SCENARIO),
        "acled": _run(ACLED),
        "gdelt": _run(GDELT),
        "encoding": _run(latin),
        "one format, two files": _run("--one-stream", GDELT, second),
        "events only": _run("--one-stream", EVENTS, SCENARIO),
        "formats": _run("--one-stream", EVENTS, ACLED, GDELT, second, latin),
    }
    for name, report in reports.items():
        assert _errors(report) == [], name
    # What the schema describes is really there.
    assert reports["acled"]["input"]["rejected_examples"]
    assert reports["encoding"]["input"]["encoding"] == "cp1252"
    examples = reports["one format, two files"]["input"]["rejected_examples"]
    assert all("file" in e for e in examples.values())
    mixed = reports["formats"]["input"]
    assert [p["format"] for p in mixed["parts"]] == ["acled", "gdelt"]
    assert isinstance(mixed["parts"][0]["encoding"], dict)  # files of two encodings


def test_real_exports_meet_the_schema() -> None:
    ucdp = shared_data("ucdp", "conflict_data_ukr.csv")
    gdelt = shared_data("gdelt", "20191024143000.export.CSV")
    for argv in ([ucdp], [gdelt], ["--one-stream", gdelt, ucdp]):
        assert _errors(_run(*argv)) == [], argv


@pytest.mark.parametrize(
    "where",
    [
        ("input",),
        ("input", "parts", 0),
        ("input", "parts", 1, "rejected_examples", "invalid date"),
    ],
)
def test_the_schema_refuses_keys_it_does_not_describe(where: tuple[str | int, ...]) -> None:
    report = _run("--one-stream", ACLED, GDELT)
    assert _errors(report) == []
    drifted = copy.deepcopy(report)
    target: Any = drifted
    for key in where:
        target = target[key]
    target["surprise"] = 1
    assert any("surprise" in e for e in _errors(drifted))


def test_the_schema_says_what_one_stream_gives() -> None:
    description = schema("report")["description"]
    assert "--one-stream" in description and "one report for all the files" in description
    assert "parts" in schema("report")["$defs"]["InputJSON"]["properties"]
