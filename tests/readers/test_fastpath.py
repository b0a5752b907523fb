"""The event-file fast path is the slow path, faster.

* :func:`checked_values` (plain Python checks of an event mapping in its common shape) accepts
  only what pydantic accepts, with the same values; anything else goes the full way, so that
  every problem is still located and worded (a typo is an error, never an irrelevant row).
* JSON Lines parsed by orjson give what the standard library's parser (refusing keys given
  twice) gives, problems included.
* Events that no rule can match are only counted: reports, levels, near misses and
  explanations are those of the whole file.
"""

from __future__ import annotations

import csv
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redlines import Event, EventError, InputError, Ruleset, load_rules
from redlines.compile import ALWAYS, compile_ruleset
from redlines.evaluation import evaluate_batch
from redlines.events import KINDS, Location
from redlines.matching import event_fact
from redlines.matching.facts import field_value, unmatchable, values_fact
from redlines.readers import text
from redlines.readers.eventcsv import read_event_csv
from redlines.readers.eventsink import (
    EventSink,
    checked_values,
    fast_event,
    record_to_mapping,
    to_event,
)
from redlines.readers.jsonl import read_jsonl
from redlines.rules.resolved import FIELDS
from redlines.runner import evaluate_run, explainer, prepare
from redlines.source import read_text
from tests.matching.test_agreement import events as model_events
from tests.matching.test_agreement import rulesets

ROOT = Path(__file__).resolve().parents[2]

# -- event mappings: valid ones, and near misses of every kind -----------------------------

COUNTRIES = ["RUS", "UKR", "POL", "LTU", "USA", "BLR"]
NEAR_COUNTRIES = ["Rusia", "rus", "Russia", "UK", " POL", "XXX", "", None, 7]
NEAR_WORDS = ["Drone_Strike", "drone strike", "dron_strike", " other", "", None, 3, ["other"]]
NEAR_TIMES = [
    "2024-06-01",
    "2024-06-01T04:00:00",
    "2024-06-01 04:00:00Z",
    "2024-06-01T04:00:00.5+02:00",
    "2024-13-01T00:00:00+00:00",
    "2024-06-01T04:00:00+24:00",
    "yesterday",
    20240601,
    None,
]


def _near(draw: st.DrawFn, good: st.SearchStrategy[Any], near: list[Any]) -> Any:
    return draw(st.one_of(good, good, good, st.sampled_from(near)))


@st.composite
def mappings(draw: st.DrawFn) -> dict[str, Any]:
    """An event mapping as a JSON Lines file gives it: mostly valid, often one step from it."""
    out: dict[str, Any] = {
        "id": _near(draw, st.sampled_from(["e1", "x 1", "007"]), [" e1", "", 5, True, 1.5]),
        "time": _near(
            draw,
            st.sampled_from(["2024-06-01T04:00:00+00:00", "2024-06-01T04:00:00.123456-05:30"]),
            NEAR_TIMES,
        ),
        "actor": _near(draw, st.sampled_from([*COUNTRIES, None]), NEAR_COUNTRIES),
        "target": _near(draw, st.sampled_from(COUNTRIES), NEAR_COUNTRIES),
        "kind": _near(draw, st.sampled_from(KINDS), NEAR_WORDS),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "actor_type": st.sampled_from(["state_forces", "non_state", "State_Forces", None]),
        "intent": st.sampled_from(["deliberate", "unknown", "Deliberate", "on purpose"]),
        "attribution": st.sampled_from(["confirmed", "suspected", "sure", " confirmed"]),
        "on_behalf_of": st.sampled_from([*COUNTRIES, *NEAR_COUNTRIES]),
        "location": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={
                    "country": st.sampled_from([*COUNTRIES, "Rusia", None]),
                    "place": st.sampled_from(["Kovel", " Kovel", "", None, 5]),
                    "lat": st.sampled_from([50.5, 0.0, 91.0, 50, "50", None, float("nan")]),
                    "lon": st.sampled_from([24.0, -181.0, 24, None]),
                    "region": st.sampled_from(["UA-07", "PL-14"]),
                    "contry": st.just("POL"),
                },
            ),
            st.sampled_from(["POL", [], 3]),
        ),
        "fatalities": st.sampled_from([0, 3, -1, 2**63, 1.0, True, "3", None]),
        "sources": st.sampled_from([[], ["a"], ["a", "b"], [" a"], ["a", 1], "a", None, ()]),
        "tags": st.sampled_from([[], ["energy"], ["Energy"], ["a", "a"], ["a b"], "x", None]),
        "notes": st.sampled_from(["note", " note", "", None, 1]),
        "kinds": st.just("other"),  # unknown field: a did-you-mean
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=5)):
        out[name] = draw(optional[name])
    for name in draw(st.lists(st.sampled_from(["id", "time", "actor", "target", "kind"]))):
        out.pop(name, None)  # a required field left out
    return out


