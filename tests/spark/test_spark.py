"""--engine spark gives the single-machine report, byte for byte, whatever the partitioning,
the number of files or their order."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from redlines.cli import main
from redlines.errors import EventError, InputError
from redlines.report.render import render
from redlines.runner import evaluate_file, evaluate_stream

from ..conftest import shared_data

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("probe.yaml")
SCENARIOS = sorted(ROOT.glob("examples/scenarios*/*.yaml"))
GDELT_SAMPLE = ROOT / "examples" / "data" / "gdelt-sample.export.CSV"

# pyspark warns that it does not yet fully support pandas 3 (its toPandas passes a keyword
# pandas 3 deprecates); only the tests' DataFrames go through pandas in Spark.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]


def _json(report: Any) -> str:
    return render([report], "json")


def test_import_redlines_never_imports_pyspark() -> None:
    code = (
        "import sys, redlines, redlines.cli, redlines.runner, redlines.spark; "
        "sys.exit('pyspark' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_every_example_scenario(spark: SparkSession) -> None:
    from redlines.spark import run

    outcomes = run(SCENARIOS, spark=spark)
    assert len(outcomes) == len(SCENARIOS)
    for path, outcome in zip(SCENARIOS, outcomes, strict=True):
        local = evaluate_file(path)
        assert _json(outcome.report) == _json(local), path
        # The events evaluated, in feed order (levels_frame, the briefing's timeline).
        assert outcome.report.evaluated == local.evaluated, path
        assert render([outcome.report], "html") == render([local], "html"), path


def test_the_command_line_gives_the_same_output(
    spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(p) for p in SCENARIOS[:4]]
    for fmt in ("json", "text"):
        assert main(["run", "--format", fmt, *files]) == 0
        local = capsys.readouterr().out
        assert main(["run", "--engine", "spark", "--format", fmt, *files]) == 0
        assert capsys.readouterr().out == local, fmt
    # The exit codes too: --fail-on ...
    assert main(["run", "--engine", "spark", "--fail-on", "crossed", *files]) == 1
    # ... and invalid input, every problem of every file, as the single-machine run words them.
    bad = str(ROOT / "examples" / "scenarios" / "no-such-file.yaml")
    assert main(["run", bad, files[0]]) == 2
    local_err = capsys.readouterr().err
    assert main(["run", "--engine", "spark", bad, files[0]]) == 2
    assert capsys.readouterr().err == local_err
    # --explain needs every event in one process.
    assert main(["run", "--engine", "spark", "--explain", files[0]]) == 2
    assert "not available with --engine spark" in capsys.readouterr().err


def _located_events(tmp_path: Path) -> Path:
    """An event file with coordinates, one of its events no rule can match (only counted by
    the reader, read again for the map)."""
    path = tmp_path / "located.jsonl"
    path.write_text(
        '{"id": "a", "time": "2025-09-10T00:00:00Z", "actor": "RUS", "target": "POL", '
        '"kind": "drone_strike", "location": {"country": "POL", "lat": 51.0, "lon": 23.0}}\n'
        '{"id": "b", "time": "2025-09-11T00:00:00Z", "actor": "FRA", "target": "DEU", '
        '"kind": "other", "location": {"lat": 48.0, "lon": 2.0}}\n'
        '{"id": "c", "time": "2025-09-09T00:00:00Z", "actor": "RUS", "target": "POL", '
        '"kind": "drone_strike", "location": {"country": "POL", "lat": 51.0, "lon": 23.0}}\n',
        encoding="utf-8",
    )
    return path


def test_the_briefing_map_is_the_same_on_spark(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The map needs every event's coordinates: carried back from the executors."""
    from redlines.spark import evaluate

    located = _located_events(tmp_path)
    for path in (GDELT_SAMPLE, located):
        local = render([evaluate_file(path)], "html")
        assert 'class="map"' in local, path
        assert render([evaluate(path, spark=spark)], "html") == local, path
    # On the command line (--format html asks the job for every event's coordinates), and
    # as one stream, in any order of the files.
    files = [str(GDELT_SAMPLE), str(located)]
    for extra in ([], ["--one-stream"]):
        assert main(["run", "--format", "html", *extra, *files]) == 0
        local = capsys.readouterr().out
        assert local.count('class="map"') == (2 if not extra else 1)
        assert main(["run", "--engine", "spark", "--format", "html", *extra, *files]) == 0
        assert capsys.readouterr().out == local, extra
    assert main(["run", "--engine", "spark", "--format", "html", "--one-stream", *files[::-1]]) == 0
    assert capsys.readouterr().out == local
    # Without --format html the job does not read an event file again for coordinates.
    from redlines.spark import run

    [outcome] = run([located], spark=spark)
    assert list(outcome.report.located_events() or ()) == []
    [outcome] = run([located], spark=spark, locate=True)
    assert [p.id for p in outcome.report.located_events() or ()] == ["c", "a", "b"]


def test_master_needs_the_spark_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--master", "local[2]", str(SCENARIOS[0])]) == 2
    assert "--master is for the Spark engine: add --engine spark" in capsys.readouterr().err


