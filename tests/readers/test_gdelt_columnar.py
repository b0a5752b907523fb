"""GDELT read by columns (``readers/columnar.py``) gives exactly what reading row by row gives.

The columnar path counts whole classes of irrelevant rows without building them and rejects
rows from their screened columns; every other row goes through the row reader. These tests
compare the two readings over random GDELT-like files (valid and malformed rows, relevant and
not, headers, blank lines, carriage returns, zero-width characters), for the shipped ruleset
and for random rulesets: same events, same rejections in the same order, same accounting,
same explained irrelevant rows. The row-by-row reading is forced by giving the reader a plain
callable instead of the ``Relevance`` object (a callable that cannot judge classes of rows).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines import Event, Ruleset, parse_rules
from redlines.errors import DataFormatError
from redlines.matching import Relevance
from redlines.readers import AdapterOptions, ExportBatch, columnar, read_exports
from redlines.readers.gdelt import GdeltAdapter
from redlines.readers.text import MAX_LINE
from tests.matching.test_agreement import events as contract_events
from tests.matching.test_agreement import rulesets
from tests.readers.helpers import FIXTURES, assert_accounted, shared_file

# Pools of (usual, odd) values for each screened column: the values the shipped ruleset cares
# about come often, odd and malformed ones (which must be read one by one) about one in eight.
COUNTRIES = (
    ["RUS", "UKR", "BLR", "POL", "LTU", "USA", "DEU", "ROU", ""],
    ["XXX", "EUR", "rus", " UKR", "\u200bRUS", "PRK"],
)
TYPES = (["MIL", "GOV", "REB", ""], ["COP", "mil", "SPY"])
#: (EventCode, EventBaseCode, EventRootCode): military, posture, diplomacy; unknown, dropped 0
CODES = (
    [
        ("190", "190", "19"),
        ("193", "193", "19"),
        ("195", "195", "19"),
        ("1384", "138", "13"),
        ("0841", "084", "08"),
        ("042", "042", "04"),
        ("154", "154", "15"),
        ("1711", "171", "17"),
    ],
    [("841", "84", "8"), ("999", "99", "99"), ("", "", ""), (" 190", "190", "19")],
)
FIPS = (["UP", "RS", "PL", "BO", "LH", "US", ""], ["GM", "XX", "up", " RS"])
GEO_TYPES = (["1", "4", "5", "3"], ["0", "", "x"])
LATS = (["51.2", "50.45", "54.6", "-33.9", ""], ["89.5", "90.5", "abc", " 51.2", "1e1", "-0"])
LONS = (["24.7", "30.52", "25.3", "151.2", ""], ["179.5", "-181", "x", "24.7 "])
DATES = (["20240601", "20191024"], ["20240230", "2024061", "", " 20240601", "2O240601"])
IDS = (["digits"], ["x12", " 7", "", "\u0661\u0662"])
URLS = ["https://a.example/x", "https://b.example.org/y?utm_source=z", "", "http://c.example"]


@st.composite
def gdelt_lines(draw: st.DrawFn, version: int) -> str:
    """One line of a GDELT-like file: mostly well-formed rows, some malformed ones."""
    shape = draw(st.sampled_from(["row"] * 12 + ["blank", "spaces", "short", "long", "header"]))
    if shape == "blank":
        return ""
    if shape == "spaces":
        return " \t "
    if shape == "header":
        return "GLOBALEVENTID\tSQLDATE\tMonthYear"
    width = 61 if version == 2 else draw(st.sampled_from([57, 58]))
    g = 51 if version == 2 else 49
    shift = 1 if version == 2 else 0
    cells = [""] * width

    def cell(pools: tuple[list[Any], list[Any]]) -> Any:
        odd: bool = draw(st.integers(0, 7)) == 0
        return draw(st.sampled_from(pools[odd]))

    gid = cell(IDS)
    cells[0] = str(draw(st.integers(1, 10**9))) if gid == "digits" else gid
    cells[1] = cell(DATES)
    cells[6] = draw(st.sampled_from(["RUSSIA", "", "KYIV", "MINSK"]))
    cells[7] = cell(COUNTRIES)
    cells[12] = cell(TYPES)
    cells[13] = draw(st.sampled_from(["", "MIL", "GOV"]))
    cells[16] = draw(st.sampled_from(["UKRAINE", "", "POLAND"]))
    cells[17] = cell(COUNTRIES)
    cells[26], cells[27], cells[28] = cell(CODES)
    cells[32] = draw(st.sampled_from(["1", "3", "", "x"]))
    cells[33] = draw(st.sampled_from(["1", "10", ""]))
    cells[g] = cell(GEO_TYPES)
    cells[g + 1] = draw(st.sampled_from(["Kovel, Volyn, Ukraine", "", "Warsaw, Poland"]))
    cells[g + 2] = cell(FIPS)
    cells[g + 4 + shift] = cell(LATS)
    cells[g + 5 + shift] = cell(LONS)
    cells[g + 6 + shift] = draw(st.sampled_from(["-1044367", "", "12"]))
    if width > 57:
        cells[57 if version == 1 else 60] = draw(st.sampled_from(URLS))
    if shape == "short":
        cells = cells[: draw(st.integers(1, width - 1))]
    elif shape == "long":
        cells += [""] * draw(st.integers(1, 3))
    return "\t".join(cells)


@st.composite
def gdelt_files(draw: st.DrawFn, version: int = 2) -> bytes:
    lines: list[str] = draw(st.lists(gdelt_lines(version), min_size=1, max_size=40))
    # Rows that report the same happening (grouped), and repeated ids (duplicates).
    repeat: bool = draw(st.booleans())
    if repeat:
        lines += draw(st.lists(st.sampled_from(lines), max_size=5))
    ending = draw(st.sampled_from(["\n"] * 6 + ["\r\n", "\r"]))
    text = ending.join(lines) + draw(st.sampled_from([ending, ""]))
    return text.encode(draw(st.sampled_from(["utf-8"] * 4 + ["cp1252"])), "replace")


OPTIONS = st.builds(
    AdapterOptions,
    group_duplicates=st.booleans(),
    check_place=st.booleans(),
    max_rejections_kept=st.sampled_from([10_000, 2]),
    explain_irrelevant=st.sampled_from([0, 0, 3]),
)


def _key(batch: ExportBatch) -> dict[str, Any]:
    assert batch.summary is not None
    return {
        "events": [e.contract_dict() for e in batch.events],
        "summary": batch.summary.to_dict(),
        "raw summary": batch.summary,
        "rejections": batch.rejections,
        "omitted": batch.rejections_omitted,
        "irrelevant": batch.irrelevant,
    }


@contextmanager
def _blocks_of(chars: int) -> Iterator[None]:
    with (
        mock.patch.object(columnar, "BLOCK_CHARS", chars),
        mock.patch.object(columnar, "MIN_BYTES", 0),
    ):
        yield


def _reading(path: Path, fmt: str, options: AdapterOptions, relevant: Any) -> dict[str, Any]:
    """What reading *path* gives: the batch, or the error (a file with no row in the format)."""
    try:
        batch = read_exports([path], fmt, options=options, relevant=relevant)
    except DataFormatError as exc:
        return {"error": str(exc)}
    assert_accounted(batch)
    return _key(batch)


def both_ways(
    path: Path, fmt: str, relevance: Relevance, options: AdapterOptions, block: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(columnar, row by row) readings of *path*."""
    with _blocks_of(block):
        fast = _reading(path, fmt, options, relevance)
    return fast, _reading(path, fmt, options, lambda e: relevance(e))


