"""The two matchers agree: durable-rules and the plain-Python reference give the same hits.

They share no code that decides a match (the reference reads the operator table's Python
meaning over the resolved conditions; durable-rules runs the compiled definitions), so these
tests compare two independent readings: of the shipped ruleset, and of random rulesets
written in the rule language (every field, every operator, ``ignore_case``, sets, named
conditions, ``not``, nested ``all``/``any``, ``applies_when`` and pattern selectors), each
against random events.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from redlines import Evaluator, Event, RuleError, Ruleset, parse_rules
from redlines.compile import CompiledRuleset, compile_ruleset
from redlines.events import ACTOR_TYPES, ATTRIBUTIONS, INTENTS, KINDS
from redlines.matching import DurableMatcher, Prefilter, ReferenceMatcher, engine_for, event_fact
from redlines.matching.durable import EngineRuleset
from redlines.matching.reference import holds
from redlines.rules.normal import disjuncts
from redlines.rules.operators import IGNORE_CASE, OPERATORS
from redlines.rules.resolved import FIELDS, All

COUNTRIES = ["RUS", "UKR", "BLR", "POL", "LTU", "PRK", "USA", "ROU"]
REGIONS = ["UA-07", "UA-46", "PL-14", "LT-VL"]
PLACES = [
    "Kovel",
    "Kyiv Oblast",
    "St. Petersburg",
    "a|b",
    "Przewodow",
    "Estlink 2 cable",
    "ESTLINK-2",
    'the "Eagle S" near %20',
    "BaBbBb",  # durable's own `$mt` of .*BbB.* misses it (rules/operators.py)
]
TAGS = ["energy", "undersea_cable", "police", "a1"]
SOURCES = ["https://example.org/a", "x|y", "50%|"]
#: Operands of contains (text, then list members) and matches: some hit the values above.
NEEDLES = ["estlink", "Est", "a|b", "St.", "k", "link 2", "%20", "E", "BbB"]
PATTERNS = ["est.?link", "(cable|pipe)", "[0-9]", r"\d+", "o+", r"a\|b", "[^a-z ]", "e{1,2}"]
PATTERNS += ["x?", r"\.", "[%-]", "Est(link)? [0-9]", "^St", r"\w+ \d$", "(?<=a)b"]
NOTES = ["", "note", "two words", "x.y"]
TIMES = ["2024-06-01T00:00:00+00:00", "2024-06-15T12:30:00+00:00", "2025-01-01"]

optional_country = st.one_of(st.none(), st.sampled_from(COUNTRIES))


@st.composite
def events(draw: st.DrawFn) -> Event:
    """Any event the contract allows, over small vocabularies so that tests hit often."""
    location: dict[str, Any] = {}
    region = draw(st.one_of(st.none(), st.sampled_from(REGIONS)))
    if region is not None:
        location["region"] = region
        location["country"] = {"UA": "UKR", "PL": "POL", "LT": "LTU"}[region[:2]]
    elif draw(st.booleans()):
        location["country"] = draw(st.sampled_from(COUNTRIES))
    if draw(st.booleans()):
        location["place"] = draw(st.sampled_from(PLACES))
    if draw(st.booleans()):
        location["lat"] = draw(st.sampled_from([-10.5, 0.0, 50.25, 54.0]))
        location["lon"] = draw(st.sampled_from([-3.0, 0.0, 24.0, 30.5]))
    data: dict[str, Any] = {
        "id": draw(st.sampled_from(["e1", "e2", "x 1", "007"])),
        "time": draw(st.sampled_from(TIMES)),
        "actor": draw(optional_country),
        "target": draw(st.sampled_from(COUNTRIES)),
        "kind": draw(st.sampled_from(KINDS)),
        "actor_type": draw(st.sampled_from(ACTOR_TYPES)),
        "intent": draw(st.sampled_from(INTENTS)),
        "attribution": draw(st.sampled_from(ATTRIBUTIONS)),
    }
    if (obo := draw(optional_country)) is not None:
        data["on_behalf_of"] = obo
    if location:
        data["location"] = location
    if draw(st.booleans()):
        data["fatalities"] = draw(st.integers(0, 12))
    if draw(st.booleans()):
        data["sources"] = draw(st.lists(st.sampled_from(SOURCES), max_size=3))
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(st.sampled_from(TAGS), max_size=3))
    if draw(st.booleans()):
        data["notes"] = draw(st.sampled_from(NOTES))
    return Event.model_validate(data)


def _values(ftype: str, name: str) -> st.SearchStrategy[Any]:
    """Operand values a rule file may give for a field of *ftype*."""
    if ftype == "country":
        return st.sampled_from(COUNTRIES)
    if ftype in ("kind", "enum"):
        return st.sampled_from(FIELDS[name].choices)
    if ftype == "region":
        return st.sampled_from(REGIONS)
    if ftype == "time":
        return st.sampled_from(TIMES)
    if ftype == "integer":
        return st.integers(-2, 14)
    if ftype == "number":
        return st.sampled_from([-10.5, 0, 24.0, 50.25, 54])
    if name == "id":
        return st.sampled_from(["e1", "e2", "x 1", "007"])
    if name == "notes":
        return st.sampled_from(NOTES)
    return st.sampled_from(PLACES)


@st.composite
def field_tests(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(sorted(FIELDS)))
    ftype = FIELDS[name].type
    usable = [o for o in OPERATORS.values() if o.written and o.type_problem(name, ftype) is None]
    operator = draw(st.sampled_from(usable))
    if operator.name in IGNORE_CASE:
        if "matches" in operator.name:
            operand: Any = draw(st.sampled_from(PATTERNS))
        elif ftype == "list":
            operand = draw(st.sampled_from([*TAGS, *SOURCES, "Energy"]))
        else:
            operand = draw(st.sampled_from(NEEDLES))
        test = {"field": name, operator.name: operand}
        if draw(st.booleans()):
            test["ignore_case"] = True
        return test
    if operator.operand == "flag":
        operand = draw(st.booleans())
    elif operator.operand == "set":
        operand = draw(st.lists(_values(ftype, name), min_size=1, max_size=4))
    else:
        operand = draw(_values(ftype, name))
    return {"field": name, operator.name: operand}


def conditions(refs: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    leaves = field_tests()
    if refs:
        leaves = st.one_of(leaves, st.sampled_from(refs).map(lambda r: {"ref": r}))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
            inner.map(lambda x: {"not": x}),
        ),
        max_leaves=5,
    )


@st.composite
def rulesets(draw: st.DrawFn) -> Ruleset:
    named = {"c1": draw(conditions([])), "c2": draw(conditions([]))}
    red_lines = []
    for i in range(draw(st.integers(1, 3))):
        clauses = [
            {
                "id": f"k{j}",
                "level": draw(st.sampled_from(["warning", "crossed"])),
                "when": draw(conditions(["c1", "c2"])),
                "reason": "r",
            }
            for j in range(draw(st.integers(1, 6)))
        ]
        red_line: dict[str, Any] = {"id": f"R{i}", "title": "t", "clauses": clauses}
        if draw(st.booleans()):
            red_line["applies_when"] = draw(conditions(["c1"]))
        if draw(st.booleans()):
            red_line["patterns"] = [
                {
                    "id": "p",
                    "select": {"when": draw(conditions(["c2"]))},
                    "count": 2,
                    "within": "3d",
                    "reason": "r",
                }
            ]
        red_lines.append(red_line)
    doc = {
        "schema": "redlines/rules/v1",
        "name": "random",
        "version": "1",
        "title": "random",
        "conditions": named,
        "red_lines": red_lines,
    }
    try:
        return parse_rules(json.dumps(doc), "<random>")
    except RuleError as exc:  # the only refusal possible here: a combinatorial blow-up
        assert all("alternatives" in p.message for p in exc.problems), exc
        reject()


def assert_agree(compiled: CompiledRuleset, engine: DurableMatcher, event: Event) -> None:
    fact = event_fact(event, 1)
    assert engine.match(fact) == ReferenceMatcher(compiled).match(fact), event


@pytest.fixture(scope="module")
def nato_compiled(nato: Ruleset) -> tuple[CompiledRuleset, DurableMatcher]:
    compiled = compile_ruleset(nato)
    return compiled, engine_for(compiled)


@settings(max_examples=300, deadline=None)
@given(event=events())
def test_matchers_agree_on_the_shipped_ruleset(
    event: Event, nato_compiled: tuple[CompiledRuleset, DurableMatcher]
) -> None:
    assert_agree(*nato_compiled, event)


# Each random ruleset registers a durable ruleset (about 20 MB that durable never frees), so
# examples are few and each checks many events.
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(events(), min_size=10, max_size=40))
def test_matchers_agree_on_random_rulesets(ruleset: Ruleset, batch: list[Event]) -> None:
    compiled = compile_ruleset(ruleset)
    engine = engine_for(compiled)
    for event in batch:
        assert_agree(compiled, engine, event)


# -- the prefilter skips only what matches nothing ----------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(events(), min_size=10, max_size=40))
def test_the_prefilter_skips_only_facts_that_match_no_rule(
    ruleset: Ruleset, batch: list[Event]
) -> None:
    compiled = compile_ruleset(ruleset)
    prefilter, reference = Prefilter(compiled), ReferenceMatcher(compiled)
    for event in batch:
        fact = event_fact(event, 1)
        if not prefilter(fact):
            assert reference.match(fact) == [], event


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(events(), min_size=10, max_size=40), data=st.data())
def test_the_index_leaves_out_only_alternatives_that_do_not_hold(
    ruleset: Ruleset, batch: list[Event], data: st.DataObject
) -> None:
    """Each alternative the engine's index does not name for a fact (a candidate) is false of
    it, with or without a choice of wanted rules, however few or many."""
    compiled = compile_ruleset(ruleset)
    engine = engine_for(compiled)
    branches = [(r.name, b) for r in compiled.rules for b in disjuncts(r.condition)]
    names = [r.name for r in compiled.rules]
    prefilter = Prefilter(compiled)
    for event in batch:
        fact = event_fact(event, 1)
        assert prefilter(fact) == bool(engine.candidates(fact))
        wanted = frozenset(data.draw(st.lists(st.sampled_from(names), max_size=len(names))))
        for among in (None, wanted, frozenset(names)):
            found = set(engine.candidates(fact, among))
            for i, (owner, branch) in enumerate(branches):
                if among is None or owner in among:
                    if i not in found:
                        assert not holds(All(branch), fact), (branch, event)
                else:
                    assert i not in found


def test_the_prefilter_of_the_shipped_ruleset_skips_third_countries(nato: Ruleset) -> None:
    prefilter = Prefilter(compile_ruleset(nato))
    assert not prefilter.passes_everything
    skipped = Event.model_validate(
        {"id": "x", "time": "2024-06-01", "actor": "USA", "target": "FRA", "kind": "other"}
    )
    kept = Event.model_validate(
        {"id": "y", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "other"}
    )
    assert not prefilter(event_fact(skipped, 1)) and prefilter(event_fact(kept, 2))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruleset=rulesets(), batch=st.lists(events(), min_size=10, max_size=40))
def test_reports_are_identical_with_and_without_the_prefilter(
    ruleset: Ruleset, batch: list[Event]
) -> None:
    with_it, without = Evaluator(ruleset), Evaluator(ruleset)
    # Without the prefilter, every fact is asserted into every shard with every flag.
    without._engine = EngineRuleset(compile_ruleset(ruleset), prefilter=False)
    unique = [e.model_copy(update={"id": f"u{i}"}) for i, e in enumerate(batch)]
    for event in sorted(unique, key=lambda e: e.time):
        with_it.feed(event)
        without.feed(event)
    assert with_it.report().to_dict() == without.report().to_dict()
