"""durable-rules, as redlines uses it: the behaviours the design relies on, checked."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from redlines import EngineError, Ruleset
from redlines.compile import CompiledRule, CompiledRuleset, compile_ruleset
from redlines.matching.durable import EngineRuleset
from redlines.matching.facts import event_fact
from redlines.rules.resolved import All

from .conftest import make_event


def _ruleset(name: str, rules: dict[str, dict[str, Any]]) -> CompiledRuleset:
    return CompiledRuleset(
        name, tuple(CompiledRule(n, "X", n, "clause", All(()), (d,)) for n, d in rules.items())
    )


def test_every_matching_rule_fires_for_one_fact() -> None:
    eng = EngineRuleset(
        _ruleset(
            "all",
            {
                "a": {"all": [{"m": {"kind": "x"}}]},
                "b": {"all": [{"m": {"kind": "x"}}]},
                "c": {"all": [{"m": {"kind": "y"}}]},
            },
        )
    )
    assert eng.match({"id": "f1", "kind": "x"}) == ["a", "b"]
    assert eng.match({"id": "f2", "kind": "z"}) == []  # MessageNotHandled is "no match"


def test_facts_do_not_accumulate(nato: Ruleset) -> None:
    eng = EngineRuleset(compile_ruleset(nato))
    fact = event_fact(make_event(), 1)
    first = eng.match(fact)
    assert eng.match(fact) == first  # retracted, so the same fact id can be asserted again


def test_neq_is_false_on_a_missing_field() -> None:
    eng = EngineRuleset(_ruleset("neq", {"n": {"all": [{"m": {"$neq": {"actor": "RUS"}}}]}}))
    assert eng.match({"id": "f1", "actor": "BLR"}) == ["n"]
    assert eng.match({"id": "f2"}) == []


def test_regex_membership_is_whole_string() -> None:
    eng = EngineRuleset(_ruleset("mt", {"m": {"all": [{"m": {"$mt": {"kind": "threat|other"}}}]}}))
    assert eng.match({"id": "f1", "kind": "threat"}) == ["m"]
    assert eng.match({"id": "f2", "kind": "threats"}) == []


def test_no_dispatcher_threads(nato: Ruleset) -> None:
    before = threading.active_count()
    for _ in range(3):
        EngineRuleset(compile_ruleset(nato)).match(event_fact(make_event(), 1))
    assert threading.active_count() == before


def test_rulesets_are_isolated(nato: Ruleset) -> None:
    a = EngineRuleset(compile_ruleset(nato))
    b = EngineRuleset(_ruleset("other", {"o": {"all": [{"m": {"kind": "drone_strike"}}]}}))
    assert a.name != b.name
    fact = event_fact(make_event(), 1)
    assert b.match(fact) == ["o"]
    assert "o" not in a.match(fact)


def test_durables_host_reports_an_action_exception_for_every_later_fact() -> None:
    """Why redlines drives the C engine without durable's Host: the Host keeps an exception
    raised in an action in the state and reports it again for every later fact."""
    from durable.engine import Host

    class NoThreads(Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

    calls = [0]

    def explode(_closure: Any) -> None:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("boom")

    host = NoThreads()
    host.register_rulesets({"host-boom": {"b": {"all": [{"m": {"kind": "x"}}], "run": explode}}})
    states = []
    for i in range(3):
        states.append(host.assert_fact("host-boom", {"id": f"f{i}", "kind": "x"}))
        host.retract_fact("host-boom", {"id": f"f{i}", "kind": "x"})
    assert all("boom" in str(state.get("exception")) for state in states)


def test_posting_from_threads_loses_nothing(nato: Ruleset) -> None:
    eng = EngineRuleset(compile_ruleset(nato))
    fact = event_fact(make_event(intent="deliberate"), 1)
    expected = eng.match(fact)
    results: list[list[str]] = []

    def work(i: int) -> None:
        for j in range(25):
            results.append(eng.match({**fact, "id": f"t{i}-{j}"}))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 100 and all(r == expected for r in results)


def test_regression_rulesets_of_512_rules_or_more_are_sharded() -> None:
    """durable never returns from assert_fact on a ruleset of 512+ rules; redlines shards."""
    rules = {f"r{i}": {"all": [{"m": {"fatalities": i}}]} for i in range(600)}
    eng = EngineRuleset(_ruleset("big", rules))
    assert len(eng.shards) == 10  # shards of RULES_PER_SHARD (60) rules
    assert eng.match({"id": "f1", "fatalities": 599}) == ["r599"]
    assert eng.match({"id": "f2", "fatalities": 3}) == ["r3"]


def test_values_of_16_mib_are_refused_and_leave_the_engine_usable() -> None:
    """durable refuses a property value of 16 MiB or more (error 314); events never carry text
    that long (see the event size limits), and a refusal resets the state, so the shared
    engine keeps working."""
    eng = EngineRuleset(_ruleset("size", {"a": {"all": [{"m": {"notes": "x"}}]}}))
    with pytest.raises(EngineError, match="314"):
        eng.match({"id": "f1", "notes": "n" * (1 << 24)})
    assert eng.match({"id": "f2", "notes": "x"}) == ["a"]
    assert eng.match({"id": "f3", "notes": "n" * 1_000_000}) == []


def test_only_the_keys_the_rules_read_reach_the_engine() -> None:
    eng = EngineRuleset(_ruleset("keys", {"a": {"all": [{"m": {"$neq": {"kind": "x"}}}]}}))
    sent = json.loads(eng.payload({"id": "f1", "kind": "y", "notes": "n" * (1 << 24)}))
    assert sent == {"id": "f1", "kind": "y"}
    assert eng.match({"id": "f1", "kind": "y", "notes": "n" * (1 << 24)}) == ["a"]


def test_regexes_of_more_than_4096_states_are_refused() -> None:
    """durable builds a state per regex character and refuses more than 4096 states (error 503):
    redlines splits long memberships into several regexes (rules/normal.py)."""
    words = "|".join(f"w{i:07d}" for i in range(500))  # 4,499 characters
    with pytest.raises(EngineError, match="503"):
        EngineRuleset(_ruleset("states", {"a": {"all": [{"m": {"$mt": {"kind": words}}}]}}))
    short = "|".join(f"w{i:07d}" for i in range(200))  # 1,799 characters
    eng = EngineRuleset(_ruleset("states-ok", {"a": {"all": [{"m": {"$mt": {"kind": short}}}]}}))
    assert eng.match({"id": "f1", "kind": "w0000199"}) == ["a"]


def test_integers_beyond_64_bits_are_compared_wrongly() -> None:
    """durable reads integers as 64-bit: a rule value of 2**63 matches 2**63 - 1. redlines
    refuses integers outside the 64-bit range in rule files and events."""
    eng = EngineRuleset(_ruleset("int64", {"a": {"all": [{"m": {"fatalities": 2**63}}]}}))
    assert eng.match({"id": "f1", "fatalities": 2**63 - 1}) == ["a"]


def test_registrations_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """durable cannot release a ruleset (about 23 MB each): past MAX_RULESETS distinct rulesets
    in one process, registering another is a clear EngineError, and identical rulesets still
    share the registration they have."""
    from redlines.matching import durable

    monkeypatch.setattr(durable, "MAX_RULESETS", durable._REGISTERED + 1)
    EngineRuleset(_ruleset("last-one", {"a": {"all": [{"m": {"kind": "x"}}]}}))
    with pytest.raises(EngineError, match="cannot release them"):
        EngineRuleset(_ruleset("one-too-many", {"a": {"all": [{"m": {"kind": "y"}}]}}))


def test_more_than_64_branches_matching_one_fact_overflow_durables_stack() -> None:
    """durable walks its alpha network with a stack of 64 nodes: when more distinct first tests
    match one fact, asserting it fails with error 303. Shards of at most RULES_PER_SHARD (60)
    rules never overflow it, because the pending nodes lead to distinct rules."""
    import durable_rules_engine

    from redlines.matching.durable import RULES_PER_SHARD

    rules = {f"r{i}": {"all": [{"m": {"$lt": {"v": i + 1}}}]} for i in range(100)}
    handle = durable_rules_engine.create_ruleset("stack-303", json.dumps(rules))
    with pytest.raises(Exception, match="303"):
        durable_rules_engine.assert_fact(handle, json.dumps({"id": "f1", "v": 0}))
    assert RULES_PER_SHARD <= 64
    eng = EngineRuleset(_ruleset("stack-ok", rules))
    assert len(eng.shards) == 2
    assert eng.match({"id": "f1", "v": 0}) == [f"r{i}" for i in range(100)]


def test_durables_regex_misses_substrings_so_text_operators_are_decided_in_python() -> None:
    """durable's `$mt` regex engine answers some substring searches wrongly (`.*BbB.*` does not
    match 'BaBbBb'), so `contains` and `matches` reach the engine as flags computed from the
    operator table's Python meaning (docs/architecture.md)."""
    eng = EngineRuleset(_ruleset("substr", {"a": {"all": [{"m": {"$mt": {"notes": ".*BbB.*"}}}]}}))
    assert eng.match({"id": "f1", "notes": "xBbBx"}) == ["a"]
    assert eng.match({"id": "f2", "notes": "BaBbBb"}) == []  # wrong: 'BbB' is in it


