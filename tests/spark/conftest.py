"""One SparkSession (local[2]) for every Spark test; skipped, with the reason, where pyspark or
Java is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


def _why_not() -> str | None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'redlines[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and os.path.exists(java_home)):
        return "no Java on this machine (Spark needs Java 17 or later)"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    reason = _why_not()
    if reason is not None:
        pytest.skip(reason)
    from redlines.spark import session

    s = session("local[2]", app_name="redlines-tests")
    yield s
    s.stop()
