"""From files and DataFrames to reports, as the command line does it."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines import evaluate_dataframe, evaluate_file
from redlines.readers import is_event_file

FIXTURES = Path(__file__).parent / "fixtures" / "adapters"


def test_evaluate_dataframe_matches_the_file() -> None:
    pd = pytest.importorskip("pandas")
    path = FIXTURES / "acled_current.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    from_frame = evaluate_dataframe(frame, "acled", name=str(path)).to_dict()
    from_file = evaluate_file(path).to_dict()
    assert from_frame["redlines"] == from_file["redlines"]
    assert from_frame["input"]["rows_read"] == from_file["input"]["rows_read"] == 8
    assert from_frame["input"]["rows_irrelevant"] == from_file["input"]["rows_irrelevant"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("e.csv", "id,time,actor,target,kind\n", True),
        ("e.csv", "ID;Time;Actor;Target;Kind\n", True),
        ("a.csv", "event_id_cnty,event_date,event_type,actor1,country\n", False),
        ("u.csv", "id,relid,year,type_of_violence,side_a,side_b\n", False),
        ("g.CSV", "1\t20240601\t202406\n", False),
        ("s.yaml", "", True),
        ("e.jsonl", "", True),
    ],
)
def test_event_files_are_told_from_exports(
    tmp_path: Path, name: str, text: str, expected: bool
) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert is_event_file(path) is expected


def test_regression_a_scenario_that_does_not_read_still_has_its_rules_checked(
    tmp_path: Path,
) -> None:
    """The ruleset a scenario names is checked in the same round as its events."""
    from redlines import InputError
    from redlines.runner import prepare

    path = tmp_path / "s.yaml"
    path.write_text(
        "name: x\nrules: nato-2025\nevents:\n"
        "  - {id: a, time: 2024-06-01, actor: Polan, target: UKR, kind: threat}\n"
    )
    with pytest.raises(InputError) as err:
        prepare(path)
    assert [p.render() for p in err.value.problems] == [
        f"{path}:2: field 'rules': unknown ruleset 'nato-2025': not a shipped ruleset (nato-2024) nor a file (did you mean 'nato-2024'?)",
        f"{path}:4:38: field 'events[0].actor': unknown country 'Polan' (did you mean 'Poland'?)",
    ]
    with pytest.raises(InputError) as err:
        prepare(path, rules="nato-2024")  # --rules overrides the scenario's own
    assert len(err.value.problems) == 1
