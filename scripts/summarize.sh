#!/bin/bash
# Add up the count lines of every VM run under a results directory (the
# directories with a tap.txt) and print one closing line; exit non-zero
# if a run failed or none ran.
# Usage: summarize.sh RESULT_DIR
set -euo pipefail
results=${1:?usage: summarize.sh RESULT_DIR}
passed=0 failed=0 skipped=0 runs=0
for summary in "$results"/*/summary.txt; do
	# VM runs only: their directory has the TAP next to the count line.
	[ -f "$(dirname "$summary")/tap.txt" ] || continue
	read -r p _ f _ s _ < "$summary"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	runs=$((runs + 1))
done
[ "$runs" -gt 0 ] || failed=$((failed + 1))
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
