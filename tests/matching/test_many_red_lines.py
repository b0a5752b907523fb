"""Many red lines: the engine's index, its packing into shards and its membership flags give
the same hits as the reference matcher, and every matching rule of every shard is seen.

Rulesets of a hundred red lines or more in the style of ``nato-2024`` (each watches an actor
against a few targets; memberships, equalities, a negation, a presence test, a comparison and a
``contains``, over a small vocabulary so that facts hit many rules at once), against random
events.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlines import Evaluator, Event, Ruleset, parse_rules
from redlines.compile import CompiledRuleset, compile_ruleset
from redlines.matching import ReferenceMatcher, engine_for, event_fact
from redlines.matching.durable import RULES_PER_SHARD, EngineRuleset

COUNTRIES = ["RUS", "BLR", "POL", "LTU", "LVA", "EST", "UKR", "USA", "FIN"]
KINDS = ["drone_strike", "missile_strike", "sabotage", "threat", "other", "cyberattack"]
TAGS = ["energy", "undersea_cable"]


def generated(red_lines: int, seed: int) -> Ruleset:
    """*red_lines* red lines, each with three clauses and a pattern, drawn from *seed*."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for r in range(red_lines):
        actor = rng.choice(COUNTRIES)
        targets = rng.sample([c for c in COUNTRIES if c != actor], rng.randint(1, 4))
        applies: dict[str, Any] = {
            "all": [
                {"field": "target", "in": targets},
                {"not": {"field": "attribution", "eq": "misattributed"}},
            ]
        }
        clauses = [
            {
                "id": "attack",
                "level": "crossed",
                "when": {
                    "all": [
                        {"field": "actor", "eq": actor},
                        {"field": "kind", "in": rng.sample(KINDS, rng.randint(2, 4))},
                        {"field": "intent", "in": ["deliberate", "unknown"]},
                    ]
                },
                "reason": "r",
            },
            {
                "id": "activity",
                "level": "warning",
                "when": {
                    "any": [
                        {"field": "actor", "in": [actor, rng.choice(COUNTRIES)]},
                        {"field": "fatalities", "ge": rng.randint(0, 3)},
                        {"field": "tags", "contains": rng.choice(TAGS)},
                    ]
                },
                "reason": "r",
            },
            {
                "id": "proxy",
                "level": "warning",
                "when": {
                    "all": [
                        {"field": "on_behalf_of", "eq": actor},
                        {"field": "location.country", "exists": rng.random() < 0.5},
                    ]
                },
                "reason": "r",
            },
        ]
        patterns = [
            {
                "id": "probing",
                "select": {"level": "warning"},
                "count": 2,
                "within": "3d",
                "same": ["target"],
                "reason": "r",
            }
        ]
        out.append(
            {
                "id": f"R{r}",
                "title": "t",
                "applies_when": applies,
                "clauses": clauses,
                "patterns": patterns,
            }
        )
    doc = {
        "schema": "redlines/rules/v1",
        "name": f"many-{red_lines}-{seed}",
        "version": "1",
        "title": "many",
        "red_lines": out,
    }
    return parse_rules(json.dumps(doc), "<many>")


@st.composite
def events(draw: st.DrawFn) -> Event:
    data: dict[str, Any] = {
        "id": "e",
        "time": "2024-06-01T00:00:00+00:00",
        "actor": draw(st.sampled_from(COUNTRIES)),
        "target": draw(st.sampled_from(COUNTRIES)),
        "kind": draw(st.sampled_from(KINDS)),
        "intent": draw(st.sampled_from(["deliberate", "unknown", "stray"])),
        "attribution": draw(st.sampled_from(["confirmed", "suspected", "misattributed"])),
    }
    if draw(st.booleans()):
        data["on_behalf_of"] = draw(st.sampled_from(COUNTRIES))
    if draw(st.booleans()):
        data["location"] = {"country": draw(st.sampled_from(COUNTRIES))}
    if draw(st.booleans()):
        data["fatalities"] = draw(st.integers(0, 4))
    if draw(st.booleans()):
        data["tags"] = draw(st.lists(st.sampled_from(TAGS), max_size=2))
    return Event.model_validate(data)