def test_regex_memberships_cost_durable_a_third_of_a_megabyte_each() -> None:
    """durable compiles every `$mt` regular expression into an automaton of 0.3 to 0.7 MB,
    growing with its length, and shares none of them, even identical ones: 1,000 generated
    red lines held 6,000 and took 1.8 GB. redlines therefore tests memberships as
    flags computed in Python (compile.membership_key), one equality test each. Measured in a
    fresh process, whose resident memory nothing else moves."""
    import subprocess
    import sys

    probe = """
import json, sys
import durable_rules_engine as engine
def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024
kinds = "ground_offensive|border_incursion|missile_strike|drone_strike|air_strike"
rules = {
    f"r{i}": {"all": [{"m": {"$and": [{"actor": f"A{i}"}, {"$mt": {"kind": kinds}}]}}]}
    if sys.argv[1] == "regex"
    else {"all": [{"m": {"$and": [{"actor": f"A{i}"}, {"kind__in__x": 1}]}}]}
    for i in range(60)
}
before = rss()
engine.create_ruleset("memory", json.dumps(rules))
print(rss() - before)
"""

    def added_mb(form: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", probe, form], capture_output=True, text=True, check=True
        )
        return float(out.stdout)

    if not Path("/proc/self/status").exists():
        pytest.skip("resident memory is read from /proc (Linux)")
    regex, flags = added_mb("regex"), added_mb("flag")
    assert regex > 10 and regex > 5 * flags, (regex, flags)
