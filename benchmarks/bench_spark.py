"""The Spark engine against the single-machine path, in one run: rows per second.

    .venv/bin/python benchmarks/bench_spark.py [--rows 1050000] [--files 50] [--rules nato-2024]

Builds GDELT 2.0 export files in /tmp (the real 2019 export in ../shared/data, else the test
fixture, copied until there are ``--rows`` rows, each copy of a row with a new GLOBALEVENTID,
spread over ``--files`` files as GDELT's 15-minute files are), then evaluates them all, one
report per file, as ``redlines run FILES...`` does:

- the single-machine path (``redlines.runner.evaluate_file`` for each file, one process);
- ``--engine spark`` on ``local[1]`` and on ``local[2]`` (one session each, started before the
  clock starts: the JVM's start is reported apart).

Every Spark report is checked against the single-machine one (byte-identical JSON). Prints
rows per second and each Spark figure as a ratio to the single-machine one, measured in this
run. With ``--one-stream``, the files are evaluated as one stream instead (GDELT files are then
read in one task: see docs/spark.md).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from redlines.report.render import render
from redlines.runner import evaluate_file, evaluate_stream

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "gdelt" / "20191024143000.export.CSV"
FIXTURE = ROOT / "tests" / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"


def build(source: Path, rows: int, files: int, out: Path) -> int:
    """Write *files* GDELT files under *out* holding *rows* rows in all (copies of *source*'s
    rows, each with a new GLOBALEVENTID); return the rows written."""
    lines = [
        line
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines()
        if line.split("\t", 1)[0].isdigit()
    ]
    per_file = -(-rows // files)
    written = 0
    copy = 0
    for f in range(files):
        with (out / f"2019102414{f:04d}.export.CSV").open("w", encoding="utf-8") as fh:
            n = 0
            while n < per_file and written < rows:
                for line in lines[: min(len(lines), per_file - n, rows - written)]:
                    cells = line.split("\t")
                    cells[0] = str(int(cells[0]) + copy * 10_000_000_000)
                    fh.write("\t".join(cells) + "\n")
                    n += 1
                    written += 1
                copy += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_050_000)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--rules", default="nato-2024")
    parser.add_argument("--one-stream", action="store_true")
    args = parser.parse_args()
    source = REAL if REAL.exists() else FIXTURE
    from redlines.spark import run, session

    folder = Path(tempfile.mkdtemp(prefix="redlines-bench-spark-"))
    try:
        rows = build(source, args.rows, args.files, folder)
        paths = sorted(str(p) for p in folder.iterdir())
        print(f"{rows:,} rows in {len(paths)} files from {source.name}; rules {args.rules}")

        start = time.perf_counter()
        if args.one_stream:
            local = [render([evaluate_stream(paths, rules=args.rules)], "json")]
        else:
            local = [render([evaluate_file(p, rules=args.rules)], "json") for p in paths]
        base = time.perf_counter() - start
        print(f"single machine: {base:8.1f} s  {rows / base:12,.0f} rows/s  (1.00x)")

        for master in ("local[1]", "local[2]"):
            started = time.perf_counter()
            spark = session(master, app_name=f"redlines-bench-{master}")
            spark.sparkContext.parallelize([0], 1).count()  # the JVM and a first worker
            up = time.perf_counter() - started
            start = time.perf_counter()
            outcomes = run(paths, rules=args.rules, spark=spark, one_stream=args.one_stream)
            took = time.perf_counter() - start
            same = [render([o.report], "json") for o in outcomes] == local
            spark.stop()
            print(
                f"spark {master}: {took:8.1f} s  {rows / took:12,.0f} rows/s  "
                f"({base / took:.2f}x)  session start {up:.1f} s  "
                f"reports {'identical' if same else 'DIFFERENT'}"
            )
            if not same:
                sys.exit(1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
