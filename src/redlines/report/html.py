"""The briefing: reports as one self-contained HTML file (``redlines run --format html``).

Everything a reader needs is inline: the stylesheet (``assets/briefing.css``), the timeline
and the map as SVG generated here, the country outlines from ``assets/countries-110m.json``
(Natural Earth 1:110m, public domain; ``tools/make_world_map.py`` makes it). There is no
script, and a Content-Security-Policy forbids loading anything, so the file opens offline and
an injected tag could do nothing even if escaping failed. Every text from the input is
escaped; only ``http``/``https`` URLs become links.

A level is never shown by colour alone: badges carry the word and a symbol (crossed ■,
warning ▲, clear ●) and the timeline and the map draw the same shapes.

The output depends only on the reports: no clock, no random ids, fixed ordering, so the same
input gives byte-identical HTML.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import printable
from .model import NearGroup, NearMiss, RedLineResult, Report

__all__ = ["render_html"]

_LEVELS = ("crossed", "warning", "clear")
_RANK = {"clear": 0, "warning": 1, "crossed": 2}
_SYMBOL = {"crossed": "\u25a0", "warning": "\u25b2", "clear": "\u25cf"}
_WORD = {"crossed": "CROSSED", "warning": "WARNING", "clear": "clear"}
_FILL = {"crossed": "#b2182b", "warning": "#d98c00", "clear": "#1b6b35"}
_STROKE = {"crossed": "#6d0e1a", "warning": "#5c3600", "clear": "#0d3a1c"}
_NONE_FILL = "#8a9099"

#: Event ids and sources listed per finding in the table (the JSON report has them all).
SHOWN_IDS = 12
SHOWN_SOURCES = 5

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _asset(name: str) -> str:
    return (resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _css() -> str:
    return _asset("briefing.css")


@dataclass(frozen=True)
class _Country:
    name: str
    bbox: tuple[float, float, float, float]
    label: tuple[float, float]
    path: str


@lru_cache(maxsize=1)
def _countries() -> tuple[_Country, ...]:
    data = json.loads(_asset("countries-110m.json"))
    return tuple(
        _Country(
            c["name"],
            (c["bbox"][0], c["bbox"][1], c["bbox"][2], c["bbox"][3]),
            (c["label"][0], c["label"][1]),
            c["path"],
        )
        for c in data["countries"]
    )


def _t(text: Any) -> str:
    """Text from the input, made printable and escaped for HTML (text and attributes)."""
    return escape(printable(str(text)), quote=True)


def _num(value: float) -> str:
    """A coordinate for SVG: two decimals at most, no ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def safe_url(url: str) -> str | None:
    """*url* if it is an absolute ``http``/``https`` URL with a host, else None."""
    text = url.strip()
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def _link(url: str) -> str:
    href = safe_url(url)
    if href is None:
        return f"<code>{_t(url)}</code>"
    return f'<a href="{_t(href)}" rel="noopener noreferrer nofollow">{_t(url)}</a>'


def _badge(level: str) -> str:
    return f'<span class="badge {level}">{_SYMBOL[level]} {_WORD[level]}</span>'


def _time(value: dt.datetime) -> str:
    """A time as the briefing shows it, in UTC: to the minute, or to the second (and beyond)
    when it has them (a pattern 30 days and 1 second long must not look like 30 days)."""
    utc = value.astimezone(dt.timezone.utc)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    return utc.strftime("%Y-%m-%d %H:%M:%S UTC" if utc.second else "%Y-%m-%d %H:%M UTC")


# --- shapes -----------------------------------------------------------------------------


