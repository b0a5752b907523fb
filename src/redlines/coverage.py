"""Coverage: which clauses, alternatives and patterns of a ruleset its scenarios exercise.

``redlines test --coverage`` (the anchor is ``opa test --coverage``). For each ruleset the
scenarios were evaluated against, and for each of its red lines:

* a **clause** is exercised by a scenario when some event of the scenario matches it (whatever
  level the red line then gives the event);
* an **alternative** of a clause (a branch of its condition in disjunctive normal form, as the
  author wrote it, the red line's ``applies_when`` included) is exercised when some event
  satisfies every test of that branch;
* a **pattern** is exercised when the scenario's report has a finding of it.

Matches are read by the reference matcher (``matching/reference.py``), which a property test
keeps in agreement with the engine. Parts that no scenario exercises are listed, so a ruleset
author sees which sentences of a red line no test has ever triggered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .compile import compile_ruleset
from .events import Event
from .matching import ReferenceMatcher, event_fact
from .matching.reference import test_holds
from .report.model import Report
from .rules.normal import alternatives
from .rules.operators import OPERATORS
from .rules.resolved import Ruleset, Test

__all__ = ["Coverage", "Part", "measure_coverage", "render_coverage"]


@dataclass
class Part:
    """One clause, alternative or pattern, and the scenarios that exercise it."""

    red_line: str
    role: str  # "clause", "alternative" or "pattern"
    id: str  # the clause or pattern id
    level: str
    alternative: int = 0  # 1-based, for alternatives
    of: int = 0  # how many alternatives the clause has
    label: str = ""  # for alternatives: the tests that set it apart from the others
    scenarios: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.role == "alternative":
            return f"{self.red_line} {self.id} alternative {self.alternative} of {self.of}"
        return f"{self.red_line} {self.id}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"red_line": self.red_line, "role": self.role, "id": self.id}
        if self.role == "alternative":
            out.update(alternative=self.alternative, of=self.of, label=self.label)
        out["level"] = self.level
        out["scenarios"] = list(self.scenarios)
        return out


@dataclass
class Coverage:
    """The coverage of one ruleset by the scenarios evaluated against it."""

    ruleset: Ruleset
    scenarios: list[str]
    parts: list[Part]

    def missed(self) -> list[Part]:
        return [p for p in self.parts if not p.scenarios]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset.info(),
            "scenarios": list(self.scenarios),
            "parts": [p.to_dict() for p in self.parts],
        }


def _describe(test: Test) -> str:
    return f"{test.field} {OPERATORS[test.op].needs(_shown(test.value))}"


def _shown(value: Any) -> Any:
    return tuple(str(v) for v in value) if isinstance(value, tuple) else value


def _labels(branches: list[tuple[Test, ...]]) -> list[str]:
    """For each branch, its tests that not every branch has: what sets it apart."""
    shared = set(branches[0]).intersection(*branches[1:]) if branches else set()
    return ["; ".join(_describe(t) for t in b if t not in shared) or "(all)" for b in branches]


def _parts(ruleset: Ruleset) -> tuple[list[Part], dict[int, list[tuple[Test, ...]]]]:
    parts: list[Part] = []
    branches_of: dict[int, list[tuple[Test, ...]]] = {}
    for rl in ruleset.red_lines:
        for clause in rl.clauses:
            parts.append(Part(rl.id, "clause", clause.id, clause.level))
            branches = alternatives(clause.condition)
            if len(branches) > 1:
                for n, label in enumerate(_labels(branches), 1):
                    branches_of[len(parts)] = [branches[n - 1]]
                    parts.append(
                        Part(rl.id, "alternative", clause.id, clause.level, n, len(branches), label)
                    )
        for pattern in rl.patterns:
            parts.append(Part(rl.id, "pattern", pattern.id, pattern.level))
    return parts, branches_of


def measure_coverage(
    runs: Sequence[tuple[str, Ruleset, Sequence[Event], Report]],
) -> list[Coverage]:
    """Coverage per ruleset (in the order first used) of *runs*: (scenario name, ruleset, its
    events, its report) for each scenario evaluated."""
    by_ruleset: dict[str, Coverage] = {}
    branch_index: dict[str, dict[int, list[tuple[Test, ...]]]] = {}
    for name, ruleset, events, report in runs:
        key = ruleset.sha256
        if key not in by_ruleset:
            parts, branches = _parts(ruleset)
            by_ruleset[key] = Coverage(ruleset, [], parts)
            branch_index[key] = branches
        cov = by_ruleset[key]
        cov.scenarios.append(name)
        matcher = ReferenceMatcher(compile_ruleset(ruleset))
        facts = [event_fact(e, i) for i, e in enumerate(events)]
        hits = {n for fact in facts for n in matcher.match(fact)}
        patterns = {(f.red_line, f.clause) for r in report.redlines for f in r.findings}
        for i, part in enumerate(cov.parts):
            if part.role == "clause":
                hit = f"{part.red_line}:clause:{part.id}" in hits
            elif part.role == "pattern":
                hit = (part.red_line, part.id) in patterns
            else:
                (branch,) = branch_index[key][i]
                hit = any(all(test_holds(t, fact) for t in branch) for fact in facts)
            if hit and name not in part.scenarios:
                part.scenarios.append(name)
    return list(by_ruleset.values())


def _listing(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def render_coverage(coverages: Sequence[Coverage]) -> str:
    """The text ``redlines test --coverage`` prints."""
    lines: list[str] = []
    for cov in coverages:
        rs = cov.ruleset
        n = len(cov.scenarios)
        lines += ["", f"coverage of {rs.name} {rs.version} by {n} scenario{'s' * (n != 1)}:"]
        for part in cov.parts:
            count = len(part.scenarios)
            where = f"{count} ({_listing(part.scenarios)})" if count else "none"
            if part.role == "alternative":
                lines.append(f"      alternative {part.alternative} of {part.of}: {where}")
                lines.append(f"        {part.label}")
            else:
                kind = "pattern" if part.role == "pattern" else part.level
                lines.append(f"  {part.red_line} {part.id} ({kind}): {where}")
        missed = cov.missed()
        main = [p for p in cov.parts if p.role != "alternative"]
        alts = [p for p in cov.parts if p.role == "alternative"]
        lines.append(
            f"  exercised: {sum(bool(p.scenarios) for p in main)} of {len(main)} clauses and "
            f"patterns, {sum(bool(p.scenarios) for p in alts)} of {len(alts)} alternatives"
        )
        if missed:
            lines.append("  not exercised by any scenario:")
            lines += [f"    {p.name}" for p in missed]
    return "\n".join(lines) + "\n"
