"""contains, matches and ignore_case: both matchers, the derived flags durable-rules tests,
and what is refused at load."""

from __future__ import annotations

import json
from typing import Any

import pytest

from redlines import Event, RuleError, parse_rules
from redlines.compile import compile_ruleset
from redlines.matching import ReferenceMatcher, engine_for, event_fact
from redlines.rules.operators import OPERATORS, derived_key


def ruleset(*whens: dict[str, Any]) -> Any:
    clauses = [
        {"id": f"k{i}", "level": "warning", "when": w, "reason": "r"} for i, w in enumerate(whens)
    ]
    doc = {
        "schema": "redlines/rules/v1",
        "name": "t",
        "version": "1",
        "title": "t",
        "red_lines": [{"id": "R", "title": "t", "clauses": clauses}],
    }
    return parse_rules(json.dumps(doc), "r.yaml")


def event(**data: Any) -> Event:
    base = {"id": "e", "time": "2024-12-25", "actor": "RUS", "target": "FIN", "kind": "sabotage"}
    return Event.model_validate({**base, **data})


WHENS: list[dict[str, Any]] = [
    {"field": "location.place", "contains": "estlink", "ignore_case": True},
    {"field": "location.place", "contains": "estlink"},
    {"not": {"field": "location.place", "contains": "estlink", "ignore_case": True}},
    {"field": "tags", "contains": "energy"},
    {"not": {"field": "tags", "contains": "energy"}},
    {"field": "notes", "matches": "anchor|cable"},
    {"field": "notes", "not_matches": "ANCHOR", "ignore_case": True},
    {"field": "sources", "contains": "a|b"},
]
EVENTS = [
    event(location={"place": "Estlink 2, Gulf of Finland"}, tags=["energy"]),
    event(location={"place": "near estlink"}, notes="dragged its anchor"),
    event(location={"place": "Helsinki"}, tags=["Undersea_Cable", "energy", "energy"]),
    event(notes='the "Eagle S"\nanchor', sources=["a|b", "c"]),
    event(sources=["a", "b"], tags=["police"]),
]


@pytest.mark.parametrize("index", range(len(EVENTS)))
def test_both_matchers_agree_on_text_tests(index: int) -> None:
    compiled = compile_ruleset(ruleset(*WHENS))
    fact = event_fact(EVENTS[index], 1)
    assert engine_for(compiled).match(fact) == ReferenceMatcher(compiled).match(fact)


def test_what_each_test_matches() -> None:
    compiled = compile_ruleset(ruleset(*WHENS))
    hits = [ReferenceMatcher(compiled).match(event_fact(e, 1)) for e in EVENTS]
    short = [[name.split(":")[-1] for name in h] for h in hits]
    assert short == [
        ["k0", "k3"],
        ["k0", "k1", "k4", "k5"],
        ["k2", "k3"],
        ["k2", "k4", "k5", "k7"],
        ["k2", "k4"],
    ]


def test_text_tests_compile_to_derived_flags() -> None:
    compiled = compile_ruleset(ruleset(WHENS[2]))
    flag = derived_key("icontains", "location__place", "estlink")
    assert compiled.definitions()["R:clause:k0#2"] == {
        "all": [{"m": {"$and": [{"has__location__place": 1}, {flag: 0}]}}]
    }
    assert compiled.derived() == {flag: ("location__place", "icontains", "estlink")}
    engine = engine_for(compiled)
    sent = json.loads(engine.payload(event_fact(EVENTS[0], 1)))
    assert sent[flag] == 1 and "location__place" not in sent


def test_tags_are_lowered_in_order_and_deduplicated() -> None:
    assert EVENTS[2].tags == ("undersea_cable", "energy")
    assert EVENTS[2].contract_dict()["tags"] == ["undersea_cable", "energy"]
    assert "tags" not in EVENTS[1].contract_dict()
    with pytest.raises(ValueError, match="invalid tag 'gas pipeline'"):
        event(tags=["gas pipeline"])


@pytest.mark.parametrize(
    ("test", "message"),
    [
        ({"field": "notes", "matches": "(a"}, "invalid regular expression"),
        ({"field": "notes", "matches": "a" * 1025}, "takes at most 1024 characters"),
        ({"field": "kind", "contains": "a"}, "'contains' tests text or list fields"),
        ({"field": "tags", "matches": "a"}, "'matches' tests text fields"),
        ({"field": "kind", "eq": "threat", "ignore_case": True}, "'ignore_case' modifies"),
        ({"field": "notes", "contains": ""}, "needs a non-empty text"),
    ],
)
def test_refused_at_load(test: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError) as err:
        ruleset(test)
    assert message in str(err.value)


def test_wording() -> None:
    assert OPERATORS["icontains"].fails("location.place", "Helsinki", "estlink") == (
        "location.place is 'Helsinki', needs to contain 'estlink' (any case)"
    )