def test_a_directory_under_spark(spark: SparkSession, capsys: pytest.CaptureFixture[str]) -> None:
    folder = ROOT / "examples" / "scenarios-taiwan"
    assert main(["run", "--format", "json", str(folder)]) == 0
    local = capsys.readouterr().out
    assert main(["run", "--engine", "spark", "--format", "json", str(folder)]) == 0
    assert capsys.readouterr().out == local
    assert len(json.loads(local)) == len(list(folder.glob("*.yaml")))


@pytest.mark.parametrize(
    ("parts", "rules"),
    [
        (("gdelt", "20191024143000.export.CSV"), PROBE),
        (("gdelt", "20191024143000.export.CSV"), "nato-2024"),
        (("gdelt", "20191024143000.export.relevant_countries.tsv"), PROBE),
        (("gdelt", "reed9999_events.csv"), PROBE),
        (("ucdp", "conflict_data_ukr.csv"), PROBE),
    ],
)
def test_real_data(spark: SparkSession, parts: tuple[str, str], rules: Path | str) -> None:
    from redlines.spark import evaluate

    path = shared_data(*parts)
    expected = _json(evaluate_file(path, rules=rules))
    assert _json(evaluate(path, rules, spark=spark, partitions=5)) == expected


def test_real_data_as_one_stream(spark: SparkSession, tmp_path: Path) -> None:
    """GDELT files are read together (grouping spans them), every format accounted for."""
    from redlines.spark import evaluate

    gdelt = shared_data("gdelt", "20191024143000.export.CSV")
    ucdp = shared_data("ucdp", "conflict_data_ukr.csv")
    subset = shared_data("gdelt", "20191024143000.export.relevant_countries.tsv")
    copy = tmp_path / "copy.export.CSV"
    shutil.copy(gdelt, copy)
    files = [gdelt, ucdp, copy, subset]
    expected = _json(evaluate_stream(files, rules=PROBE))
    assert json.loads(expected)["input"]["parts"]  # two formats: two accounting objects
    assert _json(evaluate(files, PROBE, spark=spark, partitions=3)) == expected


KINDS = ["ground_offensive", "air_strike", "artillery_fire", "threat", "mobilization", "other"]


def _random_events(rng: random.Random, n: int) -> list[dict[str, Any]]:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    events = []
    for i in range(n):
        # Few distinct instants, so that ties (broken by id) are common.
        when = start + dt.timedelta(hours=12 * rng.randrange(60))
        events.append(
            {
                "id": f"e{rng.randrange(10**6)}-{i}",
                "time": when.isoformat(),
                "actor": rng.choice(["RUS", "BLR"]),
                "target": rng.choice(["POL", "LTU", "EST"]),
                "kind": rng.choice(KINDS),
                "attribution": rng.choice(["confirmed", "suspected"]),
            }
        )
    return events


def _write_split(folder: Path, events: list[dict[str, Any]], rng: random.Random) -> list[Path]:
    """*events* in a random order over a random number of JSON Lines files."""
    shuffled = events[:]
    rng.shuffle(shuffled)
    count = rng.randrange(2, 6)
    paths = [folder / f"part-{i}.jsonl" for i in range(count)]
    chunks: list[list[dict[str, Any]]] = [[] for _ in paths]
    for event in shuffled:
        chunks[rng.randrange(count)].append(event)
    for path, chunk in zip(paths, chunks, strict=True):
        path.write_text("".join(json.dumps(e) + "\n" for e in chunk), encoding="utf-8")
    return paths


@pytest.mark.parametrize("seed", [1, 2])
def test_random_streams_split_across_files_and_partitions(
    spark: SparkSession, tmp_path: Path, seed: int
) -> None:
    from redlines.spark import evaluate, run

    rng = random.Random(seed)
    paths = _write_split(tmp_path, _random_events(rng, 120), rng)
    expected = _json(evaluate_stream(paths, rules=PROBE))
    report = json.loads(expected)
    assert any(f["basis"] == "pattern" for r in report["redlines"] for f in r["findings"])
    for partitions in (1, 7):
        assert _json(evaluate(paths, PROBE, spark=spark, partitions=partitions)) == expected
    if seed == 2:
        # Input order changes only the file list.
        backwards = _json(evaluate(paths[::-1], PROBE, spark=spark, partitions=3))
        shown = ", ".join(str(p) for p in paths)
        assert backwards.replace(", ".join(str(p) for p in paths[::-1]), shown) == expected
    else:
        # Per file (no --one-stream), each file's own report.
        for path, outcome in zip(paths, run(paths, rules=PROBE, spark=spark), strict=True):
            assert _json(outcome.report) == _json(evaluate_file(path, rules=PROBE))