def _slow(item: dict[str, Any]) -> Event | list[Any]:
    try:
        return to_event(item, file="f", line=1)
    except EventError as exc:
        return [p.render() for p in exc.problems]


@settings(max_examples=600, deadline=None)
@given(item=mappings())
def test_the_fast_check_accepts_only_what_validation_accepts_with_the_same_values(
    item: dict[str, Any],
) -> None:
    event = fast_event(item)
    slow = _slow(item)
    if event is None:
        return
    assert isinstance(slow, Event), (item, slow)
    assert event == slow
    assert event.model_dump() == slow.model_dump()
    assert event.model_fields_set == slow.model_fields_set
    if slow.location is not None:
        assert event.location is not None
        assert event.location.model_fields_set == slow.location.model_fields_set


@settings(max_examples=300, deadline=None)
@given(event=model_events())
def test_the_fast_check_takes_the_common_shape(event: Event) -> None:
    """Events as programs write them (codes, words as listed, ISO times with an offset, no
    region) take the fast path, and its values give the same fact as the event."""
    data = event.contract_dict()
    values = checked_values(data)
    if data.get("location", {}).get("region") is None and data["id"] == data["id"].strip():
        assert values is not None, data
    if values is not None:
        keys = {k for spec in FIELDS.values() for k in (spec.key, f"has__{spec.key}")}
        fact = event_fact(event, 0)
        assert values_fact(keys)(values) == {k: v for k, v in fact.items() if k != "id"}


def test_typos_are_still_located_errors(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    lines = [
        {"id": "a", "time": "2024-06-01T00:00:00+00:00", "actor": "USA", "target": "FRA",
         "kind": "other"},
        {"id": "b", "time": "2024-06-01T00:00:00+00:00", "actor": "Rusia", "target": "POL",
         "kind": "drone_strike"},
        {"id": "a", "time": "2024-06-02T00:00:00+00:00", "actor": "USA", "target": "FRA",
         "kind": "other"},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(x) for x in lines) + '\n{"id": "c", "id": "d"}\n')
    with pytest.raises(EventError) as caught:
        prepare(path)
    shown = [p.render() for p in caught.value.problems]
    assert len(shown) == 3, shown
    assert "e.jsonl:2" in shown[0] and "Rusia" in shown[0] and "Russia" in shown[0]
    assert "e.jsonl:3" in shown[1] and "duplicate event id 'a' (first at line 1)" in shown[1]
    assert "e.jsonl:4" in shown[2] and "duplicate key 'id'" in shown[2]


# -- JSON Lines: orjson and the keys-once check against the standard library ---------------


def _reference_read(path: Path) -> list[Event] | list[str]:
    """What the JSON Lines reader gave before the fast path: every line by json.loads with a
    hook refusing keys given twice, every event by pydantic."""

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"duplicate key '{key}'")
            out[key] = value
        return out

    sink = EventSink(str(path))
    try:
        text = read_text(path)
    except InputError as exc:
        return [p.render() for p in exc.problems]
    for n, line in enumerate(text.split("\n"), 1):
        raw = line.removesuffix("\r")
        if not raw.strip():
            continue
        try:
            item = json.loads(raw, object_pairs_hook=once)
        except json.JSONDecodeError as exc:
            sink.problem(f"invalid JSON: {exc.msg}", line=n, column=exc.colno)
            continue
        except ValueError as exc:
            reason = str(exc) if "duplicate key" in str(exc) else "a number too long to read"
            sink.problem(f"invalid JSON: {reason}", line=n)
            continue
        if not isinstance(item, dict):
            sink.problem("each line must be a JSON object (one event)", line=n)
            continue
        sink.add(item, line=n)
    try:
        return sink.events_or_raise()
    except EventError as exc:
        return [p.render() for p in exc.problems]


