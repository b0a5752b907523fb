"""The briefing in a real browser (headless Chromium via Playwright): example scenarios, the
GDELT sample and a real GDELT export open offline with no console errors and no request
leaving the file, and a reader sees the statuses, the timeline's marks, the findings table and
the map; on a phone-sized screen nothing is wider than the screen; printed, it makes a PDF.

``make test`` installs Debian's chromium when it is missing (as root); elsewhere, without a
Chromium, these tests skip and say why. ``REDLINES_SCREENSHOT=PATH`` also writes the README's
screenshot there."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from redlines.cli import main

from ..conftest import ROOT, shared_data
from .briefing import Opened, find_chromium, open_briefing, screenshot, session

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Browser

EXAMPLES = ROOT / "examples"
SCENARIOS = [
    EXAMPLES / "scenarios" / "01-belarus-northern-front.yaml",
    EXAMPLES / "scenarios" / "14-probing-poland-september-2025.yaml",
    EXAMPLES / "scenarios" / "15-probing-split-across-countries.yaml",
    EXAMPLES / "scenarios-infrastructure" / "03-estlink-2-eagle-s-2024.yaml",
    EXAMPLES / "scenarios-taiwan" / "04-rehearsal-pattern.yaml",
]
GDELT_SAMPLE = EXAMPLES / "data" / "gdelt-sample.export.CSV"

#: A ruleset that gives a level to any military event, so that a real export has findings,
#: patterns and a map worth looking at.
ANY_MILITARY = """\
schema: redlines/rules/v1
name: any-military
version: "0.0.1"
title: Any military action (browser test)
red_lines:
  - id: MIL
    title: Any military action
    provenance:
      source: browser test
    clauses:
      - id: strike
        level: crossed
        when: {field: kind, in: [air_strike, missile_strike, artillery_fire]}
        reason: "{kind} by {actor} against {target}"
      - id: military
        level: warning
        when: {field: kind, in: MILITARY}
        reason: "{kind} by {actor} against {target}"
    patterns:
      - id: cluster
        level: crossed
        select: {level: warning}
        count: 3
        within: 1d
        same: [target]
        reason: "{count} military events against {target_name} from {first} to {last}"
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.skip(
            "no Chromium to test the briefing in (looked for REDLINES_CHROMIUM, "
            "/usr/bin/chromium, chromium, chromium-browser, google-chrome): `make test` "
            "installs Debian's chromium with apt-get when run as root"
        )
    # A browser is there: from here on, anything that goes wrong fails the test.
    with session(executable) as b:
        yield b


