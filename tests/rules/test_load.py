"""Rule files: the shipped ruleset loads, and every kind of mistake is located and explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines import (
    RuleError,
    Ruleset,
    RulesetNotFound,
    evaluate,
    load_rules,
    parse_rules,
    shipped_rulesets,
)
from redlines.rules.resolved import Test as Check

from ..conftest import make_event

HEAD = """schema: redlines/rules/v1
name: t
version: 1
title: test
"""


def one_red_line(clauses: str) -> Ruleset:
    """A ruleset of one red line X whose clauses are the given YAML list items."""
    return parse_rules(
        HEAD + "red_lines:\n  - id: X\n    title: x\n    clauses:\n" + clauses, "r.yaml"
    )


def errors(text: str) -> list[str]:
    with pytest.raises(RuleError) as err:
        parse_rules(HEAD + text, "r.yaml")
    return [p.render() for p in err.value.problems]


def test_shipped() -> None:
    assert "nato-2024" in shipped_rulesets()
    rs = load_rules()
    assert rs.name == "nato-2024" and [rl.id for rl in rs.red_lines] == ["RL1", "RL2"]
    assert rs.provenance is not None and rs.provenance.source == "La Repubblica"
    assert str(rs.provenance.date) == "2024-05-05"
    assert len(rs.sha256) == 64


def test_sets_are_resolved_and_countries_normalised() -> None:
    rs = parse_rules(
        HEAD
        + """sets:
  EAST: {countries: [Poland, lt]}
  MORE: {countries: [EAST, EST]}
red_lines:
  - id: X
    title: x
    clauses:
      - id: c
        level: warning
        when: {field: target, in: MORE}
        reason: r
""",
        "r.yaml",
    )
    assert rs.sets["MORE"] == ("EST", "LTU", "POL")
    assert rs.red_lines[0].clauses[0].condition == Check("target", "in", ("EST", "LTU", "POL"))


def test_unknown_ruleset_name_suggests() -> None:
    with pytest.raises(RulesetNotFound) as err:
        load_rules("nato-2042")
    assert err.value.problems[0].suggestion == "nato-2024"


def test_ruleset_path(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src/redlines/data/rulesets/nato-2024.yaml"
    copy = tmp_path / "mine.yaml"
    copy.write_text(src.read_text())
    assert load_rules(copy).sha256 == load_rules().sha256
    assert load_rules("mine.yaml", base=tmp_path).name == "nato-2024"


CLAUSE = """red_lines:
  - id: X
    title: x
    clauses:
      - id: c
        level: crossed
        when: {when}
        reason: {reason}
