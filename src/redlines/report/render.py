"""Renderers: JSON, a readable text table, Markdown. All read :meth:`Report.to_dict`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from ..errors import InputError, printable, suggest
from .model import Report

__all__ = ["FORMATS", "render", "render_json", "render_markdown", "render_text"]

FORMATS = ("text", "json", "markdown")
_COLOURS = {"crossed": "red", "warning": "yellow", "clear": "green"}


def render(reports: Sequence[Report], fmt: str = "text", *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(reports)
    if fmt == "markdown":
        return render_markdown(reports)
    if fmt == "text":
        return render_text(reports, color=color)
    raise InputError.one(
        f"unknown report format '{fmt}': use one of {', '.join(FORMATS)}",
        field="format",
        suggestion=suggest(str(fmt), FORMATS, cutoff=0.5),
    )


def render_json(reports: Sequence[Report]) -> str:
    """One JSON object for one report, an array for several; byte-identical for equal input."""
    data: Any = reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _status(status: str, color: bool, upper: bool = True) -> str:
    word = status.upper() if upper and status != "clear" else status
    return click.style(word, fg=_COLOURS[status], bold=status == "crossed") if color else word


def _pad(text: str, width: int, shown: str | None = None) -> str:
    return (shown if shown is not None else text) + " " * max(0, width - len(text))


def render_text(reports: Sequence[Report], *, color: bool = False) -> str:
    """A readable table per report, with findings and reasons below it."""
    blocks = [_text_one(_printable(r.to_dict()), color) for r in reports]
    return "\n".join(blocks)


def _text_one(d: dict[str, Any], color: bool) -> str:
    lines: list[str] = []
    title = d["scenario"] or d["file"] or "events"
    lines.append(click.style(title, bold=True) if color else title)
    rs = d["ruleset"]
    meta = f"file: {d['file']}  " if d["file"] and d["scenario"] else ""
    lines.append(f"{meta}ruleset: {rs['name']} {rs['version']}  events: {d['events']}")
    if d.get("input"):
        i = d["input"]
        lines.append(
            f"input: {i['format']}  rows read {i['rows_read']}, used {i['rows_used']}, "
            f"irrelevant {i['rows_irrelevant']}, rejected {i['rows_rejected']}"
        )
        for reason, n in i.get("rejected_by_reason", {}).items():
            lines.append(f"  rejected {n}: {reason}")
    name_w = max(len("RED LINE"), *(len(f"{r['id']} {r['title']}") for r in d["redlines"]))
    lines.append("")
    lines.append(f"  {_pad('RED LINE', name_w)}  {_pad('STATUS', 8)}  FIRST CROSSED")
    for r in d["redlines"]:
        name = f"{r['id']} {r['title']}"
        word = _status(r["status"], color=False)  # unstyled, to measure the column
        lines.append(
            f"  {_pad(name, name_w)}  {_pad(word, 8, _status(r['status'], color))}  "
            f"{r['first_crossed_at'] or '-'}"
        )
    for r in d["redlines"]:
        if not r["findings"]:
            continue
        lines.append("")
        lines.append(f"{r['id']} findings:")
        for f in r["findings"]:
            ids = ", ".join(f["event_ids"])
            lines.append(
                f"  {_pad(f['level'], 8, _status(f['level'], color, upper=False))} "
                f"{f['time']}  [{f['clause']}]  {ids}"
            )
            lines.append(f"           {f['reason']}")
    if d.get("late_events"):
        lines.append("")
        lines.append(f"late events (beyond allowed lateness): {', '.join(d['late_events'])}")
    return "\n".join(lines) + "\n"


def _printable(value: Any) -> Any:
    """The report dict with control characters in every text escaped, for the renderers that
    write to a terminal or a document (JSON escapes them itself)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(reports: Sequence[Report]) -> str:
    """Markdown for pasting into a briefing: a heading, a status table, findings, provenance."""
    parts = []
    for report in reports:
        d = _printable(report.to_dict())
        rs = d["ruleset"]
        out = [f"## {_md(d['scenario'] or d['file'] or 'Events')}", ""]
        noun = "event" if d["events"] == 1 else "events"
        out.append(
            f"Ruleset **{rs['name']}** {rs['version']} · {d['events']} {noun}"
            + (f" · `{d['file']}`" if d["file"] else "")
        )
        if d.get("input"):
            i = d["input"]
            reasons = "; ".join(f"{n} {r}" for r, n in i.get("rejected_by_reason", {}).items())
            out.append("")
            out.append(
                f"Input ({i['format']}): {i['rows_read']} rows read, {i['rows_used']} used, "
                f"{i['rows_irrelevant']} irrelevant, {i['rows_rejected']} rejected"
                + (f" ({_md(reasons)})" if reasons else "")
                + "."
            )
        out.append("")
        out += ["| Red line | Status | First crossed |", "|---|---|---|"]
        for r in d["redlines"]:
            status = f"**{r['status'].upper()}**" if r["status"] == "crossed" else r["status"]
            out.append(
                f"| {r['id']} {_md(r['title'])} | {status} | {r['first_crossed_at'] or '-'} |"
            )
        for r in d["redlines"]:
            if r["findings"]:
                out += ["", f"### {r['id']} findings", ""]
                for f in r["findings"]:
                    out.append(
                        f"- **{f['level']}** `{f['clause']}` ({', '.join(f['event_ids'])}, "
                        f"{f['time']}): {_md(f['reason'])}"
                    )
        sources = []
        for r in d["redlines"]:
            p = r.get("provenance")
            if p:
                bits = [p.get("source", "")]
                if p.get("date"):
                    bits.append(p["date"])
                line = f"- {r['id']}: " + ", ".join(bits)
                if p.get("consequence"):
                    line += f". Stated consequence: {_md(p['consequence'])}"
                sources.append(line)
        if sources:
            out += ["", "Provenance:", "", *sources]
        parts.append("\n".join(out) + "\n")
    return "\n".join(parts)
