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
