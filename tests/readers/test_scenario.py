"""Loading scenario and event files: formats, and every kind of bad input, located."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines import EventError, InputError, load_events, load_scenario

GOOD_EVENT = """  - id: e1
    time: 2024-06-01T04:00:00+00:00
    actor: BLR
    target: UKR
    kind: ground_offensive
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load_scenario(path)
    return [p.render() for p in err.value.problems]


def test_scenario_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        f"name: n\nrules: nato-2024\nevents:\n{GOOD_EVENT}expect:\n  RL1: crossed\n",
    )
    sc = load_scenario(path)
    assert (sc.name, sc.rules, sc.expect) == ("n", "nato-2024", {"RL1": "crossed"})
    assert [e.id for e in sc.events] == ["e1"]


def test_yaml_timestamp_with_space_reads_like_the_string(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", GOOD_EVENT.replace("T04:00:00+00:00", " 04:00:00+00:00"))
    b = write(
        tmp_path,
        "b.yaml",
        GOOD_EVENT.replace("2024-06-01T04:00:00+00:00", "'2024-06-01T04:00:00+00:00'"),
    )
    assert load_events(a) == load_events(b)


def test_bare_list_of_events(tmp_path: Path) -> None:
    assert len(load_events(write(tmp_path, "e.yaml", GOOD_EVENT))) == 1


def test_json_scenario_has_lines(tmp_path: Path) -> None:
    text = '{\n  "events": [\n    {"id": "e1", "time": "2024-06-01", "actor": "Polan",\n     "target": "UKR", "kind": "threat"}\n  ]\n}\n'
    msgs = problems(write(tmp_path, "s.json", text))
    assert msgs == [
        f"{tmp_path}/s.json:3:49: field 'events[0].actor': unknown country 'Polan' (did you mean 'Poland'?)"
    ]


def test_every_problem_is_reported_with_line(tmp_path: Path) -> None:
    text = """events:
  - id: e1
    time: 2024-06-01T04:00:00
    actor: Polan
    target: UKR
    kind: ground_ofensive
    intnt: x
  - id: e1
    time: 2024-06-01
    actor: BLR
    target: UKR
    kind: threat
"""
    path = write(tmp_path, "s.yaml", text)
    assert problems(path) == [
        f"{path}:3:11: field 'events[0].time': datetime '2024-06-01T04:00:00' has no UTC offset: add one (e.g. +00:00), or give a bare date",
        f"{path}:4:12: field 'events[0].actor': unknown country 'Polan' (did you mean 'Poland'?)",
        f"{path}:6:11: field 'events[0].kind': unknown kind 'ground_ofensive' (did you mean 'ground_offensive'?)",
        f"{path}:7:5: field 'events[0].intnt': unknown field (did you mean 'intent'?)",
    ]


def test_duplicate_event_id(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD_EVENT + GOOD_EVENT)
    assert problems(path) == [
        f"{path}:6:9: field '[1].id': duplicate event id 'e1' (first at line 1)"
    ]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "events:\n  - id: [e1\n")
    assert problems(path) == [
        f"{path}:2:9: invalid YAML/JSON: this '[' is never closed (a ']' is missing)"
    ]


def test_missing_required_field(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD_EVENT.replace("    kind: ground_offensive\n", ""))
    assert problems(path) == [f"{path}:1:5: field '[0].kind': required field is missing"]


def test_unknown_scenario_key(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", f"nmae: x\nevents:\n{GOOD_EVENT}")
    assert problems(path) == [f"{path}:1:1: field 'nmae': unknown field (did you mean 'name'?)"]


def test_bad_expect_value(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", f"events:\n{GOOD_EVENT}expect:\n  RL1: crosed\n")
    (msg,) = problems(path)
    assert msg.startswith(
        f"{path}:8:8: field 'expect.RL1': input should be 'crossed', 'warning' or 'clear'"
    )


def test_missing_file() -> None:
    with pytest.raises(InputError) as err:
        load_scenario("/nonexistent/x.yaml")
    assert err.value.problems[0].render() == "/nonexistent/x.yaml: no such file"


def test_unsupported_suffix(tmp_path: Path) -> None:
    (msg,) = problems(write(tmp_path, "x.txt", "hello"))
    assert "unsupported file type '.txt'" in msg


def test_jsonl(tmp_path: Path) -> None:
    ok = '{"id": "a", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "threat"}\n'
    path = write(
        tmp_path,
        "e.jsonl",
        ok + "\n" + ok.replace('"a"', '"b"').replace("threat", "thret") + "{oops\n",
    )
    assert problems(path) == [
        f"{path}:3: field 'kind': unknown kind 'thret' (did you mean 'threat'?)",
        f"{path}:4:2: invalid JSON: Expecting property name enclosed in double quotes",
    ]
    good = write(tmp_path, "g.jsonl", ok)
    assert [e.id for e in load_events(good)] == ["a"]


def test_csv(tmp_path: Path) -> None:
    text = (
        "id,time,actor,target,kind,location.region,fatalities,sources\n"
        "a,2024-06-01,BLR,UKR,ground_offensive,UA-07,3,https://x|https://y\n"
        "b,2024-06-02,,UKR,threat,,,\n"
    )
    events = load_events(write(tmp_path, "e.csv", text))
    assert events[0].location is not None and events[0].location.region == "UA-07"
    assert events[0].fatalities == 3 and events[0].sources == ("https://x", "https://y")
    assert events[1].actor is None


def test_csv_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "id,time,actr,target,kind\n")
    assert problems(path) == [f"{path}:1:3: field 'actr': unknown column (did you mean 'actor'?)"]
    path = write(
        tmp_path,
        "f.csv",
        "id,time,actor,target,kind,fatalities\na,2024-06-01,RUS,POL,threat,many\n",
    )
    (msg,) = problems(path)
    assert msg.startswith(f"{path}:2: field 'fatalities': input should be a valid integer")


def test_event_error_is_an_input_error() -> None:
    assert issubclass(EventError, InputError)


# -- regressions from the contract review ------------------------------------------------


def test_regression_impossible_unquoted_yaml_date_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD_EVENT.replace("2024-06-01T04:00:00+00:00", "2024-02-30"))
    assert problems(path) == [f"{path}:2:11: field '[0].time': invalid date '2024-02-30'"]