def _briefing(tmp_path: Path, *args: str) -> tuple[Path, list[dict[str, Any]]]:
    """The briefing of ``redlines run ARGS`` and the JSON reports of the same run."""
    html = tmp_path / "brief.html"
    assert main(["run", *args, "--format", "html", "-o", str(html)]) == 0
    out = tmp_path / "brief.json"
    assert main(["run", *args, "--format", "json", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    return html, data if isinstance(data, list) else [data]


def _clean(opened: Opened) -> None:
    assert opened.console == []
    assert opened.blocked == []
    assert all(u.startswith(("file://", "data:")) for u in opened.requests), opened.requests


def _reader_sees(opened: Opened, reports: list[dict[str, Any]]) -> None:
    """Each input's section shows every red line's status in words, a visible timeline mark
    per finding in that red line's row, and a table row per finding."""
    page = opened.page
    assert page.locator("main > section").count() == len(reports)
    for n, report in enumerate(reports, 1):
        section = page.locator(f"#input-{n}")
        assert section.locator("h2").inner_text() == (report["scenario"] or report["file"])
        for rl in report["redlines"]:
            card = section.locator(f'li.redline[data-redline="{rl["id"]}"]')
            assert card.is_visible()
            word = {"crossed": "CROSSED", "warning": "WARNING", "clear": "clear"}[rl["status"]]
            assert word in card.locator(".badge").inner_text()
            assert rl["title"] in card.inner_text()
            if not report["events"]:
                assert "timeline is empty" in section.inner_text()
                continue
            row = section.locator(f'svg.timeline g.row[data-redline="{rl["id"]}"]')
            marks = row.locator("g.mark")
            assert marks.count() == len(rl["findings"])
            levels = sorted(
                marks.nth(i).get_attribute("data-level") or "" for i in range(marks.count())
            )
            assert levels == sorted(f["level"] for f in rl["findings"])
            box = row.bounding_box()
            assert box is not None
            for i in range(marks.count()):
                mark = marks.nth(i).bounding_box()
                assert mark is not None and mark["width"] > 0
                assert (
                    box["x"] <= mark["x"]
                    and mark["x"] + mark["width"] <= box["x"] + box["width"] + 1
                )
            table = section.locator(f'tr.finding[data-redline="{rl["id"]}"]')
            assert table.count() == len(rl["findings"])
            for i, f in enumerate(rl["findings"]):
                cells = table.nth(i).inner_text()
                assert f["clause"] in cells and f["event_ids"][0] in cells
        if report.get("input"):
            counts = section.locator("table.accounting td").all_inner_texts()
            i = report["input"]
            expected = [i["rows_read"], i["rows_used"], i["rows_irrelevant"], i["rows_rejected"]]
            assert [int(c) for c in counts] == expected


def test_example_scenarios(browser: Browser, tmp_path: Path) -> None:
    html, reports = _briefing(tmp_path, *(str(p) for p in SCENARIOS))
    with open_briefing(browser, html) as opened:
        _reader_sees(opened, reports)
        overview = opened.page.locator("table.overview tbody tr")
        assert overview.count() == len(SCENARIOS)
        # a pattern's window is drawn as a span wider than a mark
        window = opened.page.locator("#input-2 rect.window").bounding_box()
        assert window is not None and window["width"] > 100
        _clean(opened)


def test_every_example_scenario_in_one_briefing(browser: Browser, tmp_path: Path) -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("scenarios*/*.yaml"))
    html, reports = _briefing(tmp_path, *files)
    with open_briefing(browser, html) as opened:
        _reader_sees(opened, reports)
        _clean(opened)


def test_gdelt_sample_with_a_map(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # file names as a user in the project would give them
    files = [str(p.relative_to(ROOT)) for p in (SCENARIOS[1], GDELT_SAMPLE)]
    html, reports = _briefing(tmp_path, *files)
    with open_briefing(browser, html) as opened:
        _reader_sees(opened, reports)
        points = opened.page.locator("#input-2 svg.map g.point")
        assert points.count() >= 2
        assert opened.page.locator("#input-2 svg.map g.countries path").count() > 3
        for i in range(points.count()):
            assert points.nth(i).is_visible()
        _clean(opened)
        target = os.environ.get("REDLINES_SCREENSHOT")
        if target:
            screenshot(browser, html, Path(target))


def test_real_gdelt_export(browser: Browser, tmp_path: Path) -> None:
    path = shared_data("gdelt", "20191024143000.export.CSV")
    rules = tmp_path / "any-military.yaml"
    rules.write_text(ANY_MILITARY, encoding="utf-8")
    for args in ([str(path)], [str(path), "--rules", str(rules)]):
        html, reports = _briefing(tmp_path, *args)
        with open_briefing(browser, html) as opened:
            _reader_sees(opened, reports)
            _clean(opened)
            if "--rules" in args:
                assert reports[0]["redlines"][0]["findings"]
                assert opened.page.locator("svg.map g.point").count() > 100
                links = opened.page.locator("tr.finding a[href^='http']")
                assert links.count() > 0


def test_phone_screen_and_print(browser: Browser, tmp_path: Path) -> None:
    html, reports = _briefing(tmp_path, str(SCENARIOS[1]), str(GDELT_SAMPLE))
    with open_briefing(browser, html, width=375, height=740) as opened:
        page = opened.page
        _reader_sees(opened, reports)
        # nothing wider than the screen: the page does not scroll sideways
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # the timeline keeps a readable size, scrolling sideways inside its own box
        timeline = page.locator("svg.timeline").first.bounding_box()
        assert timeline is not None and timeline["width"] >= 600
        # the findings table becomes one card per finding, each cell labelled
        cell = page.locator("tr.finding td").first
        assert cell.evaluate("e => getComputedStyle(e).display") == "block"
        assert cell.evaluate("e => getComputedStyle(e, '::before').content").startswith('"Red line')
        _clean(opened)
    with open_briefing(browser, html) as opened:
        opened.page.emulate_media(media="print")
        # each input starts a new page; the overview stays
        breaks = opened.page.locator("main > section h2").evaluate_all(
            "hs => hs.map(h => getComputedStyle(h).breakBefore)"
        )
        assert breaks == ["auto", "page"]
        assert opened.page.locator("nav table.overview").is_visible()
        pdf = opened.page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
        _clean(opened)
