"""Proof on the real public exports in ../shared/data (skipped when that folder is absent)."""

from __future__ import annotations

from redlines.events import KIND_GROUPS, Event
from redlines.readers import read_exports as read_events
from tests.readers.helpers import assert_accounted, shared_file

MILITARY = frozenset(KIND_GROUPS["MILITARY"])
FLANK = frozenset({"EST", "LVA", "LTU", "POL", "MDA"})


def _could_cross(e: Event) -> bool:
    """A confirmed state military act against Ukraine or the flank: what must not come from
    noise (a loose over-approximation of both red lines' ``crossed`` clauses)."""
    return (
        e.attribution == "confirmed"
        and e.actor_type == "state_forces"
        and e.kind in MILITARY
        and e.target in FLANK | {"UKR"}
    )


def test_gdelt2_export_every_row_accounted_and_no_confirmed_military_noise() -> None:
    result = read_events([shared_file("gdelt/20191024143000.export.CSV")])
    assert_accounted(result)
    s = result.summary
    assert s.rows_read == 2111
    assert set(s.rejected_by_reason) == {"no actor or target country"}
    assert not [e.id for e in result.events if _could_cross(e)]


def test_gdelt2_known_false_positives_are_retargeted_to_their_place() -> None:
    events = {e.id: e for e in read_events([shared_file("gdelt/20191024143000.export.CSV")]).events}
    (afghanistan,) = [e for e in events.values() if "gdelt:881992396" in e.sources]
    # RUS -> UKR "occupy territory", placed in Afghanistan
    assert (afghanistan.actor, afghanistan.target, afghanistan.attribution) == (
        "RUS",
        "AFG",
        "suspected",
    )
    assert "gdelt:881992397" in afghanistan.sources  # grouped
    for row in ("881991483", "881992825", "881992826"):  # "Odessa, Texas" shootings
        (odessa,) = [e for e in events.values() if f"gdelt:{row}" in e.sources]
        assert odessa.target == "USA"
    concert = events["gdelt-881992373"]  # a concert review coded RUS 180 "assault"
    assert (concert.target, concert.attribution) == ("GBR", "suspected")


def test_gdelt2_relevant_rows_subset_matches() -> None:
    result = read_events([shared_file("gdelt/20191024143000.export.relevant_countries.tsv")])
    assert_accounted(result)
    assert result.summary.rows_read == 189
    assert result.summary.rows_skipped_tags == 1  # its column-name line


def test_gdelt1_mixed_57_58_columns_fully_accounted() -> None:
    result = read_events([shared_file("gdelt/reed9999_events.csv")])
    assert_accounted(result)
    s = result.summary
    assert (s.format, s.rows_read) == ("gdelt1", 710)
    assert "wrong number of columns" not in s.rejected_by_reason
    assert not [e.id for e in result.events if _could_cross(e)]


def test_ucdp_hdx_extract_fully_accounted() -> None:
    result = read_events([shared_file("ucdp/conflict_data_ukr.csv")])
    assert_accounted(result)
    s = result.summary
    assert (s.format, s.rows_read, s.rows_skipped_tags) == ("ucdp", 2989, 1)
    assert s.rows_used == 2989
    assert all(e.target == "UKR" for e in result.events)
    regions = {e.location.region for e in result.events if e.location is not None}
    assert {"UA-14", "UA-09"} <= regions  # Donetsk and Luhansk oblasts


def test_real_gdelt_run_is_deterministic() -> None:
    path = shared_file("gdelt/20191024143000.export.CSV")
    first = [e.contract_dict() for e in read_events([path]).events]
    assert first == [e.contract_dict() for e in read_events([path]).events]
