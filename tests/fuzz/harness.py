"""Run the command line on one input and check the project's rule for it.

The rule (docs/errors.md, docs/cli.md): invalid input gets one ``error: `` line per problem on
stderr, naming the file, and exit 2; never a traceback, never a hang. Valid input exits 0 (or 1
for a ``redlines test`` mismatch).

:func:`run_cli` calls :func:`redlines.cli.main` in the test's own interpreter, with stdout and
stderr redirected, under a ``signal.setitimer`` alarm that raises :class:`Hang` (a
``BaseException``, so no ``except Exception`` in the code under test can swallow it) and so
records where the code was stuck. By default it does so in a ``fork()`` of the test process: no
new interpreter is started and nothing is imported again, but a hang inside C code (where a
Python signal handler never runs: durable-rules' ``assert_fact``), a segmentation fault, or the
20 MB durable-rules keeps for every distinct ruleset cannot take the test run down with it. The
parent kills a child that outlives the alarm by :data:`GRACE` seconds. ``FUZZ_FORK=0`` runs
in the test process itself (no isolation; the alarm still turns a Python-level hang into a
failure).

Environment:

- ``FUZZ_EXAMPLES``: examples per property test (default: each test's own, 25-40).
- ``FUZZ_TIMEOUT``: seconds allowed per command (default 10), plus one per 100 kB of input.
- ``FUZZ_FORK``: ``0`` to run in-process (default ``1`` where ``os.fork`` exists).
- ``FUZZ_SHRINK``: ``0`` to skip Hypothesis' shrinking (faster failures, larger examples).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import select
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, Phase, settings

from redlines.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures" / "adapters"
NATO = ROOT / "src" / "redlines" / "data" / "rulesets" / "nato-2024.yaml"
TAIWAN = EXAMPLES / "rulesets" / "taiwan-blockade.yaml"
SCENARIO_01 = EXAMPLES / "scenarios" / "01-belarus-northern-front.yaml"

TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "10"))
#: Bytes of input read a second, at least: the YAML reader that keeps line numbers reads about
#: 100 kB a second (docs/performance.md); a command allowed that much more time is hung.
READ_RATE = 100_000
#: Seconds the parent waits beyond the alarm before it kills a child stuck in C code.
GRACE = 5.0
FORK = os.environ.get("FUZZ_FORK", "1") != "0" and hasattr(os, "fork")

#: Exit codes each command documents (docs/cli.md).
EXIT_CODES: dict[str, frozenset[int]] = {
    "run": frozenset({0, 2}),
    "test": frozenset({0, 1, 2}),
    "check": frozenset({0, 2}),
    "rules": frozenset({0, 2}),
    "convert": frozenset({0, 2}),
    "explain": frozenset({0, 2}),
    "schema": frozenset({0, 2}),
}

#: Lines the CLI writes to stderr, with exit 2, that are neither ``error: `` nor ``warning: ``
#: lines: the two bare lines of ``redlines.cli`` (``no scenarios found`` from ``test``;
#: ``aborted``). (Click's usage errors, ``Usage: ...``, ``Try ...``, a blank line and
#: ``Error: ...``, are recognised as a block.)
_CLI_LINES = ("no scenarios found", "aborted")


def fuzz_settings(examples: int) -> settings:
    """The settings of a property test: *examples* examples (``FUZZ_EXAMPLES`` overrides), no
    deadline (the alarm of :func:`run_cli` is the time limit), the seed printed on failure,
    and the same examples on every CI run."""
    phases = tuple(Phase)
    if os.environ.get("FUZZ_SHRINK", "1") == "0":
        phases = tuple(p for p in Phase if p is not Phase.shrink)
    return settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", examples)),
        deadline=None,
        # In CI the examples are the same on every run (a red CI is then a regression, never
        # a new find by chance); FUZZ_RANDOM=1, or a run outside CI, explores new ones.
        derandomize=bool(os.environ.get("CI")) and os.environ.get("FUZZ_RANDOM") != "1",
        print_blob=True,
        phases=phases,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )


class Hang(BaseException):
    """Raised by the alarm inside the command: it ran longer than the time limit."""


@dataclass
class Outcome:
    """What one command did."""

    argv: list[str]
    rc: int | None = None
    stdout: str = ""
    stderr: str = ""
    #: The traceback of an exception that escaped ``main`` (including :class:`Hang`).
    raised: str | None = None
    #: Set when the child had to be killed or died on a signal.
    died: str | None = None
    seconds: float = 0.0
    files: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        lines = [
            f"$ redlines {' '.join(self.argv)}",
            f"exit code: {self.rc}  ({self.seconds:.1f} s)",
        ]
        if self.died:
            lines.append(f"died: {self.died}")
        if self.raised:
            lines.append("raised:\n" + self.raised)
        lines.append("stderr:\n" + _clip(self.stderr, 3000))
        lines.append("stdout:\n" + _clip(self.stdout, 1000))
        for name, text in self.files.items():
            lines.append(f"--- {name} ---\n{_clip(text, 4000)}")
        return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more chars]"


def _alarm(seconds: float) -> Any:
    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds:g} s")

    return on_alarm


def _call(argv: Sequence[str], timeout: float, scratch: str) -> dict[str, Any]:
    """Call ``main(argv)`` with redirected output under the alarm, its temporary files in
    *scratch*; never raises."""
    out, err = io.StringIO(), io.StringIO()
    result: dict[str, Any] = {"rc": None, "raised": None}
    previous = signal.signal(signal.SIGALRM, _alarm(timeout))
    previous_tempdir = tempfile.tempdir
    tempfile.tempdir = scratch
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result["rc"] = main(list(argv))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:  # SystemExit, KeyboardInterrupt, Hang: everything is a finding
        result["raised"] = traceback.format_exc()
    finally:
        signal.signal(signal.SIGALRM, previous)
        tempfile.tempdir = previous_tempdir
    result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()
    return result


def _in_child(
    argv: Sequence[str], timeout: float, scratch: str
) -> tuple[dict[str, Any] | None, str | None]:
    """:func:`_call` in a forked child; (result, None) or (None, how the child died)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest (so atexit handlers do not run)
        code = 0
        try:
            os.close(read_end)
            payload = json.dumps(_call(argv, timeout, scratch)).encode()
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout + GRACE
    killed = False
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            ready, _, _ = select.select([pipe], [], [], left)
            if ready:
                chunk = pipe.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if killed:
        return None, (
            f"killed after {timeout + GRACE:g} s: the alarm did not stop it (stuck in C code?)"
        )
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return None, f"child died on signal {number} ({signal.Signals(number).name})"
    try:
        return json.loads(b"".join(chunks)), None
    except ValueError:
        return None, f"child exited with status {os.WEXITSTATUS(status)} and no result"


