"""Reasons from templates parsed once read exactly as string.Formatter reads them each time."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redlines import Event
from redlines.evaluation.reasons import _FORMATTER, event_reason, event_values, render_reason
from redlines.rules.load import CLAUSE_PLACEHOLDERS
from tests.conftest import make_event
from tests.matching.test_agreement import events as agreement_events

NAMES = sorted(CLAUSE_PLACEHOLDERS)
PIECES = st.one_of(
    st.sampled_from([f"{{{n}}}" for n in NAMES]),
    st.sampled_from(["{{", "}}", "{nope}", "{fatalities:>4}", "{actor!r}", "{0}", "{}"]),
    st.text(alphabet="ab \t\n.:", max_size=4),
)


def _reference(template: str, values: dict[str, Any]) -> str:
    import re

    return re.sub(r"\s+", " ", _FORMATTER.format(template, **values)).strip()


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(PIECES, max_size=8),
    fields=st.fixed_dictionaries(
        {},
        optional={
            "fatalities": st.integers(0, 99),
            "on_behalf_of": st.just("BLR"),
            "actor": st.none(),
        },
    ),
)
def test_reasons_read_as_the_formatter_reads_them(
    pieces: list[str], fields: dict[str, Any]
) -> None:
    template = "".join(pieces)
    values = event_values(
        make_event(**{"target": "POL", "kind": "drone_strike", "actor": "RUS", **fields})
    )
    try:
        want = _reference(template, values)
    except (ValueError, KeyError, IndexError) as exc:
        try:
            render_reason(template, values)
        except type(exc):
            return
        raise AssertionError(f"{template!r} should fail") from None
    assert render_reason(template, values) == want


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(PIECES, max_size=8), batch=st.lists(agreement_events(), max_size=4))
def test_remembered_reasons_read_as_reasons_rendered_each_time(
    pieces: list[str], batch: list[Event]
) -> None:
    template = "".join(pieces)
    for event in batch * 2:  # the second time, from the memo
        try:
            want = render_reason(template, event_values(event))
        except (ValueError, KeyError, IndexError) as exc:
            with pytest.raises(type(exc)):
                event_reason(template, event)
            continue
        assert event_reason(template, event) == want


def test_the_remembered_reasons_know_every_placeholder_an_event_gives() -> None:
    from redlines.evaluation.reasons import _RAW

    event = make_event()
    assert set(event_values(event)) == set(_RAW)
    # a name that is no placeholder reads "unknown", as render_reason reads it
    assert event_reason("{actors} {target_type}", event) == "unknown unknown"
