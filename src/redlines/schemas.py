"""JSON Schemas of the documents redlines reads and writes, generated from their pydantic
models: ``redlines schema rules|scenario|event|report``.

* ``rules``: a rule file (:class:`redlines.rules.model.RuleFile`);
* ``scenario``: a scenario file (:class:`redlines.readers.scenario.ScenarioFile`, with its
  events as :class:`redlines.events.Event`), or a bare list of events;
* ``event``: one event (a line of a JSON Lines file);
* ``report``: the JSON report (:class:`redlines.report.schema.ReportsJSON`).

The same schemas ship in the package (``src/redlines/data/schemas/*.json``, for editors:
docs/editors.md); ``python tests/golden/regenerate_schemas.py`` writes them again after a change
to a model, and a test keeps them equal to what the models give. The schemas give closed
vocabularies (kinds, intents...) as written in docs/events.md; the loader also accepts them in
any case, and country names as well as codes.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pydantic import BaseModel

from .errors import InputError, suggest
from .events import Event
from .readers.scenario import ScenarioFile
from .report.schema import ReportsJSON
from .rules.model import RuleFile

__all__ = ["SCHEMAS", "schema", "schema_text", "shipped_schema_text"]

#: The documents that have a schema, in the order they are listed.
SCHEMAS: tuple[str, ...] = ("rules", "scenario", "event", "report")

_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TITLES = {
    "rules": "redlines rule file (redlines/rules/v1)",
    "scenario": "redlines scenario file",
    "event": "redlines event",
    "report": "redlines JSON report",
}


def _of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True, mode="validation")


def _scenario() -> dict[str, Any]:
    """A scenario mapping, or a bare list of events."""
    found = _of(ScenarioFile)
    defs = found.pop("$defs", {})
    return {
        "$defs": defs,
        "anyOf": [found, {"type": "array", "items": {"$ref": "#/$defs/Event"}}],
    }


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the document *name* (one of :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise InputError.one(
            f"unknown schema '{name}': use one of {', '.join(SCHEMAS)}",
            suggestion=suggest(name, SCHEMAS, cutoff=0.5),
        )
    if name == "rules":
        body = _of(RuleFile)
    elif name == "scenario":
        body = _scenario()
    elif name == "event":
        body = _of(Event)
    else:
        body = _of(ReportsJSON)
    body.pop("title", None)
    return {"$schema": _DIALECT, "title": _TITLES[name], **body}


def schema_text(name: str) -> str:
    """:func:`schema` as the text ``redlines schema NAME`` prints and the package ships."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_text(name: str) -> str:
    """The schema of *name* as shipped in ``redlines/data/schemas/``."""
    folder = resources.files("redlines").joinpath("data/schemas")
    return folder.joinpath(f"{name}.json").read_text("utf-8")
