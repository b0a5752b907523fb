"""The fast YAML reader (libyaml's parser events, source._parse_fast) against the full one
(ruamel.yaml's round-trip loader): for any text, the fast reader either gives exactly the data,
value positions and key positions the full one gives, or leaves the document to it. It never
accepts a document the full one refuses."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from redlines import source
from redlines.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
# The full reader warns about a repeated anchor (`&a`) in the generated texts.
pytestmark = pytest.mark.filterwarnings("ignore::ruamel.yaml.error.ReusedAnchorWarning")


def _full(text: str) -> tuple[Any, ...]:
    saved = source._CParser
    source._CParser = None
    try:
        doc = source.parse_yaml(text, "doc.yaml")
    except InputError as exc:
        return ("refused", str(exc))
    finally:
        source._CParser = saved
    return ("read", _same(doc.data), doc.positions.spots, doc.positions.keys)


def _same(value: Any) -> Any:
    """*value* with NaN made comparable (NaN is not equal to itself)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return [(type(k), k, _same(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_same(v) for v in value]
    return (type(value), value)


def _agree(text: str) -> bool:
    """Assert the readers agree on *text*; True when the fast one read it."""
    fast = source._parse_fast(text)
    full = _full(text)
    if fast is None:
        return False
    data, positions = fast
    assert full[0] == "read", f"the fast reader accepted a document the full one refuses: {full}"
    assert ("read", _same(data), positions.spots, positions.keys) == full
    return True


def test_every_yaml_and_json_document_of_the_project_is_read_fast_and_alike() -> None:
    files = [
        p
        for pattern in ("*.yaml", "*.yml", "*.json")
        for p in ROOT.glob(f"**/{pattern}")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    ]
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        if len(text) > 200_000:
            continue
        assert _agree(text), f"{path} was left to the full reader"


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "yes",
            "No",
            "on",
            "TRUE",
            "null",
            "~",
            "",
            " ",
            "0x1F",
            "0o17",
            "007",
            "1_000",
            "1:20",
            "2024-02-30",
            "2024-06-01T04:00:00+03:00",
            "2024-06-01 04:00",
            "1e3",
            "-.inf",
            ".NaN",
            "+12",
            "<<",
            "=",
            "- a",
            "a: b",
            "#x",
            "@x",
            "`x",
            "!x",
            "&x",
            "*x",
            "%x",
            "'q'",
            '"q"',
            "a\tb",
            "line\nnext",
            "\u00e9t\u00e9",
            "\u2028",
            "\ufeff",
        ]
    ),
    st.dates(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
)
_BLOCK_TEXT = st.text(alphabet=st.sampled_from("ab \n#:-'"), max_size=20)
_SCALARS = _SCALARS | _BLOCK_TEXT.map(LiteralScalarString) | _BLOCK_TEXT.map(FoldedScalarString)
_KEYS = st.one_of(st.text(max_size=8), st.integers(min_value=-5, max_value=99), st.booleans())
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


@given(
    data=_DATA,
    flow=st.sampled_from([None, True, False]),
    width=st.sampled_from([20, 80, 4096]),
    indent=st.sampled_from([(2, 2, 0), (4, 4, 2), (2, 4, 2)]),
)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_documents_written_by_a_yaml_library_are_read_alike(
    data: Any, flow: bool | None, width: int, indent: tuple[int, int, int]
) -> None:
    yaml = YAML(typ="rt")
    yaml.default_flow_style = flow
    yaml.width = width
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    out = io.StringIO()
    yaml.dump({"events": data}, out)
    _agree(out.getvalue())


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)


@given(
    data=_JSON,
    indent=st.sampled_from([None, 2]),
    ascii_only=st.booleans(),
    slash=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_json_documents_are_read_alike(
    data: Any, indent: int | None, ascii_only: bool, slash: bool
) -> None:
    text = json.dumps({"events": data}, indent=indent, ensure_ascii=ascii_only)
    _agree(text.replace("/", "\\/") if slash else text)


_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "1",
        "0",
        ".",
        "-",
        "- ",
        ": ",
        ":",
        "? ",
        ",",
        "[",
        "]",
        "{",
        "}",
        "#",
        " #",
        "&a ",
        "*a",
        "!",
        "!!str ",
        "!!int ",
        "%YAML 1.2\n",
        "---\n",
        "...\n",
        "|",
        ">",
        "|-",
        "'",
        '"',
        "\\",
        "\n",
        "\n  ",
        "\n    ",
        "\n- ",
        "  ",
        "\t",
        "x: ",
        "yes",
        "null",
        "~",
        "<<: ",
        "2024-01-01",
        "0x10",
        "1e3",
        ".inf",
        "\r\n",
        "\r",
        '"a":',
        "\u00e9",
        "\ufeff",
        "@",
        "`",
    ]
)


@given(st.lists(_PIECES, max_size=30).map("".join))
@settings(max_examples=1500, deadline=None)
def test_any_text_is_read_alike_or_left_to_the_full_reader(text: str) -> None:
    _agree(text)


