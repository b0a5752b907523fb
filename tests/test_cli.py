"""The command line: exit codes, output, and errors without tracebacks (CONTRACT §7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redlines.cli import EXIT_ERROR, EXIT_FAIL, EXIT_OK, main

ROOT = Path(__file__).resolve().parents[1]

SCENARIO = """name: Belarus opens a northern front
rules: nato-2024
events:
  - id: e1
    time: 2024-06-01T04:00:00+00:00
    actor: BLR
    target: UKR
    kind: ground_offensive
    intent: deliberate
    location: {country: UKR, region: UA-07, place: Kovel}
expect:
  RL1: crossed
  RL2: clear
"""


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_text(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "run", str(scenario))
    assert code == EXIT_OK and err == ""
    assert "Belarus opens a northern front" in out and "CROSSED" in out and "\x1b[" not in out


def test_run_json_is_deterministic(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "run", "--format", "json", str(scenario))
    _, second, _ = run(capsys, "run", "--format", "json", str(scenario))
    assert first == second
    assert json.loads(first)["redlines"][0]["status"] == "crossed"


def test_run_markdown(scenario: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "run", "--format", "markdown", str(scenario))
    assert code == EXIT_OK and out.startswith("## Belarus opens a northern front")


def test_one_invalid_file_fails_the_run(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.replace("actor: BLR", "actor: Belarusia"))
    code, out, err = run(capsys, "run", str(scenario), str(bad))
    assert code == EXIT_ERROR and out == ""
    assert (
        err
        == f"error: {bad}:6:12: field 'events[0].actor': unknown country 'Belarusia' (did you mean 'Belarus'?)\n"
    )
    assert "Traceback" not in err


def test_rules_override(scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run", "--rules", "nato-2042", str(scenario))
    assert code == EXIT_ERROR and "did you mean 'nato-2024'?" in err


def test_scenario_unknown_ruleset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("rules: nato-2024", "rules: missing.yaml"))
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR and f"{tmp_path}/missing.yaml: no such file" in err


def test_test_pass_and_fail(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == EXIT_OK and out.endswith("1 passed, 0 failed\n")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(SCENARIO.replace("RL2: clear", "RL2: warning"))
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == EXIT_FAIL
    assert (
        f"FAIL {wrong} (Belarus opens a northern front)\n     RL2: expected warning, actual clear\n"
        in out
    )
    assert out.endswith("1 passed, 1 failed\n")


def test_test_unknown_red_line_in_expect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("RL2: clear", "RL3: clear"))
    code, _, err = run(capsys, "test", str(path))
    assert code == EXIT_ERROR
    assert f"{path}:13: field 'expect.RL3': unknown red line 'RL3'" in err


def test_test_skips_rule_files_in_folders(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "rules.yaml").write_text("schema: redlines/rules/v1\n")
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == EXIT_OK and "1 passed" in out


def test_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = Path(__file__).resolve().parents[1] / "src/redlines/data/rulesets/nato-2024.yaml"
    code, out, _ = run(capsys, "check", str(good))
    assert code == EXIT_OK and "nato-2024 1.0.0, 2 red lines" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema: redlines/rules/v1\nname: x\nversion: 1\ntitle: t\nred_lines:\n  - id: X\n    title: x\n    clauses:\n      - {id: c, level: crossed, when: {field: kindd, eq: threat}, reason: r}\n"
    )
    code, _, err = run(capsys, "check", str(bad))
    assert code == EXIT_ERROR
    assert err.startswith(f"error: {bad}:9:") and "did you mean 'kind'?" in err


def test_rules_lists_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == EXIT_OK
    assert "RL1  Third-party interference" in out and "La Repubblica, 2024-05-05" in out
    assert "probing (pattern: 3 events within 30 days)" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run")
    assert code == EXIT_ERROR and "Missing argument" in err
    code, _, err = run(capsys, "frobnicate")
    assert code == EXIT_ERROR


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == EXIT_OK and "run" in out and "convert" in out


def test_check_accepts_a_shipped_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "nato-2024")
    assert code == EXIT_OK and out.startswith("ok nato-2024: nato-2024 1.0.0")


def test_run_with_other_rules_ignores_expect(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "ro.yaml"
    rules.write_text(
        "schema: redlines/rules/v1\nname: ro\nversion: 1\ntitle: t\nred_lines:\n  - id: RO\n    title: Romania\n"
        "    clauses:\n      - {id: c, level: crossed, when: {field: target, eq: ROU}, reason: r}\n"
    )
    code, out, _ = run(capsys, "run", "--rules", str(rules), str(scenario))
    assert code == EXIT_OK and "RO Romania" in out
    code, _, err = run(capsys, "test", "--rules", str(rules), str(scenario))
    assert code == EXIT_ERROR and "unknown red line 'RL1' in expect" in err


def test_real_gdelt_2019_export_crosses_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 3's proof on real data: every row accounted for, no red line crossed."""
    from .conftest import shared_data

    path = shared_data("gdelt", "20191024143000.export.CSV")
    code, out, err = run(capsys, "run", "--format", "json", str(path))
    assert code == EXIT_OK, err
    report = json.loads(out)
    i = report["input"]
    assert i["format"] == "gdelt" and i["rows_read"] == 2111
    assert i["rows_read"] == i["rows_used"] + i["rows_irrelevant"] + i["rows_rejected"]
    assert sum(i["rejected_by_reason"].values()) == i["rows_rejected"]
    assert [r["status"] for r in report["redlines"]] == ["clear", "clear"]