def _shape(level: str | None, x: float, y: float, r: float) -> str:
    """The mark of a level at (x, y): a square (crossed), a triangle (warning), a circle
    (clear, or no level when *level* is None)."""
    fill = _FILL[level] if level else _NONE_FILL
    stroke = _STROKE[level] if level else "#3b3f45"
    style = f'fill="{fill}" stroke="{stroke}" stroke-width="1.2"'
    if level == "crossed":
        s = r * 0.9
        return (
            f'<rect x="{_num(x - s)}" y="{_num(y - s)}" width="{_num(2 * s)}" '
            f'height="{_num(2 * s)}" {style}/>'
        )
    if level == "warning":
        h = r * 1.15
        return (
            f'<path d="M{_num(x)},{_num(y - h)}L{_num(x + h)},{_num(y + h * 0.8)}'
            f'L{_num(x - h)},{_num(y + h * 0.8)}Z" {style}/>'
        )
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r * 0.8)}" {style}/>'


def _legend(levels: Iterable[str | None], extra: str = "") -> str:
    items = []
    for level in levels:
        word = _WORD[level] if level else "no finding"
        items.append(
            f'<li><svg viewBox="0 0 20 20" aria-hidden="true">{_shape(level, 10, 10, 7)}</svg> '
            f"{_t(word)}</li>"
        )
    return f'<ul class="legend">{"".join(items)}{extra}</ul>'


def _hatch(pid: str, level: str) -> str:
    return (
        f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{_FILL[level]}" fill-opacity="0.55"/></pattern>'
    )


# --- the timeline -----------------------------------------------------------------------

_STEPS = (
    60,
    300,
    900,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
    2 * 86400,
    7 * 86400,
    14 * 86400,
    30 * 86400,
    91 * 86400,
    182 * 86400,
    365 * 86400,
    730 * 86400,
    1826 * 86400,
    3652 * 86400,
)


def _ticks(t0: float, t1: float, most: int = 6) -> list[tuple[float, str]]:
    span = t1 - t0
    step = next((s for s in _STEPS if span / s <= most), _STEPS[-1])
    while span / step > most:  # spans of centuries
        step *= 2
    first = math.ceil(t0 / step) * step
    fmt = "%Y-%m-%d" if step >= 86400 else "%m-%d %H:%M"
    out = []
    t = first
    while t <= t1:
        label = dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime(fmt)
        out.append((float(t), label))
        t += step
    return out


