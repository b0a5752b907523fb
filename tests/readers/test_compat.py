"""``redlines.adapters`` and ``redlines.Scenario``: the 0.1 names keep working."""

from __future__ import annotations

from pathlib import Path

import pytest

import redlines
from redlines import adapters, readers
from tests.readers.helpers import FIXTURES


def test_progress_off_a_terminal_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    adapters.read_events([FIXTURES / "ucdp_hdx.csv"], progress=True)
    assert capsys.readouterr().err == ""


def test_old_names_are_the_new_ones() -> None:
    assert adapters.FORMATS == readers.EXPORT_FORMATS == ("gdelt", "gdelt1", "acled", "ucdp")
    assert adapters.AdapterResult is readers.Batch is redlines.Scenario
    assert adapters.AdapterOptions is readers.AdapterOptions


def test_read_events_takes_options_positionally() -> None:
    path = FIXTURES / "gdelt2_sample.export.CSV"
    options = adapters.AdapterOptions(max_rejections_kept=1)
    old = adapters.read_events([path], "gdelt", options)
    new = readers.read([path], "gdelt", options=options)
    assert old.summary == new.summary and len(old.rejections) == 1


def test_detect_format_stays_among_exports(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("id,time,actor,target,kind\n", encoding="utf-8")
    assert readers.detect_format(path) == "csv"
    with pytest.raises(redlines.DataFormatError, match="cannot tell the format"):
        adapters.detect_format(path)


def test_a_batch_has_the_scenario_and_adapter_result_attributes(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: n\nrules: nato-2024\nevents: []\nexpect: {RL1: clear}\n")
    sc = redlines.load_scenario(path)
    assert (sc.file, sc.events, sc.name, sc.description, sc.rules) == (
        str(path),
        [],
        "n",
        None,
        "nato-2024",
    )
    assert (sc.expect, sc.expect_lines, sc.rules_line, sc.base_dir) == (
        {"RL1": "clear"},
        {"RL1": 4},
        2,
        tmp_path,
    )
    assert (sc.summary, sc.rejections, sc.rejections_omitted, sc.format) == (
        None,
        [],
        0,
        "scenario",
    )
    assert sc.expectations["RL1"].status == "clear"
