"""The contract Event model (CONTRACT §2-3): fields, countries, kinds, times."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redlines import Event
from redlines.countries import normalize_country
from redlines.errors import InvalidValue
from redlines.events import KIND_GROUPS, KINDS, MAX_INTEGER, MAX_TEXT, parse_time
from redlines.source import Where, problems_from_validation

BASE = {"id": "e1", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "drone_strike"}


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("POL", "POL"),
        ("pl", "POL"),
        ("Poland", "POL"),
        ("POLAND", "POL"),
        ("Russia", "RUS"),
        ("Russian Federation", "RUS"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("North Korea", "PRK"),
        ("UK", "GBR"),
        ("Iran", "IRN"),
        ("moldova", "MDA"),
        ("Republic of Moldova", "MDA"),
        (" Estonia ", "EST"),
    ],
)
def test_countries_normalise_to_alpha3(given: str, code: str) -> None:
    assert normalize_country(given) == code


def test_country_near_miss_is_an_error_with_suggestion() -> None:
    with pytest.raises(InvalidValue) as err:
        normalize_country("Polan")
    assert err.value.suggestion == "Poland"


def test_country_nonsense_has_no_suggestion() -> None:
    with pytest.raises(InvalidValue) as err:
        normalize_country("Atlantis")
    assert err.value.suggestion is None


def test_defaults() -> None:
    e = Event.model_validate(BASE)
    assert (e.actor_type, e.intent, e.attribution) == ("state_forces", "unknown", "confirmed")
    assert e.time == dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)


def test_actor_is_required_but_may_be_null() -> None:
    assert Event.model_validate({**BASE, "actor": None}).actor is None
    without = {k: v for k, v in BASE.items() if k != "actor"}
    with pytest.raises(ValidationError):
        Event.model_validate(without)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-06-01T04:00:00+02:00", dt.datetime(2024, 6, 1, 2, tzinfo=dt.timezone.utc)),
        ("2024-06-01T04:00:00Z", dt.datetime(2024, 6, 1, 4, tzinfo=dt.timezone.utc)),
        ("2024-06-01", dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)),
        (dt.date(2024, 6, 1), dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)),
        (
            dt.datetime(2024, 6, 1, 4, tzinfo=dt.timezone(dt.timedelta(hours=3))),
            dt.datetime(2024, 6, 1, 1, tzinfo=dt.timezone.utc),
        ),
    ],
)
def test_times(given: object, expected: dt.datetime) -> None:
    assert parse_time(given) == expected


@pytest.mark.parametrize("naive", ["2024-06-01T04:00:00", dt.datetime(2024, 6, 1, 4)])
def test_datetime_without_offset_is_an_error(naive: object) -> None:
    with pytest.raises(InvalidValue, match="no UTC offset"):
        parse_time(naive)


def test_invalid_date() -> None:
    with pytest.raises(InvalidValue, match="invalid date"):
        parse_time("2024-02-30")


def _problems(data: dict[str, object]) -> list[str]:
    try:
        Event.model_validate(data)
    except ValidationError as exc:
        return [p.render() for p in problems_from_validation(exc, Event, Where("f.yaml"))]
    raise AssertionError("expected a validation error")


def test_unknown_field_suggests_the_right_one() -> None:
    assert _problems({**BASE, "intnt": "deliberate"}) == [
        "f.yaml: field 'intnt': unknown field (did you mean 'intent'?)"
    ]


def test_unknown_kind_suggests() -> None:
    assert _problems({**BASE, "kind": "drone_strik"}) == [
        "f.yaml: field 'kind': unknown kind 'drone_strik' (did you mean 'drone_strike'?)"
    ]


def test_closed_vocabularies() -> None:
    for name in ("actor_type", "intent", "attribution"):
        assert len(_problems({**BASE, name: "bogus"})) == 1


def test_negative_fatalities_and_bad_region() -> None:
    msgs = _problems({**BASE, "fatalities": -1, "location": {"region": "UA-99"}})
    assert any("fatalities" in m for m in msgs)
    assert any("unknown ISO 3166-2 region 'UA-99'" in m for m in msgs)


def test_kind_groups_cover_the_contract() -> None:
    assert len(KINDS) == len(set(KINDS)) == 21
    assert KIND_GROUPS["MILITARY"][0] == "ground_offensive"
    assert "munition_impact" in KIND_GROUPS["SPILLOVER"]


def test_contract_dict_round_trips() -> None:
    e = Event.model_validate(
        {**BASE, "location": {"region": "ua-07", "lat": 50.1}, "sources": ["x"]}
    )
    again = Event.model_validate(e.contract_dict())
    assert again == e
    assert e.contract_dict()["location"] == {"region": "UA-07", "lat": 50.1}


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("Turkiye", "TUR"),
        ("Cote d'Ivoire", "CIV"),
        ("Côte d\u2019Ivoire", "CIV"),
        ("Holy See", "VAT"),
        ("The Gambia", "GMB"),
    ],
)
def test_regression_accents_and_articles_in_country_names(given: str, code: str) -> None:
    assert normalize_country(given) == code


def test_regression_region_must_lie_in_location_country() -> None:
    msgs = _problems({**BASE, "location": {"country": "POL", "region": "UA-07"}})
    assert msgs == [
        "f.yaml: field 'location': region 'UA-07' is in UKR, not in location.country 'POL'"
    ]
    assert Event.model_validate({**BASE, "location": {"country": "Ukraine", "region": "UA-07"}})


def test_regression_coordinates_must_be_numbers() -> None:
    assert any("lat" in m for m in _problems({**BASE, "location": {"lat": "51.2"}}))


def test_regression_plain_messages_for_null_target_and_odd_times() -> None:
    assert _problems({**BASE, "target": None}) == [
        "f.yaml: field 'target': a country is required here (a code or name, not null)"
    ]
    (msg,) = _problems({**BASE, "time": "2024-W22-6"})
    assert "invalid time '2024-W22-6': expected ISO 8601" in msg
    (msg,) = _problems({**BASE, "time": "9999-12-31T23:00:00-05:00"})
    assert "outside the years 1-9999" in msg


def test_regression_offset_out_of_range() -> None:
    for bad in ("2024-06-01T04:00:00+03:75", "2024-06-01T04:00:00+24:00"):
        with pytest.raises(InvalidValue, match="offset is out of range"):
            parse_time(bad)


@pytest.mark.parametrize("given", ["٢٠٢٤-٠٦-٠١", "２０２４-06-01", "2024-06-01T04:00:00+٠٠:00"])
def test_regression_times_are_written_in_ascii_digits(given: str) -> None:
    with pytest.raises(InvalidValue, match="invalid time"):
        parse_time(given)


@pytest.mark.parametrize("field", ["id", "notes", "sources", "place"])
def test_regression_text_fields_have_a_size_limit(field: str) -> None:
    """The engine refuses values of 16 MiB or more: no event carries text near that."""
    long = "x" * (MAX_TEXT + 1)
    data: dict[str, Any] = {"id": "e1", "time": "2024-06-01", "actor": "RUS", "target": "POL"}
    data["kind"] = "other"
    if field == "sources":
        data["sources"] = [long]
    elif field == "place":
        data["location"] = {"place": long}
    else:
        data[field] = long
    with pytest.raises(ValidationError, match=f"at most {MAX_TEXT} characters"):
        Event.model_validate(data)
    data_ok = {k: (v[:MAX_TEXT] if isinstance(v, str) else v) for k, v in data.items()}
    if field in ("id", "notes"):
        assert len(getattr(Event.model_validate(data_ok), field)) == MAX_TEXT


def test_regression_fatalities_fit_in_64_bits() -> None:
    base = {"id": "e1", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "other"}
    assert Event.model_validate({**base, "fatalities": MAX_INTEGER}).fatalities == MAX_INTEGER
    with pytest.raises(ValidationError, match="less than or equal to 9223372036854775807"):
        Event.model_validate({**base, "fatalities": MAX_INTEGER + 1})


def test_closed_vocabularies_are_listed_in_the_message() -> None:
    assert _problems({**BASE, "intent": "on purpose"}) == [
        "f.yaml: field 'intent': unknown intent 'on purpose': use one of deliberate, stray, accidental, unknown"
    ]
    assert _problems({**BASE, "attribution": "confirmd"}) == [
        "f.yaml: field 'attribution': unknown attribution 'confirmd': use one of confirmed, suspected, disputed, misattributed (did you mean 'confirmed'?)"
    ]


def test_kinds_are_listed_only_when_none_comes_close() -> None:
    (msg,) = _problems({**BASE, "kind": "bombing"})
    assert msg.startswith(
        "f.yaml: field 'kind': unknown kind 'bombing': use one of ground_offensive"
    )
    assert msg.endswith(", border_provocation, other")


@settings(max_examples=300, deadline=None)
@given(
    stamp=st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.timezones(),
    )
)
def test_the_fast_reading_of_iso_times_agrees_with_the_full_one(stamp: dt.datetime) -> None:
    text = stamp.isoformat()
    offset = stamp.utcoffset()
    if offset is None or offset % dt.timedelta(minutes=1):
        return  # not an ISO 8601 offset
    try:
        slow = parse_time(" " + text)  # a leading space skips the fast path
    except InvalidValue:
        with pytest.raises(InvalidValue):
            parse_time(text)
        return
    assert parse_time(text) == slow and parse_time(text).utcoffset() == dt.timedelta(0)
