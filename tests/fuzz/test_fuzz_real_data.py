"""Mutated GDELT 2.0/1.0, ACLED and UCDP exports: ``run`` (detected and declared format) and
``convert``, whose output must then be a valid event file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from .harness import fuzz_settings, run_and_check
from .strategies import real_data_files

INPUT_FORMATS = st.sampled_from(["gdelt", "gdelt1", "acled", "ucdp"])


@given(file=real_data_files(), declared=INPUT_FORMATS, twice=st.booleans())
@fuzz_settings(30)
def test_mutated_export(
    tmp_path: Path, file: tuple[str, str, bytes], declared: str, twice: bool
) -> None:
    name, suffix, content = file
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / f"{name}{suffix}"
    path.write_bytes(content)
    shown = {str(path): content.decode("utf-8", "replace")}
    where = [str(folder)]
    inputs = [str(path)] * (2 if twice else 1)
    run_and_check(
        ["run", "--format", "json", *inputs], files=shown, located=where, json_report=True
    )
    rejections = folder / "rejections.jsonl"
    run_and_check(
        [
            "run",
            "--format",
            "json",
            "--input-format",
            declared,
            "--rejections",
            str(rejections),
            str(path),
        ],
        files=shown,
        located=where,
        json_report=True,
        jsonl_output=rejections,
    )
    out = folder / "out.jsonl"
    converted = run_and_check(
        ["convert", "--all", str(path), "-o", str(out)],
        files=shown,
        located=where,
        jsonl_output=out,
    )
    if converted.rc == 0 and out.stat().st_size:
        # What convert writes is an event file: it must be read back without complaint.
        again = run_and_check(
            ["run", "--format", "json", str(out)],
            files={**shown, str(out): out.read_text(encoding="utf-8", errors="replace")},
            located=where,
            json_report=True,
        )
        assert again.rc == 0, "convert wrote events that run rejects\n\n" + again.describe()
        # explain the first converted event, from the export itself (read as run reads it)
        first = json.loads(out.read_text(encoding="utf-8").split("\n")[0])["id"]
        run_and_check(
            ["explain", "--event", first, "--format", "json", str(path)],
            files=shown,
            located=where,
            json_report=True,
        )
