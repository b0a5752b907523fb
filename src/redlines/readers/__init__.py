"""Reading input: every file, DataFrame or mapping that becomes events goes through here.

One registry of formats (:mod:`.registry`): the contract's own scenario and event files (YAML,
JSON, JSON Lines, CSV) and the real-data exports (GDELT 2.0 and 1.0, ACLED, UCDP GED). Every
reader returns a :class:`Batch`; every mapping becomes an event through :func:`to_event`, and
event ids are checked by :class:`DuplicateIds`. ::

    from redlines.readers import read, read_dataframe

    batch = read(["20191024143000.export.CSV"])        # format detected (any file)
    batch.events                                        # list[Event]
    batch.summary.to_dict()                             # the report's "input" object
    batch.rejections                                    # Rejection(file, row, reason, detail)
    read_dataframe(df, "acled")                         # a pandas DataFrame of ACLED rows
    read_dataframe(df)                                  # ... or of events (format "events")

See ``docs/data.md`` for the real-data mapping, grouping and corroboration.
"""

from .batch import Batch, ExportBatch, InputSummary, Rejection
from .eventsink import DuplicateIds, EventSink, to_event
from .options import AdapterOptions, Progress, Relevant
from .registry import (
    EXPORT_FORMATS,
    FORMATS,
    FRAME_FORMATS,
    Format,
    detect_format,
    format_named,
    is_event_file,
    load_events,
    load_scenario,
    read,
    read_dataframe,
    read_exports,
)
from .scenario import Expectation

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "FRAME_FORMATS",
    "AdapterOptions",
    "Batch",
    "DuplicateIds",
    "EventSink",
    "Expectation",
    "ExportBatch",
    "Format",
    "InputSummary",
    "Progress",
    "Rejection",
    "Relevant",
    "detect_format",
    "format_named",
    "is_event_file",
    "load_events",
    "load_scenario",
    "read",
    "read_dataframe",
    "read_exports",
    "to_event",
]