@st.composite
def json_lines(draw: st.DrawFn) -> str:
    """One line of JSON Lines: an event written in one of several styles, sometimes with a
    key twice (at the top or in the location), escapes, odd white space or broken JSON."""
    item = draw(mappings())
    pairs = [(json.dumps(k), json.dumps(v)) for k, v in item.items()]
    twice: bool = draw(st.booleans())
    if pairs and twice:  # a key given twice
        key: str = draw(st.sampled_from([k for k, _ in pairs]))
        value = json.dumps(draw(st.text(max_size=3)))
        pairs.insert(draw(st.integers(0, len(pairs))), (key, value))
    if draw(st.booleans()):
        pairs.append(('"notes"', json.dumps(draw(st.text(alphabet='":\\ {}é\t', max_size=6)))))
    colon = draw(st.sampled_from([":", ": ", " :", "\t:", " : "]))
    comma = draw(st.sampled_from([",", ", ", " ,"]))
    line = "{" + comma.join(f"{k}{colon}{v}" for k, v in pairs) + "}"
    if draw(st.booleans()):
        line = line.replace('"location": {', '"location": {"place": "x", "place": "y", ')
    if draw(st.integers(0, 9)) == 0:
        line = line[: draw(st.integers(0, len(line)))]  # cut short
    if draw(st.integers(0, 9)) == 0:
        line = line.replace("0", "NaN", 1)
    return line + draw(st.sampled_from(["", "\r", " "]))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(json_lines(), min_size=1, max_size=6))
def test_json_lines_read_as_the_standard_library_reads_them(
    lines: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        got: list[Event] | list[str] = read_jsonl(path).events
    except EventError as exc:
        got = [p.render() for p in exc.problems]
    assert got == _reference_read(path)


#: Bytes put into a file: not UTF-8 (a stray byte, a surrogate, an overlong form, a cut
#: sequence), a NUL, a byte-order mark, a carriage return, valid multi-byte characters.
JUNK = [b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe2\x82", b"\xef\xbf\xbf", b"\x00"]
JUNK += [b"\xef\xbb\xbf", b"\r", b"\xc3\xa9", b"\xe2\x80\xa8", b"\\u00e9"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(json_lines(), min_size=1, max_size=4),
    junk=st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.sampled_from(JUNK),
        ),
        max_size=2,
    ),
)
def test_bytes_that_are_not_utf8_are_found_as_before(
    lines: list[str], junk: list[tuple[int, bytes]], tmp_path: Path
) -> None:
    data = ("\n".join(lines) + "\n").encode()
    for at, piece in junk:
        at %= len(data) + 1
        data = data[:at] + piece + data[at:]
    path = tmp_path / "e.jsonl"
    path.write_bytes(data)
    try:
        got: list[Event] | list[str] = read_jsonl(path).events
    except InputError as exc:
        got = [p.render() for p in exc.problems]
    assert got == _reference_read(path)


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "a", "id": "b"}',
        '{"id": "a", "id" : "b"}',
        '{"id":"a","id":"b"}',
        '{"id": "a\\"", "id": "b"}',
        '{"n\\u0061me": 1, "name": 2}',
        '{"location": {"country": "POL", "country": "LTU"}}',
        '{"x": [{"a": 1, "a": 2}]}',
        '{"notes": ":a", "notes": "b"}',
    ],
)
def test_a_key_given_twice_is_always_found(text: str, tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(text + "\n")
    with pytest.raises(EventError, match="duplicate key"):
        read_jsonl(path)


def test_files_that_are_not_plain_utf8_are_read_as_before(tmp_path: Path) -> None:
    line = '{"id": "a", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "other"}'
    utf16 = tmp_path / "u16.jsonl"
    utf16.write_bytes((line + "\n").encode("utf-16"))
    assert [e.id for e in read_jsonl(utf16).events] == ["a"]
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes((line + "\n").encode() + b'{"id": "\xff"}\n')
    with pytest.raises(Exception, match="not UTF-8") as caught:
        read_jsonl(bad)
    assert "bad.jsonl:2:9" in caught.value.problems[0].render()  # type: ignore[attr-defined]
    nul = tmp_path / "nul.jsonl"
    nul.write_bytes((line + "\n").encode() + b"\x00\n")
    with pytest.raises(Exception, match="NUL byte"):
        read_jsonl(nul)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + (line + "\r\n").encode())
    assert [e.id for e in read_jsonl(bom).events] == ["a"]


