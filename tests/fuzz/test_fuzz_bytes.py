"""Arbitrary bytes and text under every suffix the command line reads."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from .harness import fuzz_settings, run_and_check

SUFFIXES = [".yaml", ".yml", ".json", ".jsonl", ".csv", ".CSV", ".txt", ""]
CONTENT = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    st.lists(
        st.sampled_from(
            [
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "-",
                "\t",
                "\n",
                "id",
                "kind",
                '"',
                "&a",
                "*a",
                "!!",
                "#",
                "\x00",
                "\ufeff",
            ]
        ),
        max_size=80,
    ).map(lambda xs: "".join(xs).encode("utf-8")),
)


@given(content=CONTENT, suffix=st.sampled_from(SUFFIXES))
@fuzz_settings(40)
def test_arbitrary_bytes(tmp_path: Path, content: bytes, suffix: str) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = folder / f"input{suffix}"
    path.write_bytes(content)
    shown = {str(path): content.decode("utf-8", "replace")}
    where = [str(folder)]
    run_and_check(
        ["run", "--format", "json", str(path)], files=shown, located=where, json_report=True
    )
    if suffix in (".yaml", ".yml", ".json"):
        run_and_check(["test", str(path)], files=shown, located=where)
        run_and_check(["check", str(path)], files=shown, located=where)