_SCENARIO = (ROOT / "examples" / "scenarios" / "01-belarus-northern-front.yaml").read_text(
    encoding="utf-8"
)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(_SCENARIO)), _PIECES | st.just("")),
        min_size=1,
        max_size=3,
    )
)
@settings(max_examples=400, deadline=None)
def test_a_scenario_with_small_edits_is_read_alike_or_left_to_the_full_reader(
    edits: list[tuple[int, str]],
) -> None:
    text = _SCENARIO
    for at, piece in sorted(edits, reverse=True):
        text = text[:at] + piece + text[at + (0 if piece else 1) :]
    _agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "- " * 100_000 + "x",
        "{a: " * 50_000 + "1" + "}" * 50_000,
    ],
)
def test_deep_nesting_is_left_to_the_full_reader_which_refuses_it(text: str) -> None:
    # libyaml's own composer recurses without limit (a segmentation fault at such depths);
    # the fast reader composes from events and stops at a fixed depth.
    assert source._parse_fast(text) is None
    with pytest.raises(InputError, match="nested too deeply"):
        source.parse_yaml(text, "deep.yaml")


def test_a_large_event_list_is_read_fast() -> None:
    lines = ["events:"]
    for i in range(2_000):
        lines += [f"  - id: e{i}", "    time: 2024-06-01T04:00:00Z", "    actor: RUS"]
    text = "\n".join(lines) + "\n"
    fast = source._parse_fast(text)
    assert fast is not None
    data, positions = fast
    assert data["events"][1999] == {"id": "e1999", "time": "2024-06-01T04:00:00Z", "actor": "RUS"}
    assert positions.spots[("events", 1999, "actor")] == (6001, 12)
    assert positions.keys[("events", 1999, "actor")] == (6001, 5)


def _large(tail: str) -> str:
    """A plain scenario of more than the full reader's limit, then *tail*."""
    lines = ["events:"]
    i = size = 0
    while size <= source.MAX_FULL_READER_CHARS:
        lines += [f"  - id: e{i}", "    actor: RUS"]
        size += len(lines[-2]) + len(lines[-1]) + 2
        i += 1
    return "\n".join(lines) + "\n" + tail


def test_a_large_plain_document_is_read() -> None:
    doc = source.parse_yaml(_large("  - id: last\n"), "big.yaml")
    assert doc.data["events"][-1] == {"id": "last"}


@pytest.mark.parametrize(
    ("tail", "words", "column"),
    [
        ("  - id: &a last\n", "an anchor ('&'): in YAML documents above 1.0 MB", 9),
        ("  - id: !!str last\n", "a tag ('!'): in YAML documents above", 9),
        ("  - id:\tlast\n", "a tab, a byte-order mark, a Unicode line separator or a lone CR", 8),
        ("  - id: last\n    id: again\n", "invalid YAML/JSON: duplicate key 'id'", 5),
        ("  - id: [last\n", "invalid YAML/JSON: ", None),
    ],
)
def test_a_large_document_is_refused_where_it_is_not_plain(
    tail: str, words: str, column: int | None
) -> None:
    text = _large(tail)
    last = text.count("\n") - tail.count("\n") + 1
    with pytest.raises(InputError) as caught:
        source.parse_yaml(text, "big.yaml")
    (problem,) = caught.value.problems
    assert words in problem.message
    assert problem.file == "big.yaml"
    assert problem.line is not None and problem.line >= last
    if column is not None:
        assert problem.column == column


@pytest.mark.parametrize("text", ["? [a, [b]]\n: 1\n", ": #\n  ---\n\n"])
def test_keys_and_comments_the_full_reader_fails_on_are_located_problems(text: str) -> None:
    # ruamel.yaml raised TypeError and NotImplementedError here, shown as tracebacks before.
    with pytest.raises(InputError, match="invalid YAML/JSON"):
        source.parse_yaml(text, "odd.yaml")


@pytest.mark.parametrize(
    "text",
    [
        'x: ["a":1]\n',  # libyaml takes a pair in a list without a space; ruamel.yaml does not
        "x: ['a':1]\n",
        'x: [b, "a":{}]\n',
        "a: 1\r...\r...\r",  # document markers after a lone carriage return
    ],
)
def test_regression_forms_found_by_review_are_left_to_the_full_reader(text: str) -> None:
    assert source._parse_fast(text) is None
    _agree(text)


def test_a_character_yaml_does_not_allow_is_located_in_a_large_document() -> None:
    text = _large("  - id: a\x01b\n")
    with pytest.raises(InputError) as caught:
        source.parse_yaml(text, "big.yaml")
    (problem,) = caught.value.problems
    assert problem.message.startswith("invalid YAML/JSON: a character YAML does not allow")
    assert (problem.line, problem.column) == (text.count("\n"), 10)


@pytest.mark.parametrize(
    "text", ["a:   # to fill\nb: 1\n", "x:\n  a: # c\n  b: 1\n", "- a: # c\n\n  # d\n  b: 1\n"]
)
def test_an_empty_value_with_a_comment_on_its_line_is_read_fast_and_alike(text: str) -> None:
    assert _agree(text)
