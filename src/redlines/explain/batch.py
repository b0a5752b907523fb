"""Explaining the events of one batch: what a batch report keeps (``Report.explain``), what
``redlines explain`` and ``redlines test`` use."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..compile import CompiledRuleset
from ..errors import EventError, suggest
from ..events import Event
from ..report.model import NearGroup, NearMiss
from ..rules.resolved import Ruleset
from .compute import Pool, RulesetExplainer
from .model import Explanation
from .near import near_misses

__all__ = ["BatchExplainer"]


class BatchExplainer:
    """Explains any event of a batch against a ruleset, with the whole batch as the events
    patterns count (as when the batch was evaluated). Nothing is computed before it is asked
    for; each event is explained once. *events* may be a function that reads them: it is
    called when the first explanation is asked for (a batch whose irrelevant events were only
    counted reads its file again then)."""

    def __init__(
        self,
        rules: Ruleset,
        events: Sequence[Event] | Callable[[], Sequence[Event]],
        *,
        file: str | None = None,
        compiled: CompiledRuleset | None = None,
    ) -> None:
        self.ruleset = rules
        self.file = file
        #: the events, or what reads them when first needed
        self._events = events if callable(events) else list(events)
        self._compiled = compiled
        self._explainer: RulesetExplainer | None = None
        self._pool: Pool | None = None
        self._cache: dict[str, Explanation] = {}

    @property
    def events(self) -> Sequence[Event]:
        """The batch's events, as given (read when first asked for, if given as a function);
        read-only."""
        if callable(self._events):
            self._events = list(self._events())
        return tuple(self._events)

    @property
    def explainer(self) -> RulesetExplainer:
        if self._explainer is None:
            self._explainer = RulesetExplainer(self.ruleset, self._compiled)
        return self._explainer

    @property
    def pool(self) -> Pool:
        """The batch in event-time order, as patterns see it."""
        if self._pool is None:
            events = self._events() if callable(self._events) else self._events
            self._pool = Pool(self.explainer, list(events))
        return self._pool

    def ids(self) -> list[str]:
        """The batch's event ids, in event-time order."""
        return [e.id for e in self.pool.events]

    def event(self, event_id: str) -> Event:
        """The batch's event *event_id*; an unknown id is an :class:`EventError` with the
        nearest id as its "did you mean"."""
        n = self.pool.index.get(event_id)
        if n is None:
            raise EventError.one(
                f"no event with id '{event_id}'",
                file=self.file,
                suggestion=suggest(event_id, self.pool.index, cutoff=0.6),
            )
        return self.pool.events[n]

    def explain(self, event_id: str) -> Explanation:
        """What every red line made of the event *event_id*, and why."""
        found = self._cache.get(event_id)
        if found is None:
            event = self.event(event_id)
            found = self.explainer.explain(
                event, self.pool, file=self.file, seq=self.pool.index[event_id]
            )
            self._cache[event_id] = found
        return found

    __call__ = explain

    def explanations(self) -> list[Explanation]:
        """Every event's explanation, in event-time order."""
        return [self.explain(i) for i in self.ids()]

    def near_misses(self) -> dict[str, list[NearMiss | NearGroup]]:
        """Per red line, the events that missed a clause of a higher level than the one they
        got by exactly one condition, then the pattern groups one event short."""
        return near_misses(self)
