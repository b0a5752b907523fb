"""The command line: argv -> library -> renderer; errors -> exit codes.

``main(argv) -> int`` never lets a traceback reach the user for bad input: every
:class:`~redlines.errors.InputError` becomes one line per problem on stderr and exit 2. The
warnings of the rulesets used (``Ruleset.warnings``) are printed the same way, as ``warning:``
lines; they change the exit code only with ``--strict``. Below each line, the offending line of
the file and a caret can be shown (``--context``; by default when stderr is a terminal).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import click

from .errors import InputError, Problem, RedlinesError, printable, shown_as, suggest
from .events import Event
from .explain import mismatch_lines
from .findings import level_rank
from .progress import ProgressBar
from .readers import EXPORT_FORMATS as INPUT_FORMATS
from .readers import AdapterOptions, Batch, Progress, read_exports
from .report.model import Report
from .report.render import FORMATS, input_notes, render
from .rules.describe import describe_ruleset
from .rules.load import load_rules, shipped_rulesets
from .rules.resolved import Ruleset
from .runner import Run, evaluate_run, explainer, prepare, prepare_stream
from .scenarios import check_expect, discover, expectation_mismatches
from .schemas import SCHEMAS, schema_text
from .source import context_lines

__all__ = ["EXIT_ERROR", "EXIT_FAIL", "EXIT_OK", "cli", "main"]

EXIT_OK = 0
EXIT_FAIL = 1  # `redlines test`: an expectation was not met; `run --fail-on`: level reached
EXIT_ERROR = 2  # invalid input


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


@dataclasses.dataclass
class _Output:
    """How problems are printed: set by ``--context/--no-context`` and ``--strict``, reset by
    :func:`main` for each command line."""

    context: bool | None = None  # None: when stderr is a terminal
    strict: bool = False

    def show_context(self) -> bool:
        return sys.stderr.isatty() if self.context is None else self.context


_output = _Output()


def _problems(problems: Sequence[Problem]) -> None:
    """One ``error:`` or ``warning:`` line per problem on stderr (the format scripts parse),
    each followed, with ``--context``, by its line of the file and a caret."""
    context = _output.show_context()
    for p in problems:
        click.echo(f"{p.severity}: {p.render()}", err=True)
        if context:
            for line in context_lines(p):
                click.echo(line, err=True)


def _warnings(rulesets: Iterable[Ruleset | None], *, errors: Sequence[Problem] = ()) -> None:
    """Print the warnings of each ruleset once, then *errors*; exit 2 when there are errors,
    or warnings and ``--strict``."""
    found: list[Problem] = []
    seen: set[int] = set()
    for rs in rulesets:
        if rs is not None and id(rs) not in seen:
            seen.add(id(rs))
            found.extend(rs.warnings)
    _problems([*found, *errors])
    if errors or (found and _output.strict):
        raise _Exit(EXIT_ERROR)


def _set_context(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    _output.context = value


def _set_strict(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    _output.strict = value


_context_option = click.option(
    "--context/--no-context",
    default=None,
    expose_value=False,
    callback=_set_context,
    help="Show each problem's line of the file with a caret under it (default: when stderr is "
    "a terminal).",
)

_strict_option = click.option(
    "--strict",
    is_flag=True,
    expose_value=False,
    callback=_set_strict,
    help="Treat the warnings of rule files (clauses that never match...) as errors: exit 2.",
)


def terminal_progress(paths: Sequence[str] = ()) -> ProgressBar | None:
    """One progress bar on stderr over the bytes of all *paths* (a
    :data:`redlines.readers.Progress`), when stderr is a terminal; None (no bar) otherwise,
    so that nothing is drawn into a pipe or a log."""
    return ProgressBar(paths, file=sys.stderr) if sys.stderr.isatty() else None


def _prepare_all(
    files: Sequence[str],
    rules: str | None,
    input_format: str | None,
    progress: Progress | None = None,
    adapter_options: AdapterOptions | None = None,
    problems: list[Problem] | None = None,
    then: Callable[[Run], None] | None = None,
    names: dict[str, str] | None = None,
) -> list[Run]:
    """Load every file before evaluating any: one invalid file fails the run (exit 2), after
    the problems of every file (and any *problems* found before) are reported, with the
    warnings of the rulesets used. *then* checks more of each prepared run (its problems are
    reported with the others). *names* gives files the name reports and problems show
    (standard input's copy is ``<stdin>``)."""
    names = names or {}
    runs: list[Run] = []
    problems = [] if problems is None else problems
    cache: dict[tuple[str, str], Ruleset] = {}
    ruleset = _option_rules(rules) if rules is not None else None
    for f in files:
        try:
            prepared = prepare(
                f,
                rules=ruleset,
                input_format=input_format,
                cache=cache,
                progress=progress,
                adapter_options=adapter_options,
            )
            if f in names:
                prepared.batch.file = names[f]
            runs.append(prepared)
            if then is not None:
                then(prepared)
        except InputError as exc:
            problems.extend(shown_as(_from_option(exc.problems), names))
        if isinstance(progress, ProgressBar):
            progress.done(f)
    if isinstance(progress, ProgressBar):
        progress.close()
    _warnings([ruleset, *(r.ruleset for r in runs)], errors=problems)
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


class _Path(click.Path):
    """click's path type, refusing a name with a NUL byte (which the system cannot take) as a
    usage error instead of failing inside ``os.stat``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail(f"{printable(value)!r} holds a NUL byte, which no file name can", param, ctx)
        return super().convert(value, param, ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="redlines")
def cli() -> None:
    """redlines: declarative red lines over conflict events.

    Which red lines are crossed, which are in warning, and why. Every command exits 0 when
    it succeeds and 2 on invalid input or a usage error; `test` exits 1 when an expectation
    is not met, `run --fail-on` when a red line reaches the level given.
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
            type=_Path(dir_okay=False),
            help="Also write every rejected row (file, row, kind, reason, detail) as JSON Lines "
            "(- for stdout, when the report or events do not go there).",
        ),
        click.option(
            "--explain-irrelevant",
            is_flag=True,
            help="With --rejections: also write, for the first 1,000 rows no red line could give "
            "a level, what they mapped to (records of kind 'irrelevant').",
        ),
        click.option(
            "--encoding",
            default=None,
            metavar="NAME",
            help="Encoding of the export files (cp1252, latin-1, utf-16...); default: UTF-8, "
            "or cp1252 for a file whose bytes are not UTF-8.",
        ),
        click.option(
            "--date-order",
            type=click.Choice(("dmy", "mdy")),
            default=None,
            help="Order of day and month in slashed dates (dmy 27/12/2021, mdy 12/27/2021); "
            "default: decided per file from the dates that cannot be ambiguous.",
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


#: How many irrelevant rows ``--explain-irrelevant`` explains.
EXPLAIN_IRRELEVANT = 1_000


def _no_mixing(
    rejections_out: str | None,
    output: str | None,
    what: str,
    inputs: Sequence[str] = (),
) -> None:
    """``--rejections -`` writes to stdout: a usage error when *what* goes there too. An output
    that is one of the *inputs* is a usage error too: writing it would destroy the input."""
    if rejections_out == "-" and (output is None or output == "-"):
        raise click.UsageError(
            f"--rejections - writes to standard output, where the {what} goes: give the "
            "--rejections FILE another path"
            + (", or write the report elsewhere with -o FILE" if what == "report" else "")
        )
    for option, path in (("-o", output), ("--rejections", rejections_out)):
        if path is None or path == "-" or not os.path.isfile(path):
            continue
        for given in inputs:
            with contextlib.suppress(OSError, ValueError):
                if given == "-":  # standard input redirected from the output file
                    read = os.fstat(sys.stdin.fileno())
                    written = os.stat(path)
                    same = stat.S_ISREG(read.st_mode) and (read.st_dev, read.st_ino) == (
                        written.st_dev,
                        written.st_ino,
                    )
                else:
                    same = os.path.isfile(given) and os.path.samefile(path, given)
                if same:
                    raise click.UsageError(
                        f"{option} {path} is one of the input files: writing it would destroy "
                        "the input; give another path"
                    )


def _stdin_copy(folder: str) -> str:
    """Standard input, copied to a ``.jsonl`` file in *folder* (``run -``): read like any
    event file, named ``<stdin>`` in reports and problems."""
    path = os.path.join(folder, "stdin.jsonl")
    try:
        # The bytes as they come: the JSON Lines reader decodes them and locates what is not
        # UTF-8 (a text read would stop at the first such byte, with a traceback).
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    except (OSError, ValueError, UnicodeError) as exc:  # closed, not readable
        _problems([Problem(f"cannot read standard input: {exc}", file="<stdin>")])
        raise _Exit(EXIT_ERROR) from None
    with open(path, "wb") as out:
        out.write(data)
    return path


def _write_text(path: str, text: str) -> None:
    """Write *text* to *path* (``-o``): a regular file (or a new one) is replaced atomically,
    a device or FIFO written in place; exit 2 if we can't."""
    try:
        with click.open_file(path, "w", encoding="utf-8", atomic=_replaceable(path)) as out:
            out.write(text)
    except OSError as exc:
        _problems([Problem(f"cannot write: {exc.strerror or exc}", file=path)])
        raise _Exit(EXIT_ERROR) from None


def _use_color(color: bool | None, output: str | None) -> bool:
    """``--color``/``--no-color`` if given (an explicit ``--color`` wins over ``NO_COLOR``,
    as no-color.org asks); else colour only on a terminal and when ``NO_COLOR`` is unset or
    empty."""
    if color is not None:
        return color
    if output is not None and output != "-":
        return False
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _explained(explain: bool, rejections_out: str | None) -> int:
    if explain and not rejections_out:
        raise click.UsageError("--explain-irrelevant writes to the --rejections FILE: give one")
    return EXPLAIN_IRRELEVANT if explain else 0


def _row_records(batch: Batch) -> Iterator[dict[str, Any]]:
    """The ``--rejections`` records of a batch: its rejected rows, then the irrelevant rows
    explained."""
    for record in (*batch.rejections, *batch.irrelevant):
        yield record.to_dict()


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
            encoding=kw.pop("encoding"),
            date_order=kw.pop("date_order"),
            explain_irrelevant=_explained(kw.pop("explain_irrelevant"), kw.get("rejections_out")),
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command(short_help="Evaluate FILES and print a report for each.")
@click.argument("files", nargs=-1, required=True, type=_Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@_rules_option
@_input_format_option
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    type=_Path(dir_okay=False),
    help="Write the report to FILE instead of standard output (a regular file is replaced "
    "atomically).",
)
@click.option(
    "--fail-on",
    type=click.Choice(("crossed", "warning")),
    default=None,
    help="Exit 1 when any red line reaches this level (warning: warning or crossed).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text table (default: on a terminal, unless NO_COLOR is set; --color "
    "wins over NO_COLOR).",
)
@click.option(
    "--explain",
    "near_misses",
    is_flag=True,
    help="Also give each red line its near misses: events one condition short of a higher "
    "level, pattern groups one event short.",
)
@click.option(
    "--one-stream",
    is_flag=True,
    help="Evaluate all FILES as one stream in event-time order (patterns span files): one "
    "report, with the accounting of every file.",
)
@click.option(
    "--engine",
    type=click.Choice(("local", "spark")),
    default="local",
    show_default=True,
    help="Where to evaluate: this process, or Apache Spark (pip install 'redlines[spark]'); "
    "the reports are the same.",
)
@click.option(
    "--master",
    default=None,
    metavar="URL",
    help="--engine spark: the Spark master (local[*], local[N], spark://HOST:PORT, yarn); "
    "default: SPARK_MASTER, else local[*].",
)
@_context_option
@_strict_option
@_data_options
def run(
    files: tuple[str, ...],
    fmt: str,
    rules: str | None,
    input_format: str | None,
    output: str | None,
    fail_on: str | None,
    color: bool | None,
    near_misses: bool,
    one_stream: bool,
    engine: str,
    master: str | None,
    **data: Any,
) -> None:
    """Evaluate scenario, event or real-data FILES and print a report for each.

    A directory stands for the files in it (recursively, sorted); a quoted glob pattern for
    the files it matches. --one-stream evaluates them all as one stream (one report).

    A FILE of - reads events, one JSON object a line, from standard input. The report goes
    to standard output, or to -o FILE. --rejections - writes rejected rows to standard
    output, and so needs -o.

    \b
    Exit codes:
      0  evaluated (and, with --fail-on, no red line reached that level)
      1  --fail-on: a red line reached that level
      2  invalid input, or a usage error
    """
    _no_mixing(data["rejections_out"], output, "report", [*files, *([rules] if rules else [])])
    if files.count("-") > 1:
        raise click.UsageError("standard input (-) can be read only once")
    if master is not None and engine != "spark":
        raise click.UsageError("--master is for the Spark engine: add --engine spark")
    if fmt == "html" and (output is None or output == "-") and sys.stdout.isatty():
        raise click.UsageError(
            "--format html writes a whole HTML file: give -o FILE (e.g. -o brief.html), or "
            "redirect standard output"
        )
    options = _adapter_options(data)
    with tempfile.TemporaryDirectory(prefix="redlines-") as tmp:
        names: dict[str, str] = {}
        if "-" in files:
            copy = _stdin_copy(tmp)
            names[copy] = "<stdin>"
            files = tuple(copy if f == "-" else f for f in files)
        files = _expanded(files)
        _no_mixing(data["rejections_out"], output, "report", files)  # a directory's files
        if engine == "spark":
            reports, batches = _spark_run(
                files,
                rules,
                input_format,
                options,
                one_stream,
                master,
                names,
                near_misses,
                locate=fmt == "html",
            )
        else:
            if one_stream and len(files) > 1:
                runs = _prepare_stream(files, rules, input_format, options, names)
            else:
                runs = _prepare_all(
                    files,
                    rules,
                    input_format,
                    progress=terminal_progress(files),
                    adapter_options=options,
                    names=names,
                )
            batches = [b for r in runs for b in (r.parts or [r.batch])]
            reports = [evaluate_run(r, near_misses=near_misses) for r in runs]
    if data["rejections_out"]:
        _write_jsonl(data["rejections_out"], (j for b in batches for j in _row_records(b)))
    use_color = _use_color(color, output)
    text = render(reports, fmt, color=use_color)
    if output is None or output == "-":
        click.echo(text, nl=False, color=use_color)
    else:
        _write_text(output, text)
    if fail_on is not None and any(
        level_rank(r.status) >= level_rank(fail_on) for report in reports for r in report.redlines
    ):
        raise _Exit(EXIT_FAIL)


def _expanded(files: Sequence[str]) -> tuple[str, ...]:
    """FILES with each directory replaced by its files and each glob pattern by its matches;
    a pattern that matches nothing ends the command (exit 2)."""
    from .spark import expand_paths  # plain Python: pyspark is imported only to run on Spark

    try:
        return tuple(expand_paths(list(files)))
    except InputError as exc:
        _problems(exc.problems)
        raise _Exit(EXIT_ERROR) from None


def _prepare_stream(
    files: Sequence[str],
    rules: str | None,
    input_format: str | None,
    options: AdapterOptions,
    names: dict[str, str],
) -> list[Run]:
    """``--one-stream``: every file read into one run; the problems of every file, and the
    ruleset's warnings, reported as :func:`_prepare_all` does."""
    ruleset = _option_rules(rules) if rules is not None else None
    bar = terminal_progress(files)
    try:
        stream = prepare_stream(
            files,
            rules=ruleset,
            input_format=input_format,
            adapter_options=options,
            progress=bar,
            names=names,
        )
    except InputError as exc:
        _warnings([ruleset], errors=_from_option(exc.problems))
        return []
    finally:
        if bar is not None:
            bar.close()
    _warnings([ruleset, stream.ruleset])
    return [stream]


def _spark_run(
    files: Sequence[str],
    rules: str | None,
    input_format: str | None,
    options: AdapterOptions,
    one_stream: bool,
    master: str | None,
    names: dict[str, str],
    near_misses: bool,
    *,
    locate: bool = False,
) -> tuple[list[Report], list[Batch]]:
    """``--engine spark``: the reports, and the batches read (for ``--rejections``); with
    *locate*, every event's coordinates (the briefing's map)."""
    if near_misses:
        raise click.UsageError(
            "--explain needs every event in one process: it is not available with --engine spark"
        )
    ruleset = _option_rules(rules) if rules is not None else None
    try:
        from . import spark
    except ImportError as exc:  # pragma: no cover - pyspark is a dev dependency
        raise click.UsageError(str(exc)) from None
    try:
        session = spark.session(master)
    except ImportError as exc:
        raise click.UsageError(str(exc)) from None
    except Exception as exc:  # no Java, a master that cannot be reached...
        raise click.ClickException(
            f"the Spark engine could not start ({type(exc).__name__}): {exc}"
        ) from None
    try:
        outcomes = spark.run(
            list(files),
            rules=ruleset,
            spark=session,
            input_format=input_format,
            adapter_options=options,
            one_stream=one_stream,
            names=names,
            locate=locate,
        )
    except InputError as exc:
        _warnings([ruleset], errors=_from_option(exc.problems))
        return [], []
    except Exception as exc:  # a task that failed on an executor (the Spark log has more)
        lines = [line for line in str(exc).splitlines() if line.strip()]
        last = lines[-1] if lines else type(exc).__name__
        raise click.ClickException(f"the Spark job failed: {last}") from None
    seen: dict[str, Ruleset] = {}
    for o in outcomes:
        seen.setdefault(json.dumps(o.ruleset.info()), o.ruleset)
    given = json.dumps(ruleset.info()) if ruleset is not None else None
    _warnings([ruleset, *(rs for key, rs in seen.items() if key != given)])
    return [o.report for o in outcomes], [b for o in outcomes for b in o.batches]


@cli.command(short_help="Check the expectations of the scenarios under PATHS.")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--coverage",
    is_flag=True,
    help="Also list, per ruleset, each clause, alternative and pattern with the scenarios that "
    "exercise it, and those that none does.",
)
@_rules_option
@_context_option
@_strict_option
def test(paths: tuple[str, ...], rules: str | None, coverage: bool) -> None:
    """Run every scenario with `expect` under PATHS; print expected against actual.

    With --coverage, also list for each ruleset the clauses, alternatives and patterns that
    the scenarios exercise, and those none does.

    \b
    Exit codes:
      0  every expectation met
      1  an expectation not met
      2  invalid input, or no scenarios found
    """
    files, skip_notes, problems = discover(paths)
    runs = _prepare_all(
        files,
        rules,
        None,
        problems=problems,
        then=lambda r: check_expect(r.batch, [rl.id for rl in r.ruleset.red_lines]),
    )
    for note in skip_notes:
        click.echo(note)
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
            why = explainer(r)
            for rl, what, want, got in misses:
                name = rl if what == "status" else f"{rl} {what}"
                click.echo(f"     {name}: expected {want}, actual {got}")
                for line in mismatch_lines(why, report.red_line(rl), what, want, got):
                    click.echo(f"       {printable(line)}")
        else:
            passed += 1
            click.echo(f"PASS {label}")
    if not runs:
        click.echo("no scenarios found", err=True)
        raise _Exit(EXIT_ERROR)
    tail = f", {skipped} skipped" if skipped else ""
    click.echo(f"{passed} passed, {failed} failed{tail}")
    if coverage:
        from .coverage import measure_coverage, render_coverage  # only `test --coverage`

        click.echo(render_coverage(measure_coverage(exercised)), nl=False)
    if failed:
        raise _Exit(EXIT_FAIL)