def run_cli(
    argv: Sequence[str], files: dict[str, str] | None = None, *, timeout: float = TIMEOUT
) -> Outcome:
    """Run ``redlines argv`` (see the module docstring) for at most *timeout* seconds, plus one
    for every :data:`READ_RATE` bytes of *files* (a large input is read, not hung); *files*
    (name -> content) are only shown when a check fails. The command's temporary files (the
    copies redlines makes of pipes and devices) go to a folder of their own, removed after."""
    timeout += sum(len(text) for text in (files or {}).values()) / READ_RATE
    start = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="redlines-fuzz-")
    try:
        if FORK:
            result, died = _in_child(argv, timeout, scratch)
        else:
            result, died = _call(argv, timeout, scratch), None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    outcome = Outcome(list(argv), files=dict(files or {}))
    outcome.seconds = time.monotonic() - start
    outcome.died = died
    if result is not None:
        outcome.rc = result["rc"]
        outcome.stdout = result["stdout"]
        outcome.stderr = result["stderr"]
        outcome.raised = result["raised"]
    return outcome


def _strict_json(text: str) -> Any:
    def no_constant(name: str) -> Any:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=no_constant)


#: Problems about an option's value are located at the option (docs/errors.md).
_OPTIONS = ("--rules:", "--redline:", "--event:", "--input-format:", "--rejections:", "-o:")

#: A context line (``--context``, docs/errors.md): the file's line, or the caret under it.
_CONTEXT = re.compile(r"^ +(\d+ )?\|")


def _stderr_lines(outcome: Outcome) -> list[str]:
    """stderr's lines as a terminal, grep or a log collector sees them: "\\n" and "\\r" end a
    line (U+2028 and the other characters str.splitlines() also breaks at do not)."""
    text = outcome.stderr.rstrip("\n")
    return re.split(r"\r\n|\r|\n", text) if text else []