def _timeline(report: Report, n: int) -> str:
    times = {event_id: t.timestamp() for event_id, t in report.evaluated}
    spans: list[float] = list(times.values())
    for r in report.redlines:
        for f in r.findings:
            spans.append(f.time.timestamp())
    if not spans:
        return '<p class="note">No events were evaluated: the timeline is empty.</p>'
    lo, hi = min(spans), max(spans)
    if hi - lo < 3600:
        lo, hi = lo - 43200, hi + 43200
    pad = (hi - lo) * 0.03
    lo, hi = lo - pad, hi + pad

    width, left, right, row, top = 960, 210, 40, 44, 34
    rows = len(report.redlines)
    height = top + row * rows + 34
    plot = width - left - right

    def x(t: float) -> float:
        return left + (t - lo) / (hi - lo) * plot

    out = [
        f'<svg class="timeline" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="timeline-{n}-title" data-input="{n}">',
        f'<title id="timeline-{n}-title">Timeline of findings, one row per red line, '
        f"over event time</title>",
        "<defs>" + "".join(_hatch(f"hatch-{n}-{lv}", lv) for lv in _LEVELS[:2]) + "</defs>",
    ]
    # the evaluated events, as ticks along the top (one per pixel column)
    columns = sorted({round(x(t)) for t in times.values()})
    if columns:
        out.append(
            f'<text x="{left - 8}" y="{top - 14}" text-anchor="end" font-size="12" '
            f'fill="#555b66">events ({len(times)})</text>'
        )
        d = "".join(f"M{c},{top - 22}v10" for c in columns)
        out.append(
            f'<path class="event-ticks" d="{d}" stroke="#8a9099" stroke-width="1"><title>'
            f"{len(times)} evaluated events</title></path>"
        )
    for t, label in _ticks(lo, hi):
        out.append(
            f'<path d="M{_num(x(t))},{top - 4}V{top + row * rows}" stroke="#e1e4e8" '
            f'stroke-width="1"/><text x="{_num(x(t))}" y="{top + row * rows + 18}" '
            f'text-anchor="middle" font-size="12" fill="#555b66">{label}</text>'
        )
    for i, r in enumerate(report.redlines):
        y0 = top + i * row
        mid = y0 + row / 2
        label = f"{r.id} {r.title}"
        short = label if len(label) <= 28 else label[:27] + "\u2026"
        out.append(
            f'<g class="row" data-redline="{_t(r.id)}">'
            f'<rect x="{left}" y="{y0 + 2}" width="{plot}" height="{row - 4}" '
            f'fill="{"#f4f5f7" if i % 2 == 0 else "#ffffff"}"/>'
            f'<text x="{left - 8}" y="{_num(mid + 4)}" text-anchor="end" font-size="12" '
            f'fill="#1d1f23"><title>{_t(label)}</title>{_t(short)}</text>'
        )
        # pattern windows below the middle of the row, drawn first; every mark above them
        for f in sorted(r.findings, key=lambda f: f.basis != "pattern"):
            tip = (
                f"{r.id} {_WORD[f.level]} {f.basis} [{f.clause}] at {_time(f.time)}: "
                f"{f.reason} ({', '.join(f.event_ids[:SHOWN_IDS])}"
                f"{', ...' if len(f.event_ids) > SHOWN_IDS else ''})"
            )
            attrs = (
                f'class="mark {f.level}" data-level="{f.level}" data-basis="{f.basis}" '
                f'data-clause="{_t(f.clause)}"'
            )
            parts = [f"<g {attrs}><title>{_t(tip)}</title>"]
            y = mid - 9
            if f.basis == "pattern":
                y = mid + 9
                window = [times[e] for e in f.event_ids if e in times] or [f.time.timestamp()]
                a, b = x(min(window)), x(max(window))
                parts.append(
                    f'<rect class="window" x="{_num(a)}" y="{_num(y - 6)}" '
                    f'width="{_num(max(b - a, 2))}" height="12" fill="url(#hatch-{n}-{f.level})" '
                    f'stroke="{_STROKE[f.level]}" stroke-width="1.2"/>'
                )
            parts.append(_shape(f.level, x(f.time.timestamp()), y, 7))
            parts.append("</g>")
            out.append("".join(parts))
        out.append("</g>")
    out.append("</svg>")
    span = (
        '<li><svg viewBox="0 0 20 20" aria-hidden="true"><rect x="1" y="5" width="18" '
        f'height="10" fill="url(#hatch-{n}-warning)" stroke="#5c3600"/></svg> '
        "pattern window (first to last event)</li>"
    )
    return (
        f'<figure class="timeline-figure"><div class="scroll">{"".join(out)}</div>'
        f"<figcaption>Findings over event time (UTC), one row per red line: a mark at each "
        f"finding's time (clauses above, patterns below), a hatched span over each pattern's "
        f"events.</figcaption>{_legend(_LEVELS[:2], span)}</figure>"
    )


# --- the map ----------------------------------------------------------------------------


def _event_levels(report: Report) -> dict[str, str]:
    """Each event's highest level in any finding of the report (clause or pattern)."""
    levels: dict[str, str] = {}
    for r in report.redlines:
        for f in r.findings:
            for e in f.event_ids:
                if e not in levels or _RANK[f.level] > _RANK[levels[e]]:
                    levels[e] = f.level
    return levels


