"""How one read is set up: the options of the real-data readers and the two callbacks a reader is
given, ``relevant`` (from the ruleset) and ``progress`` (from the caller, such as the command
line's progress bar). Readers never decide relevance and never draw anything themselves."""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..events import Event

__all__ = ["AdapterOptions", "DateOrder", "Progress", "Relevant", "Settings"]

#: ``dmy``: day first (27/12/2021); ``mdy``: month first (12/27/2021).
DateOrder = Literal["dmy", "mdy"]

#: ``relevant(event)``: False when no red line could ever give *event* a level; such rows are
#: counted as ``rows_irrelevant`` and dropped.
Relevant = Callable[[Event], bool]

#: ``progress(label, total)``: a context manager around reading one stream of *total* bytes
#: named *label* (a file, or a member of a zip archive: its uncompressed bytes), yielding
#: ``advance(n)``, which the reader calls every few hundred lines with the bytes read since.
Progress = Callable[[str, int], contextlib.AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class AdapterOptions:
    """How machine-coded rows are grouped and corroborated, and how much is kept.

    A GDELT group (rows with the same day, actor and target countries, CAMEO root code and place)
    is raised from ``suspected`` to ``confirmed`` only when all three thresholds hold:

    * at least ``min_urls_confirmed`` distinct source URLs (articles actually seen in the data;
      never below 2, so that a single machine-coded article can never yield ``confirmed``),
    * at least ``min_sources_confirmed`` independent sources: the larger of the number of
      distinct publishers (URL host names) in the group and the largest GDELT ``NumSources``,
    * at least ``min_articles_confirmed`` articles: the larger of the number of distinct URLs and
      the largest GDELT ``NumArticles``.

    A GDELT row coded as military action but placed in a country other than its coded target's
    (``check_place``) is given the place's country as target: strikes happen where their
    target is, and the geocoder is more reliable than Actor2 there. ACLED and UCDP are curated
    by people, not machine-coded: their attribution comes from the data (named state forces,
    UCDP event clarity), not from these thresholds.
    """

    min_urls_confirmed: int = 2
    min_sources_confirmed: int = 3
    min_articles_confirmed: int = 3
    #: Group GDELT rows that report the same happening into one event.
    group_duplicates: bool = True
    #: Take the target of a military action from its place when it is placed neither in the
    #: coded target's country nor, for a country-level geocode, in the actor's.
    check_place: bool = True
    #: Fill ``location.region`` (ISO 3166-2) from coordinates in the covered countries.
    regions: bool = True
    #: Nearest populated place farther than this from the point: no region is given.
    region_max_km: float = 50.0
    #: How many :class:`~redlines.readers.Rejection` records are kept in the result; all are
    #: still counted.
    max_rejections_kept: int = 10_000
    #: The encoding of the export files (any name Python knows: ``cp1252``, ``latin-1``,
    #: ``utf-16``...); None: UTF-8, or cp1252 for a file whose bytes are not UTF-8
    #: (``docs/data.md``, "Encodings").
    encoding: str | None = None
    #: The order of day and month in slashed dates (``dmy``: 27/12/2021, ``mdy``: 12/27/2021);
    #: None: decided per file from the dates that cannot be ambiguous.
    date_order: DateOrder | None = None
    #: Explain why no red line could give a level to this many of the first irrelevant rows
    #: (``ExportBatch.irrelevant``); 0: none.
    explain_irrelevant: int = 0

    def __post_init__(self) -> None:
        if self.min_urls_confirmed < 2:
            raise ValueError(
                "min_urls_confirmed must be at least 2: a single machine-coded article must "
                "never yield a confirmed attribution"
            )
        if self.min_sources_confirmed < 1 or self.min_articles_confirmed < 1:
            raise ValueError("corroboration thresholds must be positive")
        if self.max_rejections_kept < 0 or self.region_max_km <= 0:
            raise ValueError("max_rejections_kept must be >= 0 and region_max_km > 0")
        if self.explain_irrelevant < 0:
            raise ValueError("explain_irrelevant must be >= 0")
        if self.date_order not in (None, "dmy", "mdy"):
            raise ValueError(f"date_order must be 'dmy' or 'mdy', not {self.date_order!r}")
        if self.encoding is not None:
            try:
                name = codecs.lookup(self.encoding).name
            except LookupError:
                raise ValueError(f"unknown encoding {self.encoding!r}") from None
            object.__setattr__(self, "encoding", name)


@dataclass(frozen=True)
class Settings:
    """Everything a reader is given besides its input. The contract's own formats (scenario and
    event files) use none of it: every event in them is kept."""

    options: AdapterOptions = field(default_factory=AdapterOptions)
    relevant: Relevant | None = None
    progress: Progress | None = None
