"""The one conversion of a mapping to an event, and the one duplicate-id check."""

from __future__ import annotations

import pytest

from redlines import Event, EventError
from redlines.readers import DuplicateIds, EventSink, to_event

GOOD = {
    "id": "e1",
    "time": "2024-06-01T00:00:00Z",
    "actor": "RUS",
    "target": "POL",
    "kind": "airspace_violation",
}


def test_to_event_returns_events_as_they_are() -> None:
    event = to_event(GOOD, file="f")
    assert to_event(event, file="f") is event
    assert isinstance(event, Event)


def test_to_event_reports_every_problem_with_did_you_mean() -> None:
    with pytest.raises(EventError) as err:
        to_event(
            {**GOOD, "kind": "airspace_violaton", "targte": "POL"}, file="f", line=7, display="x."
        )
    rendered = [p.render() for p in err.value.problems]
    assert len(rendered) == 2
    assert all(r.startswith("f:7: field 'x.") for r in rendered)
    assert any("did you mean 'target'?" in r for r in rendered)


def test_duplicate_ids_word_every_message() -> None:
    ids = DuplicateIds()
    assert ids.add("a", 3) and ids.add("b")
    assert not ids.add("a", 9) and ids.first_line("a") == 3
    assert "a" in ids and len(ids) == 2
    in_file = ids.problem("a", file="f", line=9, field="events[1].id")
    assert in_file.render() == "f:9: field 'events[1].id': duplicate event id 'a' (first at line 3)"
    batch = ids.problem("b", file="<events>")
    assert batch.render() == "<events>: field 'id': duplicate event id 'b'"
    fed = ids.problem("b", because="an event with this id was already evaluated")
    assert fed.message == "duplicate event id 'b': an event with this id was already evaluated"
    ids.discard("b")
    assert "b" not in ids and ids.add("b")


def test_sink_collects_every_problem_then_raises() -> None:
    sink = EventSink("f.jsonl")
    sink.add(GOOD, line=1)
    sink.add(GOOD, line=2)
    sink.add({"id": "e2"}, line=3)
    sink.problem("invalid JSON: oops", line=4)
    with pytest.raises(EventError) as err:
        sink.events_or_raise()
    lines = [p.line for p in err.value.problems]
    assert lines[0] == 2 and lines[-1] == 4 and set(lines[1:-1]) == {3}
    assert "duplicate event id 'e1' (first at line 1)" in err.value.problems[0].message
