"""The HTML briefing (``redlines run --format html``): content, escaping, determinism, the
timeline and the map, read back with the standard library's HTML parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from redlines import Ruleset, evaluate, render
from redlines.cli import main
from redlines.report import FORMATS
from redlines.report.html import render_html, safe_url
from redlines.runner import evaluate_file

from ..conftest import ROOT, make_event, shared_data

SCENARIOS = ROOT / "examples" / "scenarios"
GDELT_SAMPLE = ROOT / "examples" / "data" / "gdelt-sample.export.CSV"


class Page(HTMLParser):
    """What a briefing is made of: every element with its attributes, and the text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        found = []
        for t, a in self.elements:
            if t == tag and all(
                (k == "class_" and v in a.get("class", "").split()) or a.get(k) == v
                for k, v in attrs.items()
            ):
                found.append(a)
        return found


def _events() -> list[Any]:
    return [
        make_event(
            id="e1",
            time="2024-06-01T04:00:00+00:00",
            actor="BLR",
            target="UKR",
            kind="ground_offensive",
            location={"region": "UA-07", "place": "Kovel", "lat": 51.2, "lon": 24.7},
            sources=["https://example.org/kovel", "javascript:alert(1)"],
        ),
        make_event(
            id="e2",
            time="2024-06-02T04:00:00+00:00",
            actor="RUS",
            target="POL",
            kind="drone_strike",
            intent="stray",
            location={"country": "POL", "lat": 50.0, "lon": 22.0},
        ),
        make_event(
            id="e3",
            time="2024-06-03T04:00:00+00:00",
            actor="RUS",
            target="POL",
            kind="airspace_violation",
        ),
    ]


def _report(nato: Ruleset) -> Any:
    return evaluate(_events(), nato, scenario="Two events", file="s.yaml")


def test_html_is_a_registered_format(nato: Ruleset) -> None:
    assert "html" in FORMATS
    assert render([_report(nato)], "html") == render_html([_report(nato)])


def test_briefing_shows_each_red_line_with_title_provenance_and_status(nato: Ruleset) -> None:
    page = Page(render_html([_report(nato)]))
    cards = {a["data-redline"]: a["data-status"] for a in page.all("li", class_="redline")}
    assert cards == {"RL1": "crossed", "RL2": "warning"}
    text = " ".join(page.text)
    assert "RL1 Third-party interference" in text and "La Repubblica" in text
    # the level is said in words and a symbol, never by colour alone
    assert "\u25a0 CROSSED" in text and "\u25b2 WARNING" in text


def test_findings_table_has_a_row_per_finding_with_links(nato: Ruleset) -> None:
    report = _report(nato)
    page = Page(render_html([report]))
    rows = page.all("tr", class_="finding")
    expected = [(r.id, f.level) for r in report.redlines for f in r.findings]
    assert [(a["data-redline"], a["data-level"]) for a in rows] == expected
    hrefs = [a["href"] for a in page.all("a") if not a["href"].startswith("#")]
    assert hrefs == ["https://example.org/kovel"]
    # the javascript: source is shown as text, not as a link
    assert "javascript:alert(1)" in " ".join(page.text)


def test_timeline_has_a_row_per_red_line_and_a_mark_per_finding(nato: Ruleset) -> None:
    report = _report(nato)
    page = Page(render_html([report]))
    assert [a["data-redline"] for a in page.all("g", class_="row")] == ["RL1", "RL2"]
    marks = page.all("g", class_="mark")
    assert len(marks) == sum(len(r.findings) for r in report.redlines)
    assert {m["data-level"] for m in marks} == {"crossed", "warning"}


def test_pattern_findings_draw_their_window(nato: Ruleset) -> None:
    [report] = _run_reports(SCENARIOS / "14-probing-poland-september-2025.yaml")
    page = Page(render_html([report]))
    patterns = [m for m in page.all("g", class_="mark") if m["data-basis"] == "pattern"]
    assert len(patterns) == 1 and patterns[0]["data-level"] == "crossed"
    (window,) = page.all("rect", class_="window")
    # the window runs from the first event (9 September) to the last (19 September): a span
    # wider than a mark, ending at the completion mark
    assert float(window["width"]) > 400


def test_map_shows_events_with_coordinates_only(nato: Ruleset) -> None:
    page = Page(render_html([_report(nato)]))
    (svg,) = page.all("svg", class_="map")
    points = page.all("g", class_="point")
    assert sorted((p["data-level"], p["data-events"]) for p in points) == [
        ("crossed", "1"),
        ("warning", "1"),
    ]
    # the outlines of the countries around the events, not of the whole world
    titles = " ".join(page.text)
    assert "Poland" in titles and "Ukraine" in titles and "Australia" not in titles
    assert svg["viewbox"].startswith("0 0 ")


