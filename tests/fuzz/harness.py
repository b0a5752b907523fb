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
- ``FUZZ_TIMEOUT``: seconds allowed per command (default 10).
- ``FUZZ_FORK``: ``0`` to run in-process (default ``1`` where ``os.fork`` exists).
- ``FUZZ_SHRINK``: ``0`` to skip Hypothesis' shrinking (faster failures, larger examples).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
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
}

#: Lines the CLI writes to stderr, with exit 2, that are not ``error: `` lines: click's usage
#: errors (``Usage: ...``, ``Try ...``, a blank line, ``Error: ...``) and the two bare lines of
#: ``redlines.cli`` (``no scenarios found`` from ``test``; ``aborted``).
_CLI_LINES = ("no scenarios found", "aborted")


def fuzz_settings(examples: int) -> settings:
    """The settings of a property test: *examples* examples (``FUZZ_EXAMPLES`` overrides), no
    deadline (the alarm of :func:`run_cli` is the time limit), the seed printed on failure."""
    phases = tuple(Phase)
    if os.environ.get("FUZZ_SHRINK", "1") == "0":
        phases = tuple(p for p in Phase if p is not Phase.shrink)
    return settings(
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", examples)),
        deadline=None,
        derandomize=False,
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


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"still running after {TIMEOUT:g} s")


def _call(argv: Sequence[str]) -> dict[str, Any]:
    """Call ``main(argv)`` with redirected output under the alarm; never raises."""
    out, err = io.StringIO(), io.StringIO()
    result: dict[str, Any] = {"rc": None, "raised": None}
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
            try:
                result["rc"] = main(list(argv))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:  # SystemExit, KeyboardInterrupt, Hang: everything is a finding
        result["raised"] = traceback.format_exc()
    finally:
        signal.signal(signal.SIGALRM, previous)
    result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()
    return result


def _in_child(argv: Sequence[str]) -> tuple[dict[str, Any] | None, str | None]:
    """:func:`_call` in a forked child; (result, None) or (None, how the child died)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 0
        try:
            os.close(read_end)
            payload = json.dumps(_call(argv)).encode()
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + TIMEOUT + GRACE
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
            f"killed after {TIMEOUT + GRACE:g} s: the alarm did not stop it (stuck in C code?)"
        )
    if os.WIFSIGNALED(status):
        return (
            None,
            f"child died on signal {os.WTERMSIG(status)} ({signal.Signals(os.WTERMSIG(status)).name})",
        )
    try:
        return json.loads(b"".join(chunks)), None
    except ValueError:
        return None, f"child exited with status {os.WEXITSTATUS(status)} and no result"


def run_cli(argv: Sequence[str], files: dict[str, str] | None = None) -> Outcome:
    """Run ``redlines argv`` (see the module docstring); *files* (name -> content) are only
    shown when a check fails."""
    start = time.monotonic()
    if FORK:
        result, died = _in_child(argv)
    else:
        result, died = _call(argv), None
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


def _error_lines_ok(outcome: Outcome, located: Sequence[str]) -> list[str]:
    """What is wrong with the stderr of an exit-2 outcome (empty: nothing)."""
    wrong: list[str] = []
    lines = outcome.stderr.splitlines()
    if not lines:
        return ["exit 2 with nothing on stderr"]
    if lines[0].startswith("Usage: "):  # a click usage error: documented, exit 2
        if not any(line.startswith("Error: ") for line in lines):
            wrong.append("a usage message without its 'Error: ' line")
        return wrong
    for line in lines:
        if line in _CLI_LINES:
            continue
        if not line.startswith("error: "):
            wrong.append(f"stderr line does not start with 'error: ': {line[:200]!r}")
            continue
        rest = line[len("error: ") :]
        if not any(rest.startswith(place) for place in located):
            wrong.append(f"error line names none of the input files: {line[:200]!r}")
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
        if outcome.rc == 2:
            problems.extend(_error_lines_ok(outcome, [*located, "--rules"]))
        elif outcome.rc in (0, 1):
            errs = [line for line in outcome.stderr.splitlines() if line.startswith("error: ")]
            if errs:
                problems.append(f"exit {outcome.rc} but stderr has error lines: {errs[:3]}")
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
