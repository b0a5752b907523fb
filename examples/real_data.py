"""Run the real-data adapters end to end on one export and print what they made of it.

    python examples/real_data.py [FILE] [--input-format gdelt|gdelt1|acled|ucdp]

FILE defaults to the real GDELT 2.0 export in ../shared/data (beside the project root).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from redlines.adapters import FORMATS, read_events
from redlines.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "gdelt" / "20191024143000.export.CSV"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--input-format", choices=FORMATS, default=None)
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(
            f"{args.file}: not found. Give an export on the command line, or place the shared "
            "data beside the project (see shared/data/README.md).",
            file=sys.stderr,
        )
        return 2
    try:
        result = read_events([args.file], args.input_format, progress=True)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps({"input": result.summary.to_dict()}, indent=2))
    print(f"{len(result.events)} events")
    print("attribution:", dict(Counter(e.attribution for e in result.events).most_common()))
    print("kinds:", dict(Counter(e.kind for e in result.events).most_common()))
    watched = [
        e
        for e in result.events
        if e.kind != "other" and e.target in {"UKR", "POL", "EST", "LVA", "LTU", "MDA"}
    ]
    print(f"{len(watched)} non-'other' events against Ukraine or the flank, e.g.:")
    for event in watched[:5]:
        print(" ", json.dumps(event.contract_dict(), ensure_ascii=False)[:300])
    for rejection in result.rejections[:3]:
        print(f"rejected {rejection.file}:{rejection.row}: {rejection.reason} ({rejection.detail})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
