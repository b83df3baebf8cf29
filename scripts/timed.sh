#!/bin/bash
# Run a command and append its wall time to a timings file.
# Usage: timed.sh TIMINGS_FILE NAME COMMAND...
set -uo pipefail
file=${1:?usage: timed.sh TIMINGS_FILE NAME COMMAND...}
name=${2:?}
shift 2
mkdir -p "$(dirname "$file")"
start=$(date +%s)
"$@"
rc=$?
echo "$name: $(( $(date +%s) - start ))s (exit $rc)" >> "$file"
exit "$rc"
