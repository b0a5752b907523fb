"""redlines: declarative red lines over conflict events.

Load a ruleset, feed events, read a report of which red lines are crossed, which are in
warning, and why::

    import redlines

    rules = redlines.load_rules()                      # the shipped nato-2024 ruleset
    report = redlines.evaluate(events, rules)          # events: Event models or plain dicts
    report.status("RL1")                               # 'crossed' | 'warning' | 'clear'
    print(redlines.render([report], "markdown"))

The pipeline is load -> validate -> compile -> evaluate -> report; see docs/architecture.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (
        DataFormatError,
        EngineError,
        EventError,
        InputError,
        Problem,
        RedlinesError,
        RuleError,
        RulesetNotFound,
    )
    from .evaluation import Evaluator, evaluate
    from .events import KIND_GROUPS, KINDS, Event, Location
    from .explain import Explanation
    from .findings import Finding
    from .readers import Batch as Scenario
    from .readers import load_events, load_scenario
    from .report import Report, render
    from .rules.load import load_rules, parse_rules, shipped_rulesets
    from .rules.resolved import Ruleset
    from .runner import evaluate_dataframe, evaluate_file

#: Where each public name lives: imported on first use (PEP 562), so that ``import redlines``
#: and a command of the CLI load only the modules they need (a run's fixed cost).
_LAZY: dict[str, tuple[str, str]] = {
    **{
        name: (".errors", name)
        for name in (
            "DataFormatError",
            "EngineError",
            "EventError",
            "InputError",
            "Problem",
            "RedlinesError",
            "RuleError",
            "RulesetNotFound",
        )
    },
    "Evaluator": (".evaluation", "Evaluator"),
    "evaluate": (".evaluation", "evaluate"),
    "KIND_GROUPS": (".events", "KIND_GROUPS"),
    "KINDS": (".events", "KINDS"),
    "Event": (".events", "Event"),
    "Location": (".events", "Location"),
    "Explanation": (".explain", "Explanation"),
    "Finding": (".findings", "Finding"),
    "Scenario": (".readers", "Batch"),
    "load_events": (".readers", "load_events"),
    "load_scenario": (".readers", "load_scenario"),
    "Report": (".report", "Report"),
    "render": (".report", "render"),
    "load_rules": (".rules.load", "load_rules"),
    "parse_rules": (".rules.load", "parse_rules"),
    "shipped_rulesets": (".rules.load", "shipped_rulesets"),
    "Ruleset": (".rules.resolved", "Ruleset"),
    "evaluate_dataframe": (".runner", "evaluate_dataframe"),
    "evaluate_file": (".runner", "evaluate_file"),
}


def __getattr__(name: str) -> Any:
    """A public name, or a submodule (``redlines.readers``), imported on first use."""
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module, __name__), attr)
        globals()[name] = value
        return value
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "KINDS",
    "KIND_GROUPS",
    "DataFormatError",
    "EngineError",
    "Evaluator",
    "Event",
    "EventError",
    "Explanation",
    "Finding",
    "InputError",
    "Location",
    "Problem",
    "RedlinesError",
    "Report",
    "RuleError",
    "Ruleset",
    "RulesetNotFound",
    "Scenario",
    "__version__",
    "evaluate",
    "evaluate_dataframe",
    "evaluate_file",
    "load_events",
    "load_rules",
    "load_scenario",
    "parse_rules",
    "render",
    "shipped_rulesets",
]
