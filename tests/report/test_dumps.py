"""The JSON report is written by orjson where that gives the bytes json.dumps gives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from redlines.report.render import _FLOATS_WRITTEN_OTHERWISE, _written_otherwise, dumps_indented

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-5, 4e-7, -2.5e-6, 1e16, 1e-4, 0.0, -0.0, 5e-324])
    | st.text()
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300)
@given(_DATA)
def test_dumps_indented_writes_what_json_dumps_writes(data: Any) -> None:
    assert dumps_indented(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_keys_that_are_not_strings_fall_back_to_json() -> None:
    data = {1: "a", "b": [1.5e-7]}
    assert dumps_indented(data) == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@given(st.text(alphabet="0123456789e-.x \n", max_size=40))
@settings(max_examples=500)
def test_small_floats_are_found_as_the_regular_expression_finds_them(text: str) -> None:
    assert _written_otherwise(text) == bool(_FLOATS_WRITTEN_OTHERWISE.search(text))
