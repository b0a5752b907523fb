"""Scenarios as tests of a ruleset (``redlines test``): finding the scenario files under some
paths, checking that their expectations name red lines the ruleset has, and what a report does
not meet. Reading a scenario file is :mod:`redlines.readers.scenario`'s job."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import EventError, InputError, Problem, suggest
from .events import format_time
from .readers import Batch, Expectation
from .report.model import RedLineResult
from .source import MAX_DOCUMENT_BYTES, parse_yaml, path_kind, read_text

__all__ = ["check_expect", "discover", "expectation_mismatches"]


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


def discover(paths: Sequence[str | Path]) -> tuple[list[str], list[str], list[Problem]]:
    """(scenario files, skip notes, problems) under *paths*: named files as given; in folders,
    the YAML/JSON files that are scenarios (mappings with 'events'). Rule files (with 'schema')
    are passed over; any other file is noted as skipped, and a mapping with a key close to
    'events' is an error, so that a misspelt scenario cannot pass unnoticed."""
    found: list[str] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    for p in paths:
        path = Path(p)
        kind = path_kind(path)
        if kind == "dir":
            for f in sorted(path.rglob("*")):
                if f.suffix.lower() not in (".yaml", ".yml", ".json") or not f.is_file():
                    continue
                try:
                    data = parse_yaml(read_text(f, limit=MAX_DOCUMENT_BYTES), str(f)).data
                except InputError as exc:
                    problems.extend(exc.problems)
                    continue
                if isinstance(data, dict) and "events" in data:
                    found.append(str(f))
                elif isinstance(data, dict) and "schema" in data:
                    continue  # a rule file
                elif isinstance(data, dict) and (
                    near := [k for k in data if suggest(str(k), ["events"], cutoff=0.7)]
                ):
                    problems.append(
                        Problem(
                            "looks like a scenario, but has no 'events'",
                            file=str(f),
                            line=1,
                            field=str(near[0]),
                            suggestion="events",
                        )
                    )
                else:
                    skipped.append(f"SKIP {f}: not a scenario (no 'events') nor a rule file")
        elif kind != "missing":
            found.append(str(path))
        else:
            problems.append(Problem("no such file or folder", file=str(path)))
    return found, skipped, problems