@pytest.fixture(scope="module")
def many() -> Ruleset:
    return generated(300, seed=11)


Matchers = tuple[CompiledRuleset, EngineRuleset, ReferenceMatcher]


@pytest.fixture(scope="module")
def matchers(many: Ruleset) -> Matchers:
    compiled = compile_ruleset(many)
    return compiled, engine_for(compiled), ReferenceMatcher(compiled)


def test_many_red_lines_span_many_shards_and_test_memberships_as_flags(
    matchers: Matchers,
) -> None:
    compiled, engine, _ = matchers
    assert len(engine.shards) > 10
    assert "$mt" not in compiled.to_json()  # about 0.3 MB each in durable (compile.py)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=events())
def test_the_engine_agrees_with_the_reference_on_many_red_lines(
    matchers: Matchers, event: Event
) -> None:
    compiled, engine, reference = matchers
    fact = event_fact(event, 1)
    expected = reference.match(fact)
    assert engine.match(fact) == expected
    clauses = frozenset(r.name for r in compiled.rules if r.role == "clause")
    assert engine.match(fact, clauses) == [n for n in expected if n in clauses]
    # A few wanted rules (checked one by one) and many (through the index) agree too.
    patterns = [r.name for r in compiled.rules if r.role == "pattern"]
    for wanted in (patterns[:3], patterns, patterns[::7] + sorted(clauses)[:40]):
        assert engine.match(fact, wanted) == [n for n in expected if n in wanted]


def test_a_fact_matching_rules_in_many_shards_sees_every_one(matchers: Matchers) -> None:
    """A fact that satisfies rules spread over several shards gets every one of them, in
    definition order, as the reference does."""
    _, engine, reference = matchers
    fact = event_fact(
        Event.model_validate(
            {
                "id": "x",
                "time": "2024-06-01",
                "actor": "RUS",
                "target": "POL",
                "kind": "drone_strike",
                "intent": "deliberate",
                "fatalities": 4,
                "tags": ["energy", "undersea_cable"],
            }
        ),
        1,
    )
    expected = reference.match(fact)
    assert len(expected) > RULES_PER_SHARD  # more hits than one shard holds
    assert engine.match(fact) == expected


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(60, 120),
    seed=st.integers(0, 10_000),
    batch=st.lists(events(), min_size=20, max_size=60),
)
def test_reports_of_many_red_lines_are_identical_with_and_without_the_prefilter(
    size: int, seed: int, batch: list[Event]
) -> None:
    ruleset = generated(size, seed)
    with_it, without = Evaluator(ruleset), Evaluator(ruleset)
    without._engine = EngineRuleset(compile_ruleset(ruleset), prefilter=False)
    unique = [e.model_copy(update={"id": f"u{i}"}) for i, e in enumerate(batch)]
    for event in unique:
        with_it.feed(event)
        without.feed(event)
    assert with_it.report().to_dict() == without.report().to_dict()


def test_wanted_rules_given_as_a_set_that_changes_are_read_afresh(matchers: Matchers) -> None:
    """The engine remembers which of its indexes a frozenset of wanted rules needs; a mutable
    collection is read afresh on every call."""
    compiled, engine, reference = matchers
    fact = event_fact(
        Event.model_validate(
            {"id": "x", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "threat"}
        ),
        1,
    )
    expected = reference.match(fact)
    patterns = {n for n in expected if ":pattern:" in n}
    clauses = {n for n in expected if ":clause:" in n}
    assert patterns and clauses
    wanted = {r.name for r in compiled.rules if r.role == "clause"}
    assert engine.match(fact, wanted) == sorted(clauses, key=expected.index)
    wanted |= {r.name for r in compiled.rules if r.role == "pattern"}
    assert engine.match(fact, wanted) == expected
    frozen = frozenset(wanted)
    assert engine.match(fact, frozen) == engine.match(fact, frozen) == expected
