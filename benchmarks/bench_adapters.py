"""Real-data reading: throughput and whether memory grows with file size, in one run.

    .venv/bin/python benchmarks/bench_adapters.py [SOURCE.CSV]

Builds GDELT 2.0 files of 1x, 4x and 16x the rows of SOURCE (default: the real 2019 export in
../shared/data, else the test fixture), each copy of a row with a new GLOBALEVENTID, and reads
each with the nato-2024 relevance filter, as `redlines run` does. Prints rows per second and
the peak memory allocated while reading (tracemalloc, in a second pass), both as ratios to the
1x file: time should grow about linearly, peak memory should not (irrelevant rows are counted
and dropped); what does grow is the list of rejection records kept for the report, capped at
``AdapterOptions.max_rejections_kept`` (10,000; all rejections are still counted). Tables and
the geocoder are loaded once before measuring.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from redlines import load_rules
from redlines.matching import Relevance
from redlines.readers import read_exports

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "gdelt" / "20191024143000.export.CSV"
FIXTURE = ROOT / "tests" / "fixtures" / "adapters" / "gdelt2_sample.export.CSV"


def build(source: Path, copies: int, out: Path) -> int:
    rows = source.read_text(encoding="utf-8", errors="replace").splitlines()
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for copy in range(copies):
            for line in rows:
                cells = line.split("\t")
                if cells and cells[0].isdigit():
                    cells[0] = str(int(cells[0]) + copy * 10_000_000_000)
                fh.write("\t".join(cells) + "\n")
                n += 1
    return n


def measure(path: Path, relevant: object) -> tuple[float, int, int, int]:
    """(seconds without tracing, peak traced bytes in a second pass, rows read, rejections
    kept)."""
    t0 = time.perf_counter()
    result = read_exports([path], "gdelt", relevant=relevant)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    read_exports([path], "gdelt", relevant=relevant)  # type: ignore[arg-type]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result.summary.rows_read, len(result.rejections)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else (REAL if REAL.exists() else FIXTURE)
    relevant = Relevance(load_rules("nato-2024"))
    read_exports([FIXTURE], "gdelt", relevant=relevant)  # load tables and the geocoder once
    print(f"source: {source}")
    base: tuple[float, int] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (1, 4, 16):
            path = Path(tmp) / f"x{copies}.export.CSV"
            build(source, copies, path)
            seconds, peak, rows, kept = measure(path, relevant)
            if base is None:
                base = (seconds, peak)
            print(
                f"{copies:3}x  {rows:7} rows  {rows / seconds:8.0f} rows/s  "
                f"time {seconds / base[0]:5.2f}x  peak memory {peak / base[1]:5.2f}x "
                f"({peak / 1e6:.1f} MB; {kept} rejection records kept)"
            )


if __name__ == "__main__":
    main()