# -- skipping what no rule can match changes nothing ---------------------------------------


def _write(path: Path, batch: list[Event]) -> Path:
    seen: set[str] = set()
    with path.open("w", encoding="utf-8") as fh:
        for n, event in enumerate(batch):
            data = event.contract_dict()
            data["id"] = f"{data['id']}-{n}" if data["id"] in seen else data["id"]
            seen.add(data["id"])
            fh.write(json.dumps(data) + "\n")
    return path


def _assert_same(path: Path, ruleset: Ruleset) -> None:
    run = prepare(path, rules=ruleset)
    assert run.batch.skipped is not None
    lean = evaluate_run(run)
    everything = read_jsonl(path).events
    full = evaluate_batch(ruleset, everything, file=str(path))
    assert lean.to_dict() == full.to_dict()
    assert list(lean.evaluated) == list(full.evaluated)
    assert len(run.batch.events) + len(run.batch.skipped) == len(everything)
    assert run.batch.all_events() == everything


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ruleset=rulesets(), batch=st.lists(model_events(), min_size=5, max_size=40))
def test_reports_are_identical_with_and_without_skipping(
    ruleset: Ruleset, batch: list[Event], tmp_path: Path
) -> None:
    _assert_same(_write(tmp_path / "e.jsonl", batch), ruleset)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(model_events(), min_size=5, max_size=60))
def test_reports_of_the_shipped_ruleset_are_identical_with_and_without_skipping(
    batch: list[Event], tmp_path: Path, nato: Ruleset
) -> None:
    _assert_same(_write(tmp_path / "e.jsonl", batch), nato)


def test_skip_is_sound_on_random_rulesets() -> None:
    """Whatever the skip says no rule can match, the reference matcher matches nothing."""
    from redlines.matching.reference import ReferenceMatcher

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ruleset=rulesets(), batch=st.lists(model_events(), min_size=10, max_size=40))
    def check(ruleset: Ruleset, batch: list[Event]) -> None:
        compiled = compile_ruleset(ruleset)
        skip, reference = unmatchable(compiled), ReferenceMatcher(compiled)
        for event in batch:
            values = checked_values(event.contract_dict())
            if values is not None and skip(values):
                assert reference.match(event_fact(event, 1)) == [], event

    check()