@cli.command(short_help="Say what every red line made of one event, and why.")
@click.argument("file", type=_Path(dir_okay=False))
@click.option("--event", "event_id", required=True, metavar="ID", help="The event to explain.")
@click.option("--redline", "red_line", metavar="RL", default=None, help="Only this red line.")
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True
)
@_rules_option
@_input_format_option
@_context_option
@_data_options
def explain(
    file: str,
    event_id: str,
    red_line: str | None,
    fmt: str,
    rules: str | None,
    input_format: str | None,
    **data: Any,
) -> None:
    """Say what every red line made of one event of FILE, and why.

    \b
    Exit codes:
      0  explained
      2  invalid input, an unknown event id or red line, or a usage error
    """
    _no_mixing(data["rejections_out"], None, "explanation", [file])
    (prepared,) = _prepare_all(
        [file],
        rules,
        input_format,
        progress=terminal_progress([file]),
        adapter_options=_adapter_options(data),
    )
    if data["rejections_out"]:
        _write_jsonl(data["rejections_out"], _row_records(prepared.batch))
    explanation = explainer(prepared).explain(event_id)
    if red_line is not None:
        ids = [rl.id for rl in prepared.ruleset.red_lines]
        if red_line not in ids:
            raise InputError.one(
                f"unknown red line '{red_line}': the ruleset has {', '.join(ids)}",
                file="--redline",
                suggestion=suggest(red_line, ids, cutoff=0.5),
            )
        explanation = explanation.only(red_line)
    click.echo(explanation.to_json() if fmt == "json" else str(explanation), nl=False)


