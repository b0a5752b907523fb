"""Real event data end to end: an export -> the event format -> the nato-2024 report.

    .venv/bin/python examples/real_data.py [FILE] [--input-format gdelt|gdelt1|acled|ucdp]

FILE defaults to the small hand-written GDELT 2.0 sample in examples/data/; give a real export
(for instance a GDELT 2.0 15-minute export from http://data.gdeltproject.org/gdeltv2/) to run on
real data. With pandas
installed it also evaluates the ACLED sample from a DataFrame, as a notebook would.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import redlines
from redlines.readers import EXPORT_FORMATS, read_exports

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "data" / "gdelt-sample.export.CSV"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--input-format", choices=EXPORT_FORMATS, default=None)
    args = parser.parse_args(argv)
    try:
        # 1. What the readers make of every row (no relevance filter: everything is kept).
        raw = read_exports([args.file], args.input_format)
        print(f"{args.file}: {raw.summary.to_dict()}")
        print("kinds:", dict(Counter(e.kind for e in raw.events).most_common()))
        print("attribution:", dict(Counter(e.attribution for e in raw.events).most_common()))
        for rejection in raw.rejections[:3]:
            print(f"  rejected row {rejection.row}: {rejection.reason} ({rejection.detail})")
        # 2. What `redlines run` reports: irrelevant rows counted, the rest evaluated.
        report = redlines.evaluate_file(args.file, input_format=args.input_format)
        print(redlines.render([report], "text"))
    except redlines.InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    # 3. The same from a pandas DataFrame (ACLED sample), when pandas is installed.
    try:
        import pandas as pd
    except ImportError:
        return 0
    frame = pd.read_csv(HERE / "data" / "acled-sample.csv", dtype=str, keep_default_na=False)
    print(redlines.render([redlines.evaluate_dataframe(frame, "acled", name="acled frame")]))
    # 4. A DataFrame of events, one column a field (location.country...), read as pandas reads
    #    the project's own example CSV: NaN cells are left out, 2.0 is the integer 2.
    events = pd.read_csv(HERE / "events.csv")
    print("events from pandas:", redlines.evaluate(events).statuses())
    print("as records:", redlines.evaluate(events.to_dict("records")).statuses())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
