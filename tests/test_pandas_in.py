"""pandas in: DataFrames and ``df.to_dict("records")`` of events, read as rows of the event CSV
(docs/python-api.md, "DataFrames")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import redlines
from redlines.readers import read_dataframe
from redlines.readers.eventsink import record_to_mapping, to_event

pd = pytest.importorskip("pandas")

EVENTS_CSV = Path(__file__).resolve().parents[1] / "examples" / "events.csv"
ROW: dict[str, Any] = {
    "id": "a",
    "time": "2024-03-01",
    "actor": "RUS",
    "target": "LVA",
    "kind": "electronic_warfare",
}


def frame() -> Any:
    return pd.read_csv(EVENTS_CSV)


def test_the_example_csv_read_by_pandas_just_works() -> None:
    expected = redlines.evaluate_file(EVENTS_CSV).to_dict()["redlines"]
    df = frame()
    assert redlines.evaluate(df).to_dict()["redlines"] == expected
    assert redlines.evaluate(df.to_dict("records")).to_dict()["redlines"] == expected
    assert redlines.evaluate_dataframe(df).to_dict()["redlines"] == expected
    assert redlines.evaluate_dataframe(df, "events").to_dict()["redlines"] == expected


def test_a_frame_gives_the_events_of_the_file() -> None:
    from_frame = read_dataframe(frame(), name=str(EVENTS_CSV))
    from_file = redlines.load_scenario(EVENTS_CSV)
    assert [e.contract_dict() for e in from_frame.events] == [
        e.contract_dict() for e in from_file.events
    ]
    assert from_frame.format == "csv" and from_frame.summary is None
    # and so does a frame read as text, with empty strings for empty cells
    text = pd.read_csv(EVENTS_CSV, dtype=str, keep_default_na=False)
    assert [e.contract_dict() for e in read_dataframe(text).events] == [
        e.contract_dict() for e in from_file.events
    ]


def test_empty_values_leave_fields_out_and_actor_becomes_null() -> None:
    events = {e.id: e for e in read_dataframe(frame()).events}
    cable = events["cable"]
    assert cable.actor is None and cable.location is None and cable.fatalities is None
    assert events["blr-kovel"].actor_type == "state_forces"  # the default, not NaN
    assert events["przewodow"].fatalities == 2  # 2.0 in a column pandas made float


def test_problems_are_located_by_row_with_did_you_mean() -> None:
    df = frame().rename(columns={"location.country": "location.contry", "kind": "knd"})
    with pytest.raises(redlines.EventError) as err:
        redlines.evaluate(df)
    assert str(err.value).splitlines() == [
        "<dataframe>:1:7: field 'knd': unknown column (did you mean 'kind'?)",
        "<dataframe>:1:10: field 'location.contry': unknown column (did you mean "
        "'location.country'?)",
    ]
    df = frame()
    df.loc[1, "actor_type"] = "proxy"
    df.loc[2, "fatalities"] = 2.5
    with pytest.raises(redlines.EventError) as err:
        redlines.evaluate_dataframe(df, name="frame")
    assert str(err.value).splitlines() == [
        "frame:3: field 'actor_type': unknown actor_type 'proxy': use one of state_forces, "
        "state_directed_proxy, non_state, individuals, unknown",
        "frame:4: field 'fatalities': input should be a valid integer (got 2.5)",
    ]


def test_records_report_every_problem_of_every_record() -> None:
    records = frame().to_dict("records")
    records[1]["actor_type"] = "proxy"
    records[3]["contry"] = "EST"
    with pytest.raises(redlines.EventError) as err:
        redlines.evaluate(records)
    assert str(err.value).splitlines() == [
        "<events>: field 'events[1].actor_type': unknown actor_type 'proxy': use one of "
        "state_forces, state_directed_proxy, non_state, individuals, unknown",
        "<events>: field 'events[3].contry': unknown field (did you mean 'location.country'?)",
    ]


def test_timestamps() -> None:
    utc = dt.timezone.utc
    aware = {**ROW, "time": pd.Timestamp("2024-03-01 04:00", tz="Europe/Riga")}
    assert to_event(aware, file="x", record=True).time == dt.datetime(2024, 3, 1, 2, tzinfo=utc)
    midnight = {**ROW, "time": pd.Timestamp("2024-03-01")}  # a date, as pandas holds one
    assert to_event(midnight, file="x", record=True).time == dt.datetime(2024, 3, 1, tzinfo=utc)
    with pytest.raises(redlines.EventError, match="has no UTC offset"):
        to_event({**ROW, "time": pd.Timestamp("2024-03-01 04:00")}, file="x", record=True)
    df = pd.DataFrame([ROW, {**ROW, "id": "b"}])
    df["time"] = pd.to_datetime(df["time"])
    assert [e.time for e in read_dataframe(df).events] == [dt.datetime(2024, 3, 1, tzinfo=utc)] * 2
    df.loc[1, "time"] = pd.NaT
    with pytest.raises(redlines.EventError, match="<dataframe>:3: field 'time': "):
        read_dataframe(df)


def test_numpy_and_pandas_scalars() -> None:
    mapping, problems = record_to_mapping(
        {
            "id": np.int64(7),
            "time": "2024-03-01",
            "actor": pd.NA,
            "target": "LVA",
            "kind": "threat",
            "fatalities": np.float64(3.0),
            "location.lat": np.int64(56),
            "location.lon": np.float64(24.1),
            "sources": "a | b",
            "notes": "  ",
        }
    )
    assert problems == []
    assert mapping == {
        "id": 7,
        "time": "2024-03-01",
        "actor": None,
        "target": "LVA",
        "kind": "threat",
        "fatalities": 3,
        "location": {"lat": 56.0, "lon": 24.1},
        "sources": ["a", "b"],
    }
    event = to_event(mapping, file="x")
    assert (event.id, event.fatalities, event.location.lat if event.location else None) == (
        "7",
        3,
        56.0,
    )


def test_nested_and_flat_locations_meet() -> None:
    mapping, problems = record_to_mapping(
        {**ROW, "location": {"country": "LVA"}, "Location.Place": "Riga"}
    )
    assert problems == [] and mapping["location"] == {"country": "LVA", "place": "Riga"}
    _, problems = record_to_mapping({**ROW, "location.country": "LVA", "LOCATION.COUNTRY": "EST"})
    assert [p.message for p in problems] == [
        "given twice (as 'location.country' and 'LOCATION.COUNTRY')"
    ]


def test_every_public_entry_point_takes_a_mapping() -> None:
    live = redlines.Evaluator()
    assert live.levels(ROW) == {"RL1": "clear", "RL2": "warning"}
    assert live.levels({**ROW, "location.country": "LVA", "fatalities": float("nan")}) == {
        "RL1": "clear",
        "RL2": "warning",
    }
    assert [f.clause for f in live.feed({**ROW, "actor_type": np.nan})] == ["russian-activity"]
    with pytest.raises(redlines.EventError, match="unknown field"):
        live.levels({**ROW, "kindd": "threat"})


def test_export_frames_number_rows_as_the_file_does() -> None:
    path = Path(__file__).parent / "fixtures" / "adapters" / "acled_current.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    from_frame = read_dataframe(df, "acled")
    from_file = redlines.readers.read_exports([path])
    assert [(r.row, r.reason) for r in from_frame.rejections] == [
        (r.row, r.reason) for r in from_file.rejections
    ]


def test_not_a_dataframe() -> None:
    with pytest.raises(redlines.DataFormatError, match="expected a pandas DataFrame, not list"):
        read_dataframe([ROW])  # type: ignore[call-overload]
    with pytest.raises(redlines.DataFormatError, match="unknown input format 'csv'"):
        read_dataframe(frame(), "csv")
