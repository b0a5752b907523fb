"""From a file to a report: pick the reader, load the rules, evaluate. Used by the command
line and by scripts that want exactly what ``redlines run`` does."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .compile import compile_ruleset
from .errors import (
    EngineError,
    EventError,
    InputError,
    Problem,
    RuleError,
    RulesetNotFound,
    in_file_order,
    shown_as,
)
from .evaluation import evaluate_batch
from .explain import BatchExplainer
from .matching import Relevance
from .matching.facts import unmatchable
from .progress import ProgressBar
from .readers import (
    EXPORT_FORMATS,
    AdapterOptions,
    Batch,
    DuplicateIds,
    Progress,
    Rejection,
    detect_format,
    read,
    read_dataframe,
    read_exports,
)
from .readers.eventcsv import read_event_csv
from .readers.jsonl import read_jsonl
from .readers.scenario import named_rules
from .report.model import Report
from .rules.load import load_rules
from .rules.resolved import Ruleset

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "Run",
    "evaluate_dataframe",
    "evaluate_file",
    "evaluate_run",
    "evaluate_stream",
    "explainer",
    "prepare",
    "prepare_stream",
    "same_ruleset",
    "stream_files",
    "stream_input",
]


@dataclass
class Run:
    """An input, read and checked, with the ruleset it will be evaluated against."""

    batch: Batch
    ruleset: Ruleset
    #: One stream of several files (``--one-stream``): the batches read, in the order of
    #: their first file (one per event file, one per export format); ``batch`` holds all their
    #: events. Empty for a run of one input.
    parts: list[Batch] = field(default_factory=list)

    @property
    def input(self) -> dict[str, Any] | None:
        """The report's ``input`` (docs/data.md): how every row of a real-data export was
        accounted for; None for scenario and event files. For one stream of several files,
        :func:`stream_input`."""
        if self.parts:
            return stream_input(self.parts)
        return self.batch.summary.to_dict() if self.batch.summary is not None else None

    @property
    def rejections(self) -> list[Rejection]:
        """Real-data rows that could not become events, as kept."""
        return self.batch.rejections

    @property
    def scenario(self) -> Batch:
        """The batch, under its 0.1 name."""
        return self.batch


def _rules_for(
    rules: Ruleset | str | Path | None,
    cache: dict[tuple[str, str], Ruleset],
    *,
    file: str,
    wanted: str | None = None,
    line: int | None = None,
) -> Ruleset:
    """*rules* if given, else the ruleset the input at *file* names (*wanted*, on *line*), else
    ``nato-2024``; a relative path named by the input is taken from the input's folder."""
    if isinstance(rules, Ruleset):
        return rules
    spec = str(rules) if rules is not None else (wanted or "nato-2024")
    base = None if rules is not None else Path(file).parent
    key = (spec, str(base))
    if key not in cache:
        try:
            cache[key] = load_rules(spec, base=base)
        except (RulesetNotFound, InputError) as exc:
            if rules is not None or (isinstance(exc, RuleError)):
                raise  # the rule file's own problems are located in the rule file
            # Name the scenario's own `rules` line: that is where the user must look.
            raise RulesetNotFound(
                [
                    dataclasses.replace(
                        p,
                        file=file,
                        line=line,
                        field="rules",
                        message=p.message
                        if isinstance(exc, RulesetNotFound)
                        else f"cannot read the rule file {p.file}: {p.message}",
                    )
                    for p in exc.problems
                ]
            ) from None
    return cache[key]


def _with_named_rules(
    problems: Sequence[Problem],
    path: str | Path,
    rules: Ruleset | str | Path | None,
    cache: dict[tuple[str, str], Ruleset],
) -> list[Problem]:
    """*problems* of a scenario file that does not read, with those of the ruleset it names in
    ``rules`` (when no ruleset is given instead): that check can run all the same, and is
    reported in the same round. The problems located in the scenario come in file order."""
    named = named_rules(path) if rules is None else None
    if named is None:
        return list(problems)
    try:
        _rules_for(None, cache, file=str(path), wanted=named[0], line=named[1])
    except InputError as exc:
        here = [p for p in [*problems, *exc.problems] if p.file == str(path)]
        return [*in_file_order(here), *(p for p in exc.problems if p.file != str(path))]
    return list(problems)


