"""Documents with positions (source.py): the line of a problem with a caret under it, and YAML
syntax errors told in words, each at its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines import InputError, Problem, RuleError, load_events, parse_rules
from redlines.source import context_lines, parse_yaml, remember

# -- context lines ---------------------------------------------------------------------------


def test_the_caret_spans_the_offending_value() -> None:
    text = "red_lines:\n  - when: {field: targt, eq: POL}\n"
    remember("c.yaml", text)
    problem = Problem("unknown field", file="c.yaml", line=2, column=19, value="targt")
    assert context_lines(problem) == [
        "    2 |   - when: {field: targt, eq: POL}",
        "      | " + " " * 18 + "^^^^^",
    ]


def test_a_quoted_value_is_spanned_with_its_quotes_and_else_one_caret() -> None:
    remember("q.yaml", 'reason: "{actr} did it"\nlevel: {a: 1}\n')
    quoted = Problem("x", file="q.yaml", line=1, column=9)
    assert context_lines(quoted)[1] == "      |         " + "^" * 15
    other = Problem("x", file="q.yaml", line=2, column=8)
    assert context_lines(other)[1] == "      |        ^"


def test_control_characters_stay_escaped_and_carets_follow_them() -> None:
    remember("t.yaml", "a:\tb: \x1b[31mred\n")
    problem = Problem("x", file="t.yaml", line=1, column=7, value="\x1b[31mred")
    line, carets = context_lines(problem)
    assert line == "    1 | a:\\tb: \\x1b[31mred"
    assert carets == "      |        " + "^" * len("\\x1b[31mred")


def test_no_context_without_a_line_or_a_readable_file() -> None:
    assert context_lines(Problem("x", file="c.yaml")) == []
    assert context_lines(Problem("x", file="/nonexistent/file.jsonl", line=3)) == []


def test_lines_of_streamed_files_are_read_back_and_values_found(tmp_path: Path) -> None:
    """JSON Lines and CSV give lines without columns: the value or the cell is underlined."""
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text(
        '{"id": "a", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "thret"}\n'
    )
    with pytest.raises(InputError) as err:
        load_events(jsonl)
    (problem,) = err.value.problems
    assert context_lines(problem)[1] == "      |" + " " * 76 + "^^^^^^^"
    csv = tmp_path / "e.csv"
    csv.write_text("id,time,actor,target,kind,fatalities\na,2024-06-01,RUS,POL,threat,many\n")
    with pytest.raises(InputError) as err:
        load_events(csv)
    (problem,) = err.value.problems
    assert context_lines(problem) == [
        "    2 | a,2024-06-01,RUS,POL,threat,many",
        "      | " + " " * 28 + "^^^^",
    ]


def test_an_unknown_key_is_located_and_underlined_at_the_key() -> None:
    text = """schema: redlines/rules/v1
name: t
version: "1"
title: t
red_lines:
  - {id: X, title: x, clauses: [{id: c, level: warning, when: {field: kind, equals: threat}, reason: r}]}
"""
    with pytest.raises(RuleError) as err:
        parse_rules(text, "k.yaml")
    (problem,) = err.value.problems
    assert problem.render() == (
        "k.yaml:6:77: field 'red_lines[0].clauses[0].when.equals': unknown operator "
        "(did you mean 'eq'?)"
    )
    assert context_lines(problem)[1] == "      | " + " " * 76 + "^^^^^^"


# -- YAML syntax in words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a:\n  b: 1\n c: 2\n",
            "3:2: invalid YAML/JSON: this line is indented less than the mapping it belongs to "
            "(whose keys start at column 3): indent every key of a mapping alike",
        ),
        (
            "red_lines:\n  - id: X\n    title: x\n      clauses: []\n",
            "4:7: invalid YAML/JSON: this line is indented more than the mapping it belongs to "
            "(or a ':' in the value above needs quotes)",
        ),
        (
            "a:\n  b: 1\n  - c\n",
            "3:3: invalid YAML/JSON: a list item where a key was expected: indent the list under "
            "its key",
        ),
        (
            "red_lines:\n  - id: X\n    title: y\n  clauses:\n  - a\n",
            "4:3: invalid YAML/JSON: a key where a list item ('- ...') was expected: indent it "
            "like the keys of the item above, or start a new item with '- '",
        ),
        (
            "a:\n\tb: 1\n",
            "2:1: invalid YAML/JSON: a tab character: YAML indents with spaces, not tabs",
        ),
        (
            "title: Note: this\n",
            "1:12: invalid YAML/JSON: a ':' inside a plain value: quote the value",
        ),
        ('a: "abc\nb: 2\n', '1:4: invalid YAML/JSON: this quote (") is never closed'),
        ("a: {x: 1", "1:4: invalid YAML/JSON: this '{' is never closed (a '}' is missing)"),
        (
            "a: [1, 2\nb: 3\n",
            "2:2: invalid YAML/JSON: a ',' or a closing ']' is missing before this point (the '[' "
            "is at line 1, column 4)",
        ),
        (
            "a: 1\na: 2\n",
            "2:1: invalid YAML/JSON: duplicate key 'a': a key may appear once in a mapping",
        ),
        (
            "a: 1\nb\nc: 2\n",
            "2:1: invalid YAML/JSON: a line without ':' in a mapping: write 'key: value'",
        ),
        ("a: @x\n", "1:4: invalid YAML/JSON: '@' cannot start a plain value: quote the value"),
        (
            "a: 'x' y\n",
            "1:8: invalid YAML/JSON: text after a quoted value: put the whole value inside the quotes",
        ),
        (
            "a: *foo\n",
            "1:4: invalid YAML/JSON: '*foo' reads as a YAML alias, and no '&foo' is defined: quote "
            "the value if the '*' is text",
        ),
    ],
)
def test_yaml_syntax_errors_are_told_in_words(text: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        parse_yaml(text, "f.yaml")
    assert [p.render() for p in err.value.problems] == [f"f.yaml:{expected}"]