def test_no_map_without_coordinates(nato: Ruleset) -> None:
    report = evaluate([make_event(id="x", target="POL")], nato)
    html = render_html([report])
    assert 'class="map"' not in html and "<h3>Map</h3>" not in html


def test_same_input_gives_the_same_bytes(nato: Ruleset) -> None:
    first = render_html([_report(nato), _report(nato)])
    assert first == render_html([_report(nato), _report(nato)])
    # stable ids, one section per input
    assert re.findall(r'<section id="([^"]+)"', first) == ["input-1", "input-2"]


def test_self_contained_no_script_and_nothing_loaded(nato: Ruleset) -> None:
    html = render_html([_report(nato)])
    page = Page(html)
    assert not page.all("script") and not page.all("link") and not page.all("img")
    assert "default-src 'none'" in html
    assert not re.search(r"(src|href)=\"(?!#|https?://example\.org)", html)
    assert "url(#hatch-" in html and "url(http" not in html


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a?b=1&c=2", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("https://", False),
        ("//example.org/x", False),
        ("https://exa mple.org", False),
        ("gdelt:900000001", False),
        ("https://example.org/\x00", False),
    ],
)
def test_only_http_links(url: str, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


def test_injection_in_names_reasons_and_urls_is_escaped(tmp_path: Path) -> None:
    rules = tmp_path / "evil.yaml"
    rules.write_text(
        """\
schema: redlines/rules/v1
name: evil
version: "1"
title: "<i>evil</i>"
red_lines:
  - id: EV
    title: "<script>alert('title')</script>"
    provenance:
      source: "<img src=x onerror=alert(1)>"
      url: "javascript:alert(2)"
    clauses:
      - id: any
        level: crossed
        when: {field: kind, eq: drone_strike}
        reason: "</td><script>alert('reason')</script> at {place}"
"""
    )
    event = make_event(
        id="<b>e1</b>",
        location={"place": '"><svg onload=alert(3)>', "lat": 10.0, "lon": 10.0},
        sources=["javascript:alert(4)", 'https://example.org/"onmouseover="alert(5)'],
    )
    report = evaluate([event], str(rules), scenario="<script>alert('scenario')</script>")
    html = render_html([report])
    page = Page(html)
    assert not page.all("script") and not page.all("img") and not page.all("b")
    assert not page.all("i")
    assert [s for s in page.all("svg") if "onload" in s] == []
    assert all(not k.startswith("on") for _, a in page.elements for k in a)
    assert [a["href"] for a in page.all("a")] == ['https://example.org/"onmouseover="alert(5)']
    text = " ".join(page.text)
    for visible in (
        "<script>alert('title')</script>",
        "<img src=x onerror=alert(1)>",
        "javascript:alert(2)",
        "</td><script>alert('reason')</script>",
        "<b>e1</b>",
    ):
        assert visible in text


def test_control_characters_are_shown_escaped(nato: Ruleset) -> None:
    event = make_event(id="e\x1b[31m", location={"place": "line\nbreak"})
    html = render_html([evaluate([event], nato)])
    assert "\x1b" not in html and "e\\x1b[31m" in html


def _run_reports(*paths: Path) -> list[Any]:
    return [evaluate_file(p) for p in paths]


def test_real_data_accounting_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "brief.html"
    code = main(["run", str(GDELT_SAMPLE), "--format", "html", "-o", str(out)])
    assert code == 0 and capsys.readouterr().out == ""
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.all("table", class_="accounting")) == 1
    text = " ".join(page.text)
    assert "invalid date" in text and "wrong number of columns" in text
    cells = re.findall(r'<td class="num">(\d+)</td>', out.read_text(encoding="utf-8"))
    read, used, irrelevant, rejected = (int(c) for c in cells[:4])
    assert (read, used, irrelevant, rejected) == (13, 5, 5, 3)
    assert read == used + irrelevant + rejected
    assert page.all("svg", class_="map")  # GDELT rows carry coordinates


