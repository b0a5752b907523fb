"""Command lines: every command with odd options, option values and paths (missing files,
folders, empty files, /dev/null, /dev/full as output, the input as its own output).

Endless devices (/dev/zero, /dev/urandom), FIFOs without a writer and the empty path are left
to ``test_found.py``: while they fail, each example would cost the whole time limit or hide
other failures.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from .harness import EXAMPLES, FIXTURES, ROOT, SCENARIO_01, TAIWAN, fuzz_settings, run_and_check

INPUTS = [
    str(SCENARIO_01),
    str(EXAMPLES / "events.jsonl"),
    str(EXAMPLES / "events.csv"),
    str(EXAMPLES / "scenarios-taiwan" / "04-rehearsal-pattern.yaml"),
    str(FIXTURES / "gdelt2_sample.export.CSV"),
    str(FIXTURES / "gdelt1_mixed.csv"),
    str(FIXTURES / "acled_current.csv"),
    str(FIXTURES / "ucdp_hdx.csv"),
    str(EXAMPLES / "rulesets" / "taiwan-blockade.yaml"),
    "/dev/null",
    "{tmp}",
    "{tmp}/missing.yaml",
    "{tmp}/empty.csv",
    "{tmp}/empty.yaml",
    "-",
    "--",
    "nato-2024",
    "x" * 300,
    "x" * 300 + ".yaml",
    "a\x00b",
]
RULES = [
    "nato-2024",
    "nato-2025",
    str(TAIWAN),
    "x" * 300,
    "a\x00b",
    "{tmp}",
    "{tmp}/missing.yaml",
    "/dev/null",
]
OUTPUTS = ["{tmp}/out.jsonl", "-", "/dev/null", "/dev/full", "{tmp}", "{tmp}/no/such/dir/out.jsonl"]
NUMBERS = ["0", "1", "2", "3", "-1", "99999999999999999999", "x", "", "1.5", "\u0663"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(
        st.sampled_from(["run", "run", "test", "check", "rules", "convert", "explain", "schema"])
    )
    argv = [command]
    files = draw(st.lists(st.sampled_from(INPUTS), min_size=0, max_size=3))
    options: list[list[str]] = []
    if command in ("run", "test", "rules", "convert", "explain"):
        options.append(["--rules", draw(st.sampled_from(RULES))])
    if command in ("run", "test", "check", "explain"):
        options.append([draw(st.sampled_from(["--context", "--no-context"]))])
    if command in ("run", "test", "check"):
        options.append(["--strict"])
    if command == "explain":
        options.append(
            ["--event", draw(st.sampled_from(["blr-kovel", "pl-1", "e1", "", "x" * 300]))]
        )
        options.append(["--redline", draw(st.sampled_from(["RL1", "RL2", "TW1", "rl1", ""]))])
        options.append(["--format", draw(st.sampled_from(["json", "text", "markdown"]))])
    if command in ("run", "convert", "explain"):
        options.append(
            [
                "--input-format",
                draw(st.sampled_from(["gdelt", "gdelt1", "acled", "ucdp", "csv", "scenario", "x"])),
            ]
        )
        for name in ("--min-urls", "--min-sources", "--min-articles"):
            options.append([name, draw(st.sampled_from(NUMBERS))])
        options.append(
            [draw(st.sampled_from(["--no-grouping", "--no-place-check", "--no-regions"]))]
        )
        options.append(["--rejections", draw(st.sampled_from(OUTPUTS))])
    if command == "test":
        options.append(["--coverage"])
    if command == "run":
        options.append(["--format", draw(st.sampled_from(["json", "text", "markdown", "xml"]))])
        options.append([draw(st.sampled_from(["--color", "--no-color"]))])
    if command == "convert":
        # The input as its own output (refused: it would destroy the input); never another
        # file of the project, which a conversion would overwrite as asked.
        own = files[:1] if files and files[0] != "-" else []
        options.append(["-o", draw(st.sampled_from([*OUTPUTS, *own]))])
        options.append(["--all"])
    chosen = (
        draw(st.lists(st.sampled_from(options), unique_by=lambda o: o[0], max_size=len(options)))
        if options
        else []
    )
    for option in chosen:
        argv.extend(option)
    if command == "schema":
        argv.extend(
            draw(
                st.lists(
                    st.sampled_from(["rules", "scenario", "event", "report", "x", ""]), max_size=2
                )
            )
        )
    elif command != "rules":
        argv.extend(files)
    return argv


@given(argv=command_lines())
@fuzz_settings(60)
def test_command_lines(tmp_path: Path, argv: list[str]) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "empty.csv").write_bytes(b"")
    (folder / "empty.yaml").write_bytes(b"")
    argv = [a.replace("{tmp}", str(folder)) for a in argv]
    # An error names a file as given, with control characters escaped (docs/errors.md).
    named = [a for a in argv if a] + [a.encode("unicode_escape").decode("ascii") for a in argv if a]
    where = [str(folder), str(ROOT), "/dev/", "<stdin>", *(f"{a}:" for a in named)]
    json_report = (argv[0] in ("run", "explain") and "json" in argv and "-" not in argv) or (
        argv[0] == "schema"
    )
    run_and_check(argv, located=where, json_report=json_report)
