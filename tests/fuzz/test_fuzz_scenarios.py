"""Mutated scenarios (YAML, JSON) and event files (JSON Lines, CSV): ``run``, ``test`` and
``explain``, and two metamorphic properties (escapes, event order)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from .harness import Outcome, fuzz_settings, run_and_check
from .strategies import (
    dump_yaml,
    event_csv_files,
    jsonl_files,
    jsonl_twins,
    scenario_docs,
    scenario_files,
)

FORMATS = st.sampled_from(["json", "json", "json", "text", "markdown"])
#: Options of run, test and check that change what is printed and how it exits.
SHARED = st.lists(
    st.sampled_from(["--context", "--no-context", "--strict"]), unique=True, max_size=2
)
#: Event ids worth asking `explain` about, besides the first id of the file.
IDS = ["e1", "p0", "blr-kovel", "pl-1", "nope", "007", "", "x" * 300]


def _write(tmp_path: Path, suffix: str, content: bytes) -> tuple[Path, dict[str, str]]:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    return path, {str(path): content.decode("utf-8", "replace")}


def _run(path: Path, shown: dict[str, str], fmt: str, options: list[str]) -> None:
    run_and_check(
        ["run", "--format", fmt, *options, str(path)],
        files=shown,
        located=[str(path.parent)],
        json_report=fmt == "json",
    )


def _first_id(text: str) -> str | None:
    """The first event id written in a YAML, JSON, JSON Lines or CSV file, roughly."""
    found = re.search(r"""["']?\bid["']?\s*:\s*["']?([^"',}\n]+)""", text)
    if found is None and text.startswith("id,"):
        found = re.search(r"\n([^,\n]+),", text)
    return found.group(1).strip() if found else None


def _explain(path: Path, shown: dict[str, str], data: st.DataObject) -> None:
    """`explain` one event of the file (its first id, or another)."""
    first = _first_id(shown[str(path)])
    event = data.draw(st.sampled_from([first] * 3 + IDS if first else IDS), label="event")
    fmt = data.draw(st.sampled_from(["text", "json"]), label="explain format")
    extra = data.draw(
        st.lists(
            st.sampled_from(["--context", "--redline RL1", "--redline TW1", "--redline X"]),
            unique=True,
            max_size=2,
        ),
        label="explain options",
    )
    options = [word for option in extra for word in option.split(" ")]
    run_and_check(
        ["explain", "--event", event, "--format", fmt, *options, str(path)],
        files=shown,
        located=[str(path.parent)],
        json_report=fmt == "json",
    )


@given(file=scenario_files(), fmt=FORMATS, coverage=st.booleans(), options=SHARED, data=st.data())
@fuzz_settings(30)
def test_mutated_scenario(
    tmp_path: Path,
    file: tuple[str, bytes],
    fmt: str,
    coverage: bool,
    options: list[str],
    data: st.DataObject,
) -> None:
    suffix, content = file
    path, shown = _write(tmp_path, suffix, content)
    _run(path, shown, fmt, options)
    test = ["test", *options, *(["--coverage"] if coverage else []), str(path)]
    run_and_check(test, files=shown, located=[str(path.parent)])
    _explain(path, shown, data)


@given(content=jsonl_files(), fmt=FORMATS, options=SHARED, data=st.data())
@fuzz_settings(30)
def test_mutated_jsonl_events(
    tmp_path: Path, content: bytes, fmt: str, options: list[str], data: st.DataObject
) -> None:
    path, shown = _write(tmp_path, ".jsonl", content)
    _run(path, shown, fmt, options)
    _explain(path, shown, data)


@given(content=event_csv_files(), fmt=FORMATS, options=SHARED, data=st.data())
@fuzz_settings(30)
def test_mutated_csv_events(
    tmp_path: Path, content: bytes, fmt: str, options: list[str], data: st.DataObject
) -> None:
    path, shown = _write(tmp_path, ".csv", content)
    _run(path, shown, fmt, options)
    _explain(path, shown, data)


def _same_report(first: Outcome, second: Outcome, why: str, *, same_errors: bool = False) -> None:
    """Both runs exit alike and, when they succeed, report the same (but for the file name);
    with *same_errors*, when they fail, they print the same errors (but for the file name)."""
    message = f"{why}\n\n{first.describe()}\n\n{second.describe()}"
    assert first.rc == second.rc, message
    if same_errors and first.rc == 2:
        # Columns may differ: an escape (\u2028) is wider than the character it stands for.
        errors = [
            re.sub(
                r"^(error: FILE:\d+):\d+:", r"\1:", o.stderr.replace(o.argv[-1], "FILE"), flags=re.M
            )
            for o in (first, second)
        ]
        assert errors[0] == errors[1], message
    if first.rc == 0:
        reports = [json.loads(o.stdout) for o in (first, second)]
        for report in reports:
            for each in report if isinstance(report, list) else [report]:
                each.pop("file", None)
        assert reports[0] == reports[1], message


@given(twins=jsonl_twins())
@fuzz_settings(25)
def test_jsonl_escapes_do_not_matter(tmp_path: Path, twins: tuple[bytes, bytes]) -> None:
    escaped, plain = twins
    outcomes = []
    for content in (escaped, plain):
        path, shown = _write(tmp_path, ".jsonl", content)
        outcomes.append(
            run_and_check(
                ["run", "--format", "json", str(path)],
                files=shown,
                located=[str(path.parent)],
                json_report=True,
            )
        )
    _same_report(
        outcomes[0],
        outcomes[1],
        "the same events, escaped (\\u2028) and not, read differently",
        same_errors=True,
    )


@given(doc=scenario_docs(), data=st.data())
@fuzz_settings(25)
def test_event_order_does_not_matter(tmp_path: Path, doc: Any, data: st.DataObject) -> None:
    events = doc.get("events") if isinstance(doc, dict) else None
    if not isinstance(events, list) or len(events) < 2:
        return
    shuffled = {**doc, "events": data.draw(st.permutations(events), label="events shuffled")}
    outcomes = []
    for version in (doc, shuffled):
        path, shown = _write(tmp_path, ".yaml", dump_yaml(version).encode("utf-8"))
        outcomes.append(
            run_and_check(
                ["run", "--format", "json", str(path)],
                files=shown,
                located=[str(path.parent)],
                json_report=True,
            )
        )
    _same_report(outcomes[0], outcomes[1], "the same events in another order gave another result")
