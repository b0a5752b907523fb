#!/bin/sh
# The HTML briefing of the example scenarios and of the GDELT sample, in one self-contained
# file: open it in any browser, offline, or print it (docs/briefing.md).
#
#   sh examples/briefing.sh [OUT.html]      (default: brief.html)
set -eu
here=$(dirname "$0")
out=${1:-brief.html}
# REDLINES names the redlines command; else the project's .venv, else the one on the PATH
redlines=${REDLINES:-redlines}
if [ -z "${REDLINES:-}" ] && [ -x "$here/../.venv/bin/redlines" ]; then
    redlines="$here/../.venv/bin/redlines"
fi
"$redlines" run "$here"/scenarios/*.yaml "$here/data/gdelt-sample.export.CSV" \
    --format html -o "$out"
echo "briefing written to $out"