def prepare(
    path: str | Path,
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
    cache: dict[tuple[str, str], Ruleset] | None = None,
    progress: Progress | None = None,
) -> Run:
    """Read and check one input file (raising :class:`~redlines.errors.InputError`) and choose
    its ruleset: *rules* if given, else the scenario's own ``rules``, else ``nato-2024``.

    *input_format* is a name of :data:`redlines.readers.FORMATS`, or None to detect it. A
    real-data export is read after its ruleset is chosen, so that rows no red line could give
    a level are left out as irrelevant; *progress* is called around reading it.
    """
    cache = {} if cache is None else cache
    fmt = input_format if input_format is not None else detect_format(path)
    lean = fmt in _EVENT_FILES and _plain_options(adapter_options)
    if lean and not isinstance(rules, (str, Path)):
        # An event file names no ruleset: choose it first, and let the reader only count the
        # events no rule of it can match (checked all the same; read again if explained).
        ruleset = _rules_for(rules, cache, file=str(path))
        batch = _EVENT_FILES[fmt](path, skip=unmatchable(compile_ruleset(ruleset)))
        return Run(batch, ruleset)
    if fmt not in EXPORT_FORMATS:
        try:
            batch = read([path], fmt, options=adapter_options)
        except EventError as exc:
            if fmt != "scenario":
                raise
            raise EventError(_with_named_rules(exc.problems, path, rules, cache)) from None
        ruleset = _rules_for(
            rules, cache, file=batch.file, wanted=batch.rules, line=batch.rules_line
        )
        return Run(batch, ruleset)
    ruleset = _rules_for(rules, cache, file=str(path))
    batch = read_exports(
        [path],
        fmt,
        options=adapter_options,
        relevant=Relevance(ruleset),
        progress=progress,
    )
    return Run(batch, ruleset)


#: The readers of event files (which name no ruleset), by format.
_EVENT_FILES: dict[str, Callable[..., Batch]] = {"jsonl": read_jsonl, "csv": read_event_csv}


def _plain_options(options: AdapterOptions | None) -> bool:
    """Options an event file is read with as it is (no encoding other than UTF-8 asked for)."""
    return options is None or options.encoding in (None, "utf-8")


def evaluate_run(run: Run, *, near_misses: bool = False) -> Report:
    """Evaluate a prepared run in event-time order; with *near_misses*, give each red line its
    near misses (``redlines run --explain``)."""
    try:
        report = evaluate_batch(
            run.ruleset,
            run.batch.events,
            scenario=run.batch.name,
            file=run.batch.file,
            description=run.batch.description,
            skipped=run.batch.skipped,
        )
    except EngineError as exc:  # say which input it happened on
        raise EngineError(f"{run.batch.file}: {exc}") from None
    report.input = run.input
    if run.parts:
        report.files = tuple(stream_files(run.parts))
    if near_misses:
        report.add_near_misses()
    return report


def explainer(run: Run) -> BatchExplainer:
    """What explains the events of a prepared run (``redlines explain``, ``redlines test``),
    without evaluating it."""
    return BatchExplainer(run.ruleset, run.batch.all_events, file=run.batch.file)


def evaluate_file(
    path: str | Path,
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
    encoding: str | None = None,
    progress: bool | Progress = False,
) -> Report:
    """What ``redlines run FILE`` computes, as a :class:`Report`.

    *encoding* (else ``adapter_options.encoding``) is that of a real-data export, detected when
    None. *progress* True draws a progress bar while an export is read (``tqdm.auto``: a
    widget in Jupyter, text on stderr elsewhere); a :data:`~redlines.readers.Progress`
    callback is called instead."""
    if encoding is not None:
        adapter_options = dataclasses.replace(
            adapter_options or AdapterOptions(), encoding=encoding
        )
    with contextlib.ExitStack() as stack:
        bar: Progress | None = None
        if progress is True:
            bar = stack.enter_context(ProgressBar([path]))
        elif progress is not False:
            bar = progress
        run = prepare(
            path,
            rules=rules,
            input_format=input_format,
            adapter_options=adapter_options,
            progress=bar,
        )
    return evaluate_run(run)


