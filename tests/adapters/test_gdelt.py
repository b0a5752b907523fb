"""GDELT 2.0 and 1.0: column layouts, codes as strings, FIPS locations, grouping, the traps."""

from __future__ import annotations

from redlines.adapters import AdapterOptions, DataFormatErrorAlias, read_events  # noqa: F401
