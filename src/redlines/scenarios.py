"""Scenario expectations (CONTRACT §5 ``expect``): whether a scenario's expectations name red
lines the ruleset has, and what a report does not meet. Used by ``redlines test``."""

from __future__ import annotations

from .errors import EventError, Problem, suggest
from .events import format_time
from .readers import Batch, Expectation
from .report.model import RedLineResult

__all__ = ["check_expect", "expectation_mismatches"]


def expectation_mismatches(
    expectation: Expectation, actual: RedLineResult
) -> list[tuple[str, str, str]]:
    """(what, expected, actual) for each part of *expectation* that *actual* does not meet:
    ``status`` always, ``first_crossed_at`` and ``clauses`` only when the scenario gives them."""
    out: list[tuple[str, str, str]] = []
    if actual.status != expectation.status:
        out.append(("status", expectation.status, actual.status))
    if "first_crossed_at" in expectation.model_fields_set:
        first = expectation.first_crossed_at
        want = format_time(first) if first else "never"
        got = format_time(actual.first_crossed_at) if actual.first_crossed_at else "never"
        if want != got:
            out.append(("first_crossed_at", want, got))
    if expectation.clauses is not None:
        want_set = sorted(set(expectation.clauses))
        got_set = sorted({f.clause for f in actual.findings})
        if want_set != got_set:
            out.append(("clauses", ", ".join(want_set) or "none", ", ".join(got_set) or "none"))
    return out


def check_expect(batch: Batch, red_line_ids: list[str]) -> None:
    """Reject expectations for red lines the ruleset does not have
    (:class:`~redlines.errors.EventError`, each located at its line in the scenario)."""
    problems = []
    for rl in batch.expect or {}:
        if rl not in red_line_ids:
            problems.append(
                Problem(
                    f"unknown red line '{rl}' in expect (the ruleset has "
                    f"{', '.join(red_line_ids)})",
                    file=batch.file,
                    line=batch.expect_lines.get(rl),
                    field=f"expect.{rl}",
                    suggestion=suggest(rl, red_line_ids, cutoff=0.5),
                )
            )
    if problems:
        raise EventError(problems)
