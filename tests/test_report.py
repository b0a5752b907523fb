"""Reports: the JSON shape of CONTRACT §6, and the text and Markdown renderers."""

from __future__ import annotations

import json

import pytest

from redlines import InputError, Ruleset, evaluate, render
from redlines.report import render_json, render_markdown, render_text

from .conftest import make_event


def _report(nato: Ruleset):  # type: ignore[no-untyped-def]
    events = [
        make_event(
            id="e1",
            time="2024-06-01T04:00:00+00:00",
            actor="BLR",
            target="UKR",
            kind="ground_offensive",
            location={"region": "UA-07"},
        ),
        make_event(
            id="e2",
            time="2024-06-02T04:00:00+00:00",
            actor="RUS",
            target="POL",
            kind="drone_strike",
            intent="stray",
        ),
    ]
    return evaluate(events, nato, scenario="Two events", file="s.yaml")


def test_json_shape(nato: Ruleset) -> None:
    data = json.loads(render_json([_report(nato)]))
    assert list(data)[:6] == ["report_version", "scenario", "file", "ruleset", "events", "redlines"]
    assert data["report_version"] == 2
    assert data["ruleset"] == {"name": "nato-2024", "version": "1.0.0", "sha256": nato.sha256}
    assert data["events"] == 2
    rl1, rl2 = data["redlines"]
    assert (rl1["id"], rl1["status"], rl1["first_crossed_at"]) == (
        "RL1",
        "crossed",
        "2024-06-01T04:00:00+00:00",
    )
    assert (rl2["status"], rl2["first_crossed_at"]) == ("warning", None)
    (f,) = rl1["findings"]
    assert f["event_ids"] == ["e1"] and f["level"] == "crossed" and f["clause"] == "report-example"
    assert "the report's own example" in f["reason"]
    assert list(f)[-2:] == ["place", "sources"]
    assert rl1["provenance"]["source"] == "La Repubblica"


def test_several_reports_make_an_array(nato: Ruleset) -> None:
    assert isinstance(json.loads(render_json([_report(nato), _report(nato)])), list)


def test_text_is_plain_unless_coloured(nato: Ruleset) -> None:
    plain = render_text([_report(nato)])
    assert "\x1b[" not in plain
    assert "RL1 Third-party interference" in plain and "CROSSED" in plain
    coloured = render([_report(nato)], "text", color=True)
    assert "\x1b[" in coloured


def test_markdown(nato: Ruleset) -> None:
    md = render_markdown([_report(nato)])
    assert md.startswith("## Two events\n")
    assert "| RL1 Third-party interference | **CROSSED** | 2024-06-01T04:00:00+00:00 |" in md
    assert "Provenance:" in md


def test_reasons_are_one_line(nato: Ruleset) -> None:
    for rl in _report(nato).redlines:
        for f in rl.findings:
            assert "\n" not in f.reason and "  " not in f.reason


def test_regression_an_unknown_report_format_is_an_input_error() -> None:
    report = evaluate([], "nato-2024")
    with pytest.raises(InputError, match="unknown report format 'xml'"):
        render([report], "xml")
    with pytest.raises(InputError, match="did you mean 'json'"):
        render([report], "jsn")
