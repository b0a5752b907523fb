"""Grouping duplicate reports into one event, and corroboration of machine-coded attribution.

GDELT codes every article separately, so one happening arrives as many rows. Rows with the same
group key (event day, actor country, target country, CAMEO root code, place) are one event that
keeps every row id and URL in ``sources``. Corroboration then weighs what the group shows — see
:class:`~redlines.readers.AdapterOptions` for the thresholds — and is the only way a
machine-coded event reaches ``confirmed``. Rows from ACLED and UCDP are never grouped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .adapter import Candidate
from .options import AdapterOptions

__all__ = ["Corroboration", "Group", "canonical_url", "corroborate"]

#: Query parameters that mark where a reader came from, not which article it is.
_TRACKING = frozenset({"fbclid", "gclid", "ocid", "cmpid", "ref", "source", "mc_cid", "mc_eid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The article a URL names, so that copies of one article are not counted as two: no
    scheme, host lower-cased without ``www.``, no default port, fragment or trailing slash, and
    no tracking parameters (the rest of the query sorted)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # not a URL we can take apart (a bad port, say): compare it as written
        return url.strip()
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host += f":{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower().startswith("utm_") or k.lower() in _TRACKING)
    )
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "") if host else url.strip()


@dataclass(frozen=True)
class Corroboration:
    """What a group of machine-coded rows shows, and the attribution it earns."""

    rows: int
    urls: int
    sources: int
    articles: int
    attribution: str

    def describe(self) -> str:
        return (
            f"{self.rows} row(s), {self.urls} distinct URL(s), {self.sources} source(s), "
            f"{self.articles} article(s): {self.attribution}"
        )


def _host(canonical: str) -> str:
    return canonical.split("/", 1)[0].split("?", 1)[0]


@dataclass
class Group:
    """Rows reporting one happening. Memory: the row references and distinct URLs of the
    group (both are kept in the event's ``sources``), plus a few counters. Nothing depends on
    the order rows arrive in: the row with the smallest order key (the lowest GDELT id) speaks
    for the group, and sources are listed in order-key order."""

    first: Candidate  #: the row with the smallest order key
    rows: int = 0
    #: row reference -> its order key
    refs: dict[str, tuple[int, str]] = field(default_factory=dict)
    #: canonical URL -> (order key, spelling) of the earliest row that cited it
    urls: dict[str, tuple[tuple[int, str], str]] = field(default_factory=dict)
    extra_sources: dict[str, None] = field(default_factory=dict)
    kinds: Counter[tuple[str, str]] = field(default_factory=Counter)
    actor_types: Counter[str] = field(default_factory=Counter)
    max_sources: int = 0
    max_articles: int = 0
    best: tuple[int, str] = (0, "")
    best_id: str = ""

    def add(self, cand: Candidate) -> None:
        if self.rows == 0 or cand.order_key < self.best:
            self.best, self.best_id, self.first = cand.order_key, cand.event_id, cand
        self.rows += 1
        self.refs[cand.row_ref] = cand.order_key
        self.kinds[(cand.fields["kind"], cand.fields["intent"])] += 1
        self.actor_types[cand.fields["actor_type"]] += 1
        if cand.evidence is not None:
            if cand.evidence.url:
                key = canonical_url(cand.evidence.url)
                seen = self.urls.get(key)
                if seen is None or cand.order_key < seen[0]:
                    self.urls[key] = (cand.order_key, cand.evidence.url)
            self.max_sources = max(self.max_sources, cand.evidence.num_sources)
            self.max_articles = max(self.max_articles, cand.evidence.num_articles)
        else:
            for source in cand.sources:
                self.extra_sources.setdefault(source, None)

    def event_dict(self, options: AdapterOptions) -> dict[str, Any]:
        """The contract dict of the group's event (validated by the caller)."""
        first = self.first
        data: dict[str, Any] = {"id": self.best_id, **first.fields}
        if self.rows > 1:
            # The most frequent coding wins; ties go to the smallest value, so the result does
            # not depend on row order.
            (kind, intent), _ = min(self.kinds.items(), key=lambda kv: (-kv[1], kv[0]))
            actor_type, _ = min(self.actor_types.items(), key=lambda kv: (-kv[1], kv[0]))
            data.update(kind=kind, intent=intent, actor_type=actor_type)
        refs = sorted(self.refs, key=lambda ref: (self.refs[ref], ref))
        if first.evidence is None:
            data["attribution"] = first.attribution
            data["sources"] = [*refs, *self.extra_sources]
            return data
        found = corroborate(self, options)
        data["attribution"] = found.attribution
        data["sources"] = [*refs, *(url for _, url in sorted(self.urls.values()))]
        data["notes"] = f"{first.fields.get('notes', '')}; {found.describe()}".lstrip("; ")
        return data


def corroborate(group: Group, options: AdapterOptions) -> Corroboration:
    """The attribution a group of machine-coded rows earns (see ``AdapterOptions``)."""
    urls = len(group.urls)
    sources = max(len({_host(u) for u in group.urls}), group.max_sources)
    articles = max(urls, group.max_articles)
    if (
        urls >= options.min_urls_confirmed
        and sources >= options.min_sources_confirmed
        and articles >= options.min_articles_confirmed
    ):
        attribution = "confirmed"
    else:
        attribution = "suspected"
    return Corroboration(group.rows, urls, sources, articles, attribution)
