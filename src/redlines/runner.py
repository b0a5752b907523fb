"""From a file to a report: pick the reader, load the rules, evaluate. Used by the command
line and by scripts that want exactly what ``redlines run`` does."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import (
    EngineError,
    EventError,
    InputError,
    Problem,
    RuleError,
    RulesetNotFound,
    in_file_order,
)
from .evaluation import evaluate_batch
from .explain import BatchExplainer
from .matching import Relevance
from .progress import ProgressBar
from .readers import (
    EXPORT_FORMATS,
    AdapterOptions,
    Batch,
    Progress,
    Rejection,
    detect_format,
    read,
    read_dataframe,
    read_exports,
)
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
    "explainer",
    "prepare",
]


@dataclass
class Run:
    """An input, read and checked, with the ruleset it will be evaluated against."""

    batch: Batch
    ruleset: Ruleset

    @property
    def input(self) -> dict[str, Any] | None:
        """The report's ``input`` (docs/data.md): how every row of a real-data export was
        accounted for; None for scenario and event files."""
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
        )
    except EngineError as exc:  # say which input it happened on
        raise EngineError(f"{run.batch.file}: {exc}") from None
    report.input = run.input
    if near_misses:
        report.add_near_misses()
    return report


def explainer(run: Run) -> BatchExplainer:
    """What explains the events of a prepared run (``redlines explain``, ``redlines test``),
    without evaluating it."""
    return BatchExplainer(run.ruleset, run.batch.events, file=run.batch.file)


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
