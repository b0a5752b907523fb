"""Shared helpers: event builders, the shipped ruleset, paths to shared data."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from redlines import Event, Ruleset, load_rules

# In CI (CI set, as .ci/run runs) every property test draws the same examples on every run, so
# that a red CI is a regression, never a new counterexample found by chance; elsewhere they
# explore. Loaded here, before any test module applies its own @settings.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The cache of loaded rulesets (redlines.rules.cache) goes to a folder of this session's own,
# shared with the command lines the tests start, not to the user's ~/.cache.
os.environ["REDLINES_CACHE_DIR"] = tempfile.mkdtemp(prefix="redlines-test-cache-")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
_IDS = itertools.count(1)


def make_event(**fields: Any) -> Event:
    """An Event with an id and a time filled in unless given."""
    fields.setdefault("id", f"t{next(_IDS)}")
    fields.setdefault("time", "2024-06-01T00:00:00+00:00")
    fields.setdefault("actor", "RUS")
    fields.setdefault("target", "POL")
    fields.setdefault("kind", "drone_strike")
    return Event.model_validate(fields)


@pytest.fixture(scope="session")
def nato() -> Ruleset:
    return load_rules("nato-2024")


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data, or skip the test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared/data is absent)")
    return path
