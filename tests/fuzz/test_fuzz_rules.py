"""Mutated rule files: ``check``, ``rules --rules``, and ``run``, ``explain`` and ``test`` with
``--rules`` on example scenarios."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from .harness import EXAMPLES, ROOT, SCENARIO_01, fuzz_settings, run_and_check
from .strategies import rule_files

SCENARIOS = [
    SCENARIO_01,
    EXAMPLES / "scenarios" / "14-probing-poland-september-2025.yaml",
    EXAMPLES / "scenarios" / "17-probing-exactly-30-days.yaml",
    EXAMPLES / "scenarios" / "04-north-korean-troops-kursk.yaml",
    EXAMPLES / "scenarios-taiwan" / "04-rehearsal-pattern.yaml",
    EXAMPLES / "events.jsonl",
]


def _first_id(path: Path) -> str:
    """The id of the first event of an example file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return str(json.loads(text.splitlines()[0])["id"])
    return re.search(r"- id: (\S+)", text).group(1)  # type: ignore[union-attr]


FIRST_IDS = {path: _first_id(path) for path in SCENARIOS}


@given(
    content=rule_files(),
    scenario=st.sampled_from(SCENARIOS),
    coverage=st.booleans(),
    strict=st.booleans(),
    context=st.booleans(),
)
@fuzz_settings(25)
def test_mutated_rule_file(
    tmp_path: Path, content: bytes, scenario: Path, coverage: bool, strict: bool, context: bool
) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    rules = folder / "rules.yaml"
    rules.write_bytes(content)
    shown = {str(rules): content.decode("utf-8", "replace")}
    where = [str(folder)]
    options = ["--context"] * context + ["--strict"] * strict
    checked = run_and_check(["check", *options, str(rules)], files=shown, located=where)
    run_and_check(["rules", "--rules", str(rules)], files=shown, located=where)
    ran = run_and_check(
        ["run", "--format", "json", *options, "--rules", str(rules), str(scenario)],
        files=shown,
        located=[*where, str(ROOT)],
        json_report=True,
    )
    assert (checked.rc == 0) == (ran.rc == 0), (
        "check and run disagree on whether the rule file is valid\n\n"
        + checked.describe()
        + "\n\n"
        + ran.describe()
    )
    run_and_check(
        [
            "explain",
            "--event",
            FIRST_IDS[scenario],
            "--format",
            "json",
            "--rules",
            str(rules),
            str(scenario),
        ],
        files=shown,
        located=[*where, str(ROOT)],
        json_report=True,
    )
    if scenario.suffix == ".yaml":
        run_and_check(
            [
                "test",
                *options,
                *(["--coverage"] if coverage else []),
                "--rules",
                str(rules),
                str(scenario),
            ],
            files=shown,
            located=[*where, str(ROOT)],
        )
