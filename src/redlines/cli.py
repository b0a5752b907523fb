"""The command line: argv -> library -> renderer; errors -> exit codes.

``main(argv) -> int`` never lets a traceback reach the user for bad input: every
:class:`~redlines.errors.InputError` becomes one line per problem on stderr and exit 2.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import click

from .coverage import measure_coverage, render_coverage
from .errors import InputError, Problem, RedlinesError, printable
from .events import Event
from .readers import EXPORT_FORMATS as INPUT_FORMATS
from .readers import AdapterOptions, Progress, read_exports
from .report.model import Report
from .report.render import FORMATS, render
from .rules.describe import describe_ruleset
from .rules.load import load_rules, shipped_rulesets
from .rules.resolved import Ruleset
from .runner import Run, evaluate_run, prepare
from .scenarios import check_expect, discover, expectation_mismatches

__all__ = ["EXIT_ERROR", "EXIT_FAIL", "EXIT_OK", "cli", "main"]

EXIT_OK = 0
EXIT_FAIL = 1  # `redlines test`: an expectation was not met
EXIT_ERROR = 2  # invalid input


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        click.echo(f"error: {p.render()}", err=True)


@contextlib.contextmanager
def _progress_bar(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for reading *total* bytes (a :data:`redlines.readers.Progress`)."""
    with click.progressbar(length=max(total, 1), label=label, file=sys.stderr) as bar:
        yield bar.update


def terminal_progress() -> Progress | None:
    """The progress bar for readers when stderr is a terminal; None (no bar) otherwise."""
    return _progress_bar if sys.stderr.isatty() else None


def _prepare_all(
    files: Sequence[str],
    rules: str | None,
    input_format: str | None,
    progress: Progress | None = None,
    adapter_options: AdapterOptions | None = None,
    problems: list[Problem] | None = None,
) -> list[Run]:
    """Load every file before evaluating any: one invalid file fails the run (exit 2), after
    the problems of every file (and any *problems* found before) are reported."""
    runs: list[Run] = []
    problems = [] if problems is None else problems
    cache: dict[tuple[str, str], Ruleset] = {}
    ruleset = _option_rules(rules) if rules is not None else None
    for f in files:
        try:
            runs.append(
                prepare(
                    f,
                    rules=ruleset,
                    input_format=input_format,
                    cache=cache,
                    progress=progress,
                    adapter_options=adapter_options,
                )
            )
        except InputError as exc:
            problems.extend(_from_option(exc.problems))
    if problems:
        _problems(problems)
        raise _Exit(EXIT_ERROR)
    return runs


def _option_rules(rules: str) -> Ruleset:
    """The ruleset named by ``--rules``, loaded once; its problems end the command (exit 2)."""
    try:
        return load_rules(rules)
    except InputError as exc:
        _problems(_from_option(exc.problems))
        raise _Exit(EXIT_ERROR) from None


def _from_option(problems: Sequence[Problem]) -> list[Problem]:
    """Problems with no file come from the ``--rules`` option: say so instead of ``<input>``."""
    return [p if p.file is not None else dataclasses.replace(p, file="--rules") for p in problems]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redlines")
def cli() -> None:
    """redlines: declarative red lines over conflict events.

    Which red lines are crossed, which are in warning, and why.
    """


_rules_option = click.option(
    "--rules",
    "rules",
    metavar="NAME|PATH",
    default=None,
    help="Ruleset: a shipped name (nato-2024) or a rule file. Overrides a scenario's own 'rules'.",
)


_input_format_option = click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default=None,
    help="Read real event data (GDELT 2.0, GDELT 1.0, ACLED, UCDP) in this format; detected "
    "when left out.",
)


