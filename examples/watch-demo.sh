#!/usr/bin/env bash
# Replays a small feed through `redlines watch` (docs/watch.md): a GDELT export and three
# event files dropped into a directory, the way a downloader fills one every 15 minutes.
#
#   examples/watch-demo.sh            # uses .venv/bin/redlines (make install), else redlines
#   REDLINES=/path/to/redlines examples/watch-demo.sh
#
# It shows: alerts as JSON Lines, one per change of a red line's status; a probing pattern
# built from three files; rejected GDELT rows reported on stderr while the watcher goes on;
# and a second start with the same state file, which reads only the file that is new.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
redlines="${REDLINES:-$here/../.venv/bin/redlines}"
[ -x "$redlines" ] || redlines=redlines

work="$(mktemp -d "${TMPDIR:-/tmp}/redlines-watch-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
mkdir "$feed"

# The feed: a GDELT export (June 2024), then Russian activity over Poland in September 2025,
# one event a file (examples/events.jsonl, lines 1-3). Files are written under a .part name
# and renamed when complete, as a downloader should: the watcher never reads half a file.
cp "$here/data/gdelt-sample.export.CSV" "$feed/20240602000000.export.CSV.part"
mv "$feed/20240602000000.export.CSV.part" "$feed/20240602000000.export.CSV"
n=0
for stamp in 20250910000000 20250912000000 20250919000000; do
    n=$((n + 1))
    sed -n "${n}p" "$here/events.jsonl" > "$feed/$stamp.events.jsonl.part"
    mv "$feed/$stamp.events.jsonl.part" "$feed/$stamp.events.jsonl"
done

# --once leaves files modified in the last --settle seconds (default 2) for the next run, in
# case they are still being written; this demo has just written its files, so --settle 0.
echo "== redlines watch FEED --once --settle 0 --state STATE --alerts ALERTS"
"$redlines" watch "$feed" --once --settle 0 --state "$work/state.json" --alerts "$work/alerts.jsonl"
echo "-- the alerts, one JSON object a line:"
cat "$work/alerts.jsonl"

echo
echo "== a new file arrives; the same command goes on from the state (only the new file is read)"
printf '%s\n' '{"id": "lt-1", "time": "2025-09-20T08:00:00+00:00", "actor": "RUS", "target": "LTU", "kind": "airspace_violation", "intent": "unknown"}' \
    > "$feed/20250920000000.events.jsonl"
"$redlines" watch "$feed" --once --settle 0 --state "$work/state.json" --alerts "$work/alerts.jsonl"
echo "-- alerts now (no status changed, so none was added):"
cat "$work/alerts.jsonl"

echo
echo "== the same events from standard input, as a live stream would send them"
cat "$here/events.jsonl" | "$redlines" watch - 2>/dev/null