def evaluate_dataframe(
    df: pandas.DataFrame,
    fmt: str = "events",
    rules: Ruleset | str | Path = "nato-2024",
    *,
    adapter_options: AdapterOptions | None = None,
    name: str = "<dataframe>",
) -> Report:
    """What ``redlines run`` computes, for a pandas DataFrame: of events (*fmt* ``events``, a
    column a field as in the event CSV), or of GDELT, ACLED or UCDP rows (``--input-format
    FMT``), whose rows no red line could give a level are counted as irrelevant, and whose
    report's ``input`` accounts for every row."""
    ruleset = rules if isinstance(rules, Ruleset) else load_rules(rules)
    batch = read_dataframe(df, fmt, options=adapter_options, relevant=Relevance(ruleset), name=name)
    return evaluate_run(Run(batch, ruleset))


def stream_input(parts: Sequence[Batch]) -> dict[str, Any] | None:
    """The ``input`` of one report over several inputs (``--one-stream``; docs/cli.md).

    Export files of one format are read together (GDELT rows reporting one happening in two
    files are one event), so each format has one accounting object, its ``files`` listing
    them. With one such object, it is the report's ``input`` as for a single read; with
    several (files of several formats), ``input`` holds their totals (``format`` lists the
    formats, ``files`` every export file, sorted) and ``parts`` each object, sorted by format
    name. Scenario and event files have no accounting (every problem in them is an error);
    None when there is no export at all."""
    objects = sorted(
        (b.summary.to_dict() for b in parts if b.summary is not None), key=lambda o: o["format"]
    )
    if not objects:
        return None
    if len(objects) == 1:
        return objects[0]
    out: dict[str, Any] = {
        "format": ", ".join(o["format"] for o in objects),
        "files": sorted(f for o in objects for f in o["files"]),
    }
    for key in ("rows_read", "rows_used", "rows_irrelevant", "rows_rejected"):
        out[key] = sum(o[key] for o in objects)
    for key in ("rejected_by_reason", "rows_by_kind"):
        total: dict[str, int] = {}
        for o in objects:
            for name, n in o[key].items():
                total[name] = total.get(name, 0) + n
        out[key] = dict(sorted(total.items()))
    out["parts"] = objects
    return out


def stream_files(parts: Sequence[Batch]) -> list[str]:
    """Every file of one stream (``--one-stream``), sorted: a report over several files
    names them in this order, whatever the order they were given in."""
    files: list[str] = []
    for b in parts:
        files.extend(b.summary.files if b.summary is not None else [b.file])
    return sorted(files)


def same_ruleset(chosen: Sequence[tuple[str, Ruleset]]) -> list[Problem]:
    """One stream is evaluated against one ruleset: a problem for each input whose ruleset is
    not the first input's."""
    if not chosen:
        return []
    first_file, first = chosen[0]
    return [
        Problem(
            f"one stream is evaluated against one ruleset: this file's is {rs.name} "
            f"(sha256 {rs.sha256[:12]}), that of {first_file} is {first.name} "
            f"(sha256 {first.sha256[:12]}); give the ruleset with --rules",
            file=file,
            field="rules",
        )
        for file, rs in chosen[1:]
        if rs.info() != first.info()
    ]