@pytest.mark.parametrize(
    "name", ["acled_current.csv", "acled_pre2023.csv", "acled_ukraine_upper.csv"]
)
def test_run_detects_acled_exports(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / name
    code, out, err = run(capsys, "run", "--format", "json", str(path))
    assert code == EXIT_OK, err
    report = json.loads(out)
    i = report["input"]
    assert i["format"] == "acled" and i["rows_read"] > 0
    assert i["rows_read"] == i["rows_used"] + i["rows_irrelevant"] + i["rows_rejected"]
    assert report["events"] <= i["rows_used"]


def test_convert_writes_contract_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    out_file = tmp_path / "events.jsonl"
    code, _, err = run(capsys, "convert", "--all", str(path), "-o", str(out_file))
    assert code == EXIT_OK and "rows read 13" in err
    code, out, _ = run(capsys, "run", "--format", "json", str(out_file))
    assert code == EXIT_OK and json.loads(out)["events"] == len(out_file.read_text().splitlines())


def test_corroboration_thresholds_are_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    code, _, err = run(capsys, "run", "--min-urls", "1", str(path))
    assert code == EXIT_ERROR and "a single machine-coded article must never yield" in err
    strict, loose = tmp_path / "strict.jsonl", tmp_path / "loose.jsonl"
    run(capsys, "convert", "--all", "--min-sources", "50", str(path), "-o", str(strict))
    run(capsys, "convert", "--all", str(path), "-o", str(loose))
    assert '"confirmed"' not in strict.read_text()
    assert '"confirmed"' in loose.read_text()


def test_place_check_switch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    out = tmp_path / "e.jsonl"
    run(capsys, "convert", "--all", "--no-place-check", str(path), "-o", str(out))
    odessa = next(json.loads(line) for line in out.read_text().splitlines() if "900000009" in line)
    assert odessa["target"] == "UKR"


def test_regression_scenario_rules_error_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("rules: nato-2024", "rules: nato-2025"))
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR
    assert err.startswith(f"error: {path}:2: field 'rules': unknown ruleset 'nato-2025'")


def test_regression_misspelt_scenario_in_a_folder_is_not_skipped_silently(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.yaml").write_text("title: not a scenario\n")
    code, out, _ = run(capsys, "test", str(tmp_path))
    assert code == EXIT_OK
    assert f"SKIP {tmp_path}/notes.yaml: not a scenario (no 'events') nor a rule file" in out
    assert out.endswith("1 passed, 0 failed, 1 skipped\n")
    (tmp_path / "typo.yaml").write_text("name: x\nevnets: []\n")
    code, _, err = run(capsys, "test", str(tmp_path))
    assert code == EXIT_ERROR
    assert (
        f"{tmp_path}/typo.yaml:1: field 'evnets': looks like a scenario, but has no 'events'" in err
    )


def test_regression_missing_rules_file_names_the_scenario_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("rules: nato-2024", "rules: gone.yaml"))
    code, _, err = run(capsys, "run", str(path))
    assert code == EXIT_ERROR
    assert (
        err
        == f"error: {path}:2: field 'rules': cannot read the rule file {tmp_path}/gone.yaml: no such file\n"
    )