def _feed(tmp_path: Path) -> Path:
    """A feed-like stream (benchmarks/streams.py): most events no red line can match."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        streams: Any = importlib.import_module("streams")
    finally:
        sys.path.pop(0)
    path: Path = streams.write_jsonl(
        tmp_path / "feed.jsonl", streams.stream("feed_like", 400, seed=11)
    )
    return path


def test_explanations_near_misses_and_levels_see_every_event(tmp_path: Path) -> None:
    path = _feed(tmp_path)
    nato = load_rules("nato-2024")
    run = prepare(path)
    assert run.batch.skipped is not None and len(run.batch.skipped) > 300
    lean = evaluate_run(run, near_misses=True)
    full = evaluate_batch(nato, read_jsonl(path).events, file=str(path))
    full.add_near_misses()
    assert lean.to_dict() == full.to_dict()
    # near misses among the events only counted: the file was read again
    assert sum(len(r.get("near_misses", ())) for r in lean.to_dict()["redlines"]) > 100
    kept = {e.id for e in run.batch.events}
    skipped_id = next(e.id for e in read_jsonl(path).events if e.id not in kept)
    assert lean.explain(skipped_id).to_dict() == full.explain(skipped_id).to_dict()
    assert explainer(prepare(path)).explain(skipped_id).to_dict() == (
        full.explain(skipped_id).to_dict()
    )
    pytest.importorskip("pandas")
    assert lean.levels_frame().equals(full.levels_frame())


def test_the_command_line_explains_standard_input(tmp_path: Path) -> None:
    """The copy of standard input is removed before near misses are computed: the reader
    keeps it open to read it again."""
    path = _feed(tmp_path)
    cmd = [sys.executable, "-m", "redlines", "run", "--explain", "--format", "json"]
    from_file = subprocess.run([*cmd, str(path)], capture_output=True, text=True, check=True)
    piped = subprocess.run(
        [*cmd, "-"], input=path.read_text(), capture_output=True, text=True, check=True
    )
    assert json.loads(piped.stdout)["redlines"] == json.loads(from_file.stdout)["redlines"]
    assert "near_misses" in from_file.stdout


# -- CSV: rows of text, the same fast check after record_to_mapping ------------------------


@st.composite
def csv_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A row of the event CSV as the csv module gives it: text in every cell."""
    item = draw(mappings())
    row: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            for k, v in value.items():
                row[f"location.{k}"] = "" if v is None else str(v)
        elif isinstance(value, list):
            row[key] = "|".join(str(v) for v in value)
        else:
            row[key] = "" if value is None else str(value)
    if draw(st.booleans()):
        row["Location.Country"] = draw(st.sampled_from(["POL", "", "Poland"]))
    return row


@settings(max_examples=400, deadline=None)
@given(row=csv_rows())
def test_csv_rows_take_the_fast_check_only_as_validation_reads_them(row: dict[str, Any]) -> None:
    mapping, columns = record_to_mapping(row)
    try:
        slow: Event | None = to_event(row, file="f", line=2, record=True)
    except EventError:
        slow = None
    if columns:
        return  # the sink takes the full path
    event = fast_event(mapping)
    if event is not None:
        assert slow is not None, row
        assert event == slow and event.model_dump() == slow.model_dump()


def _write_csv(path: Path, batch: list[Event]) -> Path:
    columns = ["id", "time", "actor", "actor_type", "on_behalf_of", "target", "kind"]
    columns += ["intent", "attribution", "location.country", "location.place", "fatalities"]
    columns += ["tags"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        for n, event in enumerate(batch):
            data = event.contract_dict()
            location = data.pop("location", {})
            data.update({f"location.{k}": v for k, v in location.items()})
            data["id"] = f"{data['id']}-{n}"
            data["tags"] = "|".join(data.get("tags", []))
            out.writerow(["" if data.get(c) is None else data[c] for c in columns])
    return path


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(model_events(), min_size=5, max_size=40))
def test_csv_reports_are_identical_with_and_without_skipping(
    batch: list[Event], tmp_path: Path, nato: Ruleset
) -> None:
    path = _write_csv(tmp_path / "e.csv", batch)
    run = prepare(path)
    assert run.batch.skipped is not None
    everything = read_event_csv(path).events
    full = evaluate_batch(nato, everything, file=str(path))
    assert evaluate_run(run).to_dict() == full.to_dict()
    assert run.batch.all_events() == everything


def test_csv_files_that_are_not_plain_utf8_are_read_as_before(tmp_path: Path) -> None:
    header = "id,time,actor,target,kind\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,time,actor,target,kindz\n" + b"a,2024-06-01,RUS,POL,\xff\n")
    with pytest.raises(InputError, match="not UTF-8"):  # before the unknown column
        read_event_csv(bad)
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes((header + "a,2024-06-01,RUS,POL,other\n").encode("utf-16"))
    assert [e.id for e in read_event_csv(utf16).events] == ["a"]
    nul = tmp_path / "nul.csv"
    nul.write_bytes((header + "a,2024-06-01,RUS,POL,other\n").encode() + b"\x00\n")
    with pytest.raises(InputError, match="NUL byte"):
        read_event_csv(nul)


