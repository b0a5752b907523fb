"""The Spark job: the same compiled ruleset, run on Apache Spark.

Stages (docs/spark.md):

1. **Read and match, one task per read.** A *unit* is one read of the single-machine path:
   one input file (a report of its own), or, in one stream, one event file or every export
   file of one format (read together, as :func:`redlines.runner.prepare_stream` does, so
   GDELT rows of one happening are grouped across files exactly). An executor reads it with
   the project's own readers (:func:`redlines.runner.prepare`,
   :func:`redlines.readers.read_exports`), then gives each event its per-event findings and the
   patterns that select it with the evaluator's pure match step
   (:meth:`~redlines.evaluation.Evaluator.match_event`), through one evaluator per ruleset
   per worker process (durable-rules registers a ruleset once per process).
2. **Patterns, one group per ``same`` key.** Selected events are shuffled by (report, red
   line, pattern, key), sorted by event time (the id breaks ties, as
   :func:`redlines.events.time_order`) and fed to the same window code
   (:class:`~redlines.evaluation.windows.PatternState`).
3. **The driver** gathers each read's accounting and every finding, and builds each report
   with :meth:`~redlines.report.model.Report.build`, findings in the evaluator's order.

Nothing here depends on how many partitions or executors there are, or on the order of the
input files: each result is a function of a set (of events per key, of findings per report)
sorted by a total order.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EventError, InputError, Problem, shown_as
from ..evaluation import Evaluator
from ..evaluation.windows import Entry, PatternState
from ..events import Event
from ..findings import Finding
from ..matching import Relevance
from ..matching.facts import field_value
from ..readers import EXPORT_FORMATS, AdapterOptions, Batch, DuplicateIds, read_exports
from ..report.model import Located, Report
from ..rules.load import load_rules
from ..rules.resolved import Ruleset
from ..runner import duplicate_because, prepare, same_ruleset, stream_files, stream_input

if TYPE_CHECKING:  # pragma: no cover
    from pyspark import RDD, SparkContext
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["Outcome", "Unit", "evaluate_units", "plan", "read_unit"]

# Record tags of stage 1's output.
_META, _FINDING, _SELECTED, _ID, _EVENT = "meta", "finding", "selected", "id", "event"


@dataclass(frozen=True)
class Unit:
    """One read: the files read together, and which report their events go to."""

    index: int  #: position of its first file among the inputs
    report: int  #: the report its events belong to
    paths: tuple[str, ...]
    fmt: str | None  #: None: detected by the reader
    #: The ruleset (loaded), a ruleset's name or path, or None for the input's own.
    rules: Ruleset | str | None
    options: AdapterOptions | None
    #: In one stream of several reads: ids are checked across reads.
    check_ids: bool = False
    #: Give the driver the coordinates of every event (the briefing's map), reading an event
    #: file again for the events no rule can match; without it, such a file gives none.
    locate: bool = False


@dataclass
class UnitResult:
    """What the driver learns of one read: its batch without events, or its problems."""

    unit: Unit
    batch: Batch | None = None
    ruleset: Ruleset | None = None
    events: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Outcome:
    """A report of the Spark engine, with what the command line needs besides."""

    report: Report
    ruleset: Ruleset
    #: The batches read for it (without their events): rejections, accounting.
    batches: list[Batch]


def ruleset_key(ruleset: Ruleset) -> str:
    info = ruleset.info()
    return json.dumps([info["name"], info["version"], info["sha256"]])


_EVALUATORS: dict[str, Evaluator] = {}


def _evaluator(ruleset: Ruleset) -> Evaluator:
    """This process's evaluator of *ruleset*: compiled and registered with durable-rules once
    per worker (it keeps about 23 MB per ruleset for life). Only its pure match step is used."""
    key = ruleset_key(ruleset)
    found = _EVALUATORS.get(key)
    if found is None:
        found = _EVALUATORS[key] = Evaluator(ruleset)
    return found


def _pattern_key(event: Event, same: Sequence[str]) -> tuple[Any, ...]:
    return tuple(field_value(event, name) for name in same)


def read_unit(unit: Unit) -> Iterator[tuple[str, Any, Any]]:
    """Stage 1, in an executor: read *unit* with the project's readers, then match each event.

    Yields ``(meta, index, UnitResult)`` once, ``(finding, report, Finding)`` per per-event
    finding, ``(selected, key, (report, ruleset, red line, pattern, Event))`` per event a
    pattern selects, and, when ids are checked across reads, ``(id, event id, index)``."""
    try:
        if len(unit.paths) == 1:
            run = prepare(
                unit.paths[0],
                rules=unit.rules,
                input_format=unit.fmt,
                adapter_options=unit.options,
            )
            batch, ruleset = run.batch, run.ruleset
        else:
            assert isinstance(unit.rules, Ruleset) and unit.fmt is not None
            ruleset = unit.rules
            batch = read_exports(
                list(unit.paths), unit.fmt, options=unit.options, relevant=Relevance(ruleset)
            )
    except InputError as exc:
        yield (_META, unit.index, UnitResult(unit, problems=list(exc.problems)))
        return
    yield from _records(unit, batch, ruleset)


def read_frame(
    rows: Iterable[Any], unit: Unit, columns: Sequence[str]
) -> Iterator[tuple[str, Any, Any]]:
    """Stage 1 for a Spark DataFrame, in an executor: its rows (one partition holds them all:
    a DataFrame is one read, as on one machine) made a pandas DataFrame and read by
    :func:`redlines.readers.read_dataframe` as ``unit.fmt``, then matched as
    :func:`read_unit` does."""
    import pandas

    from ..readers import read_dataframe

    assert isinstance(unit.rules, Ruleset) and unit.fmt is not None
    frame = pandas.DataFrame.from_records([tuple(r) for r in rows], columns=list(columns))
    try:
        batch = read_dataframe(
            frame,
            unit.fmt,
            options=unit.options,
            relevant=Relevance(unit.rules),
            name=unit.paths[0],
        )
    except InputError as exc:
        yield (_META, unit.index, UnitResult(unit, problems=list(exc.problems)))
        return
    yield from _records(unit, batch, unit.rules)


def _records(unit: Unit, batch: Batch, ruleset: Ruleset) -> Iterator[tuple[str, Any, Any]]:
    """What :func:`read_unit` yields for a read batch."""
    # Events an event file's reader skipped (no rule can match them: every red line gives
    # them clear, no pattern counts them) count as evaluated, and their ids as given.
    skipped = len(batch.skipped) if batch.skipped else 0
    bare = dataclasses.replace(batch, events=[], skipped=None)
    yield (_META, unit.index, UnitResult(unit, bare, ruleset, len(batch.events) + skipped))
    # (id, time, (lat, lon) or None) of every event, for the report's ``evaluated``
    # (levels_frame, the briefing's timeline), its ``located`` (the briefing's map) and the ids
    # checked across reads: with skipped events, the file is read again for them.
    evaluated: Iterable[tuple[str, Any, tuple[float, float] | None]]
    if batch.skipped and not unit.locate:
        evaluated = ((event_id, time, None) for event_id, time in batch.skipped.evaluated())
    else:
        every = batch.skipped.all_events() if batch.skipped else batch.events
        evaluated = ((e.id, e.time, _coordinates(e)) for e in every)
    for event_id, time, where in evaluated:
        yield (_EVENT, unit.report, (event_id, time, where))
        if unit.check_ids:
            yield (_ID, event_id, unit.index)
    evaluator = _evaluator(ruleset)
    rkey = ruleset_key(ruleset)
    patterns = {(rl.id, p.id): p for rl in ruleset.red_lines for p in rl.patterns}
    for event in batch.events:
        matched = evaluator.match_event(event)
        for finding in evaluator.event_findings(event, matched).values():
            yield (_FINDING, unit.report, finding)
        for rl_id, selected in matched.selected.items():
            for pattern_id in sorted(selected):
                same = patterns[(rl_id, pattern_id)].same
                key = json.dumps(
                    [unit.report, rkey, rl_id, pattern_id]
                    + [repr(v) for v in _pattern_key(event, same)]
                )
                yield (_SELECTED, key, (unit.report, rkey, rl_id, pattern_id, event))


def _coordinates(event: Event) -> tuple[float, float] | None:
    loc = event.location
    if loc is None or loc.lat is None or loc.lon is None:
        return None
    return (float(loc.lat), float(loc.lon))


def key_partition(key: str) -> int:
    """A partition hash that is the same in every process (Python's own hash of text is
    salted per process)."""
    return zlib.crc32(key.encode("utf-8"))


def run_patterns(
    item: tuple[str, Iterable[tuple[int, str, str, str, Event]]],
    rulesets: Mapping[str, Ruleset],
) -> Iterator[tuple[int, Finding]]:
    """Stage 2, in an executor: the events one pattern selected under one key, in event-time
    order (the id breaks ties), through the single-machine window code."""
    _, values = item
    rows = list(values)
    report, rkey, rl_id, pattern_id, _ = rows[0]
    ruleset = rulesets[rkey]
    pattern = next(
        p for rl in ruleset.red_lines if rl.id == rl_id for p in rl.patterns if p.id == pattern_id
    )
    events = sorted((row[4] for row in rows), key=lambda e: (e.time, e.id))
    state = PatternState(rl_id, pattern)
    for seq, event in enumerate(events, 1):
        state.add(Entry(event.time, seq, event), build=False)
    for finding in state.findings():
        yield (report, finding)


def plan(
    paths: Sequence[str],
    *,
    rules: Ruleset | str | Path | None,
    input_format: str | None,
    options: AdapterOptions | None,
    one_stream: bool,
    locate: bool = False,
) -> tuple[list[Unit], list[Unit], list[Problem]]:
    """The reads: per file (one report each), or for one stream of several files, the event
    files (read first: they may name the ruleset) and the exports, one read per format. Export
    units of a stream get their ruleset once the event files are read (see :func:`stream`)."""
    spec: Ruleset | str | None = str(rules) if isinstance(rules, Path) else rules
    if not one_stream or len(paths) == 1:
        units = [
            Unit(i, i, (p,), input_format, spec, options, locate=locate)
            for i, p in enumerate(paths)
        ]
        return units, [], []
    from ..readers import detect_format

    problems: list[Problem] = []
    events: list[Unit] = []
    exports: dict[str, list[int]] = {}
    for i, path in enumerate(paths):
        try:
            fmt = input_format if input_format is not None else detect_format(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if fmt in EXPORT_FORMATS:
            exports.setdefault(fmt, []).append(i)
        else:
            events.append(Unit(i, 0, (path,), fmt, spec, options, check_ids=True, locate=locate))
    later = [
        Unit(
            where[0],
            0,
            tuple(paths[i] for i in where),
            fmt,
            spec,
            options,
            check_ids=True,
            locate=locate,
        )
        for fmt, where in exports.items()
    ]
    return events, later, problems


def _storage() -> Any:
    from pyspark import StorageLevel

    return StorageLevel.MEMORY_AND_DISK


def _read(sc: SparkContext, units: Sequence[Unit]) -> RDD[tuple[str, Any, Any]]:
    # A few reads per core at most: enough tasks to balance files of different sizes, not a
    # task (and its scheduling) for each of many small files.
    slices = max(1, min(len(units), 4 * sc.defaultParallelism))
    rdd = sc.parallelize(list(units), slices).flatMap(read_unit)
    return rdd.persist(_storage())


def _metas(rdd: RDD[tuple[str, Any, Any]]) -> list[UnitResult]:
    found = rdd.filter(lambda r: r[0] == _META).map(lambda r: (r[1], r[2])).collect()
    return [result for _, result in sorted(found, key=lambda r: r[0])]


def _problems(results: Sequence[UnitResult]) -> list[Problem]:
    return [p for r in results for p in r.problems]


@dataclass
class Pipeline:
    """Stage 1 done (its output persisted), stage 2 described: what :func:`evaluate_units`
    collects and :func:`redlines.spark.findings_frame` leaves distributed."""

    results: list[UnitResult]
    findings: RDD[tuple[int, Finding]]
    cached: list[RDD[Any]]
    #: (report, (event id, time, (lat, lon) or None)) of every event evaluated
    evaluated: RDD[tuple[int, tuple[str, Any, Any]]]

    def collect(
        self,
    ) -> tuple[list[tuple[int, Finding]], list[tuple[int, tuple[str, Any, Any]]]]:
        """Every finding and every evaluated event, in one Spark job; then the cache is
        released."""
        try:
            both: list[tuple[bool, Any]] = (
                self.findings.map(lambda x: (True, x))
                .union(self.evaluated.map(lambda x: (False, x)))
                .collect()
            )
        finally:
            self.release()
        return [x for f, x in both if f], [x for f, x in both if not f]

    def release(self) -> None:
        for rdd in self.cached:
            rdd.unpersist()


def pipeline(
    spark: SparkSession,
    paths: Sequence[str],
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    options: AdapterOptions | None = None,
    one_stream: bool = False,
    partitions: int | None = None,
    frame: DataFrame | None = None,
    locate: bool = False,
) -> Pipeline:
    """Read and match every input (stage 1), check what must hold across reads, and describe
    the pattern stage. Raises :class:`~redlines.errors.InputError` with every problem of every
    input, as the single-machine run does. With *frame* (a Spark DataFrame of rows in the
    format *input_format*, named ``paths[0]``), that is the one input."""
    sc = spark.sparkContext
    if frame is not None:
        assert isinstance(rules, Ruleset) and input_format is not None
        unit = Unit(0, 0, (paths[0],), input_format, rules, options, locate=locate)
        columns = list(frame.columns)
        first, later, problems = [unit], list[Unit](), list[Problem]()
        rdd = (
            frame.coalesce(1)
            .rdd.mapPartitions(lambda rows: read_frame(rows, unit, columns))
            .persist(_storage())
        )
    else:
        first, later, problems = plan(
            paths,
            rules=rules,
            input_format=input_format,
            options=options,
            one_stream=one_stream,
            locate=locate,
        )
        rdd = _read(sc, first) if first else sc.parallelize([], 1)
    cached: list[RDD[Any]] = [rdd]
    results = _metas(rdd) if first else []
    problems.extend(_problems(results))
    if later:
        chosen = [(r.batch.file, r.ruleset) for r in results if r.batch and r.ruleset]
        if not chosen:
            spec = rules if rules is not None else "nato-2024"
            stream_rules = spec if isinstance(spec, Ruleset) else load_rules(spec)
            chosen.append((later[0].paths[0], stream_rules))
        problems.extend(same_ruleset(chosen))
        if not problems:
            ruleset = chosen[0][1]
            more = _read(sc, [dataclasses.replace(u, rules=ruleset) for u in later])
            cached.append(more)
            extra = _metas(more)
            problems.extend(_problems(extra))
            results = sorted([*results, *extra], key=lambda r: r.unit.index)
            rdd = rdd.union(more)
    if problems:
        for cache in cached:
            cache.unpersist()
        raise InputError(problems)
    if len(results) > 1 and results[0].unit.check_ids:
        duplicates = _duplicates(rdd, results)
        if duplicates:
            for cache in cached:
                cache.unpersist()
            raise EventError(duplicates)
    rulesets = {ruleset_key(r.ruleset): r.ruleset for r in results if r.ruleset is not None}
    shared = sc.broadcast(rulesets)
    n = partitions or sc.defaultParallelism
    per_event = rdd.filter(lambda r: r[0] == _FINDING).map(lambda r: (r[1], r[2]))
    per_key = (
        rdd.filter(lambda r: r[0] == _SELECTED)
        .map(lambda r: (r[1], r[2]))
        .groupByKey(n, key_partition)
        .flatMap(lambda item: run_patterns(item, shared.value))
    )
    evaluated = rdd.filter(lambda r: r[0] == _EVENT).map(lambda r: (r[1], r[2]))
    return Pipeline(results, per_event.union(per_key), cached, evaluated)


def _duplicates(rdd: RDD[tuple[str, Any, Any]], results: Sequence[UnitResult]) -> list[Problem]:
    """Event ids given by more than one read of one stream: a problem on each later read's
    file, as :func:`redlines.runner.prepare_stream` words it."""
    found = (
        rdd.filter(lambda r: r[0] == _ID)
        .map(lambda r: (r[1], r[2]))
        .groupByKey()
        .mapValues(sorted)
        .filter(lambda kv: len(kv[1]) > 1)
        .collect()
    )
    files = {r.unit.index: r.batch.file for r in results if r.batch is not None}
    problems = []
    for event_id, where in sorted(found, key=lambda kv: (kv[1][1], kv[0])):
        ids = DuplicateIds()
        ids.add(event_id)
        for index in where[1:]:
            problems.append(
                ids.problem(
                    event_id,
                    file=files[index],
                    because=duplicate_because(files[where[0]]),
                )
            )
    return problems


def evaluate_units(
    spark: SparkSession,
    paths: Sequence[str],
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    options: AdapterOptions | None = None,
    one_stream: bool = False,
    partitions: int | None = None,
    names: Mapping[str, str] | None = None,
    locate: bool = False,
) -> list[Outcome]:
    """Every report of ``redlines run [--one-stream] PATHS`` computed on Spark, in input order
    (one stream of several files: its files taken in the order of their names, as
    :func:`redlines.runner.prepare_stream` does). *names* gives files the name reports and
    problems show. *locate*: the reports know the coordinates of every event (the
    briefing's map), not only of those a rule can match."""
    names = dict(names or {})
    if one_stream:
        paths = sorted(paths, key=lambda p: names.get(p, p))
    try:
        job = pipeline(
            spark,
            paths,
            rules=rules,
            input_format=input_format,
            options=options,
            one_stream=one_stream,
            partitions=partitions,
            locate=locate,
        )
    except InputError as exc:
        raise type(exc)(shown_as(exc.problems, names)) from None
    findings, evaluated = job.collect()
    return build_reports(job.results, findings, evaluated, names)


def build_reports(
    results: Sequence[UnitResult],
    findings: Iterable[tuple[int, Finding]],
    evaluated: Iterable[tuple[int, tuple[str, Any, Any]]] = (),
    names: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Stage 3, on the driver: each report from its reads and its findings, in the order the
    single-machine evaluator gives them."""
    names = names or {}
    by_report: dict[int, list[UnitResult]] = {}
    for r in results:
        assert r.batch is not None
        r.batch.file = names.get(r.batch.file, r.batch.file)
        by_report.setdefault(r.unit.report, []).append(r)
    found: dict[int, list[Finding]] = {i: [] for i in by_report}
    for index, finding in findings:
        found[index].append(finding)
    seen: dict[int, list[tuple[str, Any]]] = {i: [] for i in by_report}
    located: dict[int, list[Located]] = {i: [] for i in by_report}
    for index, (event_id, time, where) in evaluated:
        seen[index].append((event_id, time))
        if where is not None:
            located[index].append(Located(event_id, time, where[0], where[1]))
    out = []
    for index in sorted(by_report):
        reads = by_report[index]
        ruleset = reads[0].ruleset
        assert ruleset is not None
        batches = [r.batch for r in reads if r.batch is not None]
        one = len(reads) == 1
        first = batches[0]
        report = Report.build(
            ruleset,
            sorted(found[index], key=Finding.sort_key),
            events=sum(r.events for r in reads),
            scenario=first.name if one else None,
            file=first.file if one else ", ".join(stream_files(batches)),
            description=first.description if one else None,
            # The order events are fed in: event time, the id breaking ties.
            evaluated=sorted(seen[index], key=lambda pair: (pair[1], pair[0])),
        )
        # The same order as Report.located_events on one machine.
        report.located = tuple(sorted(located[index], key=lambda p: (p.time, p.id)))
        if one:
            report.input = first.summary.to_dict() if first.summary is not None else None
        else:
            report.input = stream_input(batches)
            report.files = tuple(stream_files(batches))
        out.append(Outcome(report, ruleset, batches))
    return out