def test_regression_convert_to_an_unwritable_path(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    code, _, err = run(capsys, "convert", str(path), "-o", "/nonexistent/dir/x.jsonl")
    assert code == EXIT_ERROR
    assert err == "error: /nonexistent/dir/x.jsonl: cannot write: No such file or directory\n"


def test_regression_test_folder_reports_every_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-syntax.yaml").write_text("events: [\n")
    (tmp_path / "b-kind.yaml").write_text(SCENARIO.replace("ground_offensive", "ground_ofensive"))
    code, _, err = run(capsys, "test", str(tmp_path))
    assert code == EXIT_ERROR
    assert f"{tmp_path}/a-syntax.yaml:" in err and f"{tmp_path}/b-kind.yaml:8:11:" in err


def test_markdown_report_accounts_for_real_data_rows(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "acled_current.csv"
    code, out, _ = run(capsys, "run", "--format", "markdown", str(path))
    assert code == EXIT_OK
    assert (
        "Input (acled): 8 rows read, 2 used, 4 irrelevant, 2 rejected (1 invalid date; 1 no actor or target country)."
        in out
    )


def test_rejected_rows_can_be_written_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    out = tmp_path / "rejected.jsonl"
    code, report, _ = run(capsys, "run", "--format", "json", "--rejections", str(out), str(path))
    assert code == EXIT_OK
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["row"], r["reason"]) for r in rows] == [
        (11, "wrong number of columns"),
        (12, "invalid date"),
        (13, "no actor or target country"),
    ]
    assert len(rows) == json.loads(report)["input"]["rows_rejected"]


def test_regression_unknown_rules_option_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "--rules", "nato-2042")
    assert code == EXIT_ERROR
    assert err.startswith("error: --rules: unknown ruleset 'nato-2042'")


def test_regression_gdelt_detected_past_a_malformed_first_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = (
        Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    ).read_text()
    path = tmp_path / "x.export.CSV"
    path.write_text("1\t2\t3\n" + good)
    code, out, err = run(capsys, "run", "--format", "json", str(path))
    assert code == EXIT_OK, err
    assert json.loads(out)["input"]["rejected_by_reason"]["wrong number of columns"] == 2


def test_long_form_expectations_check_time_and_clauses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.yaml"
    good = SCENARIO.replace(
        "  RL1: crossed\n",
        "  RL1: {status: crossed, first_crossed_at: 2024-06-01T04:00:00+00:00, clauses: [report-example]}\n",
    ).replace("  RL2: clear\n", "  RL2: {status: clear, first_crossed_at: null, clauses: []}\n")
    path.write_text(good)
    code, out, _ = run(capsys, "test", str(path))
    assert code == EXIT_OK, out
    path.write_text(
        good.replace(
            "04:00:00+00:00, clauses: [report-example]",
            "05:00:00+00:00, clauses: [a-military-action]",
        )
    )
    code, out, _ = run(capsys, "test", str(path))
    assert code == EXIT_FAIL
    lines = out.splitlines()
    first = lines.index(
        "     RL1 first_crossed_at: expected 2024-06-01T05:00:00+00:00, actual 2024-06-01T04:00:00+00:00"
    )
    clauses = lines.index("     RL1 clauses: expected a-military-action, actual report-example")
    # Under each mismatch, indented, what decided it (tests/test_cli_explain.py).
    assert first < clauses and lines[first + 1].startswith("       e1: report-example (crossed)")
    assert lines[clauses + 2] == (
        "       e1: matched a-military-action (crossed), but report-example (crossed) names its finding"
    )


