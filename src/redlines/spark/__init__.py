"""redlines on Apache Spark: the same compiled ruleset, the same report (docs/spark.md).

::

    from redlines.spark import evaluate, findings_frame, session

    spark = session("local[*]")                       # or your own SparkSession
    report = evaluate("gdelt/*.export.CSV", "nato-2024", spark=spark)
    frame = findings_frame("gdelt/", "nato-2024", spark=spark)   # a Spark DataFrame

``pip install 'redlines[spark]'`` installs pyspark; it is imported only when a function here
is called (``import redlines`` never imports it).
"""

from __future__ import annotations

import glob
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import InputError
from ..readers import AdapterOptions
from ..report.model import FINDING_COLUMNS, Report
from ..rules.load import load_rules
from ..rules.resolved import Ruleset

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

    from .job import Outcome, Pipeline

__all__ = ["FINDING_COLUMNS", "evaluate", "expand_paths", "findings_frame", "run", "session"]


def _pyspark() -> Any:
    # pyspark warns, on importing some of its modules (pyspark.sql, pyspark.testing: at
    # import, then again while a job runs), that it does not fully support pandas 3 yet: the
    # engine hands it no pandas data (a DataFrame's rows reach redlines as tuples), so the
    # warning is only noise on the user's terminal. Ignored for the process, from before the
    # first import; Python workers get the same filter (PYTHONWARNINGS, see session()).
    warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
    try:
        import pyspark
        import pyspark.sql
    except ImportError:
        raise ImportError(
            "the Spark engine needs pyspark (and Java 17 or later): pip install 'redlines[spark]'"
        ) from None
    return pyspark


def session(master: str | None = None, *, app_name: str = "redlines") -> SparkSession:
    """A SparkSession for redlines (the active one, if there is one): *master* ``local[N]``,
    ``spark://host:port``, ``yarn``...; when None, ``spark-submit``'s own, else the
    ``SPARK_MASTER`` environment variable, else ``local[*]``. Local workers run this Python
    (``PYSPARK_PYTHON``, unless set).

    Spark's own log goes to standard error at the level ``REDLINES_SPARK_LOG_LEVEL`` (default
    ``ERROR``: real errors show, its start-up warnings do not)."""
    _pyspark()
    from pyspark.sql import SparkSession

    options = {"spark.app.name": app_name}
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        # Not under spark-submit (which sets that variable and its own master).
        master = os.environ.get("SPARK_MASTER", "local[*]")
    if master is not None:
        options["spark.master"] = master
        if master.startswith("local"):
            # Local workers run this Python; on a cluster, the job's environment says which
            # (docs/spark.md, "On a cluster").
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    level = os.environ.get("REDLINES_SPARK_LOG_LEVEL", "ERROR").upper()
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        # This process starts the driver's JVM: its log (log4j2) at *level* from the start,
        # not Spark's default profile, which logs warnings (the host's address, the native
        # Hadoop library...) before setLogLevel below can quieten them.
        options["spark.driver.extraJavaOptions"] = (
            f"-Dlog4j2.configurationFile=file:{_log4j2(level)}"
        )
    options.update(
        {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.python.worker.reuse": "true",
            # Python workers: pyspark warns on import that it does not fully support pandas 3
            # yet; the engine hands it no pandas data (see _pyspark).
            "spark.executorEnv.PYTHONWARNINGS": _worker_warnings(),
        }
    )
    _start_jvm(options)
    builder = SparkSession.builder
    for key, value in options.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(level)
    return spark


#: What the JVM writes to standard error that says nothing to a redlines user: the JDK's
#: notice that Spark uses an incubator module (printed by the JVM itself, before any log).
_JVM_NOISE = (b"WARNING: Using incubator modules",)


def _start_jvm(options: dict[str, str]) -> None:
    """Start the driver's JVM (when this process starts it: not under ``spark-submit``, no
    session yet) with its standard error forwarded to ours, less :data:`_JVM_NOISE`."""
    if "PYSPARK_GATEWAY_PORT" in os.environ:
        return
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway as launch_untyped

    launch: Any = launch_untyped
    with SparkContext._lock:
        if SparkContext._gateway is not None:
            return
        conf = SparkConf()
        for key, value in options.items():
            conf.set(key, value)
        gateway = launch(conf, popen_kwargs={"stderr": subprocess.PIPE})
        proc = getattr(gateway, "proc", None)
        if proc is not None and proc.stderr is not None:
            threading.Thread(
                target=_forward, args=(proc.stderr,), name="redlines-jvm-stderr", daemon=True
            ).start()
        SparkContext._gateway = gateway
        SparkContext._jvm = gateway.jvm


