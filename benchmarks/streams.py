"""Seeded event streams and generated rulesets for the benchmarks (not a benchmark itself).

* ``feed_like``: a monitor's day: 95% of events are ones no red line of nato-2024 can give a
  level (relations between third countries, Russia's own diplomacy, Ukraine's actions), 5%
  are flank or third-party events;
* ``all_relevant``: every event can be given a level by some clause;
* ``probing_heavy``: warnings against a few flank countries, so that probing windows are always
  full (the pattern code's worst case).

Events are dicts in the event format, in event-time order, with distinct ids.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
FLANK = ["POL", "LTU", "LVA", "EST", "MDA"]
THIRD = ["USA", "FRA", "DEU", "CHN", "IND", "BRA", "TUR", "JPN", "ZAF", "AUS", "CAN", "MEX"]
MILITARY = ["drone_strike", "missile_strike", "airspace_violation", "artillery_fire"]
OTHER_KINDS = ["other", "threat", "sabotage", "weapons_supply", "military_exercise"]


def _event(i: int, rng: random.Random, **fields: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "id": f"e{i}",
        "time": (START + dt.timedelta(minutes=7 * i)).isoformat(),
    }
    ev.update(fields)
    return ev


def _irrelevant(i: int, rng: random.Random) -> dict[str, Any]:
    """An event no clause of nato-2024 can match."""
    choice = rng.random()
    if choice < 0.6:  # third countries among themselves
        a, t = rng.sample(THIRD, 2)
        return _event(i, rng, actor=a, target=t, kind=rng.choice(OTHER_KINDS + MILITARY))
    if choice < 0.8:  # Russia's own diplomacy, or Ukraine's actions
        return _event(i, rng, actor="RUS", target=rng.choice(THIRD), kind="other")
    return _event(i, rng, actor="UKR", target="RUS", kind=rng.choice(MILITARY))


def _relevant(i: int, rng: random.Random) -> dict[str, Any]:
    """An event some clause of nato-2024 gives a level."""
    choice = rng.random()
    if choice < 0.5:
        return _event(
            i,
            rng,
            actor="RUS",
            target=rng.choice(FLANK),
            kind=rng.choice([*MILITARY, "sabotage", "threat"]),
            intent=rng.choice(["deliberate", "unknown", "stray"]),
            attribution=rng.choice(["confirmed", "confirmed", "suspected"]),
        )
    if choice < 0.75:
        return _event(
            i, rng, actor=rng.choice(THIRD), target="UKR", kind=rng.choice(["weapons_supply"])
        )
    return _event(
        i,
        rng,
        actor=rng.choice(["BLR", "PRK", "IRN"]),
        on_behalf_of="RUS",
        target="UKR",
        kind=rng.choice([*MILITARY, "troop_deployment"]),
        actor_type=rng.choice(["state_forces", "state_directed_proxy"]),
    )


def _probing(i: int, rng: random.Random) -> dict[str, Any]:
    return _event(
        i,
        rng,
        actor="RUS",
        target=rng.choice(FLANK[:2]),
        kind=rng.choice(["airspace_violation", "sabotage", "electronic_warfare"]),
        intent="unknown",
    )


def stream(kind: str, n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """*n* events of the stream *kind* (``feed_like``, ``all_relevant``, ``probing_heavy``)."""
    rng = random.Random(seed)
    for i in range(n):
        if kind == "feed_like":
            yield _relevant(i, rng) if rng.random() < 0.05 else _irrelevant(i, rng)
        elif kind == "all_relevant":
            yield _relevant(i, rng)
        elif kind == "probing_heavy":
            yield _probing(i, rng)
        else:
            raise ValueError(kind)


def write_jsonl(path: Path, events: Iterator[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for ev in events:
            fh.write(json.dumps(ev) + "\n")
    return path


def ruleset_yaml(red_lines: int, seed: int = 7) -> str:
    """A rule file of *red_lines* red lines in the style of nato-2024: each watches one
    (actor, target group) pair with a crossed clause, two warnings and a probing pattern."""
    rng = random.Random(seed)
    countries = FLANK + THIRD + ["UKR", "RUS", "BLR", "PRK", "IRN", "GBR", "ITA", "ESP", "NLD"]
    lines = [
        "schema: redlines/rules/v1",
        "name: generated",
        "version: 1",
        f"title: {red_lines} generated red lines",
        "red_lines:",
    ]
    for r in range(red_lines):
        actor = rng.choice(countries)
        targets = rng.sample([c for c in countries if c != actor], 3)
        lines += [
            f"  - id: R{r}",
            f"    title: {actor} against {', '.join(targets)}",
            "    applies_when:",
            "      all:",
            f"        - {{field: target, in: [{', '.join(targets)}]}}",
            "        - not: {field: attribution, eq: misattributed}",
            "    clauses:",
            "      - id: attack",
            "        level: crossed",
            "        when:",
            "          all:",
            f"            - {{field: actor, eq: {actor}}}",
            "            - {field: kind, in: MILITARY}",
            "            - {field: intent, eq: deliberate}",
            "            - {field: attribution, eq: confirmed}",
            "        reason: '{target_name}: {kind} by {actor_name}'",
            "      - id: activity",
            "        level: warning",
            "        when:",
            "          all:",
            f"            - {{field: actor, eq: {actor}}}",
            f"            - {{field: kind, in: [{rng.choice(OTHER_KINDS)}, sabotage, threat]}}",
            "        reason: '{target_name}: {kind} by {actor_name}'",
            "      - id: proxy",
            "        level: warning",
            f"        when: {{field: on_behalf_of, eq: {actor}}}",
            "        reason: '{target_name}: {kind} on behalf of {on_behalf_of_name}'",
            "    patterns:",
            "      - id: probing",
            "        select: {level: warning}",
            "        count: 3",
            "        within: 30d",
            "        same: [target]",
            "        reason: '{count} warnings against {target_name}'",
        ]
    return "\n".join(lines) + "\n"
