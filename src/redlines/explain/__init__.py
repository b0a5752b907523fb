"""Explanations: why a red line gave an event its level, and why not a higher one.

* ``model.py``: the explanation as data (``to_dict``, the JSON form) and as text (``str()``);
* ``compute.py``: the computation, from the reference matcher and the rules' conditions in
  normal form (never from durable-rules);
* ``batch.py``: :class:`BatchExplainer`, the events of one batch (``Report.explain``,
  ``redlines explain``);
* ``near.py``: near misses (``redlines run --explain``) and what decided a mismatch
  (``redlines test``).
"""

from __future__ import annotations

from .batch import BatchExplainer
from .compute import Pool, RulesetExplainer
from .model import (
    Check,
    ClauseExplanation,
    Explanation,
    PatternExplanation,
    RedLineExplanation,
)
from .near import mismatch_lines, near_misses

__all__ = [
    "BatchExplainer",
    "Check",
    "ClauseExplanation",
    "Explanation",
    "PatternExplanation",
    "Pool",
    "RedLineExplanation",
    "RulesetExplainer",
    "mismatch_lines",
    "near_misses",
]
