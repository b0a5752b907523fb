"""GDELT 2.0 and 1.0: column layouts, codes as strings, FIPS locations, grouping, the traps."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from redlines.errors import DataFormatError
from redlines.events import Event
from redlines.readers import AdapterOptions
from redlines.readers import read_exports as read_events
from redlines.readers.gdelt import restore_cameo_code
from tests.readers.helpers import FIXTURES, assert_accounted

GDELT2 = FIXTURES / "gdelt2_sample.export.CSV"
GDELT1 = FIXTURES / "gdelt1_mixed.csv"


def by_id(path: Path, **kwargs: object) -> dict[str, Event]:
    result = read_events([path], **kwargs)  # type: ignore[arg-type]
    assert_accounted(result)
    return {e.id: e for e in result.events}


def test_gdelt2_fixture_is_fully_accounted_for() -> None:
    result = read_events([GDELT2])
    s = result.summary
    assert (s.format, s.rows_read, s.rows_used, s.rows_irrelevant, s.rows_rejected) == (
        "gdelt",
        13,
        10,
        0,
        3,
    )
    assert s.rejected_by_reason == {
        "invalid date": 1,
        "no actor or target country": 1,
        "wrong number of columns": 1,
    }
    assert [(r.row, r.reason) for r in result.rejections] == [
        (11, "wrong number of columns"),
        (12, "invalid date"),
        (13, "no actor or target country"),
    ]


def test_duplicates_are_grouped_and_corroborated_to_confirmed() -> None:
    kovel = by_id(GDELT2)["gdelt-900000001"]
    assert kovel.attribution == "confirmed"
    assert kovel.sources[:3] == ("gdelt:900000001", "gdelt:900000002", "gdelt:900000003")
    assert "https://c.example.net/kovel" in kovel.sources
    assert (kovel.actor, kovel.target, kovel.kind) == ("BLR", "UKR", "ground_offensive")


def test_rl1_example_region_is_found_from_coordinates() -> None:
    kovel = by_id(GDELT2)["gdelt-900000001"]
    assert kovel.location is not None
    assert kovel.location.region == "UA-07"


def test_single_article_is_never_confirmed_however_many_rows() -> None:
    drone = by_id(GDELT2)["gdelt-900000004"]
    assert drone.sources == ("gdelt:900000004", "gdelt:900000005", "https://d.example.org/drone")
    assert drone.attribution == "suspected"
    assert drone.kind == "drone_strike"


def test_single_article_is_never_confirmed_even_with_loose_thresholds() -> None:
    loose = AdapterOptions(min_sources_confirmed=1, min_articles_confirmed=1)
    assert by_id(GDELT2, options=loose)["gdelt-900000004"].attribution == "suspected"
    with pytest.raises(ValueError, match="single machine-coded article"):
        AdapterOptions(min_urls_confirmed=1)


def test_without_grouping_every_row_is_its_own_event() -> None:
    events = by_id(GDELT2, options=AdapterOptions(group_duplicates=False))
    assert {"gdelt-900000002", "gdelt-900000005"} <= set(events)
    assert all(e.attribution != "confirmed" for e in events.values())


def test_cameo_code_keeps_its_leading_zero() -> None:
    release = by_id(GDELT2)["gdelt-900000006"]
    assert release.notes is not None and release.notes.startswith("GDELT CAMEO 0841 ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0841", "0841"),
        ("841", "0841"),
        ("43", "043"),
        ("190", "190"),
        ("1952", "1952"),
        ("20", "020"),
        ("841.0", "0841"),
        ("", ""),
    ],
)
def test_restore_cameo_code(value: str, expected: str) -> None:
    assert restore_cameo_code(value) == expected


def test_country_centroid_gets_no_region() -> None:
    release = by_id(GDELT2)["gdelt-900000006"]
    assert release.location is not None
    assert release.location.country == "BLR"  # FIPS BO is Belarus
    assert release.location.region is None


def test_fips_by_is_burundi_not_belarus() -> None:
    visit = by_id(GDELT2)["gdelt-900000007"]
    assert visit.location is not None and visit.location.country == "BDI"


def test_occupation_placed_in_afghanistan_targets_afghanistan() -> None:
    occupy = by_id(GDELT2)["gdelt-900000008"]
    assert (occupy.actor, occupy.target, occupy.attribution) == ("RUS", "AFG", "suspected")
    assert occupy.notes is not None and "Actor2 coded as Ukraine" in occupy.notes


def test_odessa_texas_shooting_targets_the_united_states() -> None:
    odessa = by_id(GDELT2)["gdelt-900000009"]
    assert (odessa.target, odessa.attribution) == ("USA", "suspected")
    assert odessa.notes is not None and "target taken from the place" in odessa.notes


def test_place_check_can_be_turned_off() -> None:
    events = by_id(GDELT2, options=AdapterOptions(check_place=False))
    assert events["gdelt-900000009"].target == "UKR"


def test_relevance_filter_counts_rows_as_irrelevant() -> None:
    result = read_events([GDELT2], relevant=lambda e: e.target == "UKR")
    assert_accounted(result)
    assert {e.target for e in result.events} == {"UKR"}
    # Kovel (3 rows); the Afghanistan and Odessa rows are placed elsewhere and target it
    assert result.summary.rows_used == 3
    assert result.summary.rows_irrelevant == 7


def test_target_falls_back_to_the_place_when_actor2_has_no_country() -> None:
    eu = by_id(GDELT2)["gdelt-900000010"]  # RUSSIA -> EUROPE, placed in Russia
    assert eu.target == "RUS"
    assert eu.notes is not None and "target is the country of the action's location" in eu.notes


def test_zipped_export_reads_like_the_plain_file(tmp_path: Path) -> None:
    archive = tmp_path / "20240601.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(GDELT2, GDELT2.name)
    zipped = read_events([archive])
    plain = read_events([GDELT2])
    assert [e.contract_dict() for e in zipped.events] == [e.contract_dict() for e in plain.events]
    assert zipped.rejections[0].file == f"{archive}/{GDELT2.name}"


def test_gdelt1_mixes_57_and_58_columns() -> None:
    result = read_events([GDELT1])
    assert_accounted(result)
    assert result.summary.format == "gdelt1"
    assert result.summary.rows_read == 4
    assert result.summary.rejected_by_reason == {}
    events = {e.id: e for e in result.events}
    assert events["gdelt-535000002"].target == "MDA"  # no Actor2: the place's country
    assert events["gdelt-1000002"].sources == ("gdelt:1000002",)  # backfile row: no URL
    assert events["gdelt-535000001"].sources[1] == "https://i.example.org/threat"
    assert events["gdelt-1000001"].actor is None  # CAMEO USR: the Soviet Union is not Russia


def test_declared_gdelt2_on_a_gdelt1_file_is_invalid_input() -> None:
    with pytest.raises(DataFormatError) as err:
        read_events([GDELT1], fmt="gdelt")
    (problem,) = err.value.problems
    assert problem.file == str(GDELT1)
    assert "61 tab-separated columns" in problem.message
    assert "first row has 57 columns" in problem.message


def test_output_is_deterministic() -> None:
    first = [e.contract_dict() for e in read_events([GDELT2]).events]
    second = [e.contract_dict() for e in read_events([GDELT2]).events]
    assert first == second


@pytest.mark.parametrize(
    "variant",
    ["http://{}", "https://{}/", "https://{}#top", "https://www.{}?utm_source=x"],
)
def test_regression_copies_of_one_url_are_one_article(tmp_path: Path, variant: str) -> None:
    """Two rows of one article whose URLs differ only in spelling must not corroborate."""
    first = GDELT2.read_text(encoding="utf-8").splitlines()[0].split("\t")
    url = first[-1].split("://", 1)[1].rstrip("/")
    second = list(first)
    second[0] = str(int(first[0]) + 1)
    second[-1] = variant.format(url)
    path = tmp_path / "two.export.CSV"
    path.write_text("\t".join(first) + "\n" + "\t".join(second) + "\n", encoding="utf-8")
    (event,) = read_events([path]).events
    assert event.attribution == "suspected"
    assert len([s for s in event.sources if s.startswith("gdelt:")]) == 2


def test_regression_canonical_url_survives_bad_ports() -> None:
    from redlines.readers.grouping import canonical_url

    assert canonical_url("https://d.example.org:abc/drone") == "https://d.example.org:abc/drone"
    assert canonical_url("http://e.org:443/a") == "e.org:443/a"
    assert canonical_url("https://e.org/a?reference=2&utm_medium=x") == "e.org/a?reference=2"


def test_regression_grouped_events_do_not_depend_on_row_order(tmp_path: Path) -> None:
    rows = GDELT2.read_text(encoding="utf-8").splitlines()
    reversed_file = tmp_path / "reversed.export.CSV"
    reversed_file.write_text("\n".join(reversed(rows)) + "\n", encoding="utf-8")

    def events(path: Path) -> list[dict[str, object]]:
        return sorted(
            (e.contract_dict() for e in read_events([path]).events), key=lambda d: str(d["id"])
        )

    assert events(reversed_file) == events(GDELT2)
