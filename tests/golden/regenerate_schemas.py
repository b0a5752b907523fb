"""Regenerate the JSON Schemas shipped in the package: `python tests/golden/regenerate_schemas.py`.

Run it after a deliberate change to a model the schemas come from (the rule language, the
scenario head, the event, the JSON report), then review the diff of
src/redlines/data/schemas/ like any other change. tests/test_schemas.py fails while the shipped
files differ from what the models give.
"""

from __future__ import annotations

from pathlib import Path

from redlines.schemas import SCHEMAS, schema_text

OUT = Path(__file__).resolve().parents[2] / "src" / "redlines" / "data" / "schemas"

if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for name in SCHEMAS:
        path = OUT / f"{name}.json"
        path.write_text(schema_text(name), encoding="utf-8")
        print(f"wrote {path}")
