"""Write what the command line prints for every example and fixture input, one file each.

Used to show that a refactoring changes no byte of any report::

    .venv/bin/python tests/golden/snapshot.py /tmp/before     # on the old commit
    .venv/bin/python tests/golden/snapshot.py /tmp/after      # on the new one
    diff -r /tmp/before /tmp/after

Inputs: every example scenario, event file and data sample, every adapter fixture, and the
real exports under ``../shared/data`` when that folder exists. For each input and each of
``json``, ``text`` and ``markdown`` it records the exit code, standard output and standard
error of ``redlines run``; it also records ``redlines test examples/``, ``convert`` of every
real-data input and ``rules``/``check`` of every ruleset.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from redlines.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def inputs() -> list[Path]:
    files = sorted((ROOT / "examples").rglob("*"))
    files += sorted((ROOT / "tests" / "fixtures").rglob("*"))
    if SHARED.is_dir():
        files += sorted(SHARED.rglob("*"))
    keep = (".yaml", ".yml", ".json", ".jsonl", ".csv", ".CSV", ".zip")
    return [
        f
        for f in files
        if f.is_file()
        and f.name.endswith(keep)
        and "rulesets" not in f.parts
        and "column" not in f.name
    ]


def capture(argv: list[str]) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"


def label(path: Path) -> str:
    try:
        rel = path.relative_to(ROOT)
    except ValueError:
        rel = Path("shared") / path.relative_to(SHARED)
    return str(rel).replace("/", "__")


def main_(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in inputs():
        for fmt in ("json", "text", "markdown"):
            text = capture(["run", "--format", fmt, str(path)])
            (out_dir / f"run-{fmt}-{label(path)}.txt").write_text(text, encoding="utf-8")
        if path.suffix.lower() in (".csv", ".zip") and "events" not in path.name:
            dest = out_dir / f"convert-{label(path)}.jsonl"
            text = capture(["convert", str(path), "-o", str(dest)]).replace(str(out_dir), "<out>")
            (out_dir / f"convert-{label(path)}.txt").write_text(text, encoding="utf-8")
    (out_dir / "test-examples.txt").write_text(capture(["test", "examples"]), encoding="utf-8")
    for rules in ("nato-2024", str(ROOT / "examples" / "rulesets" / "taiwan-blockade.yaml")):
        name = Path(rules).stem
        (out_dir / f"rules-{name}.txt").write_text(
            capture(["rules", "--rules", rules]).replace(str(ROOT), "<root>"), encoding="utf-8"
        )
        (out_dir / f"check-{name}.txt").write_text(
            capture(["check", rules]).replace(str(ROOT), "<root>"), encoding="utf-8"
        )


if __name__ == "__main__":
    main_(Path(sys.argv[1]))