@cli.command(short_help="Validate rule files or shipped rulesets.")
@click.argument("files", nargs=-1, required=True)
@_context_option
@_strict_option
def check(files: tuple[str, ...]) -> None:
    """Validate rule FILES, or shipped rulesets by name. Warnings (clauses that can never
    match or never name a finding) are printed.

    \b
    Exit codes:
      0  valid (warnings too, without --strict)
      2  invalid, or warnings with --strict
    """
    problems: list[Problem] = []
    warned: list[Ruleset] = []
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
        warned.append(rs)
    _warnings(warned, errors=problems)


@cli.command("schema", short_help="Print a JSON Schema, for editors.")
@click.argument("name", type=click.Choice(SCHEMAS))
def schema_cmd(name: str) -> None:
    """Print the JSON Schema of a rule file, a scenario file, an event or the JSON report
    (for editors: docs/editors.md).

    \b
    Exit codes:
      0  printed
      2  unknown NAME
    """
    click.echo(schema_text(name), nl=False)


@cli.command("rules", short_help="List a ruleset's red lines with provenance.")
@click.option(
    "--rules",
    "rules",
    metavar="NAME|PATH",
    default=None,
    help="The ruleset to list: a shipped name or a rule file (default: nato-2024).",
)
def rules_cmd(rules: str | None) -> None:
    """List the red lines of a ruleset (default nato-2024) with their provenance, and the
    shipped rulesets.

    \b
    Exit codes:
      0  listed
      2  unknown or invalid ruleset
    """
    rs = _option_rules(rules or "nato-2024")
    click.echo(describe_ruleset(rs))
    click.echo(f"shipped rulesets: {', '.join(shipped_rulesets())}")