@pytest.fixture(scope="module")
def nato_relevance(nato: Ruleset) -> Relevance:
    return Relevance(nato)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=gdelt_files(),
    options=OPTIONS,
    block=st.sampled_from([64, 700, 1 << 19]),
)
def test_columnar_gdelt2_reads_as_row_by_row_for_the_shipped_ruleset(
    tmp_path_factory: pytest.TempPathFactory,
    nato_relevance: Relevance,
    data: bytes,
    options: AdapterOptions,
    block: int,
) -> None:
    path = tmp_path_factory.mktemp("gdelt") / "x.export.CSV"
    path.write_bytes(data)
    fast, slow = both_ways(path, "gdelt", nato_relevance, options, block)
    assert fast == slow


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=gdelt_files(version=1), options=OPTIONS, block=st.sampled_from([64, 1 << 19]))
def test_columnar_gdelt1_reads_as_row_by_row(
    tmp_path_factory: pytest.TempPathFactory,
    nato_relevance: Relevance,
    data: bytes,
    options: AdapterOptions,
    block: int,
) -> None:
    path = tmp_path_factory.mktemp("gdelt1") / "x.csv"
    path.write_bytes(data)
    fast, slow = both_ways(path, "gdelt1", nato_relevance, options, block)
    assert fast == slow


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), data=gdelt_files(), block=st.sampled_from([64, 1 << 19]))
def test_columnar_gdelt_reads_as_row_by_row_for_random_rulesets(
    tmp_path_factory: pytest.TempPathFactory, ruleset: Ruleset, data: bytes, block: int
) -> None:
    path = tmp_path_factory.mktemp("gdeltr") / "x.export.CSV"
    path.write_bytes(data)
    fast, slow = both_ways(path, "gdelt", Relevance(ruleset), AdapterOptions(), block)
    assert fast == slow


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(contract_events(), min_size=5, max_size=30))
def test_possibly_relevant_never_rules_out_a_relevant_event(
    ruleset: Ruleset, batch: list[Event]
) -> None:
    """The screen is sound: an event Relevance keeps is never ruled out by its own values."""
    relevance = Relevance(ruleset)
    for event in batch:
        location = event.location
        values = {
            "kind": (event.kind,),
            "intent": (event.intent,),
            "actor": (event.actor,),
            "actor_type": (event.actor_type,),
            "on_behalf_of": (event.on_behalf_of,),
            "target": (event.target, "POL"),
            "location.country": (None if location is None else location.country,),
            "attribution": (event.attribution,),
        }
        if relevance(event):
            assert relevance.possibly_relevant(values), event


