"""Renderers: JSON, a readable text table, Markdown. All read :meth:`Report.to_dict`; the text
and Markdown ones also show each near miss's ``summary`` (``redlines run --explain``). The HTML
briefing (``html``) is :mod:`redlines.report.html`."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import click

from ..errors import InputError, printable, suggest
from .model import Report

__all__ = ["FORMATS", "dumps_indented", "render", "render_json", "render_markdown", "render_text"]

FORMATS = ("text", "json", "markdown", "html")
_COLOURS = {"crossed": "red", "warning": "yellow", "clear": "green"}


def render(reports: Sequence[Report], fmt: str = "text", *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(reports)
    if fmt == "markdown":
        return render_markdown(reports)
    if fmt == "text":
        return render_text(reports, color=color)
    if fmt == "html":
        from .html import render_html  # imported on use: only a briefing needs it

        return render_html(reports)
    raise InputError.one(
        f"unknown report format '{fmt}': use one of {', '.join(FORMATS)}",
        field="format",
        suggestion=suggest(str(fmt), FORMATS, cutoff=0.5),
    )


def render_json(reports: Sequence[Report]) -> str:
    """One JSON object for one report, an array for several; byte-identical for equal input."""
    data: Any = reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]
    return dumps_indented(data)


#: Numbers orjson writes otherwise than :func:`json.dumps`: small floats, as ``0.00001`` or
#: ``1e-7`` where Python writes ``1e-05`` and ``1e-07``. A text that may hold one (a string
#: may too: then the slower path runs for nothing) is written by :mod:`json` instead.
_FLOATS_WRITTEN_OTHERWISE = re.compile(r"[0-9]e-[0-9](?![0-9])|0\.0000")


def dumps_indented(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False)`` and a newline, byte for byte, written
    by orjson (about 7 times as fast on a large report) wherever its output is the same.

    *data* holds no NaN or infinity (orjson would write ``null`` where json writes ``NaN``):
    report numbers are counts, and event numbers are checked finite when read."""
    import orjson

    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, ValueError):  # keys that are not strings, integers past 64 bits
        text = None
    if text is None or _written_otherwise(text):
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text + "\n"


def _written_otherwise(text: str) -> bool:
    """Whether :data:`_FLOATS_WRITTEN_OTHERWISE` is found in *text*: looked for at each
    ``e-`` only (a regular expression starting with a character class reads every character
    of a report of tens of megabytes, a tenth of the time of writing it)."""
    if "0.0000" in text:
        return True
    at = text.find("e-")
    while at >= 0:
        if _FLOATS_WRITTEN_OTHERWISE.match(text, max(at - 1, 0), at + 4):
            return True
        at = text.find("e-", at + 2)
    return False


def _status(status: str, color: bool, upper: bool = True) -> str:
    word = status.upper() if upper and status != "clear" else status
    return click.style(word, fg=_COLOURS[status], bold=status == "crossed") if color else word


def _pad(text: str, width: int, shown: str | None = None) -> str:
    return (shown if shown is not None else text) + " " * max(0, width - len(text))


def render_text(reports: Sequence[Report], *, color: bool = False) -> str:
    """A readable table per report, with findings and reasons below it."""
    blocks = [_text_one(_printable(r.to_dict()), color, _near(r)) for r in reports]
    return "\n".join(blocks)


#: Near misses shown per red line in the text and Markdown reports (JSON has them all).
NEAR_MISSES_SHOWN = 10


def _near(report: Report) -> dict[str, list[str]]:
    """Each red line's near misses (when asked for) as the lines the reports show."""
    out: dict[str, list[str]] = {}
    for r in report.redlines:
        lines = [printable(n.summary) for n in r.near_misses or ()]
        if len(lines) > NEAR_MISSES_SHOWN:
            more = len(lines) - NEAR_MISSES_SHOWN
            lines = [*lines[:NEAR_MISSES_SHOWN], f"... and {more} more (the JSON report has all)"]
        if lines:
            out[r.id] = lines
    return out