def _forward(stream: IO[bytes]) -> None:
    """Copy the JVM's standard error to ours, line by line, less :data:`_JVM_NOISE`; read to
    the end whatever happens, so that the JVM never blocks on a full pipe."""
    for line in iter(stream.readline, b""):
        if line.startswith(_JVM_NOISE):
            continue
        try:
            out = sys.__stderr__
            if out is not None:
                out.write(line.decode("utf-8", "replace"))
                out.flush()
        except (OSError, ValueError):  # our standard error closed: keep draining
            pass


#: The warning filter of Python workers (``PYTHONWARNINGS``): pyspark's pandas 3 warning.
_QUIET_PANDAS = "ignore:PySpark does not yet fully support:FutureWarning"

#: The driver's log configuration (log4j2), to standard error. The root logger stays at
#: WARN (at most) so that Spark, finding it at the level of its shell's logger, does not
#: announce a "default log level"; the appender's threshold filter keeps what is below *level*
#: out.
_LOG4J2 = """\
status = error
rootLogger.level = {root}
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.filter.threshold.type = ThresholdFilter
appender.console.filter.threshold.level = {level}
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n%ex
"""

#: log4j2's levels, from the most verbose.
_LEVELS = ("ALL", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF")


def _worker_warnings() -> str:
    given = os.environ.get("PYTHONWARNINGS")
    return f"{given},{_QUIET_PANDAS}" if given else _QUIET_PANDAS


def _log4j2(level: str) -> str:
    """A log4j2 configuration file logging at *level* (written once per content, in the
    temporary folder; atomically, so that concurrent sessions never read half of it)."""
    rank = _LEVELS.index(level) if level in _LEVELS else _LEVELS.index("ERROR")
    root = _LEVELS[min(rank, _LEVELS.index("WARN"))]
    text = _LOG4J2.format(root=root.lower(), level=_LEVELS[rank].lower())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"redlines-log4j2-{digest}.properties"
    if not path.exists():
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, prefix=".redlines-log4j2-", delete=False, encoding="utf-8"
        ) as out:
            out.write(text)
        os.replace(out.name, path)
    return str(path)


def _kind(path: str) -> str | None:
    """``dir``, ``file`` (or anything else that exists), or None: nothing there, or a name the
    system cannot take (too long, a NUL byte), which the reader then reports."""
    try:
        target = Path(path)
        return "dir" if target.is_dir() else "file" if target.exists() else None
    except (OSError, ValueError):
        return None


def expand_paths(paths: str | Path | Sequence[str | Path]) -> list[str]:
    """Input paths as given, each directory replaced by the files under it (recursively,
    sorted; hidden files and folders left out) and each glob pattern that names no file by the
    files it matches (sorted); a pattern that matches nothing is an
    :class:`~redlines.errors.InputError`. Other paths are kept as given (a missing file is the
    reader's to report)."""
    given = [paths] if isinstance(paths, (str, Path)) else list(paths)
    out: list[str] = []
    problems = []
    for p in given:
        text = str(p)
        kind = _kind(text)
        if kind == "dir":
            root = Path(text)
            try:
                found = sorted(root.rglob("*"))
            except OSError as exc:
                problems.append(
                    InputError.one(f"cannot list this folder: {exc.strerror}", file=text)
                )
                continue
            out.extend(
                str(f)
                for f in found
                if not any(part.startswith(".") for part in f.relative_to(root).parts)
                and f.is_file()
            )
        elif kind is None and glob.has_magic(text):
            matches = sorted(f for f in glob.glob(text, recursive=True) if _kind(f) == "file")
            if not matches:
                problems.append(InputError.one("no file matches this pattern", file=text))
            out.extend(matches)
        else:
            out.append(text)
    if problems:
        raise InputError([p for e in problems for p in e.problems])
    return out


def run(
    paths: str | Path | Sequence[str | Path],
    *,
    rules: Ruleset | str | Path | None = None,
    spark: SparkSession | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
    one_stream: bool = False,
    partitions: int | None = None,
    names: dict[str, str] | None = None,
    locate: bool = False,
) -> list[Outcome]:
    """What ``redlines run --engine spark`` computes: a report per input file (or one for
    all, *one_stream*), each with its ruleset and the batches read (without events). With
    *locate*, the reports know the coordinates of every event for the briefing's map (an
    event file whose events no rule can match is read again for them; ``--format html``)."""
    from .job import evaluate_units

    return evaluate_units(
        spark if spark is not None else session(),
        expand_paths(paths),
        rules=rules,
        input_format=input_format,
        options=adapter_options,
        one_stream=one_stream,
        partitions=partitions,
        names=names,
        locate=locate,
    )