def test_a_location_that_is_not_a_mapping_beside_location_columns_is_a_problem() -> None:
    _, problems = record_to_mapping({"location": "POL", "location.country": "POL"})
    assert [p.message for p in problems] == ["given twice (as 'location' and 'location.country')"]


def test_the_models_stay_what_the_fast_construction_assumes() -> None:
    """Events of checked values are built as pydantic's model_construct builds them, minus
    its handling of aliases, extra fields, private attributes and post-init hooks: neither
    model may gain one unnoticed."""
    for model in (Event, Location):
        assert not model.__pydantic_post_init__
        assert not model.__private_attributes__
        assert model.model_config.get("extra") == "forbid"
        assert all(
            f.alias is None and f.validation_alias is None for f in model.model_fields.values()
        )


def test_a_file_changed_before_it_is_read_again_is_an_error(tmp_path: Path) -> None:
    path = _feed(tmp_path)
    run = prepare(path)
    report = evaluate_run(run)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(path.read_text(encoding="utf-8").splitlines()[0].replace('"e0"', '"new"') + "\n")
    with pytest.raises(InputError, match="changed since it was read"):
        report.add_near_misses()


@settings(max_examples=300, deadline=None)
@given(event=model_events())
def test_facts_read_every_field_as_the_field_readers_do(event: Event) -> None:
    fact = event_fact(event, 7)
    assert fact.pop("id") == "f7"
    want: dict[str, Any] = {}
    for spec in FIELDS.values():
        value = field_value(event, spec.name)
        has = f"has__{spec.key}"
        if spec.type == "list":
            want[has] = 1 if value else 0
            if value:
                want[spec.key] = value
        elif value is None:
            want[has] = 0
        else:
            want[has], want[spec.key] = 1, value
    assert {k: v for k, v in fact.items() if k in want} == want
    assert set(fact) - set(want) == {ALWAYS}


def test_models_sharing_their_set_of_given_fields_keep_it_their_own() -> None:
    data = {"id": "a", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "other"}
    one, two = fast_event(data), fast_event({**data, "id": "b"})
    assert one is not None and two is not None
    copy = one.model_copy(update={"intent": "deliberate"})
    assert copy.model_fields_set == {*data, "intent"}
    assert one.model_fields_set == two.model_fields_set == set(data)
    with pytest.raises(ValidationError):
        one.intent = "stray"  # type: ignore[misc]
    assert two.model_fields_set == set(data)


def test_a_csv_removed_after_it_was_read_is_still_explained(tmp_path: Path) -> None:
    """As the temporary copy of standard input is: the reader keeps the file open."""
    events = [json.loads(line) for line in _feed(tmp_path).read_text().splitlines()]
    columns = ["id", "time", "actor", "actor_type", "on_behalf_of", "target", "kind"]
    columns += ["intent", "attribution"]
    path = tmp_path / "feed.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        out.writerows([e.get(c) or "" for c in columns] for e in events)
    everything = read_event_csv(path).events
    full = evaluate_batch(load_rules("nato-2024"), everything, file=str(path))
    full.add_near_misses()
    run = prepare(path)
    assert run.batch.skipped is not None and len(run.batch.skipped) > 300
    path.unlink()
    lean = evaluate_run(run, near_misses=True)
    assert lean.to_dict() == full.to_dict()
    assert list(lean.evaluated) == list(full.evaluated)


def test_files_beyond_those_kept_open_are_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text, "MAX_KEPT_OPEN", 1)
    first = prepare(_feed(tmp_path))
    second_dir = tmp_path / "b"
    second_dir.mkdir()
    second = prepare(_feed(second_dir))  # closes the first file's handle
    for run in (first, second):
        everything = read_jsonl(run.batch.file).events
        assert run.batch.all_events() == everything
