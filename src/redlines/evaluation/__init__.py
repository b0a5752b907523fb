"""Evaluation: events in, findings and reports out.

``evaluator.py`` orchestrates (levels per event from a matcher, findings, state),
``windows.py`` keeps the event-time windows of patterns, ``reasons.py`` writes reason text.
"""

from __future__ import annotations

from .evaluator import Evaluator, evaluate, evaluate_batch, feed_in_time_order

__all__ = ["Evaluator", "evaluate", "evaluate_batch", "feed_in_time_order"]