def _rules(rules: Ruleset | str | Path) -> Ruleset:
    return rules if isinstance(rules, Ruleset) else load_rules(rules)


def _is_frame(source: object) -> bool:
    """A Spark DataFrame (classic or Spark Connect), without importing pyspark for paths."""
    return (
        "pyspark" in sys.modules
        and type(source).__name__ == "DataFrame"
        and hasattr(source, "columns")
    )


def _pipeline(
    source: Any,
    rules: Ruleset | str | Path,
    spark: SparkSession | None,
    input_format: str | None,
    adapter_options: AdapterOptions | None,
    partitions: int | None,
    name: str,
    locate: bool = False,
) -> tuple[SparkSession, Pipeline]:
    from .job import pipeline

    ruleset = _rules(rules)
    if _is_frame(source):
        session_ = spark if spark is not None else source.sparkSession
        return session_, pipeline(
            session_,
            [name],
            rules=ruleset,
            input_format=input_format or "events",
            options=adapter_options,
            partitions=partitions,
            frame=source,
            locate=locate,
        )
    session_ = spark if spark is not None else session()
    return session_, pipeline(
        session_,
        sorted(expand_paths(source)),  # one stream: files in name order, as on one machine
        rules=ruleset,
        input_format=input_format,
        options=adapter_options,
        one_stream=True,
        partitions=partitions,
        locate=locate,
    )


def evaluate(
    source: str | Path | Sequence[str | Path] | DataFrame,
    rules: Ruleset | str | Path = "nato-2024",
    *,
    spark: SparkSession | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
    partitions: int | None = None,
    name: str = "<dataframe>",
) -> Report:
    """Evaluate on Spark, and return the same :class:`Report` as on one machine:

    - input files (paths, directories or glob patterns), as one stream in event-time order:
      :func:`redlines.runner.evaluate_stream`'s report for the same files (for one file,
      :func:`redlines.runner.evaluate_file`'s);
    - a Spark DataFrame of events (*input_format* ``events``, the default: a column a field,
      as in the event CSV) or of GDELT, ACLED or UCDP rows (``gdelt``, ``acled``...), named
      *name*: :func:`redlines.runner.evaluate_dataframe`'s report for ``df.toPandas()``. A
      DataFrame is one read (one task, as a file is); matching and patterns are spread.

    *partitions* sets the pattern stage's partitions (default: the session's parallelism); it
    never changes the report. Raises :class:`~redlines.errors.InputError` with every problem."""
    from .job import build_reports

    _, job = _pipeline(
        source, rules, spark, input_format, adapter_options, partitions, name, locate=True
    )
    findings, evaluated = job.collect()
    return build_reports(job.results, findings, evaluated)[0].report


def findings_frame(
    source: str | Path | Sequence[str | Path] | DataFrame,
    rules: Ruleset | str | Path = "nato-2024",
    *,
    spark: SparkSession | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
    partitions: int | None = None,
    name: str = "<dataframe>",
) -> DataFrame:
    """The findings of :func:`evaluate` (same arguments) as a Spark DataFrame, never collected
    on the driver (for outputs too large to hold): the columns of ``Report.to_dataframe``
    (:data:`FINDING_COLUMNS`; ``event_ids`` and ``sources`` arrays, ``time`` a UTC
    timestamp). Its rows are the report's findings; sort by ``time`` for the report's order.
    The reads stay cached (persisted) while the DataFrame is in use."""
    from pyspark.sql.types import (
        ArrayType,
        StringType,
        StructField,
        StructType,
        TimestampType,
    )

    session_, job = _pipeline(source, rules, spark, input_format, adapter_options, partitions, name)
    text, texts = StringType(), ArrayType(StringType(), containsNull=False)
    schema = StructType(
        [
            StructField("red_line", text, False),
            StructField("level", text, False),
            StructField("clause", text, False),
            StructField("basis", text, False),
            StructField("event_ids", texts, False),
            StructField("time", TimestampType(), False),
            StructField("reason", text, False),
            StructField("place", text, True),
            StructField("sources", texts, False),
        ]
    )
    rows = job.findings.map(
        lambda item: (
            item[1].red_line,
            item[1].level,
            item[1].clause,
            item[1].basis,
            list(item[1].event_ids),
            item[1].time,
            item[1].reason,
            item[1].place,
            list(item[1].sources),
        )
    )
    frame: DataFrame = session_.createDataFrame(rows, schema)
    return frame
