"""Real event data: GDELT (2.0 and 1.0), ACLED and UCDP GED exports as contract events.

Each source row becomes an event (possibly grouped with duplicate reports of the same
happening), is left out as irrelevant to the ruleset, or is rejected with a reason; the
:class:`InputSummary` accounts for every row (CONTRACT §8). See ``docs/data.md`` for the mapping
tables, grouping, corroboration thresholds and geographic precision.
"""

from __future__ import annotations

from .base import (
    Adapter,
    AdapterOptions,
    AdapterResult,
    Candidate,
    Evidence,
    InputSummary,
    Rejection,
    RowRejected,
)
from .geo import COVERED, region_for
from .pipeline import FORMATS, detect_format, from_dataframe, make_adapter, read_events

__all__ = [
    "COVERED",
    "FORMATS",
    "Adapter",
    "AdapterOptions",
    "AdapterResult",
    "Candidate",
    "Evidence",
    "InputSummary",
    "Rejection",
    "RowRejected",
    "detect_format",
    "from_dataframe",
    "make_adapter",
    "read_events",
    "region_for",
]