def _data_options(func: Any) -> Any:
    """Options for real-data inputs: the corroboration thresholds and switches of
    :class:`redlines.adapters.AdapterOptions` (documented in docs/data.md)."""
    options = [
        click.option(
            "--min-urls",
            type=int,
            default=2,
            show_default=True,
            help="Machine-coded data: distinct article URLs needed for 'confirmed' (>= 2).",
        ),
        click.option(
            "--min-sources",
            type=int,
            default=3,
            show_default=True,
            help="Machine-coded data: independent sources needed for 'confirmed'.",
        ),
        click.option(
            "--min-articles",
            type=int,
            default=3,
            show_default=True,
            help="Machine-coded data: articles needed for 'confirmed'.",
        ),
        click.option(
            "--no-grouping",
            is_flag=True,
            help="Do not group GDELT rows that report the same happening.",
        ),
        click.option(
            "--no-place-check",
            is_flag=True,
            help="Keep GDELT's coded target even when the action is placed elsewhere.",
        ),
        click.option(
            "--no-regions", is_flag=True, help="Do not fill location.region from coordinates."
        ),
        click.option(
            "--rejections",
            "rejections_out",
            default=None,
            metavar="FILE",
            type=click.Path(dir_okay=False),
            help="Also write every rejected row (file, row, reason, detail) as JSON Lines.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _write_jsonl(path: str, records: Iterable[dict[str, Any]]) -> None:
    """Write *records* one JSON object a line to *path* (``-``: stdout); exit 2 if we can't.
    A regular file (or a new one) is replaced atomically; a device or FIFO (``/dev/null``, a
    named pipe) is written in place, never replaced by a regular file."""
    try:
        with click.open_file(path, "w", encoding="utf-8", atomic=_replaceable(path)) as out:
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as exc:
        _problems([Problem(f"cannot write: {exc.strerror or exc}", file=path)])
        raise _Exit(EXIT_ERROR) from None


def _replaceable(path: str) -> bool:
    """Whether *path* may be written by atomic replacement: a regular file or a new one."""
    if path == "-":
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _adapter_options(kw: dict[str, Any]) -> AdapterOptions:
    try:
        return AdapterOptions(
            min_urls_confirmed=kw.pop("min_urls"),
            min_sources_confirmed=kw.pop("min_sources"),
            min_articles_confirmed=kw.pop("min_articles"),
            group_duplicates=not kw.pop("no_grouping"),
            check_place=not kw.pop("no_place_check"),
            regions=not kw.pop("no_regions"),
            # Rejection records are kept only to be written out: counts need none of them.
            max_rejections_kept=10**9 if kw.get("rejections_out") else 0,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@_rules_option
@_input_format_option
@click.option(
    "--color/--no-color", default=None, help="Colour the text table (default: on a terminal)."
)
@_data_options
def run(
    files: tuple[str, ...],
    fmt: str,
    rules: str | None,
    input_format: str | None,
    color: bool | None,
    **data: Any,
) -> None:
    """Evaluate scenario, event or real-data FILES and print a report for each."""
    runs = _prepare_all(
        files,
        rules,
        input_format,
        progress=terminal_progress(),
        adapter_options=_adapter_options(data),
    )
    if data["rejections_out"]:
        _write_jsonl(data["rejections_out"], (j.to_dict() for r in runs for j in r.rejections))
    reports = [evaluate_run(r) for r in runs]
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(render(reports, fmt, color=use_color), nl=False, color=use_color)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--coverage",
    is_flag=True,
    help="Also list, per ruleset, each clause, alternative and pattern with the scenarios that "
    "exercise it, and those that none does.",
)
@_rules_option
def test(paths: tuple[str, ...], rules: str | None, coverage: bool) -> None:
    """Run every scenario with `expect` under PATHS; print expected against actual.

    With --coverage, also list for each ruleset the clauses, alternatives and patterns that
    the scenarios exercise, and those none does.
    """
    files, skip_notes, problems = discover(paths)
    runs = _prepare_all(files, rules, None, problems=problems)
    for note in skip_notes:
        click.echo(note)
    for r in runs:
        try:
            check_expect(r.batch, [rl.id for rl in r.ruleset.red_lines])
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        _problems(problems)
        raise _Exit(EXIT_ERROR)
    passed = failed = 0
    skipped = len(skip_notes)
    exercised: list[tuple[str, Ruleset, list[Event], Report]] = []
    for r in runs:
        sc = r.batch
        label = printable(f"{sc.file}" + (f" ({sc.name})" if sc.name else ""))
        if not sc.expect:
            skipped += 1
            click.echo(f"SKIP {label}: no expectations")
            continue
        report = evaluate_run(r)
        exercised.append((r.batch.file, r.ruleset, r.batch.events, report))
        misses = [
            (rl, what, want, got)
            for rl, expectation in sc.expectations.items()
            for what, want, got in expectation_mismatches(expectation, report.red_line(rl))
        ]
        if misses:
            failed += 1
            click.echo(f"FAIL {label}")
            for rl, what, want, got in misses:
                name = rl if what == "status" else f"{rl} {what}"
                click.echo(f"     {name}: expected {want}, actual {got}")
        else:
            passed += 1
            click.echo(f"PASS {label}")
    if not runs:
        click.echo("no scenarios found", err=True)
        raise _Exit(EXIT_ERROR)
    tail = f", {skipped} skipped" if skipped else ""
    click.echo(f"{passed} passed, {failed} failed{tail}")
    if coverage:
        click.echo(render_coverage(measure_coverage(exercised)), nl=False)
    if failed:
        raise _Exit(EXIT_FAIL)


@cli.command()
@click.argument("files", nargs=-1, required=True)
def check(files: tuple[str, ...]) -> None:
    """Validate rule FILES, or shipped rulesets by name (exit 0 valid, 2 invalid)."""
    problems: list[Problem] = []
    for f in files:
        try:
            rs = load_rules(f)
        except InputError as exc:  # a problem without a file is about the name given
            problems.extend(p if p.file else dataclasses.replace(p, file=f) for p in exc.problems)
            continue
        clauses = sum(len(rl.clauses) for rl in rs.red_lines)
        patterns = sum(len(rl.patterns) for rl in rs.red_lines)
        click.echo(
            f"ok {f}: {rs.name} {rs.version}, {_count(len(rs.red_lines), 'red line')}, "
            f"{_count(clauses, 'clause')}, {_count(patterns, 'pattern')}"
        )
    if problems:
        _problems(problems)
        raise _Exit(EXIT_ERROR)


@cli.command("rules")
@_rules_option
def rules_cmd(rules: str | None) -> None:
    """List the red lines of a ruleset (default nato-2024) with their provenance."""
    rs = _option_rules(rules or "nato-2024")
    click.echo(describe_ruleset(rs))
    click.echo(f"shipped rulesets: {', '.join(shipped_rulesets())}")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_input_format_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the events, one JSON object a line (- for stdout).",
)
@_rules_option
@click.option(
    "--all",
    "keep_all",
    is_flag=True,
    help="Keep rows no red line could give a level (default: leave them out, counted).",
)
@_data_options
def convert(
    files: tuple[str, ...],
    input_format: str | None,
    output: str,
    rules: str | None,
    keep_all: bool,
    **data: Any,
) -> None:
    """Turn real event data (GDELT, ACLED, UCDP) into contract events (JSON Lines)."""
    from .matching import Relevance

    relevant = None if keep_all else Relevance(_option_rules(rules or "nato-2024"))
    result = read_exports(
        list(files),
        input_format,
        options=_adapter_options(data),
        relevant=relevant,
        progress=terminal_progress(),
    )
    _write_jsonl(output, (event.contract_dict() for event in result.events))
    if data["rejections_out"]:
        _write_jsonl(data["rejections_out"], (r.to_dict() for r in result.rejections))
    s = result.summary
    click.echo(
        f"{len(result.events)} events written to {output}: rows read {s.rows_read}, used "
        f"{s.rows_used}, irrelevant {s.rows_irrelevant}, rejected {s.rows_rejected}",
        err=True,
    )
    for reason, n in s.rejected_by_reason.items():
        click.echo(f"  rejected {n}: {reason}", err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="redlines",
            standalone_mode=False,
        )
    except _Exit as exc:
        return exc.code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_ERROR
    except click.ClickException as exc:
        exc.show()
        return EXIT_ERROR
    except InputError as exc:
        _problems(exc.problems)
        return EXIT_ERROR
    except RedlinesError as exc:
        click.echo(f"error: {printable(str(exc))}", err=True)
        return EXIT_ERROR
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