def prepare_stream(
    paths: Sequence[str | Path],
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
    cache: dict[tuple[str, str], Ruleset] | None = None,
    progress: Progress | None = None,
    names: Mapping[str, str] | None = None,
) -> Run:
    """Read several inputs as one stream (``redlines run --one-stream``): one :class:`Run`
    whose batch holds the events of every file, evaluated together in event-time order, so
    that patterns span files.

    Scenario and event files are read one by one; export files of one format are read together
    (:func:`redlines.readers.read_exports`: GDELT rows of one happening are grouped across
    files). The ruleset is *rules*, else the one the scenarios name (all must name the same),
    else ``nato-2024``. Event ids must be unique across all files. Every problem of every file
    is raised at once (:class:`~redlines.errors.InputError`). *names* gives files the name
    reports and problems show. The files are taken in the order of their names (sorted), so
    that the report does not depend on the order they are given in. One path is
    :func:`prepare` exactly."""
    names = dict(names or {})
    paths = sorted(paths, key=lambda p: names.get(str(p), str(p)))
    cache = {} if cache is None else cache

    def relabel(batch: Batch) -> Batch:
        batch.file = names.get(batch.file, batch.file)
        return batch

    if len(paths) == 1:
        try:
            run = prepare(
                paths[0],
                rules=rules,
                input_format=input_format,
                adapter_options=adapter_options,
                cache=cache,
                progress=progress,
            )
        except InputError as exc:
            raise type(exc)(shown_as(exc.problems, names)) from None
        relabel(run.batch)
        return run
    problems: list[Problem] = []
    formats: dict[int, str] = {}
    for i, path in enumerate(paths):
        try:
            formats[i] = input_format if input_format is not None else detect_format(path)
        except InputError as exc:
            problems.extend(exc.problems)
    parts: dict[int, Batch] = {}  # by the position of the part's first file
    chosen: list[tuple[str, Ruleset]] = []
    for i, fmt in formats.items():
        if fmt in EXPORT_FORMATS:
            continue
        try:
            run = prepare(
                paths[i],
                rules=rules,
                input_format=fmt,
                adapter_options=adapter_options,
                cache=cache,
            )
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        parts[i] = relabel(run.batch)
        chosen.append((run.batch.file, run.ruleset))
    exports: dict[str, list[int]] = {}
    for i, fmt in formats.items():
        if fmt in EXPORT_FORMATS:
            exports.setdefault(fmt, []).append(i)
    if exports and not chosen:
        first = str(paths[min(min(v) for v in exports.values())])
        try:
            chosen.append((first, _rules_for(rules, cache, file=first)))
        except InputError as exc:
            problems.extend(exc.problems)
    problems.extend(same_ruleset(chosen))
    if chosen and not problems:
        ruleset = chosen[0][1]
        for fmt, where in exports.items():
            try:
                parts[where[0]] = read_exports(
                    [paths[i] for i in where],
                    fmt,
                    options=adapter_options,
                    relevant=Relevance(ruleset),
                    progress=progress,
                )
            except InputError as exc:
                problems.extend(exc.problems)
    if problems:
        raise InputError(shown_as(problems, names))
    ordered = [parts[i] for i in sorted(parts)]
    events = []
    ids = DuplicateIds()
    # The file each id was first given in, made when a duplicate is found (none, usually).
    first_file: dict[str, str] = {}
    covered = 0  # the parts whose ids first_file holds
    for n, part in enumerate(ordered):
        if part.skipped:
            # Events an event file's reader skipped (no rule can match them) are read again:
            # a stream checks every id across its files.
            part.events, part.skipped = part.skipped.all_events(), None
        for event in part.events:
            if not ids.add(event.id):
                for earlier in ordered[covered:n]:
                    for e in earlier.events:
                        first_file.setdefault(e.id, earlier.file)
                covered = n
                problems.append(
                    ids.problem(
                        event.id,
                        file=part.file,
                        because=duplicate_because(first_file[event.id]),
                    )
                )
        events.extend(part.events)
    if problems:
        raise EventError(shown_as(problems, names))
    batch = Batch(", ".join(stream_files(ordered)), events, format="stream")
    return Run(batch, chosen[0][1], parts=ordered)


def duplicate_because(first: str) -> str:
    """Why an event id given again in one stream is refused, naming the file it was first
    given in."""
    return f"one stream needs event ids unique across its files (first given in {first})"


def evaluate_stream(
    paths: Sequence[str | Path],
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    adapter_options: AdapterOptions | None = None,
) -> Report:
    """What ``redlines run --one-stream FILE...`` computes: every input evaluated as one
    stream in event-time order (patterns span files), one :class:`Report` with the accounting
    of every file (:func:`stream_input`). One path gives :func:`evaluate_file`'s report."""
    return evaluate_run(
        prepare_stream(
            paths, rules=rules, input_format=input_format, adapter_options=adapter_options
        )
    )
