"""Inputs that once crashed, hung or silently misread: each is a regression test named after
what it guards. (Rule-file and engine limits are tested with their modules: tests/rules,
tests/test_engine.py, tests/evaluation.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from redlines.cli import EXIT_ERROR, EXIT_OK, main
from redlines.errors import Problem

ROOT = Path(__file__).resolve().parents[1]
GDELT = ROOT / "examples" / "data" / "gdelt-sample.export.CSV"
ACLED = ROOT / "tests" / "fixtures" / "adapters" / "acled_current.csv"
EVENT = (
    '{"id": "%s", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "drone_strike"%s}'
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- JSON Lines ----------------------------------------------------------------------------


def test_regression_json_lines_split_on_newline_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """U+2028, U+0085 and an escaped \\x1c are valid inside JSON strings: the line holds."""
    path = tmp_path / "e.jsonl"
    notes = ', "notes": "a\u2028b\u0085c\\u001cd"'
    path.write_text(EVENT % ("e1", notes) + "\r\n" + EVENT % ("e2", "") + "\n" + "oops\n")
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR
    assert err == f"error: {path}:3:1: invalid JSON: Expecting value\n"


def test_regression_convert_output_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.jsonl"
    assert run(capsys, "convert", "--all", str(GDELT), "-o", str(out))[0] == EXIT_OK
    lines = out.read_text(encoding="utf-8").split("\n")
    with out.open("a", encoding="utf-8") as fh:  # a place name with a line separator in it
        fh.write(EVENT % ("extra", ', "location": {"place": "Kyiv\u2028Oblast"}') + "\n")
    code, report, err = run(capsys, "run", "--format", "json", str(out))
    assert (code, err) == (EXIT_OK, "")
    assert json.loads(report)["events"] == len([x for x in lines if x]) + 1


# -- CSV ------------------------------------------------------------------------------------


def test_regression_a_duplicated_export_column_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, *rows = ACLED.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "acled.csv"
    path.write_text("\n".join([header + ",country", *(r + ",Poland" for r in rows)]) + "\n")
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR
    assert "field 'country': duplicate column 'country' (columns 18 and 32)" in err
    assert err.startswith(f"error: {path}:1:32:")


@pytest.mark.parametrize("fatalities", ["١٢", "1_000", "１２", "nan", "inf"])
def test_regression_csv_numbers_are_ascii_decimal(
    fatalities: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        f"id,time,actor,target,kind,fatalities\ne1,2024-06-01,RUS,POL,threat,{fatalities}\n"
    )
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR and "field 'fatalities'" in err and f"got '{fatalities}'" in err


def test_regression_export_numbers_are_ascii_decimal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ACLED fatalities count in Arabic-Indic digits is a rejected row, not 12."""
    header, first, *_ = ACLED.read_text(encoding="utf-8").splitlines()
    columns = header.split(",")
    cells = next(iter(__import__("csv").reader([first])))
    cells[columns.index("fatalities")] = "١٢"
    path = tmp_path / "acled.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        __import__("csv").writer(fh).writerow(cells)
    code, out, _ = run(capsys, "run", "--format", "json", str(path))
    assert code == EXIT_OK
    assert json.loads(out)["input"]["rejected_by_reason"] == {"invalid fatalities": 1}


# -- pipes, devices, FIFOs ----------------------------------------------------------------


def _feed_fifo(path: Path, data: bytes) -> threading.Thread:
    def write() -> None:
        with path.open("wb") as fh:
            fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_regression_a_fifo_is_detected_and_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "x.export.CSV"
    os.mkfifo(fifo)
    writer = _feed_fifo(fifo, GDELT.read_bytes())
    code, out, err = run(capsys, "run", "--format", "json", str(fifo))
    writer.join(5)
    assert (code, err) == (EXIT_OK, "")
    report = json.loads(out)
    assert report["file"] == str(fifo) and report["input"]["rows_read"] == 13


