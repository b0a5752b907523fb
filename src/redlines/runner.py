"""From a file to a report: pick the reader, load the rules, evaluate. Used by the command
line and by scripts that want exactly what ``redlines run`` does."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, RuleError, RulesetNotFound
from .evaluate import Evaluator, feed_in_time_order
from .inputs import EVENT_FILE_SUFFIXES, Scenario, load_scenario
from .report.model import Report
from .rules.load import load_rules
from .rules.resolved import Ruleset

__all__ = [
    "Run",
    "evaluate_dataframe",
    "evaluate_file",
    "evaluate_run",
    "is_event_file",
    "prepare",
]


def is_event_file(path: str | Path) -> bool:
    """True for files in the contract's own event formats (scenario, YAML/JSON/JSONL/CSV
    events); False for files that look like real-data exports (GDELT, ACLED, UCDP)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in EVENT_FILE_SUFFIXES and suffix != ".csv":
        return True
    if suffix == ".csv":
        # The contract's own CSV has a header naming at least id and kind (any case, comma or,
        # by mistake, semicolon separated); exports of ACLED or UCDP do not.
        try:
            with p.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
                first = fh.readline()
        except OSError:
            return True  # let the event loader report the problem
        for sep in (",", ";"):
            header = {c.strip().strip('"').lower() for c in first.rstrip("\r\n").split(sep)}
            if {"id", "kind"} <= header:
                return True
    return False


@dataclass
class Run:
    """An input file, loaded and checked, with the ruleset it will be evaluated against."""

    scenario: Scenario
    ruleset: Ruleset
    input: dict[str, Any] | None = None
    #: real-data rows that could not become events (``adapters.Rejection``), as kept
    rejections: list[Any] = dataclasses.field(default_factory=list)


def _rules_for(
    scenario: Scenario, rules: Ruleset | str | Path | None, cache: dict[tuple[str, str], Ruleset]
) -> Ruleset:
    if isinstance(rules, Ruleset):
        return rules
    spec = str(rules) if rules is not None else (scenario.rules or "nato-2024")
    base = None if rules is not None else scenario.base_dir
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
                        file=scenario.file,
                        line=scenario.rules_line,
                        field="rules",
                        message=p.message
                        if isinstance(exc, RulesetNotFound)
                        else f"cannot read the rule file {p.file}: {p.message}",
                    )
                    for p in exc.problems
                ]
            ) from None
    return cache[key]


def prepare(
    path: str | Path,
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    adapter_options: Any = None,
    cache: dict[tuple[str, str], Ruleset] | None = None,
    progress: bool = False,
) -> Run:
    """Load and check one input file (raising :class:`~redlines.errors.InputError`) and choose
    its ruleset: *rules* if given, else the scenario's own ``rules``, else ``nato-2024``."""
    cache = {} if cache is None else cache
    if input_format is None and is_event_file(path):
        scenario = load_scenario(path)
        return Run(scenario, _rules_for(scenario, rules, cache))
    from . import adapters

    ruleset = _rules_for(Scenario(str(path), []), rules, cache)
    relevance = Evaluator(ruleset)
    result = adapters.read_events(
        [path], input_format, adapter_options, relevant=relevance.could_apply, progress=progress
    )
    return Run(
        Scenario(str(path), list(result.events)),
        ruleset,
        result.summary.to_dict(),
        list(result.rejections),
    )


def evaluate_run(run: Run) -> Report:
    """Evaluate a prepared run in event-time order."""
    evaluator = Evaluator(run.ruleset)
    feed_in_time_order(evaluator, run.scenario.events)
    report = evaluator.report(
        scenario=run.scenario.name, file=run.scenario.file, description=run.scenario.description
    )
    report.input = run.input
    return report


def evaluate_file(
    path: str | Path,
    *,
    rules: Ruleset | str | Path | None = None,
    input_format: str | None = None,
    adapter_options: Any = None,
) -> Report:
    """What ``redlines run FILE`` computes, as a :class:`Report`."""
    return evaluate_run(
        prepare(path, rules=rules, input_format=input_format, adapter_options=adapter_options)
    )


def evaluate_dataframe(
    df: Any,
    fmt: str,
    rules: Ruleset | str | Path = "nato-2024",
    *,
    adapter_options: Any = None,
    name: str = "<dataframe>",
) -> Report:
    """What ``redlines run --input-format FMT`` computes, for a pandas DataFrame of GDELT, ACLED
    or UCDP rows: rows no red line could give a level are counted as irrelevant, and the
    report's ``input`` accounts for every row."""
    from . import adapters

    ruleset = rules if isinstance(rules, Ruleset) else load_rules(rules)
    result = adapters.from_dataframe(
        df, fmt, adapter_options, relevant=Evaluator(ruleset).could_apply, name=name
    )
    run = Run(Scenario(name, list(result.events)), ruleset, result.summary.to_dict())
    return evaluate_run(run)
