"""ACLED: current 31-column layout, pre-2023 numeric inter codes, UPPERCASE headers, dates."""

from __future__ import annotations

import pytest

from redlines.errors import DataFormatError
from redlines.readers import read_exports as read_events
from redlines.readers.acled import actor_state, parse_acled_date
from redlines.readers.adapter import RowRejected
from tests.readers.helpers import FIXTURES, assert_accounted

CURRENT = FIXTURES / "acled_current.csv"
PRE2023 = FIXTURES / "acled_pre2023.csv"
UPPER = FIXTURES / "acled_ukraine_upper.csv"


def test_current_layout() -> None:
    result = read_events([CURRENT])
    assert_accounted(result)
    s = result.summary
    assert (s.format, s.rows_read, s.rows_used, s.rows_rejected) == ("acled", 8, 6, 2)
    assert s.rejected_by_reason == {"invalid date": 1, "no actor or target country": 1}
    events = {e.id: e for e in result.events}
    belarus = events["acled-UKR100001"]
    assert (belarus.actor, belarus.actor_type, belarus.target) == ("BLR", "state_forces", "UKR")
    assert (belarus.kind, belarus.intent, belarus.attribution) == (
        "ground_offensive",
        "deliberate",
        "confirmed",
    )
    assert belarus.location is not None and belarus.location.region == "UA-07"
    assert belarus.fatalities == 3
    assert belarus.sources == ("acled:UKR100001", "Ukrainska Pravda", "Suspilne")
    assert events["acled-UKR100003"].kind == "drone_strike"  # notes name Shahed drones
    debris = events["acled-POL100004"]
    assert (debris.actor, debris.target, debris.kind) == ("RUS", "POL", "munition_impact")
    wagner = events["acled-UKR100008"]
    assert (wagner.actor, wagner.actor_type, wagner.attribution) == (
        "RUS",
        "state_directed_proxy",
        "suspected",
    )
    assert events["acled-MDA100005"].actor is None


def test_pre2023_layout_with_numeric_inter_codes_and_written_dates() -> None:
    result = read_events([PRE2023], fmt="acled")
    assert_accounted(result)
    assert result.summary.rejected_by_reason == {"wrong number of columns": 1}
    events = {e.id: e for e in result.events}
    assert str(events["acled-UKR5001"].time.date()) == "2019-03-15"
    base = events["acled-BLR5002"]
    assert (base.actor, base.target, base.kind) == ("RUS", "BLR", "troop_deployment")
    assert base.location is not None and base.location.region == "BY-BR"


def test_uppercase_curated_headers() -> None:
    result = read_events([UPPER])
    assert_accounted(result)
    assert result.summary.format == "acled"
    assert result.summary.rejected_by_reason == {"unknown ACLED event type": 1}
    events = {e.id: e for e in result.events}
    assert events["acled-UKR200001"].kind == "missile_strike"  # notes name an Iskander
    region_level = events["acled-UKR200002"]  # geo_precision 3: no region
    assert region_level.location is not None and region_level.location.region is None


@pytest.mark.parametrize("text", ["2024-03-15", "15 March 2024", "15-March-2024", "15 Mar 2024"])
def test_both_date_styles(text: str) -> None:
    assert parse_acled_date(text).isoformat() == "2024-03-15"


def test_bad_date_is_a_rejection() -> None:
    with pytest.raises(RowRejected, match="invalid date"):
        parse_acled_date("2024-02-30")


@pytest.mark.parametrize(
    ("name", "state", "actor_type"),
    [
        ("Military Forces of Russia (2000-)", "RUS", "state_forces"),
        ("Military Forces of Russia (2000-) Air Force", "RUS", "state_forces"),
        ("Police Forces of Belarus (1994-)", "BLR", "state_forces"),
        ("Military Forces of Ukraine (2014-2019)", "UKR", "state_forces"),
        ("Unidentified Armed Group (Ukraine)", None, "unknown"),
        ("Civilians (Ukraine)", None, "individuals"),
        ("Azov Battalion", None, "non_state"),
    ],
)
def test_actor_names(name: str, state: str | None, actor_type: str) -> None:
    assert actor_state(name)[:2] == (state, actor_type)


def test_header_without_acled_columns_is_invalid_input(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as err:
        read_events([path], fmt="acled")
    assert "event_id_cnty" in err.value.problems[0].message
    with pytest.raises(DataFormatError, match="cannot tell the format"):
        read_events([path])