def _text_one(d: dict[str, Any], color: bool, near: dict[str, list[str]]) -> str:
    lines: list[str] = []
    title = d["scenario"] or d["file"] or "events"
    lines.append(click.style(title, bold=True) if color else title)
    rs = d["ruleset"]
    meta = f"file: {d['file']}  " if d["file"] and d["scenario"] else ""
    lines.append(f"{meta}ruleset: {rs['name']} {rs['version']}  events: {d['events']}")
    if d.get("description"):
        lines.append(d["description"])
    if d.get("input"):
        i = d["input"]
        lines.append(
            f"input: {i['format']}{_encoding(i, ' ({})')}  rows read {i['rows_read']}, used "
            f"{i['rows_used']}, irrelevant {i['rows_irrelevant']}, rejected {i['rows_rejected']}"
        )
        lines.extend(f"  {note}" for note in input_notes(i))
        for p in i.get("parts", ()):
            lines.append(f"  {_counts(p, _encoding(p, ' ({})'))}")
            lines.extend(f"    {note}" for note in input_notes(p))
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
        if r["findings"]:
            lines.append("")
            lines.append(f"{r['id']} findings:")
        for f in r["findings"]:
            ids = ", ".join(f["event_ids"])
            lines.append(
                f"  {_pad(f['level'], 8, _status(f['level'], color, upper=False))} "
                f"{f['time']}  [{f['clause']}]  {ids}"
            )
            lines.append(f"           {f['reason']}")
            lines.append(f"           place: {f['place'] or '-'}  sources: {_sources(f)}")
        if r["id"] in near:
            lines += ["", f"{r['id']} near misses:", *(f"  {n}" for n in near[r["id"]])]
    if d.get("late_events"):
        lines.append("")
        lines.append(f"late events (beyond allowed lateness): {', '.join(d['late_events'])}")
    return "\n".join(lines) + "\n"


def _counts(i: dict[str, Any], encoding: str) -> str:
    """One part's accounting (``--one-stream`` over several export formats) on one line."""
    return (
        f"{i['format']}{encoding}: rows read {i['rows_read']}, used {i['rows_used']}, "
        f"irrelevant {i['rows_irrelevant']}, rejected {i['rows_rejected']}"
    )


def _sources(f: dict[str, Any]) -> str:
    """A finding's sources as the text and Markdown reports show them: the first three, and
    how many more there are; ``-`` for none."""
    s = f["sources"]
    if not s["count"]:
        return "-"
    more = s["count"] - len(s["first"])
    return ", ".join(s["first"]) + (f" (+{more} more)" if more else "")


def _encoding(i: dict[str, Any], form: str) -> str:
    """The input's encoding in *form* (``" ({})"``), when it was not UTF-8; else nothing."""
    encoding = i.get("encoding")
    if encoding is None:
        return ""
    if isinstance(encoding, dict):
        encoding = ", ".join(f"{f} {e}" for f, e in encoding.items())
    return form.format(encoding)


#: The longest rejection detail quoted as an example in text and Markdown (JSON has it whole).
_EXAMPLE_CHARS = 120


def input_notes(i: dict[str, Any]) -> list[str]:
    """A line for each reason rows of a report's ``input`` were rejected for: how many, and
    the first such row as an example (``rejected 3: invalid date (e.g. row 17: date_start
    '13/13/2021')``)."""
    examples = i.get("rejected_examples", {})
    lines = []
    for reason, n in i.get("rejected_by_reason", {}).items():
        line = f"rejected {n}: {reason}"
        example = examples.get(reason)
        if example is not None:
            where = f"{example['file']} row {example['row']}" if "file" in example else ""
            where = where or f"row {example['row']}"
            detail = example["detail"] or ""
            if len(detail) > _EXAMPLE_CHARS:
                detail = detail[: _EXAMPLE_CHARS - 3] + "..."
            line += f" (e.g. {where}" + (f": {detail})" if detail else ")")
        lines.append(line)
    return lines


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
        near = _near(report)
        rs = d["ruleset"]
        out = [f"## {_md(d['scenario'] or d['file'] or 'Events')}", ""]
        noun = "event" if d["events"] == 1 else "events"
        out.append(
            f"Ruleset **{rs['name']}** {rs['version']} · {d['events']} {noun}"
            + (f" · `{d['file']}`" if d["file"] else "")
        )
        if d.get("description"):
            out += ["", _md(d["description"])]
        if d.get("input"):
            i = d["input"]
            reasons = "; ".join(f"{n} {r}" for r, n in i.get("rejected_by_reason", {}).items())
            out.append("")
            out.append(
                f"Input ({i['format']}{_encoding(i, ', {}')}): {i['rows_read']} rows read, "
                f"{i['rows_used']} used, {i['rows_irrelevant']} irrelevant, "
                f"{i['rows_rejected']} rejected" + (f" ({_md(reasons)})" if reasons else "") + "."
            )
            if i.get("rejected_examples"):
                out.append("")
                out += [f"- {_md(note)}" for note in input_notes(i)]
            if i.get("parts"):
                out.append("")
            for p in i.get("parts", ()):
                out.append(f"- {_md(_counts(p, _encoding(p, ', {}')))}")
                out += [f"  - {_md(note)}" for note in input_notes(p)]
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
                        f"{f['time']}): {_md(f['reason'])} Place: {_md(f['place'] or '-')}; "
                        f"sources: {_md(_sources(f))}."
                    )
            if r["id"] in near:
                out += ["", f"### {r['id']} near misses", ""]
                out += [f"- {_md(n)}" for n in near[r["id"]]]
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
