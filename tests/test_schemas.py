"""JSON Schemas (schemas.py, report/schema.py, `redlines schema`): generated from the models,
shipped equal to what the models give, and met by every example file and every real report."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from redlines import InputError
from redlines.cli import EXIT_ERROR, EXIT_OK, main
from redlines.schemas import SCHEMAS, schema, schema_text, shipped_schema_text
from redlines.source import parse_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name))


def errors(name: str, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(instance)]


def yaml_data(path: Path) -> Any:
    """A document as the loader reads it (YAML timestamps kept as text)."""
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).data


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema(name))


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_shipped_schemas_are_what_the_models_give(name: str) -> None:
    """After a change to a model: python tests/golden/regenerate_schemas.py"""
    assert shipped_schema_text(name) == schema_text(name)


RULE_FILES = [
    *sorted((EXAMPLES / "rulesets").glob("*.yaml")),
    *sorted((ROOT / "src/redlines/data/rulesets").glob("*.yaml")),
]
SCENARIOS = sorted(p for p in EXAMPLES.rglob("*.yaml") if "rulesets" not in p.parts)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_every_rule_file_meets_the_rules_schema(path: Path) -> None:
    assert errors("rules", yaml_data(path)) == []


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_example_scenario_meets_the_scenario_schema(path: Path) -> None:
    assert errors("scenario", yaml_data(path)) == []


def test_every_line_of_the_example_events_meets_the_event_schema() -> None:
    lines = (EXAMPLES / "events.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        assert errors("event", json.loads(line)) == [], line


def test_the_schemas_refuse_what_the_loader_refuses() -> None:
    rules = yaml_data(RULE_FILES[0])
    broken = {**rules, "red_lines": [{**rules["red_lines"][0], "colour": "red"}]}
    assert errors("rules", broken) != []
    assert errors("event", {"id": "a", "time": "2024-06-01", "actor": None, "target": "POL"})
    assert errors(
        "event", {"id": "a", "time": "yesterday", "actor": None, "target": "POL", "kind": "threat"}
    )
    assert (
        errors(
            "event",
            {
                "id": "a",
                "time": "2024-06-01 04:00:00+00:00",
                "actor": None,
                "target": "POL",
                "kind": "threat",
            },
        )
        == []
    )
    scenario = {"events": [], "expect": {"RL1": "crossed", "RL2": {"status": "warning"}}}
    assert errors("scenario", scenario) == []
    assert errors("scenario", {**scenario, "expect": {"RL1": "crosed"}}) != []


def run_json(*argv: str) -> Any:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", "--format", "json", *argv]) == EXIT_OK
    return json.loads(out.getvalue())


def test_real_reports_meet_the_report_schema() -> None:
    """One report, several (an array), real-data input accounting, and --explain."""
    scenarios = [str(p) for p in sorted((EXAMPLES / "scenarios").glob("*.yaml"))]
    data = [str(EXAMPLES / "events.jsonl"), str(EXAMPLES / "data/gdelt-sample.export.CSV")]
    for report in (
        run_json(scenarios[0]),
        run_json(*scenarios, *data),
        run_json("--explain", scenarios[0]),
    ):
        assert errors("report", report) == []


def test_the_report_schema_refuses_a_report_that_drifted() -> None:
    report = run_json(str(EXAMPLES / "scenarios/01-belarus-northern-front.yaml"))
    report["redlines"][0]["status"] = "orange"
    assert errors("report", report) != []
    report["redlines"][0]["status"] = "crossed"
    del report["ruleset"]
    assert errors("report", report) != []


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_schema_command_prints_the_schema(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == schema_text(name) and err == ""
    assert json.loads(out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_an_unknown_schema_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "rule"]) == EXIT_ERROR
    assert "'rule' is not one of 'rules', 'scenario', 'event', 'report'" in capsys.readouterr().err
    with pytest.raises(InputError) as err:
        schema("rule")
    assert err.value.problems[0].suggestion == "rules"
