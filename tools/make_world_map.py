"""Regenerate the briefing's offline world map, ``src/redlines/report/assets/countries-110m.json``.

The input is Natural Earth's 1:110m Admin 0 countries (public domain), either as Natural
Earth's own GeoJSON (``ne_110m_admin_0_countries.geojson`` from the natural-earth-vector
repository) or as the TopoJSON of the ``world-atlas`` npm package (``countries-110m.json``,
the same data)::

    python tools/make_world_map.py path/to/ne_110m_admin_0_countries.geojson
    python tools/make_world_map.py path/to/world-atlas/countries-110m.json

The output keeps, per country, its name, its bounding box, where its name goes (the centroid
of its largest ring) and its outline as SVG path data in degrees (x = longitude,
y = -latitude), rounded to 0.1 degree, with repeated points dropped; countries are sorted by
name, so the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src/redlines/report/assets/countries-110m.json"

Ring = list[tuple[float, float]]


def _topojson_polygons(topo: dict[str, Any]) -> list[tuple[str, list[list[Ring]]]]:
    """Decode a TopoJSON topology's ``countries`` into (name, polygons of rings)."""
    transform = topo.get("transform")
    arcs: list[Ring] = []
    for arc in topo["arcs"]:
        points: Ring = []
        x = y = 0.0
        for px, py in arc:
            if transform:
                x, y = x + px, y + py
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((px, py))
        arcs.append(points)

    def ring(indexes: list[int]) -> Ring:
        out: Ring = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points[1:] if out else points)
        return out

    result = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name") or str(geometry.get("id", ""))
        kind = geometry.get("type")
        if kind == "Polygon":
            polys = [[ring(r) for r in geometry["arcs"]]]
        elif kind == "MultiPolygon":
            polys = [[ring(r) for r in p] for p in geometry["arcs"]]
        else:
            continue
        result.append((name, polys))
    return result


def _geojson_polygons(data: dict[str, Any]) -> list[tuple[str, list[list[Ring]]]]:
    result = []
    for feature in data["features"]:
        props = feature.get("properties") or {}
        name = props.get("NAME") or props.get("ADMIN") or props.get("name") or ""
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            coords = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            coords = geometry["coordinates"]
        else:
            continue
        polys = [[[(float(x), float(y)) for x, y, *_ in r] for r in p] for p in coords]
        result.append((name, polys))
    return result


def _num(value: float) -> str:
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _unwrapped(ring: Ring) -> Ring:
    """*ring* without jumps across the antimeridian: a ring that crosses it (Russia's
    Chukotka, Fiji) continues past 180 degrees instead of drawing a line across the world;
    the map's view box clips what lies beyond."""
    out: Ring = []
    shift = 0.0
    for lon, lat in ring:
        if out:
            previous = out[-1][0] - shift
            if lon - previous > 180:
                shift -= 360
            elif previous - lon > 180:
                shift += 360
        out.append((lon + shift, lat))
    if out and not -180 <= out[0][0] <= 180:
        turn = -360 if out[0][0] > 180 else 360
        out = [(lon + turn, lat) for lon, lat in out]
    return out


def _label(polys: list[list[Ring]]) -> tuple[float, float]:
    """Where a country's name goes: the centroid of its largest outer ring."""
    best = (0.0, 0.0, 0.0)
    for poly in polys:
        ring = _unwrapped(poly[0])
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if area and abs(area) > abs(best[0]):
            best = (area, cx / (3 * area), cy / (3 * area))
    return best[1], best[2]


def reduce(polygons: list[tuple[str, list[list[Ring]]]]) -> dict[str, Any]:
    countries = []
    for name, polys in polygons:
        parts: list[str] = []
        xs: list[float] = []
        ys: list[float] = []
        for poly in polys:
            for r in poly:
                points: list[tuple[str, str]] = []
                for lon, lat in _unwrapped(r):
                    p = (_num(lon), _num(-lat))
                    if not points or points[-1] != p:
                        points.append(p)
                if len(points) > 1 and points[0] == points[-1]:
                    points.pop()
                if len(points) < 3:
                    continue
                xs += [float(x) for x, _ in points]
                ys += [-float(y) for _, y in points]
                parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
        if parts:
            bbox = [min(xs), min(ys), max(xs), max(ys)]
            label = [round(v, 1) for v in _label(polys)]
            countries.append({"name": name, "bbox": bbox, "label": label, "path": "".join(parts)})
    countries.sort(key=lambda c: (c["name"], c["path"]))
    return {
        "source": "Natural Earth 1:110m Admin 0 countries (public domain), "
        "rounded to 0.1 degree by tools/make_world_map.py",
        "countries": countries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="Natural Earth GeoJSON or world-atlas TopoJSON")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = json.loads(args.source.read_text(encoding="utf-8"))
    if data.get("type") == "Topology":
        polygons = _topojson_polygons(data)
    elif data.get("type") == "FeatureCollection":
        polygons = _geojson_polygons(data)
    else:
        print(f"{args.source}: neither a GeoJSON FeatureCollection nor a TopoJSON", file=sys.stderr)
        return 2
    text = json.dumps(reduce(polygons), separators=(",", ":"), ensure_ascii=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {len(text.encode())} bytes, {len(polygons)} countries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