"""


def clause(when: str, reason: str = "r", extra: str = "") -> list[str]:
    return errors(extra + CLAUSE.format(when=when, reason=reason))


def test_unknown_field_in_condition() -> None:
    assert clause("{field: targt, eq: POL}") == [
        "r.yaml:11:23: field 'red_lines[0].clauses[0].when.field': unknown or untestable event field 'targt' (did you mean 'target'?)"
    ]


def test_any_event_field_can_be_tested() -> None:
    """id (posted as event_id, never as durable's own `id`), notes, and sources' presence."""
    rs = one_red_line(
        """      - {id: by-id, level: warning, when: {field: id, in: [e1, e2]}, reason: r}
      - {id: sourced, level: crossed, when: {all: [{field: sources, exists: true}, {field: notes, eq: seen}]}, reason: r}
"""
    )
    report = evaluate(
        [
            make_event(id="e1"),
            make_event(id="e3", sources=["u"], notes="seen"),
            make_event(id="e4", notes="seen"),
        ],
        rs,
    )
    assert [(f.clause, f.event_ids) for f in report.red_line("X").findings] == [
        ("by-id", ("e1",)),
        ("sourced", ("e3",)),
    ]
    (msg,) = clause("{field: sources, eq: x}")
    assert "only 'exists' and 'contains' can test 'sources' (a list)" in msg


def test_unknown_set_suggests() -> None:
    (msg,) = clause("{field: target, in: FLNK}", extra="sets:\n  FLANK: {countries: [POL]}\n")
    assert "unknown set 'FLNK'" in msg and "did you mean 'FLANK'?" in msg


def test_set_type_mismatch() -> None:
    (msg,) = clause("{field: kind, in: FLANK}", extra="sets:\n  FLANK: {countries: [POL]}\n")
    assert "set 'FLANK' holds country values but 'kind' is a kind" in msg


def test_bad_values() -> None:
    (msg,) = clause("{field: target, eq: Polan}")
    assert "unknown country 'Polan'" in msg and "did you mean 'Poland'?" in msg
    (msg,) = clause("{field: kind, eq: drone}")
    assert "unknown kind 'drone': use one of ground_offensive, border_incursion," in msg
    (msg,) = clause("{field: kind, gt: drone_strike}")
    assert "'gt' compares numbers or times" in msg


def test_operator_count() -> None:
    (msg,) = clause("{field: kind}")
    assert "needs exactly one operator" in msg


def test_not_a_condition() -> None:
    (msg,) = clause("{alll: []}")
    assert "a condition is a mapping with one of the keys" in msg


def test_unknown_ref_and_cycle() -> None:
    (msg,) = clause("{ref: nope}", extra="conditions:\n  yes: {field: target, eq: POL}\n")
    assert "unknown condition 'nope'" in msg
    msgs = clause("{ref: a}", extra="conditions:\n  a: {ref: b}\n  b: {ref: a}\n")
    assert any("refers to itself (a -> b -> a)" in m for m in msgs)


def test_unknown_placeholder() -> None:
    (msg,) = clause("{field: target, eq: POL}", reason="'{actr} did it'")
    assert "unknown placeholder '{actr}'" in msg and "did you mean 'actor'?" in msg


def test_unknown_key_suggests() -> None:
    msgs = errors("red_lines:\n  - id: X\n    title: x\n    clauses: []\n    patern: []\n")
    assert any(
        "field 'red_lines[0].patern': unknown field (did you mean 'patterns'?)" in m for m in msgs
    )


def test_duplicate_ids_and_empty_red_line() -> None:
    text = """red_lines:
  - id: X
    title: x
  - id: X
    title: y
    clauses:
      - {id: c, level: warning, when: {field: target, eq: POL}, reason: r}
      - {id: c, level: warning, when: {field: target, eq: POL}, reason: r}
"""
    msgs = errors(text)
    assert any("has neither clauses nor patterns" in m for m in msgs)
    assert any("duplicate red line id 'X'" in m for m in msgs)
    assert any("duplicate clause or pattern id 'c'" in m for m in msgs)


def test_pattern_window_and_same() -> None:
    text = """red_lines:
  - id: X
    title: x
    clauses:
      - {id: c, level: warning, when: {field: target, eq: POL}, reason: r}
    patterns:
      - {id: p, select: {level: warning}, count: 3, within: 30 days, same: [targt], reason: r}
"""
    msgs = errors(text)
    assert any("invalid window '30 days'" in m for m in msgs)


def test_yaml_syntax_in_rules() -> None:
    (msg,) = errors("red_lines: [\n")
    assert msg.startswith("r.yaml:") and "invalid YAML/JSON" in msg


def test_wrong_schema() -> None:
    with pytest.raises(RuleError) as err:
        parse_rules(HEAD.replace("v1", "v9") + "red_lines: []\n", "r.yaml")
    assert "schema" in err.value.problems[0].render()


def test_regression_membership_that_regex_cannot_hold_compiles() -> None:
    """`in` over places with spaces or over numbers once passed `check` and crashed `run`."""
    rs = one_red_line(
        """      - id: place
        level: warning
        when: {field: location.place, in: [Kovel, "Nova Kakhovka", St. Petersburg]}
        reason: r
      - id: deaths
        level: crossed
        when: {field: fatalities, in: [1, 2]}
        reason: r
"""
    )
    report = evaluate(
        [
            make_event(location={"place": "Nova Kakhovka"}),
            make_event(location={"place": "St. Petersburg"}, fatalities=2),
            make_event(location={"place": "Nova"}, fatalities=3),
        ],
        rs,
    )
    assert report.red_line("X").findings[0].clause == "place"
    assert sorted(f.clause for f in report.red_line("X").findings) == ["deaths", "place"]


def test_condition_too_complex_is_a_rule_error() -> None:
    alts = ", ".join(
        f"{{any: [{{field: fatalities, eq: {i}}}, {{field: fatalities, eq: {i + 100}}}]}}"
        for i in range(10)
    )
    (msg,) = clause(f"{{all: [{alts}]}}")
    assert "expands to more than 512 alternatives" in msg


def test_regression_the_alternatives_limit_holds_for_any_and_membership() -> None:
    members = ", ".join(str(i) for i in range(600))
    (msg,) = clause(f"{{field: fatalities, in: [{members}]}}")
    assert "expands to more than 512 alternatives" in msg
    alts = ", ".join(f"{{field: fatalities, eq: {i}}}" for i in range(513))
    (msg,) = clause(f"{{any: [{alts}]}}")
    assert "expands to more than 512 alternatives" in msg


def test_many_alternatives_over_several_clauses_evaluate() -> None:
    """Two clauses of 300 alternatives each: 600 durable rules, spread over shards."""
    members = ", ".join(str(i) for i in range(300))
    more = ", ".join(str(i) for i in range(300, 600))
    rs = one_red_line(
        f"""      - {{id: low, level: warning, when: {{field: fatalities, in: [{members}]}}, reason: r}}
      - {{id: high, level: crossed, when: {{field: fatalities, in: [{more}]}}, reason: r}}
"""
    )
    report = evaluate([make_event(fatalities=5), make_event(fatalities=550)], rs)
    assert sorted(f.clause for f in report.red_line("X").findings) == ["high", "low"]


def test_regression_provenance_date_may_be_a_timestamp() -> None:
    rs = parse_rules(
        HEAD
        + "provenance: {source: s, date: 2024-05-05 10:00:00+02:00}\n"
        + CLAUSE.format(when="{field: target, eq: POL}", reason="r"),
        "r.yaml",
    )
    assert rs.provenance is not None and str(rs.provenance.date) == "2024-05-05"


def test_regression_value_set_members_are_checked_against_the_field() -> None:
    msgs = errors(
        "sets:\n  S: {values: [deliberat, unknown]}\n"
        + CLAUSE.format(when="{field: intent, in: S}", reason="r")
    )
    assert msgs == [
        "r.yaml:6:6: field 'sets.S': unknown intent 'deliberat': use one of deliberate, stray, accidental, unknown (did you mean 'deliberate'?)"
    ]


def test_regression_union_markers_stay_out_of_paths_and_one_line_per_mistake() -> None:
    assert clause("{all: [{field: kind, eq: [1, 2]}]}") == [
        "r.yaml:11:40: field 'red_lines[0].clauses[0].when.all[0].eq': invalid value: expected text, an integer, a number, true or false, a date or a date-time"
    ]
    (msg,) = clause("{field: kind, eqq: threat}")
    assert "field 'red_lines[0].clauses[0].when.eqq': unknown operator (did you mean 'eq'?)" in msg


# -- what `check` accepts, `run` can do (hardening) ---------------------------------------

PATTERN = """red_lines:
  - id: X
    title: x
    clauses:
      - {{id: c, level: warning, when: {{field: target, eq: POL}}, reason: r}}
    patterns:
      - {{id: p, select: {{level: warning}}, count: {count}, within: {within}, reason: r}}
"""


@pytest.mark.parametrize(
    "reason", ["{fatalities:d}", "{id:>999999999}", "{actor!r}", "{id.real}", "{0}", "{}"]
)
def test_regression_reason_placeholders_are_names_only(reason: str) -> None:
    msgs = clause("{field: target, eq: POL}", reason=f'"{reason}"')
    assert len(msgs) == 1 and "placeholders are names only" in msgs[0], msgs
    assert msgs[0].startswith("r.yaml:12:17: field 'red_lines[0].clauses[0].reason'")


def test_regression_braces_in_reasons_are_written_doubled() -> None:
    rs = one_red_line(
        '      - {id: c, level: warning, when: {field: target, eq: POL}, reason: "{{x}} {actor}"}\n'
    )
    report = evaluate([make_event(target="POL")], rs)
    assert report.red_line("X").findings[0].reason == "{x} RUS"


@pytest.mark.parametrize(
    ("within", "message"),
    [
        ("99999999d", "invalid window '99999999d': longer than the maximum of 36500 days"),
        ("1" * 30 + "d", "longer than the maximum of 36500 days"),
        ("36501d", "longer than the maximum of 36500 days"),
        ("٣٠d", "invalid window '٣٠d': expected a positive duration such as 30d or 12h"),
        ("0d", "expected a positive duration"),
    ],
)
def test_regression_windows_have_a_maximum_and_ascii_digits(within: str, message: str) -> None:
    msgs = errors(PATTERN.format(count=3, within=within))
    assert len(msgs) == 1 and message in msgs[0], msgs


def test_the_longest_window_evaluates_at_the_ends_of_the_calendar() -> None:
    rs = parse_rules(HEAD + PATTERN.format(count=2, within="36500d"), "r.yaml")
    events = [
        make_event(time="0001-01-05", target="POL"),
        make_event(time="0001-02-05", target="POL"),
        make_event(time="9999-12-20T00:00:00Z", target="POL"),
    ]
    assert evaluate(events, rs).status("X") == "crossed"


@pytest.mark.parametrize("count", ["0x10", "1_000", "0o17", "1000001"])
def test_regression_counts_are_decimal_and_bounded(count: str) -> None:
    msgs = errors(PATTERN.format(count=count, within="30d"))
    assert len(msgs) == 1 and "field 'red_lines[0].patterns[0].count'" in msgs[0], msgs


@pytest.mark.parametrize(
    "value", ["9223372036854775808", "-9223372036854775808", "1e300", ".inf", "-.inf", ".nan"]
)
def test_regression_numbers_the_engine_cannot_compare_exactly_are_refused(value: str) -> None:
    msgs = clause(f"{{field: fatalities, eq: {value}}}")
    assert len(msgs) == 1 and "finite numbers between" in msgs[0], msgs


def test_the_largest_64_bit_integer_is_compared_exactly() -> None:
    rs = one_red_line(
        "      - {id: c, level: warning, when: {field: fatalities, eq: 9223372036854775807}, reason: r}\n"
    )
    hit = make_event(fatalities=9223372036854775807)
    miss = make_event(fatalities=9223372036854775806)
    assert evaluate([hit, miss], rs).red_line("X").findings[0].event_ids == (hit.id,)


def test_regression_long_memberships_are_split_for_the_engine() -> None:
    """durable refuses a regex of more than 4,096 states; a membership of 1,000 plain words
    (about 9,000 characters) is split into several regexes and still matches every member."""
    words = ", ".join(f"w{i:07d}" for i in range(1000))
    rs = one_red_line(
        f"      - {{id: c, level: warning, when: {{field: notes, in: [{words}]}}, reason: r}}\n"
    )
    events = [make_event(notes=n) for n in ("w0000000", "w0000500", "w0000999", "w0001000")]
    found = evaluate(events, rs).red_line("X").findings
    assert [f.event_ids[0] for f in found] == [e.id for e in events[:3]]
