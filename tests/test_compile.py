"""The compiler: pure data, deterministic, and the same semantics as the interpreter."""

from __future__ import annotations

import json
import re
from pathlib import Path

from redlines import Ruleset
from redlines.compile import compile_ruleset
from redlines.matching.facts import event_fact
from redlines.rules.normal import disjuncts, negate, simplify
from redlines.rules.resolved import All, AnyOf, Not
from redlines.rules.resolved import Test as Check

from .conftest import ROOT, make_event

GOLDEN = Path(__file__).parent / "golden" / "nato-2024.compiled.json"


def test_golden(nato: Ruleset) -> None:
    """The compiled form of nato-2024 is reviewed data. After a deliberate change run
    `python tests/golden/regenerate.py` and review the diff."""
    assert compile_ruleset(nato).to_json() == GOLDEN.read_text(encoding="utf-8")


def test_compile_is_deterministic(nato: Ruleset) -> None:
    assert compile_ruleset(nato).to_json() == compile_ruleset(nato).to_json()


def test_only_the_engine_module_imports_durable() -> None:
    importers = sorted(
        str(p.relative_to(ROOT / "src"))
        for p in (ROOT / "src" / "redlines").rglob("*.py")
        if re.search(r"^\s*(from|import) durable", p.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert importers == ["redlines/matching/durable.py"]


def test_no_rule_reads_engine_keys(nato: Ruleset) -> None:
    text = compile_ruleset(nato).to_json()
    for rule in json.loads(text).values():
        keys = json.dumps(rule)
        assert '"id"' not in keys and '"sid"' not in keys and '"$nex"' not in keys


def test_negation_is_absence_aware() -> None:
    eq = Check("on_behalf_of", "eq", "UKR")
    assert negate(eq) == AnyOf(
        (Check("on_behalf_of", "exists", False), Check("on_behalf_of", "ne", "UKR"))
    )
    assert negate(Not(eq)) == eq


def test_presence_of_always_present_fields_is_settled() -> None:
    assert simplify(Not(Check("attribution", "eq", "misattributed"))) == Check(
        "attribution", "ne", "misattributed"
    )
    assert simplify(Check("kind", "exists", False)) == AnyOf(())


def test_disjuncts() -> None:
    a, b, c = (
        Check("target", "eq", "POL"),
        Check("target", "eq", "LTU"),
        Check("kind", "eq", "threat"),
    )
    assert disjuncts(All((AnyOf((a, b)), c))) == [(a, c), (b, c)]
    assert disjuncts(AnyOf(())) == []
    assert disjuncts(All(())) == [()]


def test_fact_shape() -> None:
    fact = event_fact(make_event(id="x", actor=None, location={"region": "UA-07"}), 7)
    assert fact["id"] == "f7" and fact["event_id"] == "x"
    assert fact["has__actor"] == 0 and "actor" not in fact
    assert fact["location__region"] == "UA-07" and fact["has__location__region"] == 1
    assert isinstance(fact["time"], float)


def test_regenerate_script_exists() -> None:
    assert (ROOT / "tests" / "golden" / "regenerate.py").exists()


def test_memberships_of_several_members_compile_to_flags() -> None:
    """`in` of two members or more tests a membership flag (durable's `$mt` regex costs about
    0.3 MB each: tests/test_engine.py); one member is an equality; `not_in` one `$neq` per
    member. Equal member sets share one flag."""
    from redlines.compile import _term, derived_flags, membership_key

    members = ("EST", "LTU", "POL")
    flag = membership_key("target", members)
    assert flag.startswith("target__in__")
    assert _term(Check("target", "in", members)) == [{flag: 1}]
    assert _term(Check("target", "in", ("POL",))) == [{"target": "POL"}]
    assert _term(Check("target", "not_in", ("EST", "POL"))) == [
        {"$neq": {"target": "EST"}},
        {"$neq": {"target": "POL"}},
    ]
    assert derived_flags((Check("target", "in", members), Check("kind", "eq", "other"))) == {
        flag: ("target", "in", members)
    }
    assert membership_key("target", members) != membership_key("actor", members)
    assert membership_key("target", members) != membership_key("target", members[:2])
