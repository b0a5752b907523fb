"""The one registry of formats and the one detection routine."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines import DataFormatError, EventError
from redlines.readers import (
    EXPORT_FORMATS,
    FORMATS,
    FRAME_FORMATS,
    detect_format,
    format_named,
    read,
)
from redlines.readers.registry import REGISTRY
from tests.readers.helpers import FIXTURES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_every_format_is_registered_once() -> None:
    assert FORMATS == ("scenario", "jsonl", "csv", "gdelt", "gdelt1", "acled", "ucdp")
    assert len({f.name for f in REGISTRY}) == len(REGISTRY)
    assert tuple(f.name for f in REGISTRY if f.read_frame is not None) == ("csv", *EXPORT_FORMATS)
    assert ("events", *EXPORT_FORMATS) == FRAME_FORMATS  # DataFrames of events are "events"
    assert format_named("events").name == "csv"


def test_event_files_refuse_a_declared_encoding() -> None:
    with pytest.raises(EventError, match="scenario and event files are UTF-8"):
        read([EXAMPLES / "events.csv"], encoding="cp1252")
    assert len(read([EXAMPLES / "events.csv"], encoding="utf8").events) == 5


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("events.jsonl", "jsonl"),
        ("events.csv", "csv"),
        ("scenarios/01-belarus-northern-front.yaml", "scenario"),
        ("data/acled-sample.csv", "acled"),
        ("data/gdelt-sample.export.CSV", "gdelt"),
    ],
)
def test_detect_every_kind_of_file(name: str, fmt: str) -> None:
    path = EXAMPLES / name
    assert detect_format(path) == fmt
    assert read([path]).format == fmt


def test_detection_can_be_limited() -> None:
    with pytest.raises(DataFormatError, match="cannot tell the format"):
        detect_format(EXAMPLES / "events.csv", among=EXPORT_FORMATS)


def test_contract_files_are_read_one_at_a_time() -> None:
    with pytest.raises(EventError, match="one at a time"):
        read([EXAMPLES / "events.csv", EXAMPLES / "events.csv"])


def test_unknown_format_suggests() -> None:
    with pytest.raises(DataFormatError) as err:
        format_named("jsnl")
    assert err.value.problems[0].suggestion == "jsonl"


def test_gdelt_width_vote_breaks_ties_towards_2_0(tmp_path: Path) -> None:
    rows = (FIXTURES / "gdelt2_sample.export.CSV").read_text().splitlines()
    v1 = (FIXTURES / "gdelt1_mixed.csv").read_text().splitlines()
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join([rows[0], v1[0]]) + "\n")
    assert detect_format(path) == "gdelt"
    path.write_text("\n".join([v1[0], v1[1], rows[0]]) + "\n")
    assert detect_format(path) == "gdelt1"