def test_possibly_relevant_rules_out_third_countries(nato: Ruleset) -> None:
    relevance = Relevance(nato)
    third = {"actor": ("USA",), "target": ("FRA",), "kind": ("other",), "attribution": ("x",)}
    assert not relevance.possibly_relevant(third)
    assert relevance.possibly_relevant({**third, "actor": ("RUS",), "target": ("POL",)})
    assert relevance.possibly_relevant({})  # nothing known: anything could be relevant


def _counting_convert(calls: list[int]) -> Any:
    convert = GdeltAdapter.convert

    def counted(self: GdeltAdapter, row: Any) -> Any:
        calls.append(1)
        return convert(self, row)

    return counted


def test_the_real_export_is_screened_not_read_row_by_row(nato_relevance: Relevance) -> None:
    path = shared_file("gdelt/20191024143000.export.CSV")
    calls: list[int] = []
    with mock.patch.object(GdeltAdapter, "convert", _counting_convert(calls)):
        fast = read_exports([path], "gdelt", relevant=nato_relevance)
    slow = read_exports([path], "gdelt", relevant=lambda e: nato_relevance(e))
    assert _key(fast) == _key(slow)
    assert fast.summary.rows_irrelevant > 2000
    assert len(calls) < fast.summary.rows_read / 50  # the rest never became Python rows


FATALITIES_ONLY = """\
schema: redlines/rules/v1
name: fatalities
version: "1"
title: Deaths anywhere
red_lines:
  - id: R
    title: deaths
    clauses:
      - id: deaths
        level: warning
        when: {field: fatalities, gt: 0}
        reason: deaths
"""


