"""A ruleset in words: its red lines, provenance, clauses and patterns (``redlines rules``)."""

from __future__ import annotations

from ..errors import printable
from .model import window_text
from .resolved import Ruleset

__all__ = ["describe_ruleset"]


def describe_ruleset(rs: Ruleset) -> str:
    """The listing ``redlines rules`` prints, ending with a blank line."""
    lines = [f"{rs.name} {rs.version}: {rs.title}", f"source: {rs.source}  sha256: {rs.sha256}"]
    for rl in rs.red_lines:
        lines += ["", f"{rl.id}  {rl.title}"]
        if rl.description:
            lines.append(f"    {rl.description}")
        if rl.provenance:
            p = rl.provenance
            bits = [
                p.source,
                *([p.date.isoformat()] if p.date else []),
                *([p.url] if p.url else []),
            ]
            lines.append(f"    provenance: {', '.join(bits)}")
            if p.consequence:
                lines.append(f"    stated consequence: {p.consequence}")
        for c in rl.clauses:
            lines.append(
                f"    {c.level:8} {c.id}" + (f": {c.description}" if c.description else "")
            )
        for pat in rl.patterns:
            lines.append(
                f"    {pat.level:8} {pat.id} (pattern: {pat.count} events within "
                f"{window_text(pat.within)})"
            )
    lines.append("")
    return "\n".join(printable(line) for line in lines)
