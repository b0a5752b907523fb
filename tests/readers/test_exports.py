"""Reading exports: format detection, DataFrames, accounting and the public API shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines.errors import DataFormatError
from redlines.readers import EXPORT_FORMATS as FORMATS
from redlines.readers import ExportBatch, detect_format
from redlines.readers import read_dataframe as from_dataframe
from redlines.readers import read_exports as read_events
from tests.readers.helpers import FIXTURES, assert_accounted

ALL_FIXTURES = {
    "gdelt2_sample.export.CSV": "gdelt",
    "gdelt1_mixed.csv": "gdelt1",
    "acled_current.csv": "acled",
    "acled_pre2023.csv": "acled",
    "acled_ukraine_upper.csv": "acled",
    "ucdp_hdx.csv": "ucdp",
}


def test_formats() -> None:
    assert FORMATS == ("gdelt", "gdelt1", "acled", "ucdp")


@pytest.mark.parametrize(("name", "fmt"), sorted(ALL_FIXTURES.items()))
def test_detect_and_account_for_every_fixture(name: str, fmt: str) -> None:
    path = FIXTURES / name
    assert detect_format(path) == fmt
    result = read_events([path])
    assert_accounted(result)
    assert result.summary.files == [str(path)]


def test_undetectable_file_is_one_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, world\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        detect_format(path)
    (problem,) = err.value.problems
    assert problem.file == str(path)
    assert problem.render().startswith(f"{path}: cannot tell the format of this file")


def test_empty_file_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "empty.CSV"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataFormatError, match="empty"):
        read_events([path])


def test_unknown_format_name_suggests() -> None:
    with pytest.raises(DataFormatError) as err:
        read_events([FIXTURES / "ucdp_hdx.csv"], fmt="gdlet")
    assert err.value.problems[0].suggestion == "gdelt"


def test_mixed_formats_are_refused() -> None:
    with pytest.raises(DataFormatError, match="different formats"):
        read_events([FIXTURES / "ucdp_hdx.csv", FIXTURES / "acled_current.csv"])


def test_summary_dict_has_the_contract_shape() -> None:
    summary = read_events([FIXTURES / "gdelt2_sample.export.CSV"]).summary.to_dict()
    assert list(summary) == [
        "format",
        "files",
        "rows_read",
        "rows_used",
        "rows_irrelevant",
        "rows_rejected",
        "rejected_by_reason",
        "rejected_examples",
        "rows_by_kind",
    ]
    assert list(summary["rejected_examples"]) == list(summary["rejected_by_reason"])
    assert list(summary["rejected_by_reason"]) == sorted(summary["rejected_by_reason"])
    # every row that became or joined an event is counted under its kind, 'other' included
    assert (
        sum(summary["rows_by_kind"].values()) == summary["rows_used"] + summary["rows_irrelevant"]
    )
    assert summary["rows_by_kind"]["other"] >= 1


def test_rejections_kept_are_capped_but_all_counted() -> None:
    from redlines.readers import AdapterOptions

    result = read_events(
        [FIXTURES / "gdelt2_sample.export.CSV"], options=AdapterOptions(max_rejections_kept=1)
    )
    assert len(result.rejections) == 1
    assert result.rejections_omitted == 2
    assert result.summary.rows_rejected == 3


pd = pytest.importorskip("pandas")


def test_dataframe_gdelt_read_without_dtype_str_keeps_cameo_codes() -> None:
    path = FIXTURES / "gdelt2_sample.export.CSV"
    df = pd.read_csv(path, sep="\t", header=None, quoting=3)  # numbers become ints/floats
    from_df = from_dataframe(df, "gdelt")
    from_file = read_events([path])
    assert_accounted(from_df)
    # pandas pads the short row to 61 columns, so it is read (then rejected for its date).
    assert [e.contract_dict() for e in from_df.events] == [
        e.contract_dict() for e in from_file.events
    ]
    assert from_df.summary.files == ["<dataframe>"]


@pytest.mark.parametrize("name", ["acled_current.csv", "acled_ukraine_upper.csv", "ucdp_hdx.csv"])
def test_dataframe_csv_formats_match_the_file(name: str) -> None:
    path = FIXTURES / name
    fmt = detect_format(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    from_df = from_dataframe(df, fmt, name="frame")
    from_file = read_events([path])
    assert isinstance(from_df, ExportBatch)
    assert_accounted(from_df)
    assert [e.contract_dict() for e in from_df.events] == [
        e.contract_dict() for e in from_file.events
    ]
    assert from_df.summary.rejected_by_reason == from_file.summary.rejected_by_reason
