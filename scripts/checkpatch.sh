#!/bin/bash
# Run checkpatch.pl --strict on every patch of the series.  Errors fail;
# warnings and checks are printed and counted.
# Usage: checkpatch.sh TREE PATCH_DIR RESULT_FILE
set -euo pipefail
tree=${1:?usage: checkpatch.sh TREE PATCH_DIR RESULT_FILE}
patches=$(realpath "${2:?}")
result=${3:?}

errors=0 warnings=0 checks=0
: > "$result"
while read -r p; do
	[ -n "$p" ] || continue
	out=$(cd "$tree"; PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --show-types --no-color \
		"$patches/$p" 2>&1) || true
	printf '=== %s\n%s\n' "$p" "$out" >> "$result"
	e=$(grep -c '^ERROR:' <<<"$out" || true)
	w=$(grep -c '^WARNING:' <<<"$out" || true)
	c=$(grep -c '^CHECK:' <<<"$out" || true)
	errors=$((errors + e)) warnings=$((warnings + w)) checks=$((checks + c))
	if [ $((e + w + c)) -gt 0 ]; then
		echo "checkpatch: $p: $e errors, $w warnings, $c checks"
		grep -A3 -E '^(ERROR|WARNING|CHECK):' <<<"$out" | sed 's/^/  /'
	fi
done < "$patches/series"
echo "checkpatch: $(grep -c . "$patches/series" || true) patches, $errors errors, $warnings warnings, $checks checks"
[ "$errors" -eq 0 ]
