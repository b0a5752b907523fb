"""Helpers for the reader tests: fixture paths and the shared real-data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from redlines.readers import ExportBatch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adapters"
#: Real public exports live beside the project, never in it (see shared/data/README.md).
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    """A file of the shared real data, or skip the test with the reason."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"real data not available: {path} is absent (see shared/data/README.md)")
    return path


def assert_accounted(result: ExportBatch) -> None:
    """Every row read is used, irrelevant or rejected, and the reasons add up."""
    s = result.summary
    assert s.rows_read == s.rows_used + s.rows_irrelevant + s.rows_rejected
    assert sum(s.rejected_by_reason.values()) == s.rows_rejected
    assert len(result.rejections) + result.rejections_omitted == s.rows_rejected
    ids = [e.id for e in result.events]
    assert len(ids) == len(set(ids))
