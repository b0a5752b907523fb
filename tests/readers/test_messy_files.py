"""Real files as spreadsheets leave them: other encodings, dates in the layouts of each locale,
and the order of day and month decided per file (docs/data.md, "Encodings" and "Dates")."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import redlines
from redlines import DataFormatError
from redlines.cli import EXIT_ERROR, EXIT_OK, main
from redlines.readers import AdapterOptions, read_exports
from redlines.readers.adapter import RowRejected
from redlines.readers.dates import OrderVote, order_clue, parse_day
from redlines.readers.text import sniff_encoding
from tests.readers.helpers import FIXTURES, assert_accounted

SPREADSHEET = FIXTURES / "ucdp_spreadsheet_cp1252.csv"
DAY_FIRST = FIXTURES / "ucdp_day_first.csv"
AMBIGUOUS = FIXTURES / "ucdp_ambiguous.csv"
BOTH = FIXTURES / "ucdp_both_orders.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- encodings ---------------------------------------------------------------------------


def test_the_fixture_really_is_cp1252() -> None:
    data = SPREADSHEET.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "Mariupol’ port".encode("cp1252") in data


def test_a_cp1252_export_is_read_as_cp1252_and_says_so() -> None:
    result = read_exports([SPREADSHEET])
    assert_accounted(result)
    s = result.summary
    assert s.encodings == {str(SPREADSHEET): "cp1252"}
    assert s.to_dict()["encoding"] == "cp1252"
    assert (s.rows_read, s.rows_used, s.rows_rejected) == (5, 4, 1)
    places = [e.location.place for e in result.events if e.location is not None]
    assert places == ["Mariupol’ port", "Kharkiv — Saltivka", "Zaporizhzhia café", "Kyiv"]


def test_the_report_names_the_encoding(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", str(SPREADSHEET))
    assert code == EXIT_OK
    assert "input: ucdp (cp1252)  rows read 5, used 0, irrelevant 4, rejected 1" in out
    _, out, _ = run(capsys, "run", "--format", "markdown", str(SPREADSHEET))
    assert "Input (ucdp, cp1252): 5 rows read" in out
    _, out, _ = run(capsys, "run", "--format", "json", str(SPREADSHEET))
    assert json.loads(out)["input"]["encoding"] == "cp1252"


def test_utf8_reports_have_no_encoding_key() -> None:
    summary = read_exports([FIXTURES / "ucdp_hdx.csv"]).summary
    assert summary.encodings == {str(FIXTURES / "ucdp_hdx.csv"): "utf-8"}
    assert "encoding" not in summary.to_dict()


def test_a_declared_encoding_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    result = read_exports([SPREADSHEET], encoding="windows-1252")
    assert result.summary.to_dict()["encoding"] == "cp1252"
    latin = read_exports([SPREADSHEET], options=AdapterOptions(encoding="latin-1"))
    assert latin.summary.to_dict()["encoding"] == "iso8859-1"  # Python's name for it
    code, out, _ = run(capsys, "run", "--encoding", "cp1252", str(SPREADSHEET))
    assert code == EXIT_OK and "input: ucdp (cp1252)" in out


def test_a_declared_encoding_that_does_not_fit_is_a_located_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "run", "--encoding", "utf-8", str(SPREADSHEET))
    assert code == EXIT_ERROR
    assert err.startswith(
        f"error: {SPREADSHEET}:2: not utf-8 text (byte 0x92 at offset 381 cannot be decoded): "
        "give the file's encoding with --encoding, or leave it out to have it detected"
    )
    assert "Traceback" not in err


def test_an_unknown_encoding_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "--encoding", "klingon", str(SPREADSHEET))
    assert code == EXIT_ERROR
    assert "unknown encoding 'klingon'" in err
    with pytest.raises(ValueError, match="unknown encoding"):
        AdapterOptions(encoding="klingon")


def test_event_files_are_utf8_whatever_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    events = Path(__file__).resolve().parents[2] / "examples" / "events.csv"
    code, _, err = run(capsys, "run", "--encoding", "cp1252", str(events))
    assert code == EXIT_ERROR
    assert "scenario and event files are UTF-8 (--encoding cp1252 applies to GDELT" in err


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain ascii\n" * 100, "utf-8"),
        ("Kyïv, Mariupol’\n".encode(), "utf-8"),
        ("Kyïv, Mariupol’\n".encode("cp1252"), "cp1252"),
        # A UTF-8 file with one broken byte among many characters stays UTF-8.
        ("Київ ".encode() * 50 + b"\xff", "utf-8"),
        ("id,place\n1,Kyïv\n".encode("utf-16"), "utf-16"),
    ],
)
def test_sniffing(data: bytes, expected: str) -> None:
    assert sniff_encoding(io.BytesIO(data)) == expected


def test_utf16_export_is_read(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(DAY_FIRST.read_text(encoding="utf-8").encode("utf-16"))
    result = read_exports([path])
    assert result.summary.to_dict()["encoding"] == "utf-16"
    assert [e.time.date() for e in result.events] == [
        dt.date(2023, 2, 6),
        dt.date(2021, 12, 27),
        dt.date(2022, 2, 24),
    ]


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "order", "day"),
    [
        ("2021-12-27", None, dt.date(2021, 12, 27)),
        ("2021-12-27 00:00:00", None, dt.date(2021, 12, 27)),
        ("2015-01-20 00:00:00.000", None, dt.date(2015, 1, 20)),
        ("2021-12-27T00:00:00Z", None, dt.date(2021, 12, 27)),
        ("12/27/2021", None, dt.date(2021, 12, 27)),
        ("12/27/2021 12:00:00 AM", None, dt.date(2021, 12, 27)),
        ("2/24/2022 5:30:00 PM", "mdy", dt.date(2022, 2, 24)),
        ("02/06/2023 00:00", "mdy", dt.date(2023, 2, 6)),
        ("02/06/2023 00:00", "dmy", dt.date(2023, 6, 2)),
        ("27/12/2021", None, dt.date(2021, 12, 27)),
        ("27.12.2021", None, dt.date(2021, 12, 27)),
        ("15 March 2023", None, dt.date(2023, 3, 15)),
        ("15-Mar-2023", None, dt.date(2023, 3, 15)),
    ],
)
def test_date_layouts(value: str, order: str | None, day: dt.date) -> None:
    assert parse_day(value, "date_start", order) == day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("13/13/2021", "date_start '13/13/2021': month must be in 1..12"),
        ("2021-02-30", "date_start '2021-02-30': day is out of range for month"),
        ("12/27/2021 25:00", "date_start '12/27/2021 25:00': invalid time of day"),
        ("12/27/21", "date_start '12/27/21'"),
        ("yesterday", "date_start 'yesterday'"),
    ],
)
def test_invalid_dates_say_why(value: str, detail: str) -> None:
    with pytest.raises(RowRejected) as err:
        parse_day(value, "date_start", "mdy")
    assert (err.value.reason, err.value.detail) == ("invalid date", detail)


def test_order_clues() -> None:
    assert [order_clue(v) for v in ("27/12/2021", "12/27/2021", "02/06/2023", "2021-12-27")] == [
        "dmy",
        "mdy",
        None,
        None,
    ]


def test_spreadsheet_dates_are_month_first_from_the_file_itself() -> None:
    result = read_exports([SPREADSHEET])
    assert [e.time.date() for e in result.events] == [
        dt.date(2021, 12, 27),
        dt.date(2022, 2, 24),
        dt.date(2023, 2, 6),
        dt.date(2022, 3, 1),
    ]
    assert result.events[1].notes is not None
    assert result.events[1].notes.endswith("between 2022-02-24 and 2022-02-25")
    (rejected,) = result.rejections
    assert (rejected.row, rejected.reason, rejected.detail) == (
        5,
        "invalid date",
        "date_start '13/13/2021 12:00:00 AM': month must be in 1..12",
    )


def test_a_day_first_file_is_read_day_first() -> None:
    result = read_exports([DAY_FIRST])
    assert [e.time.date() for e in result.events] == [
        dt.date(2023, 2, 6),  # 06/02/2023, read once 27/12/2021 (row 3) settled the order
        dt.date(2021, 12, 27),
        dt.date(2022, 2, 24),
    ]
    assert [e.id for e in result.events] == ["ucdp-900011", "ucdp-900012", "ucdp-900013"]


def test_an_ambiguous_file_asks_for_the_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", str(AMBIGUOUS))
    assert code == EXIT_ERROR
    assert err == (
        f"error: {AMBIGUOUS}: every slashed date could be day or month first (e.g. date_start "
        "'02/06/2023' on row 2): give --date-order dmy (27/12/2021) or mdy (12/27/2021)\n"
    )
    code, out, _ = run(capsys, "convert", "--all", "--date-order", "dmy", str(AMBIGUOUS), "-o", "-")
    assert code == EXIT_OK
    assert [json.loads(line)["time"][:10] for line in out.splitlines()] == [
        "2023-06-02",
        "2022-04-03",
    ]


def test_a_file_in_both_orders_names_an_example_of_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "run", str(BOTH))
    assert code == EXIT_ERROR
    assert err == (
        f"error: {BOTH}: slashed dates in both orders: date_start '27/12/2021' on row 2 can only "
        "be day first, date_start '12/28/2021' on row 3 only month first; correct the file, or "
        "give --date-order dmy|mdy to read one order and reject the rows in the other\n"
    )
    result = read_exports([BOTH], options=AdapterOptions(date_order="dmy"))
    assert [e.id for e in result.events] == ["ucdp-900031"]
    (rejected,) = result.rejections
    assert (rejected.row, rejected.reason) == (3, "invalid date")
    assert rejected.detail == (
        "date_start '12/28/2021' can only be month first, but dates are read day first "
        "(--date-order dmy)"
    )


def test_a_later_contradiction_is_a_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OrderVote, "window", 2)
    lines = DAY_FIRST.read_text(encoding="utf-8").splitlines()
    later = lines[2].replace("900012", "900014").replace("27/12/2021", "12/27/2021")
    path = tmp_path / "later.csv"
    path.write_text("\n".join([*lines, later.replace("28/12/2021", "12/28/2021")]) + "\n")
    result = read_exports([path])
    assert_accounted(result)
    assert result.summary.rejected_by_reason == {"date order contradicts the file": 1}
    (rejected,) = result.rejections
    assert rejected.row == 5
    assert rejected.detail == (
        "date_start '12/27/2021' can only be month first, but this file's dates are day first, "
        "as date_start '27/12/2021' on row 3 shows"
    )


def test_rows_wait_in_order_while_the_order_is_open(tmp_path: Path) -> None:
    """Rows held back until the order is known keep their order among the others."""
    result = read_exports([DAY_FIRST], options=AdapterOptions(date_order="dmy"))
    unordered = read_exports([DAY_FIRST])
    assert [e.contract_dict() for e in result.events] == [
        e.contract_dict() for e in unordered.events
    ]


def test_acled_spreadsheet_dates(tmp_path: Path) -> None:
    header, *rows = (FIXTURES / "acled_current.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "acled.csv"
    fixed = [r.replace("2024-06-01", "6/1/2024").replace("2024-06-02", "6/2/2024") for r in rows]
    path.write_text("\n".join([header, *fixed, fixed[0].replace("6/1/2024", "6/13/2024")]))
    days = {e.time.date() for e in read_exports([path]).events}
    assert dt.date(2024, 6, 1) in days


# --- rejection examples and irrelevant rows -------------------------------------------------


def test_the_report_gives_an_example_of_each_rejection(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "gdelt2_sample.export.CSV"
    _, out, _ = run(capsys, "run", "--format", "json", str(path))
    assert json.loads(out)["input"]["rejected_examples"] == {
        "invalid date": {"row": 12, "detail": "SQLDATE '2024061X'"},
        "no actor or target country": {
            "row": 13,
            "detail": "Actor2CountryCode 'EUR' is not a country and no location country "
            "(actor RUS)",
        },
        "wrong number of columns": {"row": 11, "detail": "58 columns, expected 61"},
    }
    _, out, _ = run(capsys, "run", str(path))
    assert "  rejected 1: invalid date (e.g. row 12: SQLDATE '2024061X')\n" in out
    _, out, _ = run(capsys, "run", "--format", "markdown", str(path))
    assert "- rejected 1: invalid date (e.g. row 12: SQLDATE '2024061X')\n" in out


def test_examples_name_the_file_when_there_are_several() -> None:
    path = FIXTURES / "gdelt2_sample.export.CSV"
    summary = read_exports([path, path]).summary.to_dict()
    assert summary["rejected_examples"]["invalid date"] == {
        "file": str(path),
        "row": 12,
        "detail": "SQLDATE '2024061X'",
    }


def test_reports_without_rejections_have_no_examples() -> None:
    summary = read_exports([DAY_FIRST]).summary.to_dict()
    assert "rejected_examples" not in summary and "encoding" not in summary


def test_irrelevant_rows_are_explained_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rows.jsonl"
    path = FIXTURES / "gdelt2_sample.export.CSV"
    code, _, _ = run(
        capsys,
        "run",
        "--rejections",
        str(out),
        "--explain-irrelevant",
        "--format",
        "json",
        str(path),
    )
    assert code == EXIT_OK
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["kind"] for r in records] == ["rejected"] * 3 + ["irrelevant"] * 5
    irrelevant = records[3]
    assert set(irrelevant) == {"file", "row", "kind", "reason", "detail"}
    assert irrelevant["reason"] == "no red line could give it a level"
    assert irrelevant["detail"].startswith("kind ")
    assert "(CAMEO " in irrelevant["detail"]
    assert irrelevant["detail"].endswith(": no red line tests these")
    # Without the flag only rejections are written, each with its kind.
    run(capsys, "run", "--rejections", str(out), str(path))
    assert {json.loads(line)["kind"] for line in out.read_text().splitlines()} == {"rejected"}


def test_explaining_irrelevant_rows_needs_a_rejections_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "run", "--explain-irrelevant", str(FIXTURES / "ucdp_hdx.csv"))
    assert code == EXIT_ERROR
    assert "--explain-irrelevant writes to the --rejections FILE" in err


def test_the_sample_of_explained_rows_is_bounded() -> None:
    path = FIXTURES / "acled_current.csv"
    relevant = redlines.matching.Relevance(redlines.load_rules())
    result = read_exports([path], options=AdapterOptions(explain_irrelevant=2), relevant=relevant)
    assert result.summary.rows_irrelevant == 4
    assert [r.row for r in result.irrelevant] == [3, 4]
    assert result.irrelevant[0].detail == (
        "kind artillery_fire (ACLED Explosions/Remote violence / Shelling/artillery/missile "
        "attack), actor RUS, target UKR: no red line tests these"
    )
    assert read_exports([path], relevant=relevant).irrelevant == []


# --- progress ----------------------------------------------------------------------------


def test_readers_report_every_byte_once() -> None:
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
        done = [0]

        def advance(n: int) -> None:
            assert n > 0
            done[0] += n

        yield advance
        seen.append((label, total, done[0]))

    read_exports([SPREADSHEET, SPREADSHEET], "ucdp", progress=progress)
    size = SPREADSHEET.stat().st_size
    assert seen == [(SPREADSHEET.name, size, size)] * 2


def test_one_bar_over_all_files(tmp_path: Path) -> None:
    from redlines.progress import ProgressBar, input_bytes

    sink = io.StringIO()
    files = [SPREADSHEET, FIXTURES / "ucdp_hdx.csv"]
    with ProgressBar(files, file=sink) as bar:
        assert bar.total == sum(f.stat().st_size for f in files)
        for f in files:
            read_exports([f], progress=bar)
            bar.done(f)
        assert bar._bar is not None and bar._bar.n == bar.total
    assert "B" in sink.getvalue()  # drawn into the file it was given
    assert input_bytes(tmp_path / "missing.csv") == 0


def test_no_bar_on_a_pipe(capsys: pytest.CaptureFixture[str]) -> None:
    from redlines.cli import terminal_progress

    assert terminal_progress([str(SPREADSHEET)]) is None  # stderr is captured, not a terminal
    code, _, err = run(capsys, "run", str(SPREADSHEET))
    assert code == EXIT_OK and err == ""


def test_evaluate_file_can_show_progress(capsys: pytest.CaptureFixture[str]) -> None:
    report = redlines.evaluate_file(SPREADSHEET, progress=True)
    assert report.input is not None and report.input["encoding"] == "cp1252"
    assert "B/s]" in capsys.readouterr().err  # tqdm.auto writes to stderr outside Jupyter


def test_missing_order_in_a_dataframe_is_an_error_too() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(AMBIGUOUS, dtype=str, keep_default_na=False)
    with pytest.raises(DataFormatError, match="could be day or month first"):
        redlines.evaluate_dataframe(frame, "ucdp")
    report = redlines.evaluate_dataframe(
        frame, "ucdp", adapter_options=AdapterOptions(date_order="mdy")
    )
    assert report.input is not None and report.input["rows_read"] == 2