def _stderr_wrong(outcome: Outcome, located: Sequence[str]) -> list[str]:
    """What is wrong with stderr (empty: nothing): every line is an ``error: `` line (exit 2
    only) or a ``warning: `` line, each naming a file, or a context line after one of them, or
    one of the CLI's own lines; a click usage error is a block of its own (exit 2)."""
    wrong: list[str] = []
    # A mutated scenario may name a device as its ruleset (`rules: /dev/null`): that rule
    # file's own problems are rightly located in it.
    located = (*located, "/dev/")
    lines = _stderr_lines(outcome)
    if outcome.rc == 2 and not outcome.stderr.strip():
        return ["exit 2 with nothing on stderr"]
    if outcome.rc == 2 and lines and lines[0].startswith("Usage: "):
        if not any(line.startswith("Error: ") for line in lines):
            wrong.append("a usage message without its 'Error: ' line")
        return wrong
    after_problem = False
    for line in lines:
        if after_problem and _CONTEXT.match(line):
            continue
        after_problem = False
        if outcome.rc == 2 and line in _CLI_LINES:
            continue
        summary = outcome.argv[0] == "convert" and outcome.rc == 0
        if summary and not line.startswith(("error: ", "warning: ")):
            continue  # convert's summary ("N events written to ...") goes to stderr
        kind = next((k for k in ("error: ", "warning: ") if line.startswith(k)), None)
        if kind is None or (kind == "error: " and outcome.rc != 2):
            wrong.append(f"unexpected stderr line (exit {outcome.rc}): {line[:200]!r}")
            continue
        after_problem = True
        if not any(line[len(kind) :].startswith(place) for place in located):
            wrong.append(f"{kind.strip()} line names none of the input files: {line[:200]!r}")
    return wrong


def check_outcome(
    outcome: Outcome,
    *,
    located: Sequence[str] = (),
    json_report: bool = False,
    jsonl_output: Path | None = None,
) -> None:
    """Assert the project's rule for *outcome*. *located*: prefixes an ``error: `` line may start
    with (the input files, their folder, ``--rules``); *json_report*: stdout of a success is a
    JSON report; *jsonl_output*: a success wrote JSON Lines there."""
    problems: list[str] = []
    command = outcome.argv[0]
    if outcome.died:
        problems.append(outcome.died)
    elif outcome.raised is not None:
        last = outcome.raised.strip().splitlines()[-1]
        kind = "hang" if "Hang:" in last else "raised"
        problems.append(f"main() did not return ({kind}): {last}")
    else:
        if outcome.rc not in EXIT_CODES[command]:
            problems.append(f"exit code {outcome.rc} is not one of {sorted(EXIT_CODES[command])}")
        for name, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
            if "Traceback" in text:
                problems.append(f"a traceback on {name}")
        problems.extend(_stderr_wrong(outcome, [*located, *_OPTIONS]))
        if outcome.rc == 0 and json_report:
            try:
                _strict_json(outcome.stdout)
            except ValueError as exc:
                problems.append(f"stdout of run --format json is not JSON: {exc}")
        if outcome.rc == 0 and jsonl_output is not None:
            try:  # JSON Lines are separated by "\n" only (U+2028 inside a string is fine)
                for line in jsonl_output.read_text(encoding="utf-8").split("\n"):
                    if line:
                        _strict_json(line)
            except (OSError, ValueError) as exc:
                problems.append(f"convert wrote no valid JSON Lines: {exc}")
    if problems:
        raise AssertionError("\n".join(problems) + "\n\n" + outcome.describe())


def run_and_check(
    argv: Sequence[str],
    *,
    files: dict[str, str] | None = None,
    located: Sequence[str] = (),
    json_report: bool = False,
    jsonl_output: Path | None = None,
) -> Outcome:
    """:func:`run_cli` then :func:`check_outcome`."""
    outcome = run_cli(argv, files)
    check_outcome(outcome, located=located, json_report=json_report, jsonl_output=jsonl_output)
    return outcome


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def warm_up() -> None:
    """Load the shipped and example rulesets and register their engines in this process, so
    that forked children start with them (each child would otherwise build them again)."""
    with quiet():
        main(["run", "--format", "json", str(SCENARIO_01)])
        main(["run", "--rules", str(TAIWAN), str(SCENARIO_01)])
        main(["run", str(FIXTURES / "gdelt2_sample.export.CSV")])
