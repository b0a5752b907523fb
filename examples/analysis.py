"""A short analysis with the redlines Python API.

Run from the project root:  .venv/bin/python examples/analysis.py

1. Evaluate every example scenario in a batch and tabulate the status of each red line.
2. Replay the September 2025 events against Poland one at a time, as a live feed, and print
   each finding the moment it appears (the probing pattern fires on the third event).
3. Explain one event: why a Russian drone over Romania gives RL2 no level, and what it lacks.
4. Tabulate the live report with pandas: findings, and each event's level per red line.
5. Print the Markdown report of the live scenario, ready to paste into a briefing.
"""

from __future__ import annotations

from pathlib import Path

import redlines

HERE = Path(__file__).parent
rules = redlines.load_rules("nato-2024")  # the shipped ruleset; a path to a YAML file works too

# 1. Batch: one report per scenario file.
print(f"{'scenario':48} {'RL1':8} {'RL2':8} expected")
for path in sorted((HERE / "scenarios").glob("*.yaml")):
    scenario = redlines.load_scenario(path)
    report = redlines.evaluate(scenario.events, rules, scenario=scenario.name, file=str(path))
    got = {rl: report.status(rl) for rl in ("RL1", "RL2")}
    ok = "ok" if scenario.expect in (None, got) else f"MISMATCH {scenario.expect}"
    print(f"{path.stem[:48]:48} {got['RL1']:8} {got['RL2']:8} {ok}")

# Which clauses fired, over all scenarios: a quick view of rule coverage.
counts: dict[str, int] = {}
for path in sorted((HERE / "scenarios").glob("*.yaml")):
    report = redlines.evaluate_file(path)
    for result in report.redlines:
        for finding in result.findings:
            key = f"{finding.red_line}:{finding.clause}"
            counts[key] = counts.get(key, 0) + 1
print("\nfindings per clause:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

# 2. Live: a long-lived evaluator fed one event at a time, in arrival order.
scenario = redlines.load_scenario(HERE / "scenarios" / "14-probing-poland-september-2025.yaml")
live = redlines.Evaluator(rules)
print(f"\nlive feed: {scenario.name}")
for event in scenario.events:
    for finding in live.feed(event):
        print(f"  {event.id:34} -> {finding.red_line} {finding.level:8} [{finding.clause}]")
report = live.report(scenario=scenario.name)
rl2 = report.red_line("RL2")
print(f"  RL2 is {rl2.status}, first crossed at {rl2.first_crossed_at}")
probing = [f for f in rl2.findings if f.clause == "probing"]
print(f"  probing events: {', '.join(probing[0].event_ids)}" if probing else "  no pattern")

# An event can also be a plain dict; Evaluator.levels gives its per-event level without state.
stray = {"id": "x", "time": "2025-09-13", "actor": "RUS", "target": "ROU", "kind": "drone_strike"}
print(f"\na Russian drone strike on Romania: {live.levels(redlines.Event.model_validate(stray))}")

# 3. Why (not): what every red line made of one event of a batch, and the nearest miss.
romania = redlines.evaluate_file(HERE / "scenarios" / "22-romania-not-flank.yaml")
explanation = romania.explain("rus-drone-romania-2025-09-13")
print(f"\n{explanation.only('RL2')}", end="")
russian_activity = explanation.to_dict()["redlines"][1]["clauses"][1]  # its JSON form
print("failing, as JSON:", [c for c in russian_activity["conditions"] if not c["ok"]])

# 4. Tables (pandas): one row per finding, and one row per event with each red line's level.
findings = report.to_dataframe()
print(findings[["red_line", "level", "clause", "basis", "place"]].to_string(index=False))
print(report.levels_frame().to_string())  # per-event levels: the pattern is in findings

# 5. Markdown for a briefing.
print()
print(redlines.render([report], "markdown"))