def _map(report: Report, n: int) -> str:
    points: dict[tuple[float, float], list[str]] = {}
    spots = report.located_events()
    if spots is None:
        return (
            '<p class="note">No map: the events of this input could not be read again '
            "(standard input, or a file that has gone).</p>"
        )
    for e in spots:
        points.setdefault((round(e.lon, 3), round(e.lat, 3)), []).append(e.id)
    if not points:
        return ""
    levels = _event_levels(report)
    west, east, south, north, k = _extent([p[0] for p in points], [p[1] for p in points])
    width = 960.0
    scale = width / ((east - west) * k)
    height = (north - south) * scale

    def px(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * k * scale, (north - lat) * scale

    shown = [
        c
        for c in _countries()
        if c.bbox[0] <= east and c.bbox[2] >= west and c.bbox[1] <= north and c.bbox[3] >= south
    ]
    outlines = [f'<path d="{c.path}"><title>{_t(c.name)}</title></path>' for c in shown]
    labels = []
    for c in shown:
        lon, lat = c.label
        wide = (min(c.bbox[2], east) - max(c.bbox[0], west)) * k * scale
        if west < lon < east and south < lat < north and wide >= 60:
            x, y = px(lon, lat)
            if not 40 <= x <= width - 40:  # a name cut by the edge helps no one
                continue
            labels.append(
                f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="middle">{_t(c.name)}</text>'
            )
    transform = (
        f"matrix({_num4(k * scale)} 0 0 {_num4(scale)} {_num4(-west * k * scale)} "
        f"{_num4(north * scale)})"
    )
    out = [
        f'<svg class="map" viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-labelledby="map-{n}-title" data-input="{n}">',
        f'<title id="map-{n}-title">Map of the events with coordinates</title>',
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#eaf2fa"/>',
        f'<g class="countries" transform="{transform}" fill="#fbfbf8" stroke="#8a9099" '
        f'stroke-width="0.8" stroke-linejoin="round">',
        *(o.replace("<path ", '<path vector-effect="non-scaling-stroke" ') for o in outlines),
        "</g>",
        '<g class="labels" font-size="12" fill="#5d636d" stroke="#fbfbf8" stroke-width="3" '
        'paint-order="stroke" aria-hidden="true">',
        *labels,
        "</g>",
    ]
    order = sorted(
        points.items(),
        key=lambda item: (
            (max((_RANK[levels[e]] for e in item[1] if e in levels), default=-1),) + item[0]
        ),
    )
    for (lon, lat), ids in order:
        found = [levels[e] for e in ids if e in levels]
        level = max(found, key=lambda lv: _RANK[lv]) if found else None
        cx, cy = px(lon, lat)
        listed = ", ".join(ids[:SHOWN_IDS]) + (", ..." if len(ids) > SHOWN_IDS else "")
        word = _WORD[level] if level else "no finding"
        tip = f"{len(ids)} event{'s' if len(ids) != 1 else ''} at {lat}, {lon} ({word}): {listed}"
        out.append(
            f'<g class="point" data-level="{level or "none"}" data-events="{len(ids)}">'
            f"<title>{_t(tip)}</title>{_shape(level, cx, cy, 7 if level else 5)}</g>"
        )
    out.append("</svg>")
    located = sum(len(ids) for ids in points.values())
    return (
        f'<figure class="map-figure"><div class="scroll">{"".join(out)}</div>'
        f"<figcaption>{located} of {report.events} events have coordinates, at "
        f"{len(points)} places; each mark shows the highest level of any finding the event "
        f"is part of. Country outlines: Natural Earth 1:110m (public domain). Equirectangular "
        f"projection.</figcaption>{_legend((*_LEVELS[:2], None))}</figure>"
    )


def _extent(lons: list[float], lats: list[float]) -> tuple[float, float, float, float, float]:
    """The map's view around the points: west, east, south, north (degrees) and the
    longitude scale of the projection at its middle latitude. A margin around the points, at
    least 14 by 8 degrees (a region a reader recognises), and a landscape shape."""
    w0, e0, s0, n0 = min(lons), max(lons), min(lats), max(lats)
    mx, my = max((e0 - w0) * 0.15, 1.0), max((n0 - s0) * 0.15, 1.0)
    west, east, south, north = w0 - mx, e0 + mx, s0 - my, n0 + my
    k = max(math.cos(math.radians((south + north) / 2)), 0.2)

    def grow(lo: float, hi: float, span: float) -> tuple[float, float]:
        if hi - lo >= span:
            return lo, hi
        mid = (lo + hi) / 2
        return mid - span / 2, mid + span / 2

    west, east = grow(west, east, 14.0)
    south, north = grow(south, north, 8.0)
    high, wide = north - south, (east - west) * k
    if high > 0.75 * wide:
        west, east = grow(west, east, high / 0.75 / k)
    elif high < 0.45 * wide:
        south, north = grow(south, north, 0.45 * wide)

    def fit(lo: float, hi: float, bound: float) -> tuple[float, float]:
        if lo < -bound:
            lo, hi = -bound, hi + (-bound - lo)
        if hi > bound:
            lo, hi = lo - (hi - bound), bound
        return max(lo, -bound), hi

    west, east = fit(west, east, 180.0)
    south, north = fit(south, north, 85.0)
    return west, east, south, north, k


def _num4(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- the sections -----------------------------------------------------------------------


def _provenance(p: dict[str, Any] | None) -> str:
    if not p:
        return ""
    rows = [f"<dt>Source</dt><dd>{_t(p.get('source', ''))}</dd>"]
    if p.get("date"):
        rows.append(f"<dt>Date</dt><dd>{_t(p['date'])}</dd>")
    if p.get("url"):
        rows.append(f"<dt>Link</dt><dd>{_link(str(p['url']))}</dd>")
    if p.get("consequence"):
        rows.append(f"<dt>Consequence</dt><dd>{_t(p['consequence'])}</dd>")
    if p.get("notes"):
        rows.append(f"<dt>Notes</dt><dd>{_t(p['notes'])}</dd>")
    return "".join(rows)


def _red_line(r: RedLineResult) -> str:
    crossed = ""
    if r.first_crossed_at is not None:
        crossed = f"<dt>First crossed</dt><dd>{_time(r.first_crossed_at)}</dd>"
    count = len(r.findings)
    return (
        f'<li class="redline {r.status}" data-redline="{_t(r.id)}" data-status="{r.status}">'
        f"{_badge(r.status)}<h4>{_t(r.id)} {_t(r.title)}</h4>"
        f"<dl><dt>Findings</dt><dd>{count}</dd>{crossed}{_provenance(r.provenance)}</dl></li>"
    )


def _listed(items: Sequence[str], shown: int, render: Any) -> str:
    head = ", ".join(render(i) for i in items[:shown])
    more = len(items) - shown
    return head + (f' <span class="more">(+{more} more)</span>' if more > 0 else "")


def _findings(report: Report) -> str:
    rows = []
    for r in report.redlines:
        for f in r.findings:
            basis = "pattern" if f.basis == "pattern" else "event"
            rows.append(
                f'<tr class="finding {f.level}" data-redline="{_t(r.id)}" '
                f'data-level="{f.level}">'
                f'<td data-label="Red line">{_t(r.id)}</td>'
                f'<td data-label="Level">{_badge(f.level)}</td>'
                f'<td data-label="Time">{_time(f.time)}</td>'
                f'<td data-label="Clause"><code>{_t(f.clause)}</code> '
                f'<span class="more">({basis})</span></td>'
                f'<td data-label="Reason" class="reason">{_t(f.reason)}</td>'
                f'<td data-label="Events">{_listed(f.event_ids, SHOWN_IDS, _t)}</td>'
                f'<td data-label="Place">{_t(f.place) if f.place else "-"}</td>'
                f'<td data-label="Sources">'
                f"{_listed(f.sources, SHOWN_SOURCES, _link) if f.sources else '-'}</td></tr>"
            )
    if not rows:
        return '<p class="note">No findings: every red line is clear for this input.</p>'
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in ("Red line", "Level", "Time", "Clause", "Reason", "Events", "Place", "Sources")
    )
    return (
        f'<div class="scroll"><table class="findings"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _input(i: dict[str, Any] | None) -> str:
    """The row accounting of a real-data input; for one stream of several export formats,
    the totals, then each format's own accounting (with its rejections and examples)."""
    if not i:
        return ""
    parts = i.get("parts")
    if not parts:
        return "<h3>Input rows</h3>" + _accounting(i)
    each = "".join(
        f'<h4 class="input-part" data-format="{_t(p.get("format", ""))}">'
        f"{_t(p.get('format', ''))}</h4>{_accounting(p, note=False)}"
        for p in parts
    )
    # The totals' rejections are each format's, shown under it with their examples.
    return f"<h3>Input rows</h3>{_accounting(i, note=False, reasons=False)}{each}{_NOTE}"


_NOTE = (
    '<p class="note">Every row is accounted for: read = used + irrelevant (no red line '
    "could ever give it a level) + rejected (could not be read, with a reason).</p>"
)


def _accounting(i: dict[str, Any], *, note: bool = True, reasons: bool = True) -> str:
    """One accounting object: format, encoding and files, the row counts, the rejections."""
    cells = [
        ("Rows read", i.get("rows_read")),
        ("Used", i.get("rows_used")),
        ("Irrelevant", i.get("rows_irrelevant")),
        ("Rejected", i.get("rows_rejected")),
    ]
    head = "".join(f'<th scope="col" class="num">{h}</th>' for h, _ in cells)
    body = "".join(f'<td class="num">{_t(v)}</td>' for _, v in cells)
    files = ", ".join(f"<code>{_t(f)}</code>" for f in i.get("files", []))
    encoding = i.get("encoding")
    if isinstance(encoding, dict):
        encoding = ", ".join(f"{f} {e}" for f, e in encoding.items())
    meta = f"Format <strong>{_t(i.get('format', ''))}</strong>"
    if encoding:
        meta += f" ({_t(encoding)})"
    if files:
        meta += f"; {files}"
    rows = []
    examples = i.get("rejected_examples", {})
    for reason, count in i.get("rejected_by_reason", {}).items() if reasons else ():
        text = f"<td>{_t(reason)}</td><td class='num'>{_t(count)}</td>"
        example = examples.get(reason)
        if example is not None:
            where = f"{example.get('file', '')} row {example.get('row', '')}".strip()
            detail = str(example.get("detail") or "")
            text += f"<td>{_t(where)}{': ' + _t(detail) if detail else ''}</td>"
        else:
            text += "<td>-</td>"
        rows.append(f"<tr>{text}</tr>")
    rejected = (
        '<div class="scroll"><table class="rejections"><thead><tr><th scope="col">Rejected '
        'because</th><th scope="col" class="num">Rows</th><th scope="col">Example</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
        if rows
        else ""
    )
    return (
        f'<p class="meta">{meta}</p>'
        f'<div class="scroll"><table class="accounting"><thead><tr>{head}</tr></thead>'
        f"<tbody><tr>{body}</tr></tbody></table></div>"
        f"{_NOTE if note else ''}{rejected}"
    )


def _near(report: Report) -> str:
    items = []
    for r in report.redlines:
        for m in r.near_misses or ():
            summary = m.summary or _near_default(m)
            items.append(f"<li><strong>{_t(r.id)}</strong> {_t(summary)}</li>")
    if not items:
        return ""
    return f"<h3>Near misses</h3><ul>{''.join(items)}</ul>"


def _near_default(m: NearMiss | NearGroup) -> str:
    if isinstance(m, NearMiss):
        return f"{m.event} missed {m.clause} ({m.level})"
    return f"{m.pattern}: {m.count} of {m.need} events ({m.level})"


#: The longest list of file names a title of a report over several files shows.
_TITLE_CHARS = 60


def _title(report: Report) -> str:
    """A report's heading: the scenario's name, else its file; for a report over several
    files (one stream), how many and the first names (``3 files: a.jsonl, b.jsonl, …``)."""
    if report.scenario:
        return report.scenario
    if len(report.files) > 1:
        names = [f if f.startswith("<") else Path(f).name for f in report.files]
        listed = ""
        for n, name in enumerate(names):
            more = listed + (", " if listed else "") + name
            if len(more) > _TITLE_CHARS and n > 0:
                listed += ", \u2026"
                break
            listed = more
        return f"{len(names)} files: {listed}"
    return report.file or "Events"


def _section(report: Report, n: int) -> str:
    rs = report.ruleset
    noun = "event" if report.events == 1 else "events"
    meta = [
        f"Ruleset <strong>{_t(rs.get('name', ''))}</strong> {_t(rs.get('version', ''))}",
        f"{report.events} {noun}",
    ]
    if report.file:
        meta.append(f"<code>{_t(report.file)}</code>")
    parts = [
        f'<section id="input-{n}" data-input="{n}" aria-labelledby="input-{n}-title">',
        f'<h2 id="input-{n}-title">{_t(_title(report))}</h2>',
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if report.description:
        parts.append(f"<p>{_t(report.description)}</p>")
    parts.append(_input(report.input))
    parts.append("<h3>Red lines</h3>")
    parts.append(f'<ul class="redlines">{"".join(_red_line(r) for r in report.redlines)}</ul>')
    parts.append("<h3>Timeline</h3>")
    parts.append(_timeline(report, n))
    parts.append("<h3>Findings</h3>")
    parts.append(_findings(report))
    map_html = _map(report, n)
    if map_html:
        parts.append("<h3>Map</h3>")
        parts.append(map_html)
    parts.append(_near(report))
    if report.late_events:
        parts.append(
            "<h3>Late events</h3><p>Beyond the allowed lateness: "
            f"{', '.join(_t(e) for e in report.late_events)}</p>"
        )
    parts.append("</section>")
    return "".join(p for p in parts if p)


def _overview(reports: Sequence[Report]) -> str:
    ids: list[str] = []
    for report in reports:
        for r in report.redlines:
            if r.id not in ids:
                ids.append(r.id)
    head = "".join(f'<th scope="col">{_t(i)}</th>' for i in ids)
    rows = []
    for n, report in enumerate(reports, 1):
        statuses = {r.id: r.status for r in report.redlines}
        cells = "".join(f"<td>{_badge(statuses[i]) if i in statuses else '-'}</td>" for i in ids)
        rows.append(
            f'<tr><th scope="row"><a href="#input-{n}">{_t(_title(report))}</a></th>{cells}</tr>'
        )
    return (
        '<nav aria-label="Inputs"><h2 class="overview-title">Overview</h2>'
        '<div class="scroll"><table class="overview"><thead><tr><th scope="col">Input</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></nav>"
    )


def render_html(reports: Sequence[Report]) -> str:
    """One self-contained HTML briefing for *reports* (a section each); byte-identical for
    equal input."""
    if len(reports) == 1:
        title = f"Red lines briefing: {printable(_title(reports[0]))}"
    else:
        title = f"Red lines briefing: {len(reports)} inputs"
    worst = "clear"
    for report in reports:
        for r in report.redlines:
            if _RANK[r.status] > _RANK[worst]:
                worst = r.status
    crossed = sum(1 for rep in reports for r in rep.redlines if r.status == "crossed")
    warning = sum(1 for rep in reports for r in rep.redlines if r.status == "warning")
    summary = (
        f"{len(reports)} input{'s' if len(reports) != 1 else ''}: {crossed} red line "
        f"status{'es' if crossed != 1 else ''} crossed, {warning} in warning."
    )
    body = [
        "<header>",
        f"<h1>{_t(title)}</h1>",
        f'<p class="meta">{_badge(worst)} {_t(summary)} Times are UTC.</p>',
        "</header>",
    ]
    if len(reports) > 1:
        body.append(_overview(reports))
    body.append("<main>")
    body.extend(_section(report, n) for n, report in enumerate(reports, 1))
    body.append("</main>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="generator" content="redlines">\n'
        f"<title>{_t(title)}</title>\n<style>\n{_css()}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
