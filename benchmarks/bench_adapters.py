"""Real-data reading: throughput against Python's csv module, and whether memory grows with
file size, in one run.

    .venv/bin/python benchmarks/bench_adapters.py [SOURCE.CSV]

Builds GDELT 2.0 files of 1x, 4x and 16x the rows of SOURCE (default: the real 2019 export in
../shared/data, else the test fixture), each copy of a row with a new GLOBALEVENTID, and reads
each with the nato-2024 relevance filter, as `redlines run` does. For each it prints rows per
second and the ratio to Python's csv module only reading the same file (measured in the same
run, best of three; above 1 means redlines reads, maps and judges the rows faster than csv
splits them), and the peak memory allocated while reading (tracemalloc, in a second pass) as
a ratio to the 1x file: time should grow about linearly, peak memory should not (irrelevant
rows are counted and dropped, a file is read in blocks); what does grow is the list of
rejection records kept for the report, capped at ``AdapterOptions.max_rejections_kept``.

Copies of one file repeat the same combinations of countries and codes, which the columnar
reader (``readers/columnar.py``) looks up once each. A *varied* 16x file, in which the actor
country, the place and the date are shuffled among the rows of each copy, shows the cost when
most combinations are new. The *row by row* line reads the 1x file through a plain relevance
callable, which makes the reader map and validate every row in Python (the reading before the
columnar reader). Tables, the geocoder and pyarrow are loaded once before measuring.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from redlines import load_rules
from redlines.events import Event
from redlines.matching import Relevance
from redlines.readers import read_exports

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "gdelt" / "20191024143000.export.CSV"
FIXTURE = ROOT / "tests" / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"


def build(source: Path, copies: int, out: Path, *, varied: bool = False) -> int:
    rows = [
        line.split("\t")
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines()
    ]
    shuffle = random.Random(7)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for copy in range(copies):
            cells = [list(r) for r in rows]
            if varied and copy:
                for column in (1, 7, 53):  # SQLDATE, Actor1CountryCode, ActionGeo_CountryCode
                    values = [c[column] for c in cells if len(c) > column]
                    shuffle.shuffle(values)
                    for c in cells:
                        if len(c) > column:
                            c[column] = values.pop()
            for c in cells:
                if c and c[0].isdigit():
                    c[0] = str(int(c[0]) + copy * 10_000_000_000)
                fh.write("\t".join(c) + "\n")
                n += 1
    return n


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def read_csv(path: Path) -> None:
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for _ in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            pass


def peak(path: Path, relevant: Callable[[Event], bool]) -> tuple[int, int, int]:
    """(peak traced bytes while reading, rows read, rejections kept)."""
    tracemalloc.start()
    result = read_exports([path], "gdelt", relevant=relevant)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, result.summary.rows_read, len(result.rejections)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else (REAL if REAL.exists() else FIXTURE)
    relevant = Relevance(load_rules("nato-2024"))
    read_exports([source], "gdelt", relevant=relevant)  # load the tables and pyarrow
    read_exports([source], "gdelt", relevant=relevant.__call__)  # ... and the geocoder
    print(f"source: {source}")
    base: int | None = None
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(1, False), (4, False), (16, False), (16, True)]
        for copies, varied in cases:
            path = Path(tmp) / f"x{copies}{'v' if varied else ''}.export.CSV"
            build(source, copies, path, varied=varied)

            def columns(path: Path = path) -> None:
                read_exports([path], "gdelt", relevant=relevant)

            def rows_only(path: Path = path) -> None:
                read_csv(path)

            def row_by_row(path: Path = path) -> None:
                read_exports([path], "gdelt", relevant=relevant.__call__)

            csv_seconds = best_of(rows_only)
            seconds = best_of(columns)
            top, rows, kept = peak(path, relevant)
            if base is None:
                base = top
            label = f"{copies:3}x{' varied' if varied else '       '}"
            print(
                f"{label}  {rows:7} rows  {rows / seconds:9,.0f} rows/s  "
                f"against csv {csv_seconds / seconds:5.2f}x  peak memory {top / base:5.2f}x "
                f"({top / 1e6:.1f} MB; {kept} rejection records kept)"
            )
            if copies == 1:
                slow = best_of(row_by_row, runs=1)
                print(
                    f"  1x row by row  {rows / slow:9,.0f} rows/s  against csv "
                    f"{csv_seconds / slow:5.2f}x (every row mapped and validated in Python)"
                )


if __name__ == "__main__":
    main()
