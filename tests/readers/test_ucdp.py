"""UCDP GED: HDX's HXL tag row, multi-line fields, doubled quotes, zero-width spaces."""

from __future__ import annotations

from redlines.readers import read_exports as read_events
from tests.readers.helpers import FIXTURES, assert_accounted

HDX = FIXTURES / "ucdp_hdx.csv"


def test_hdx_variant_is_read_and_hxl_row_is_not_a_data_row() -> None:
    result = read_events([HDX])
    assert_accounted(result)
    s = result.summary
    assert (s.format, s.rows_read, s.rows_used, s.rows_rejected) == ("ucdp", 3, 2, 1)
    assert s.rows_skipped_tags == 1
    assert s.rejected_by_reason == {"unknown UCDP violence type": 1}
    # Rows are numbered by the line they start on: header 1, tags 2, first record 3 (2 lines
    # of source_article, 2 of source_headline), so the third record starts on line 7.
    assert result.rejections[0].row == 7


def test_dyad_government_against_group_on_its_own_soil() -> None:
    events = {e.id: e for e in read_events([HDX]).events}
    airport = events["ucdp-500001"]
    assert (airport.actor, airport.actor_type, airport.target) == (None, "non_state", "UKR")
    assert airport.kind == "ground_offensive"
    assert airport.fatalities == 5
    assert airport.location is not None
    assert airport.location.place == "Donetsk airport"  # zero-width space removed
    assert airport.location.region == "UA-14"
    assert airport.sources == ("ucdp:500001", "ucdp-ged:UKR-2015-1-411-1")


def test_low_clarity_and_country_level_precision() -> None:
    vague = {e.id: e for e in read_events([HDX]).events}["ucdp-500002"]
    assert vague.attribution == "suspected"  # event_clarity 2
    assert vague.location is not None and vague.location.region is None  # where_prec 6
    assert vague.notes is not None and "2015-02-07" in vague.notes