@cli.command(short_help="Turn GDELT, ACLED or UCDP exports into events.")
@click.argument("files", nargs=-1, required=True, type=_Path(dir_okay=False))
@_input_format_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=_Path(dir_okay=False, writable=True),
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
    """Turn real event data (GDELT, ACLED, UCDP) into events in the event format (JSON Lines).

    \b
    Exit codes:
      0  converted
      2  invalid input, or a usage error
    """
    _no_mixing(data["rejections_out"], output, "events", [*files, *([rules] if rules else [])])
    from .matching import Relevance

    relevant = None if keep_all else Relevance(_option_rules(rules or "nato-2024"))
    options = _adapter_options(data)
    with contextlib.ExitStack() as stack:
        bar = terminal_progress(files)
        if bar is not None:
            stack.enter_context(bar)
        result = read_exports(
            list(files), input_format, options=options, relevant=relevant, progress=bar
        )
    _write_jsonl(output, (event.contract_dict() for event in result.events))
    if data["rejections_out"]:
        _write_jsonl(data["rejections_out"], _row_records(result))
    s = result.summary
    click.echo(
        f"{len(result.events)} events written to {output}: rows read {s.rows_read}, used "
        f"{s.rows_used}, irrelevant {s.rows_irrelevant}, rejected {s.rows_rejected}",
        err=True,
    )
    for line in input_notes(s.to_dict()):
        click.echo(f"  {line}", err=True)