def test_regression_yaml_timestamp_with_space_before_offset(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD_EVENT.replace("T04:00:00+00:00", " 06:00:00 +02:00"))
    assert load_events(path)[0].time.isoformat() == "2024-06-01T04:00:00+00:00"


def test_regression_deep_nesting_and_alias_bombs_are_errors(tmp_path: Path) -> None:
    (msg,) = problems(write(tmp_path, "deep.json", "[" * 100_000))
    assert "nested too deeply" in msg
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    (msg,) = problems(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))
    assert "once aliases are expanded" in msg


def test_regression_jsonl_duplicate_keys_and_huge_numbers(tmp_path: Path) -> None:
    ok = '{"id": "a", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "threat"'
    path = write(
        tmp_path,
        "e.jsonl",
        ok + ', "id": "b"}\n' + ok.replace('"a"', '"c"') + ', "fatalities": ' + "9" * 5000 + "}\n",
    )
    msgs = problems(path)
    assert msgs[0] == f"{path}:1: invalid JSON: duplicate key 'id'"
    assert msgs[1].startswith(f"{path}:2: invalid JSON:")


def test_regression_csv_header_any_case_and_duplicate_columns(tmp_path: Path) -> None:
    upper = write(tmp_path, "u.csv", "ID,Time,Actor,Target,Kind\na,2024-06-01,RUS,POL,threat\n")
    assert load_events(upper)[0].target == "POL"
    dup = write(
        tmp_path, "d.csv", "id,time,actor,target,kind,actor\na,2024-06-01,RUS,POL,threat,BLR\n"
    )
    assert problems(dup) == [f"{dup}:1:6: field 'actor': duplicate column (also column 3)"]
    semi = write(tmp_path, "s.csv", "id;time;actor;target;kind\n")
    assert problems(semi) == [f"{semi}:1: the CSV must be comma-separated (found ';')"]


def test_regression_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_bytes("id,time,actor,target,kind\na,2024-06-01,RUS,POL,threat é\n".encode("latin-1"))
    (msg,) = problems(path)
    assert msg.startswith(f"{path}:2:29: not UTF-8 text (invalid continuation byte at byte 54)")


def test_regression_expect_status_in_any_case(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", f"events:\n{GOOD_EVENT}expect:\n  RL1: CROSSED\n")
    assert load_scenario(path).expect == {"RL1": "crossed"}


def test_regression_a_single_event_object_gets_one_hint(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "one.json",
        '{"id": "a", "time": "2024-06-01", "actor": "RUS", "target": "POL", "kind": "threat"}\n',
    )
    assert problems(path) == [
        f"{path}:1: this is a single event: put it in a list, or under 'events:' in a scenario"
    ]


def test_regression_unquoted_ids_keep_the_text_the_author_wrote(tmp_path: Path) -> None:
    """YAML would read 007 as 7, 0x1F as 31, 1_000 as 1000 and 012 as 10 (colliding with a
    later 10): ids keep what was written, and numbers in other forms than decimal are refused."""
    path = tmp_path / "ids.yaml"
    rows = [
        f"  - {{id: {i}, time: 2024-06-01, actor: RUS, target: POL, kind: drone_strike}}"
        for i in ("007", "0x1F", "1_000", "012", "10", "12", "-0")
    ]
    path.write_text("events:\n" + "\n".join(rows) + "\n")
    ids = [e.id for e in load_events(path)]
    assert ids == ["007", "0x1F", "1_000", "012", "10", "12", "-0"]
    path.write_text(
        "events:\n  - {id: a, time: 2024-06-01, actor: RUS, target: POL, kind: drone_strike,"
        " fatalities: 0x10}\n"
    )
    with pytest.raises(EventError, match=r"fatalities.*got '0x10'"):
        load_events(path)


def test_regression_a_bad_expect_does_not_hide_event_problems(tmp_path: Path) -> None:
    """The head of a scenario (name, rules, expect) and its events are checked in one round."""
    text = f"nmae: x\nevents:\n{GOOD_EVENT.replace('BLR', 'Belarusia')}expect:\n  RL1: crosed\n"
    path = write(tmp_path, "s.yaml", text)
    assert problems(path) == [
        f"{path}:1:1: field 'nmae': unknown field (did you mean 'name'?)",
        f"{path}:5:12: field 'events[0].actor': unknown country 'Belarusia' (did you mean 'Belarus'?)",
        f"{path}:9:8: field 'expect.RL1': input should be 'crossed', 'warning' or 'clear' (got 'crosed'; did you mean 'crossed'?)",
    ]


def test_events_that_are_not_a_list_are_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "events: {id: e1}\nexpect:\n  RL1: crossed\n")
    assert problems(path) == [f"{path}:1:9: field 'events': input should be a valid list"]
