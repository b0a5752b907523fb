"""A rule file's problems come in one round: a mistake of shape hides no mistake of names and
values, and each is reported once, in file order (rules/shape.py, rules/load.py)."""

from __future__ import annotations

import pytest

from redlines import RuleError, parse_rules
from redlines.rules.shape import validate_shape
from redlines.source import parse_yaml

HEAD = """schema: redlines/rules/v1
name: t
version: 1
title: t
"""


def errors(text: str) -> list[str]:
    with pytest.raises(RuleError) as err:
        parse_rules(HEAD + text, "r.yaml")
    return [p.render() for p in err.value.problems]


def test_regression_shape_problems_do_not_hide_name_problems() -> None:
    """A new user's file once showed 3 errors, then 5 more once those were fixed."""
    text = """sets:
  FLANK: {countries: [POL, Estnia]}
red_lines:
  - id: X
    title: x
    clauses:
      - id: a
        level: severe
        when: {field: targt, eq: POL}
        reason: "{actr} did it"
      - id: b
        level: warning
        when: {all: [{field: kind, eqq: threat}, {field: actor, eq: Russsia}]}
        reson: r
    patterns:
      - {id: p, select: {level: warning}, count: 0x10, within: 30 days, same: [targt], reason: r}
"""
    assert errors(text) == [
        "r.yaml:6:28: field 'sets.FLANK.countries[1]': unknown country 'Estnia' (did you mean 'Estonia'?)",
        "r.yaml:12:16: field 'red_lines[0].clauses[0].level': input should be 'crossed' or 'warning' (got 'severe')",
        "r.yaml:13:23: field 'red_lines[0].clauses[0].when.field': unknown or untestable event field 'targt' (did you mean 'target'?)",
        "r.yaml:14:17: field 'red_lines[0].clauses[0].reason': unknown placeholder '{actr}' in reason (did you mean 'actor'?)",
        "r.yaml:15:9: field 'red_lines[0].clauses[1].reason': required field is missing",
        "r.yaml:17:36: field 'red_lines[0].clauses[1].when.all[0].eqq': unknown operator (did you mean 'eq'?)",
        "r.yaml:17:69: field 'red_lines[0].clauses[1].when.all[1].eq': unknown country 'Russsia' (did you mean 'Russia'?)",
        "r.yaml:18:9: field 'red_lines[0].clauses[1].reson': unknown field (did you mean 'reason'?)",
        "r.yaml:20:50: field 'red_lines[0].patterns[0].count': input should be a valid integer (got '0x10')",
        "r.yaml:20:64: field 'red_lines[0].patterns[0].within': invalid window '30 days': expected a positive duration such as 30d or 12h",
        "r.yaml:20:80: field 'red_lines[0].patterns[0].same[0]': unknown event field 'targt' (did you mean 'target'?)",
    ]


def test_a_set_with_a_wrong_shape_is_not_reported_again_where_it_is_used() -> None:
    text = """sets:
  BAD: {contries: [POL]}
  KINDS_TOO: {kinds: [BAD, threat]}
red_lines:
  - id: X
    title: x
    clauses:
      - {id: c, level: warning, when: {field: target, in: BAD}, reason: r}
      - {id: d, level: warning, when: {field: kind, in: [BAD]}, reason: r}
"""
    assert errors(text) == [
        "r.yaml:6:9: field 'sets.BAD.contries': unknown field (did you mean 'countries'?)"
    ]


def test_a_mistake_in_a_named_condition_is_reported_once() -> None:
    text = """conditions:
  near: {field: kind, equals: threat}
red_lines:
  - id: X
    title: x
    clauses:
      - {id: c, level: warning, when: {ref: near}, reason: r}
      - {id: d, level: warning, when: {ref: naer}, reason: r}
"""
    assert errors(text) == [
        "r.yaml:6:23: field 'conditions.near.equals': unknown operator (did you mean 'eq'?)",
        "r.yaml:12:45: field 'red_lines[0].clauses[1].when.ref': unknown condition 'naer' (did you mean 'near'?)",
    ]


def test_stand_in_ids_duplicate_nothing() -> None:
    """A clause that is not a mapping, or whose id is wrong, stands in with an id of its own:
    a real clause of that id is no duplicate of it."""
    text = """red_lines:
  - id: X
    title: x
    clauses:
      - just text
      - {id: 9lives, level: warning, when: {field: target, eq: POL}, reason: r}
      - {id: x, level: warning, when: {field: target, eq: POL}, reason: r}
"""
    msgs = errors(text)
    assert len(msgs) == 2, msgs
    assert msgs[0].startswith("r.yaml:9:9: field 'red_lines[0].clauses[0]': input should be")
    assert msgs[1].startswith("r.yaml:10:14: field 'red_lines[0].clauses[1].id': string should")


def test_a_red_line_whose_clauses_are_broken_is_not_called_empty() -> None:
    text = """red_lines:
  - id: X
    title: x
    clauses: {id: c}
    patterns:
      - {id: p, select: {level: warning}, count: 2, within: 1d, reason: r}
"""
    msgs = errors(text)
    assert len(msgs) == 1 and "field 'red_lines[0].clauses': input should be" in msgs[0], msgs


def test_problems_of_both_passes_come_in_file_order() -> None:
    text = """red_lines:
  - id: X
    title: x
    clauses:
      - {id: a, level: warning, when: {field: kind, eq: thret}, reason: r}
      - {id: b, level: severe, when: {field: kind, eq: threat}, reason: r}
      - {id: c, level: warning, when: {field: targt, eq: POL}, reason: r}
"""
    lines = [int(m.split(":")[1]) for m in errors(text)]
    assert lines == [9, 10, 11]


def test_a_valid_file_has_no_holes() -> None:
    doc = parse_yaml(HEAD + "red_lines: []\n", "r.yaml")
    shape = validate_shape(doc)
    assert shape.model is not None and shape.problems == [] and shape.holes == frozenset()


def test_holes_are_as_small_as_the_mistake() -> None:
    text = (
        HEAD
        + """red_lines:
  - id: X
    title: x
    clauses:
      - {id: a, level: severe, when: {any: [{field: kind, eq: threat}, {fild: kind}]}, reason: r}
"""
    )
    shape = validate_shape(parse_yaml(text, "r.yaml"))
    assert shape.model is not None
    assert shape.holes == {
        ("red_lines", 0, "clauses", 0, "level"),
        ("red_lines", 0, "clauses", 0, "when", "any", 1),
    }
    assert not shape.in_hole(("red_lines", 0, "clauses", 0, "when", "any", 0))
