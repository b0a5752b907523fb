"""The Spark engine from Python: the same report as on one machine, and findings as a Spark
DataFrame (pip install 'redlines[spark]'; Java 17 or later).

    .venv/bin/python examples/spark_engine.py [PATH...] [--master local[2]]

PATH defaults to the example event files (examples/events.jsonl and examples/events.csv),
evaluated as one stream. Give export files, a directory or a quoted glob pattern to run on real
data; on the command line the same is `redlines run --engine spark --one-stream PATH...`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from redlines.errors import InputError
from redlines.report.render import render
from redlines.runner import evaluate_stream

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(HERE / "events.jsonl")])
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args(argv)
    from redlines.spark import evaluate, expand_paths, findings_frame, session

    spark = session(args.master)
    try:
        report = evaluate(args.paths, spark=spark)
        print(render([report], "text"))
        local = evaluate_stream(expand_paths(args.paths))
        same = render([report], "json") == render([local], "json")
        print("identical to the single-machine report:", same)
        frame = findings_frame(args.paths, spark=spark)
        frame.select("red_line", "level", "clause", "time").orderBy("time").show(truncate=False)
    except InputError as exc:
        for problem in exc.problems:
            print(problem.render(), file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