def test_a_ruleset_that_can_match_anything_screens_nothing_out() -> None:
    """A ruleset whose clauses test only fields the screen does not know (fatalities) gets no
    filter: every row is read one by one, and nothing changes."""
    relevance = Relevance(parse_rules(FATALITIES_ONLY, "fatalities.yaml"))
    assert relevance.possibly_relevant({"actor": ("USA",), "target": ("FRA",)})
    fast, slow = both_ways(
        FIXTURES / "gdelt2_sample.export.CSV", "gdelt", relevance, AdapterOptions(), 1 << 19
    )
    assert fast == slow


def test_progress_is_reported_to_the_end(tmp_path: Path, nato_relevance: Relevance) -> None:
    source = FIXTURES / "gdelt2_sample.export.CSV"
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def progress(label: str, total: int) -> Iterator[Any]:
        done = [0]
        yield lambda n: done.__setitem__(0, done[0] + n)
        seen.append((label, total, done[0]))

    with _blocks_of(64):
        read_exports([source], "gdelt", relevant=nato_relevance, progress=progress)
    assert seen == [(source.name, source.stat().st_size, source.stat().st_size)]


def test_a_line_over_the_limit_is_refused_as_by_the_row_reader(
    tmp_path: Path, nato_relevance: Relevance
) -> None:
    row = (FIXTURES / "gdelt2_sample.export.CSV").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "long.export.CSV"
    path.write_text(f"{row}\n{row}\t{'x' * (MAX_LINE + 10)}\n{row}\n", encoding="utf-8")
    fast, slow = both_ways(path, "gdelt", nato_relevance, AdapterOptions(), 1 << 19)
    assert fast == slow
    assert "line 2 is longer than" in fast["error"]


def test_reading_gdelt_does_not_import_pandas() -> None:
    """pa.array and pa.scalar import pandas (a quarter of a second) to look for a pandas
    object: the columnar reader builds its arrays from buffers, so a run never pays for it."""
    script = (
        "import sys\n"
        "from redlines import load_rules\n"
        "from redlines.matching import Relevance\n"
        "from redlines.readers import columnar, read_exports\n"
        "columnar.MIN_BYTES = 0\n"
        f"b = read_exports([{str(FIXTURES / 'gdelt2_sample.export.CSV')!r}], 'gdelt',"
        " relevant=Relevance(load_rules('nato-2024')))\n"
        "assert b.summary.rows_read == 13\n"
        "assert 'pyarrow' in sys.modules, 'pyarrow not imported'\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_zip_archive_reads_as_row_by_row(tmp_path: Path, nato_relevance: Relevance) -> None:
    archive = tmp_path / "gdelt.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / "gdelt2_sample.export.CSV", "b.export.CSV")
        zf.write(FIXTURES / "gdelt2_sample.export.CSV", "a.export.CSV")
    fast, slow = both_ways(archive, "gdelt", nato_relevance, AdapterOptions(), 64)
    assert fast == slow
    summary = fast["summary"]
    assert summary["rows_read"] == 26
    assert summary["rejected_by_reason"]["duplicate id"] == summary["rows_used"]  # the 2nd copy


def test_bytes_the_declared_encoding_refuses_are_located_as_by_the_row_reader(
    tmp_path: Path, nato_relevance: Relevance
) -> None:
    text = (FIXTURES / "gdelt2_sample.export.CSV").read_text(encoding="utf-8")
    path = tmp_path / "latin.export.CSV"
    path.write_bytes(text.replace("Kovel", "K\u00f6vel").encode("cp1252"))
    options = AdapterOptions(encoding="utf-8")
    fast, slow = both_ways(path, "gdelt", nato_relevance, options, 64)
    assert fast == slow
    assert "not utf-8 text" in fast["error"]


def test_a_small_file_does_not_pay_for_importing_pyarrow() -> None:
    script = (
        "import sys\n"
        "from redlines import load_rules\n"
        "from redlines.matching import Relevance\n"
        "from redlines.readers import read_exports\n"
        f"b = read_exports([{str(FIXTURES / 'gdelt2_sample.export.CSV')!r}], 'gdelt',"
        " relevant=Relevance(load_rules('nato-2024')))\n"
        "assert b.summary.rows_read == 13\n"
        "assert 'pyarrow' not in sys.modules, 'pyarrow imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
