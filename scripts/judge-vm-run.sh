#!/bin/bash
# Read a test VM's console log: print the TAP, count the results, report
# kernel splats and unfinished runs.  Exits 0 only for a clean, complete run.
# Usage: judge-vm-run.sh CONSOLE_LOG RESULT_DIR QEMU_STATUS
set -euo pipefail
console=${1:?usage: judge-vm-run.sh CONSOLE_LOG RESULT_DIR QEMU_STATUS}
results=${2:?}
qemu_rc=${3:?}
here=$(dirname "$(realpath "$0")")

tr -d '\r' < "$console" > "$results/console.txt"
grep -E '^(TAP version|1\.\.|ok |not ok |# )' "$results/console.txt" |
	sed '/^# ---- guest dmesg begin/,$d' > "$results/tap.txt" || true
sed -n '/^# ---- guest dmesg begin/,/^# ---- guest dmesg end/p' "$results/console.txt" > "$results/dmesg.txt"
cat "$results/tap.txt"

passed=$(grep -cE '^ok [0-9]+ ' "$results/tap.txt" | tr -d ' ' || true)
skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' "$results/tap.txt" || true)
failed=$(grep -cE '^not ok ' "$results/tap.txt" || true)
passed=$((passed - skipped))
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$results/tap.txt" | head -n 1)

# Kernel reports, matched on kernel log lines only (they carry a timestamp),
# with the patterns the guest runner uses after each test.
grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$results/console.txt" |
	grep -Ef "$here/../guest/kernel-report-patterns" | sort -u > "$results/splats.txt" || true

problems=()
if [ -s "$results/splats.txt" ]; then
	echo "# kernel reports in the guest log:"
	sed 's/^/#   /' "$results/splats.txt"
	problems+=("kernel report in guest log")
	# Counted once: the guest already failed the test it came in, if any.
	grep -qE '^not ok .* # kernel report' "$results/tap.txt" || failed=$((failed + 1))
fi
if ! grep -q '^# guest runner done' "$results/console.txt"; then
	problems+=("guest did not finish (qemu status $qemu_rc; timed out or crashed)")
	[ -n "$planned" ] && failed=$((failed + planned - passed - skipped - failed))
fi
[ "${planned:-0}" -gt 0 ] || { problems+=("no test plan from the guest"); failed=$((failed + 1)); }

for p in "${problems[@]}"; do echo "# FAIL: $p"; done
echo "$passed passed, $failed failed, $skipped skipped" | tee "$results/summary.txt"
[ "$failed" -eq 0 ] && [ "${#problems[@]}" -eq 0 ]
