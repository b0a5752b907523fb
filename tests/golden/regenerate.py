"""Regenerate the golden compiled rulesets: `python tests/golden/regenerate.py`.

Run it after a deliberate change to the compiler or to a shipped ruleset, then review the
diff of tests/golden/ like any other change.
"""

from __future__ import annotations

from pathlib import Path

from redlines import load_rules, shipped_rulesets
from redlines.compile import compile_ruleset

HERE = Path(__file__).parent

if __name__ == "__main__":
    for name in shipped_rulesets():
        out = HERE / f"{name}.compiled.json"
        out.write_text(compile_ruleset(load_rules(name)).to_json(), encoding="utf-8")
        print(f"wrote {out}")