@pytest.mark.parametrize(
    "source", [ROOT / "examples" / "events.jsonl", ROOT / "examples" / "events.csv", GDELT]
)
def test_regression_dev_stdin_is_read(source: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "redlines", "run", "--format", "json", "/dev/stdin"],
        input=source.read_bytes(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert json.loads(done.stdout)["file"] == "/dev/stdin"


def test_regression_output_to_a_fifo_is_written_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o` and `--rejections` replace regular files atomically, but write devices and FIFOs
    in place (as root, `-o /dev/null` once replaced the system's /dev/null)."""
    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as fh:
            received.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.05)
    code, _, _ = run(capsys, "convert", "--all", str(GDELT), "-o", str(fifo))
    reader.join(5)
    assert code == EXIT_OK and fifo.is_fifo()
    assert received and received[0].count(b"\n") == 7


def test_regression_output_to_dev_null_keeps_the_device(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "convert", str(GDELT), "-o", os.devnull)[0] == EXIT_OK
    assert not Path(os.devnull).is_file()


# -- messages -------------------------------------------------------------------------------


def test_regression_messages_escape_control_characters() -> None:
    problem = Problem(
        "bad\nerror: forged", file="a\x1b[31m.yaml", field="x\u2028y", value="\x1b]0;"
    )
    assert (
        problem.render()
        == "a\\x1b[31m.yaml: field 'x\\u2028y': bad\\nerror: forged (got '\\x1b]0;')"
    )


def test_regression_reports_escape_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        'name: "T\\e[31m"\nevents:\n  - {id: "a\\nerror: x", time: 2024-06-01, actor: RUS,'
        " target: POL, kind: drone_strike}\n"
    )
    for fmt in ("text", "markdown"):
        code, out, _ = run(capsys, "run", "--format", fmt, str(path))
        assert code == EXIT_OK and "\x1b" not in out and "a\\nerror: x" in out


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("name: x\n".encode("utf-16-le"), "1:2: a NUL byte: this is not UTF-8 text"),
        (b"name: x\nevents: [\x00]\n", "2:10: a NUL byte"),
        (b"name: caf\xe9\n", "1:10: not UTF-8 text"),
    ],
)
def test_regression_encodings_and_nul_bytes_are_located(
    data: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(data)
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR and err.startswith(f"error: {path}:{message}"), err
    assert err.count("\n") == 1


def test_utf16_with_a_byte_order_mark_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    text = (ROOT / "examples" / "scenarios" / "01-belarus-northern-front.yaml").read_text()
    path.write_bytes(text.encode("utf-16"))
    assert run(capsys, "run", str(path))[0] == EXIT_OK


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!binary aGVsbG8=", "binary values (!!binary) are not used"),
        ("!foo bar", "YAML tags such as '!foo' are not used"),
        ("!!set {a, b}", "unsupported YAML value"),
    ],
)
def test_regression_tagged_values_are_refused(
    value: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: {value}\nevents: []\n")
    code, _, err = run(capsys, "run", str(path))
    assert (
        code == EXIT_ERROR
        and err == f"error: {path}:1:7: invalid YAML/JSON: {message}" + (err.split(message, 1)[1])
    )
    assert "Tagged" not in err


# -- size: refused within seconds ---------------------------------------------------------


def test_regression_large_yaml_documents_are_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("title: " + "x" * 5_000_000 + "\n")
    started = time.monotonic()
    code, _, err = run(capsys, "check", str(path))
    assert code == EXIT_ERROR and "rule files are limited to 2.1 MB" in err
    scenario = tmp_path / "big-scenario.yaml"
    scenario.write_text("name: " + "x" * 40_000_000 + "\n")
    code, _, err = run(capsys, "run", str(scenario))
    assert code == EXIT_ERROR and "YAML and JSON documents are limited to 33.6 MB" in err
    assert time.monotonic() - started < 5


def test_a_rule_file_of_a_thousand_red_lines_is_read(tmp_path: Path) -> None:
    # 1,000 red lines written out in full are about 1.1 MB: more than a scenario may have.
    from redlines import load_rules

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from streams import ruleset_yaml
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    path = tmp_path / "many.yaml"
    path.write_text(ruleset_yaml(1000), encoding="utf-8")
    assert path.stat().st_size > 1 << 20
    assert len(load_rules(path).red_lines) == 1000


def test_regression_alias_bombs_are_refused_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nevents: *a8\n")
    started = time.monotonic()
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR and "aliases are expanded" in err
    assert time.monotonic() - started < 5


def test_regression_an_export_name_too_long_for_the_system_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `Path.is_file` raised ENAMETOOLONG instead of answering: a traceback, found by the fuzz
    # suite on `run --input-format gdelt <300 characters>`.
    code, out, err = run(capsys, "run", "--input-format", "gdelt", "a" * 300)
    assert code == EXIT_ERROR and out == ""
    assert "cannot read this file" in err and "Traceback" not in err


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".yaml"])
@pytest.mark.parametrize("field", ["id", "actor", "time", "intent", "tags", "location"])
def test_regression_a_lone_surrogate_is_a_located_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, field: str
) -> None:
    # A "\ud800" escape pairing with nothing crashed validators (UnicodeEncodeError) or, on the
    # JSON Lines fast path, was taken as an id: found by the fuzz suite.
    event: dict[str, object] = {
        "id": "a",
        "time": "2024-06-01",
        "actor": "RUS",
        "target": "POL",
        "kind": "drone_strike",
    }
    bad = "ab\ud800x"
    event[field] = {"place": bad} if field == "location" else [bad] if field == "tags" else bad
    text = json.dumps(event)
    path = tmp_path / f"input{suffix}"
    if suffix == ".json":
        text = json.dumps({"name": "surrogates", "events": [event]})
    elif suffix == ".yaml":
        text = f"name: surrogates\nevents:\n  - {text}\n"
    path.write_text(text + "\n", encoding="utf-8")
    code, out, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR and out == ""
    assert "lone surrogate" in err and f"input{suffix}:" in err and "Traceback" not in err


def test_regression_standard_input_that_is_not_utf8_is_located() -> None:
    # `run -` read standard input as text: a byte that is not UTF-8 gave a traceback.
    line = b'{"id": "a\xff", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "x"}\n'
    done = subprocess.run(
        [sys.executable, "-m", "redlines", "run", "-"],
        input=line,
        capture_output=True,
        timeout=60,
        check=False,
    )
    err = done.stderr.decode()
    assert done.returncode == EXIT_ERROR and "Traceback" not in err
    assert "<stdin>:1:10: not UTF-8 text" in err


def test_regression_unreadable_standard_input_is_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Under pytest's capture, reading standard input raises OSError: found by the fuzz suite.
    code, out, err = run(capsys, "run", "-")
    assert code == EXIT_ERROR and out == ""
    assert "cannot read standard input" in err
