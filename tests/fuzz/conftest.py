"""The fuzz suite's one fixture: warm the engines up once, before the first fork."""

from __future__ import annotations

import pytest

from .harness import warm_up


@pytest.fixture(scope="session", autouse=True)
def _warm_engines() -> None:
    warm_up()