def test_several_inputs_make_one_briefing_with_an_overview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "brief.html"
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))[:4]
    assert main(["run", *files, "--format", "html", "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    page = Page(html)
    assert len(page.all("section")) == 4
    assert [a["href"] for a in page.all("a") if a["href"].startswith("#")] == [
        "#input-1",
        "#input-2",
        "#input-3",
        "#input-4",
    ]
    # to standard output too, the same bytes
    assert main(["run", *files, "--format", "html"]) == 0
    assert capsys.readouterr().out == html


def test_real_gdelt_file(tmp_path: Path) -> None:
    path = shared_data("gdelt", "20191024143000.export.CSV")
    out = tmp_path / "brief.html"
    assert main(["run", str(path), "--format", "html", "-o", str(out)]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    assert page.all("table", class_="accounting")
    assert "2111" in " ".join(page.text)


def test_map_has_the_events_no_rule_can_match(tmp_path: Path) -> None:
    # a large event file's events that no rule can match are only counted when read, and
    # read again for the map
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"id": "a", "time": "2025-09-10T00:00:00Z", "actor": "RUS", "target": "POL", '
        '"kind": "drone_strike", "location": {"country": "POL", "lat": 51.0, "lon": 23.0}}\n'
        '{"id": "b", "time": "2025-09-11T00:00:00Z", "actor": "FRA", "target": "DEU", '
        '"kind": "other", "location": {"lat": 48.0, "lon": 2.0}}\n',
        encoding="utf-8",
    )
    out = tmp_path / "brief.html"
    assert main(["run", str(path), "--format", "html", "-o", str(out)]) == 0
    page = Page(out.read_text(encoding="utf-8"))
    points = sorted(p["data-level"] for p in page.all("g", class_="point"))
    assert points == ["none", "warning"]
    assert "2 of 2 events have coordinates" in " ".join(page.text)


def test_times_keep_their_seconds(nato: Ruleset) -> None:
    events = [
        make_event(id="a", time="2024-06-01T10:00:00+00:00", target="POL"),
        make_event(id="b", time="2024-06-01T10:00:01+02:00", target="POL"),
    ]
    html = render_html([evaluate(events, nato)])
    assert "2024-06-01 10:00 UTC" in html and "2024-06-01 08:00:01 UTC" in html


def test_one_stream_of_several_formats_shows_each_formats_accounting(tmp_path: Path) -> None:
    acled = ROOT / "examples" / "data" / "acled-sample.csv"
    out = tmp_path / "brief.html"
    argv = ["run", "--one-stream", str(acled), str(GDELT_SAMPLE), "--format", "html"]
    assert main([*argv, "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    page = Page(html)
    # The totals, then one table per format, sorted by format name, with its examples.
    assert len(page.all("table", class_="accounting")) == 3
    assert [h["data-format"] for h in page.all("h4", class_="input-part")] == ["acled", "gdelt"]
    cells = [int(c) for c in re.findall(r'<td class="num">(\d+)</td>', html)]
    assert cells[:4] == [21, 7, 9, 5]  # read, used, irrelevant, rejected of both
    assert len(page.all("table", class_="rejections")) == 2
    text = " ".join(page.text)
    assert "day is out of range for month" in text  # an ACLED example
    assert "58 columns, expected 61" in text  # a GDELT example
    # The title is short: how many files, and their names (not their folders).
    title = "Red lines briefing: 2 files: acled-sample.csv, gdelt-sample.export.CSV"
    assert f"<title>{title}</title>" in html and f"<h1>{title}</h1>" in html


def test_text_and_markdown_show_each_formats_accounting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    acled = ROOT / "examples" / "data" / "acled-sample.csv"
    for fmt, line in (
        ("text", "  acled: rows read 8, used 2, irrelevant 4, rejected 2"),
        ("markdown", "- acled: rows read 8, used 2, irrelevant 4, rejected 2"),
    ):
        assert main(["run", "--one-stream", "--format", fmt, str(GDELT_SAMPLE), str(acled)]) == 0
        out = capsys.readouterr().out
        assert line in out, fmt
        assert "gdelt: rows read 13, used 5, irrelevant 5, rejected 3" in out
        assert "day is out of range for month" in out and "58 columns, expected 61" in out


def test_html_to_a_terminal_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    scenario = str(SCENARIOS / "01-belarus-northern-front.yaml")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert main(["run", scenario, "--format", "html"]) == 2
    err = capsys.readouterr().err
    assert "-o FILE" in err
    assert main(["run", scenario, "--format", "html", "-o", "-"]) == 2
    capsys.readouterr()
    # To a file it is written; text to a terminal is still fine.
    assert main(["run", scenario, "--format", "html", "-o", str(tmp_path / "b.html")]) == 0
    assert main(["run", scenario, "--no-color"]) == 0
    assert "RL1" in capsys.readouterr().out


def test_the_map_lists_events_at_one_place_in_event_time_order(nato: Ruleset) -> None:
    place = {"country": "POL", "lat": 50.0, "lon": 22.0}
    events = [
        make_event(id="z", time="2024-06-01T04:00:00+00:00", target="POL", location=place),
        make_event(id="a", time="2024-06-02T04:00:00+00:00", target="POL", location=place),
        make_event(id="m", time="2024-06-01T04:00:00+00:00", target="POL", location=place),
    ]
    report = evaluate(events, nato)
    assert [p.id for p in report.located_events() or ()] == ["m", "z", "a"]
    assert "located" not in str(report.to_dict()) and "located" not in repr(report)
    assert "3 events at 50.0, 22.0" in render_html([report])
    assert ": m, z, a</title>" in render_html([report])