def test_one_stream_on_the_command_line(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(7)
    paths = [str(p) for p in _write_split(tmp_path, _random_events(rng, 60), rng)]
    args = ["run", "--one-stream", "--rules", str(PROBE), "--format", "json", *paths]
    assert main(args) == 0
    local = capsys.readouterr().out
    assert main([*args, "--engine", "spark"]) == 0
    assert capsys.readouterr().out == local


def test_duplicate_ids_across_files(spark: SparkSession, tmp_path: Path) -> None:
    from redlines.spark import evaluate

    event = {"id": "same", "time": "2024-01-01", "actor": "RUS", "target": "POL", "kind": "threat"}
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (a, b):
        path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    with pytest.raises(EventError) as local:
        evaluate_stream([a, b])
    with pytest.raises(EventError) as remote:
        evaluate([b, a], spark=spark)
    assert remote.value.problems == local.value.problems
    assert f"first given in {a}" in remote.value.problems[0].message


def test_a_glob_that_matches_nothing(spark: SparkSession, tmp_path: Path) -> None:
    from redlines.spark import evaluate

    with pytest.raises(InputError, match="no file matches"):
        evaluate(tmp_path / "*.jsonl", spark=spark)


def test_findings_frame(spark: SparkSession, tmp_path: Path) -> None:
    from redlines.spark import FINDING_COLUMNS, findings_frame

    rng = random.Random(11)
    paths = _write_split(tmp_path, _random_events(rng, 80), rng)
    report = evaluate_stream(paths, rules=PROBE)
    frame = findings_frame(paths, PROBE, spark=spark)
    assert tuple(frame.columns) == FINDING_COLUMNS
    got = sorted((r.red_line, r.clause, tuple(r.event_ids), r.reason) for r in frame.collect())
    want = sorted(
        (f.red_line, f.clause, f.event_ids, f.reason) for r in report.redlines for f in r.findings
    )
    assert got == want and want


def test_a_spark_dataframe_of_events(spark: SparkSession) -> None:
    import pandas as pd

    from redlines.runner import evaluate_dataframe
    from redlines.spark import evaluate

    rows = pd.read_csv(ROOT / "examples" / "events.csv", dtype=str, keep_default_na=False)
    frame = spark.createDataFrame(rows.astype(object).where(rows != "", None))
    expected = _json(evaluate_dataframe(frame.toPandas()))
    assert json.loads(expected)["events"] == len(rows)
    assert _json(evaluate(frame, spark=spark, partitions=3)) == expected


def test_a_spark_dataframe_of_gdelt_rows(spark: SparkSession) -> None:
    import pandas as pd

    from redlines.runner import evaluate_dataframe
    from redlines.spark import evaluate

    path = shared_data("gdelt", "20191024143000.export.CSV")
    rows = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False)
    rows.columns = [f"c{i}" for i in range(len(rows.columns))]
    frame = spark.createDataFrame(rows).repartition(4)  # one read whatever the partitions
    expected = _json(evaluate_dataframe(frame.toPandas(), "gdelt", PROBE, name="frame"))
    assert json.loads(expected)["input"]["rows_read"] == len(rows)
    report = evaluate(frame, PROBE, spark=spark, input_format="gdelt", name="frame")
    assert _json(report) == expected


def test_an_invalid_dataframe_is_located(spark: SparkSession) -> None:
    import pandas as pd

    from redlines.runner import evaluate_dataframe
    from redlines.spark import evaluate

    rows = pd.DataFrame(
        {
            "id": ["a", "b"],
            "time": ["2024-01-01", "never"],
            "actor": ["RUS", "RUS"],
            "target": ["POL", "POL"],
            "kind": ["threat", "threat"],
        }
    )
    frame = spark.createDataFrame(rows)
    with pytest.raises(InputError) as local:
        evaluate_dataframe(frame.toPandas())
    with pytest.raises(InputError) as remote:
        evaluate(frame, spark=spark)
    assert remote.value.problems == local.value.problems


def test_spark_keeps_its_start_up_noise_off_the_users_terminal(spark: SparkSession) -> None:
    """No JVM notice, no log4j warning, no pyspark FutureWarning on stderr of a clean run (a
    process of its own: its own JVM, started by redlines)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "redlines",
            "run",
            "--engine",
            "spark",
            "--master",
            "local[1]",
            "--format",
            "json",
            str(SCENARIOS[0]),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "REDLINES_SPARK_LOG_LEVEL"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert json.loads(done.stdout)["events"] == 2


def test_the_jvms_stderr_is_forwarded_less_its_notices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real errors still show: only the JDK's incubator notice is dropped."""
    import io

    from redlines.spark import _forward, _log4j2

    out = io.StringIO()
    monkeypatch.setattr(sys, "__stderr__", out)
    _forward(
        io.BytesIO(
            b"WARNING: Using incubator modules: jdk.incubator.vector\n"
            b"26/12/02 06:31:03 ERROR Executor: Exception in task 0.0\n"
            b"java.lang.OutOfMemoryError: Java heap space\n"
        )
    )
    assert out.getvalue() == (
        "26/12/02 06:31:03 ERROR Executor: Exception in task 0.0\n"
        "java.lang.OutOfMemoryError: Java heap space\n"
    )
    config = Path(_log4j2("ERROR")).read_text(encoding="utf-8")
    assert "rootLogger.level = warn" in config
    assert "appender.console.filter.threshold.level = error" in config
    assert "threshold.level = info" in Path(_log4j2("INFO")).read_text(encoding="utf-8")