def _lateness(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    from .rules.model import parse_window

    try:
        return parse_window(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command(short_help="Watch a directory or standard input; alert when a status changes.")
@click.argument("source", metavar="DIR|-", type=_Path(allow_dash=True))
@click.option(
    "--rules",
    "rules",
    metavar="NAME|PATH",
    default=None,
    help="Ruleset: a shipped name or a rule file (default: nato-2024).",
)
@_input_format_option
@click.option(
    "--alerts",
    "alerts_out",
    default=None,
    metavar="FILE",
    type=_Path(dir_okay=False),
    help="Append alerts (JSON Lines) to FILE instead of writing them to standard output.",
)
@click.option(
    "--state",
    "state_file",
    default=None,
    metavar="FILE",
    type=_Path(dir_okay=False),
    help="Keep the watcher's state in FILE (created if missing) and go on from it at the next "
    "start: files done, lines read, statuses, pattern windows, undelivered alerts.",
)
@click.option(
    "--checkpoint-every",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    metavar="N",
    help="Standard input: save the state every N lines (and at the end).",
)
@click.option(
    "--webhook",
    default=None,
    metavar="URL",
    help="Also POST each alert as JSON to URL (retried with back-off, never holding "
    "evaluation up).",
)
@click.option(
    "--webhook-grace",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="At a stop, how long to wait for the webhook to deliver what is queued (the rest "
    "stays in the --state file).",
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="DIR: how often to look for new files; a file is taken once its size holds for a poll.",
)
@click.option("--once", is_flag=True, help="DIR: take the files there now, then stop.")
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="With --once: leave files modified less than SECONDS ago for the next run, as they "
    "may still be being written (default: 2).",
)
@click.option(
    "--new-stream",
    is_flag=True,
    help="Standard input: a new stream, read from its first line (without it, the stream "
    "must start with the lines the --state file has read, which are skipped: a replay after "
    "a crash).",
)
@click.option(
    "--allowed-lateness",
    default="30d",
    show_default=True,
    metavar="DURATION",
    callback=_lateness,
    help="How far behind the latest event time an event may arrive and still count in "
    "patterns exactly (30d, 12h...).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Write alerts as JSON on a terminal too (they are JSON whenever standard output is "
    "not a terminal, and with --alerts).",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour alerts on a terminal (default: unless NO_COLOR is set).",
)
@_context_option
@_strict_option
def watch(
    source: str,
    rules: str | None,
    input_format: str | None,
    alerts_out: str | None,
    state_file: str | None,
    checkpoint_every: int,
    webhook: str | None,
    webhook_grace: float,
    poll: float,
    once: bool,
    settle: float | None,
    new_stream: bool,
    allowed_lateness: Any,
    as_json: bool,
    color: bool | None,
) -> None:
    """Evaluate a stream with one long-lived evaluator and write an alert each time a red
    line's status changes: one JSON object a line, or a readable line when standard output
    is a terminal (--json: JSON there too; --alerts FILE: always JSON).

    DIR is a directory where event or export files appear: each is taken once, in name order
    (hidden files and names ending .tmp or .part are left alone). - reads events, one JSON
    object a line, from standard input until it ends. SIGTERM or SIGINT stops the watcher
    after the current file. See docs/watch.md.

    \b
    Exit codes:
      0  stopped cleanly (end of input, --once, SIGTERM or SIGINT); files that
         cannot be read now are said on stderr and read at the next run
      2  invalid invocation: DIR not a directory; a --webhook that is not an
         http:// or https:// URL with a host; --state or --alerts in a folder
         that does not exist, inside DIR, or the same file; an option that
         does nothing here (--once, --poll, --settle with -; --new-stream,
         --checkpoint-every with DIR; --settle without --once); a ruleset that
         cannot be loaded (or, with --strict, has warnings)
      2  a state file damaged, of another ruleset, of an older form or in use;
         standard input that does not start with the lines the state has read
         (without --new-stream); alerts or state that cannot be written
      2  at the end of standard input or of --once: invalid input met (a line
         or file refused, said on stderr; everything else was evaluated)
    """
    # Imported here, not with the module: only `watch` needs it (urllib, http, threads).
    from .watch import AlertWriter, Watcher, WebhookSender

    _watch_usage(source, webhook, state_file, alerts_out, settle=settle, once=once)
    ctx = click.get_current_context()
    given = {
        name
        for name in ("once", "poll", "settle", "new_stream", "checkpoint_every")
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    }
    wrong = (
        [("--once", "once"), ("--poll", "poll"), ("--settle", "settle")]
        if source == "-"
        else [("--new-stream", "new_stream"), ("--checkpoint-every", "checkpoint_every")]
    )
    for option, name in wrong:
        if name in given:
            where = "a directory" if source == "-" else "standard input (-)"
            raise click.UsageError(f"{option} applies only to {where}, not to {source!r}")
    ruleset = _option_rules(rules or "nato-2024")
    _warnings([ruleset])
    refused = _Refused()
    with contextlib.ExitStack() as stack:
        if alerts_out is not None:
            try:
                stream = stack.enter_context(open(alerts_out, "a", encoding="utf-8"))
            except OSError as exc:
                _problems([Problem(f"cannot write: {exc.strerror or exc}", file=alerts_out)])
                raise _Exit(EXIT_ERROR) from None
            writer = AlertWriter(stream)
        else:
            human = sys.stdout.isatty() and not as_json
            writer = AlertWriter(sys.stdout, human=human, color=human and _use_color(color, None))
        sender = (
            WebhookSender(webhook, warn=lambda m: click.echo(f"watch: {m}", err=True))
            if webhook is not None
            else None
        )
        try:
            watcher = Watcher(
                ruleset,
                writer,
                state_path=state_file,
                webhook=sender,
                input_format=input_format,
                checkpoint_every=checkpoint_every,
                allowed_lateness=allowed_lateness,
                problems=refused.append_and_report,
                note=lambda m: click.echo(f"watch: {m}", err=True),
            )
        except BaseException:
            if sender is not None:
                sender.close(0)
            raise
        stack.callback(watcher.install_signal_handlers())
        try:
            if source == "-":
                watcher.run_stdin(sys.stdin, new_stream=new_stream)
            else:
                watcher.run_directory(
                    source, once=once, poll=poll, settle=2.0 if settle is None else settle
                )
        except BaseException:
            # Mid-file: the state on disk stays that of the last file done (never half a file).
            if sender is not None:
                sender.close(0)
            watcher.release()
            raise
        watcher.close(webhook_grace)
    # A run that ended with its input (standard input's end, --once) and met invalid input
    # says so, as `run` does; a watcher stopped by a signal stopped cleanly.
    if refused.count and not watcher.stop_requested and (source == "-" or once):
        raise _Exit(EXIT_ERROR)


class _Refused:
    """The problems a watcher reported (on stderr, as every command does), counted."""

    def __init__(self) -> None:
        self.count = 0

    def append_and_report(self, problems: Sequence[Problem]) -> None:
        self.count += len(problems)
        _problems(problems)


def _watch_usage(
    source: str,
    webhook: str | None,
    state_file: str | None,
    alerts_out: str | None,
    *,
    settle: float | None,
    once: bool,
) -> None:
    """The usage errors of `redlines watch` that one option alone does not show."""
    import urllib.parse

    if source != "-" and not os.path.isdir(source):
        what = "is a file" if os.path.exists(source) else "does not exist"
        raise click.BadParameter(
            f"{source!r} {what}: give a directory, or - for standard input",
            param_hint="'DIR|-'",
        )
    if webhook is not None:
        try:
            parts = urllib.parse.urlsplit(webhook)
            scheme, host, _ = parts.scheme.lower(), parts.hostname, parts.port
        except ValueError:
            scheme, host = "", None
        if scheme not in ("http", "https") or not host:
            raise click.BadParameter(
                f"{webhook!r} is not an http:// or https:// URL with a host",
                param_hint="--webhook",
            )
    if settle is not None and source != "-" and not once:
        raise click.UsageError(
            "--settle applies only with --once (polling waits for a file's size to hold for a poll)"
        )
    paths = [(p, o) for p, o in ((state_file, "--state"), (alerts_out, "--alerts")) if p]
    for path, option in paths:
        if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise click.BadParameter(f"the folder of {path!r} does not exist", param_hint=option)
        if source != "-" and os.path.samefile(os.path.dirname(os.path.abspath(path)), source):
            raise click.BadParameter(
                f"{path!r} is inside the watched directory {source!r}: keep it elsewhere",
                param_hint=option,
            )
    if len(paths) == 2 and (
        os.path.abspath(paths[0][0]) == os.path.abspath(paths[1][0])
        or (all(os.path.exists(p) for p, _ in paths) and os.path.samefile(paths[0][0], paths[1][0]))
    ):
        raise click.UsageError("--alerts and --state name the same file: give two files")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    _output.context, _output.strict = None, False
    # A run keeps hundreds of thousands of small objects alive until its report is written,
    # and the collector's default pass over the young objects (every 700 allocations) spent
    # a fifth of an all-relevant run on them (docs/performance.md): collect less often.
    gc.set_threshold(10_000, 10, 10)
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