def test_expectation_typos_are_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("  RL2: clear\n", "  RL2: {status: clear, clause: [x]}\n"))
    code, _, err = run(capsys, "test", str(path))
    assert code == EXIT_ERROR
    assert "field 'expect.RL2.clause': unknown field (did you mean 'clauses'?)" in err


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("big.csv", 'id,time,actor,target,kind\n"' + "x" * 1_100_000 + "\n"),
        (
            "acled_big.csv",
            'event_id_cnty,event_date,event_type,actor1,country\nA1,2024-06-01,Battles,"'
            + "x" * 1_100_000
            + "\n",
        ),
        ("omap.yaml", "events: []\nexpect: !!omap [{RL1: clear}, {RL3: clear}]\n"),
    ],
)
def test_regression_odd_inputs_never_give_a_traceback(
    name: str, content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_text(content)
    code, _, err = run(capsys, "test" if name.endswith(".yaml") else "run", str(path))
    assert code == EXIT_ERROR and err.startswith("error: ") and "Traceback" not in err


def test_regression_damaged_zip_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    good = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    path = tmp_path / "g.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.write(good, "g.export.CSV")
    data = bytearray(path.read_bytes())
    data[60] ^= 0xFF  # inside the compressed member: its CRC no longer matches
    path.write_bytes(bytes(data))
    code, _, err = run(capsys, "run", "--input-format", "gdelt", str(path))
    assert code == EXIT_ERROR and "cannot read the zip archive" in err


def test_regression_non_ascii_digits_and_infinities_are_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = (
        (Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV")
        .read_text()
        .splitlines()
    )
    first = rows[0].split("\t")
    odd_id, inf_sources = list(first), list(first)
    odd_id[0] = "1²"
    inf_sources[0], inf_sources[32] = "900000777", "1e999"
    path = tmp_path / "g.export.CSV"
    path.write_text("\n".join(["\t".join(odd_id), "\t".join(inf_sources), *rows[1:]]) + "\n")
    code, out, err = run(capsys, "run", "--format", "json", str(path))
    assert code == EXIT_OK, err
    assert json.loads(out)["input"]["rejected_by_reason"]["invalid event id"] == 1


def test_test_coverage_lists_what_no_scenario_exercises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        """schema: redlines/rules/v1
name: cov
version: 1
title: t
red_lines:
  - id: X
    title: x
    clauses:
      - {id: strike, level: crossed, when: {field: kind, eq: drone_strike}, reason: r}
      - id: either
        level: warning
        when: {any: [{field: kind, eq: threat}, {field: target, eq: EST}]}
        reason: r
      - {id: never, level: warning, when: {field: kind, eq: sabotage}, reason: r}
    patterns:
      - {id: twice, select: {level: crossed}, count: 2, within: 1d, reason: r}
"""
    )
    event = "{id: %s, time: 2024-06-01, actor: RUS, target: POL, kind: %s}"
    for name, kinds in (("a", ["drone_strike"]), ("b", ["threat", "drone_strike", "drone_strike"])):
        events = "\n".join(f"  - {event % (f'e{i}', k)}" for i, k in enumerate(kinds))
        (tmp_path / f"{name}.yaml").write_text(
            f"rules: r.yaml\nevents:\n{events}\nexpect: {{X: crossed}}\n"
        )
    code, out, _ = run(capsys, "test", "--coverage", str(tmp_path))
    assert code == EXIT_OK
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    assert f"coverage of cov 1 by 2 scenarios:\n  X strike (crossed): 2 ({a}, {b})\n" in out
    assert f"      alternative 1 of 2: 1 ({b})\n        kind needs 'threat'\n" in out
    assert "      alternative 2 of 2: none\n        target needs 'EST'\n" in out
    assert "  X never (warning): none\n" in out
    assert f"  X twice (pattern): 1 ({b})\n" in out
    assert out.endswith(
        "  exercised: 3 of 4 clauses and patterns, 1 of 2 alternatives\n"
        "  not exercised by any scenario:\n"
        "    X either alternative 2 of 2\n"
        "    X never\n"
    )


def test_the_examples_exercise_every_clause_of_the_shipped_ruleset(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "test", "--coverage", str(Path(__file__).parents[1] / "examples" / "scenarios")
    )
    assert code == EXIT_OK
    assert "coverage of nato-2024 1.0.0 by 26 scenarios:" in out
    assert "  exercised: 11 of 11 clauses and patterns," in out


@pytest.mark.parametrize(
    "argv",
    [
        ("convert", "{input}", "-o", "{input}"),
        ("convert", "{input}", "-o", "{out}", "--rejections", "{input}"),
        ("run", "{input}", "-o", "{input}"),
        ("run", "{input}", "-o", "{out}", "--rejections", "{input}"),
        ("run", "{dir}", "-o", "{input}"),  # a file of a directory given
        ("run", "{out}.jsonl", "--rules", "{rules}", "-o", "{rules}"),  # the rule file
    ],
)
def test_regression_an_output_that_is_an_input_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    # `convert export.CSV -o export.CSV` used to replace the export by its events.
    source = Path(__file__).parent / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"
    path = tmp_path / "sample.export.CSV"
    path.write_bytes(source.read_bytes())
    rules = tmp_path / "rules.yaml"
    rules.write_bytes((ROOT / "src/redlines/data/rulesets/nato-2024.yaml").read_bytes())
    (tmp_path / "o.jsonl").write_text("")
    given = [
        a.replace("{input}", str(path))
        .replace("{out}", str(tmp_path / "o"))
        .replace("{dir}", str(tmp_path))
        .replace("{rules}", str(rules))
        for a in argv
    ]
    code, _, err = run(capsys, *given)
    assert code == EXIT_ERROR and "is one of the input files" in err
    assert path.read_bytes() == source.read_bytes()
    assert rules.read_bytes() == (ROOT / "src/redlines/data/rulesets/nato-2024.yaml").read_bytes()


def test_regression_standard_input_redirected_from_the_output_is_refused(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "events.jsonl"
    path.write_bytes((ROOT / "examples" / "events.jsonl").read_bytes())
    with path.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "redlines", "run", "-", "-o", str(path)],
            stdin=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == EXIT_ERROR and "is one of the input files" in done.stderr
    assert path.read_bytes() == (ROOT / "examples" / "events.jsonl").read_bytes()
