#!/bin/bash
# Print one row per feature of the series with what the x86_64 demo and
# the arm64 (pKVM) test run showed: yes, NO, or "not run".
# Usage: feature-table.sh RESULT_DIR
set -euo pipefail
results=${1:?usage: feature-table.sh RESULT_DIR}
demo=$results/demo/console.txt
arm64=$results/vm-test-arm64/tap.txt

# The demo prints "LABEL   yes|NO"; all labels given must say yes.
demo_says() {
	local label line verdict=yes
	[ -f "$demo" ] || { echo "not run"; return; }
	for label in "$@"; do
		line=$(tr -d '\r' < "$demo" | grep -F "# $label " | tail -n 1) || true
		case ${line##* } in
		yes) ;;
		NO) verdict=NO ;;
		*) [ "$verdict" = NO ] || verdict="not run" ;;
		esac
	done
	echo "$verdict"
}

# Every TAP line of the named arm64 test must be ok.
arm64_says() {
	[ -n "$1" ] || { echo "-"; return; }
	[ -f "$arm64" ] || { echo "not run"; return; }
	if grep -qE "^not ok [0-9]+ $1( |$)" "$arm64"; then
		echo NO
	elif grep -qE "^ok [0-9]+ $1( |$)" "$arm64"; then
		echo "yes ($1)"
	else
		echo "not run"
	fi
}

row() {
	local feature=$1 test=$2
	shift 2
	printf '%-44s %-10s %s\n' "$feature" "$(demo_says "$@")" "$(arm64_says "$test")"
}

printf '%-44s %-10s %s\n' "feature" "x86_64" "arm64 test"
row "in-place conversion, contents kept" arm64/pkvm_gmem_test \
	"page 1 converted to private in place" "its neighbours stay shared" \
	"converted back to shared, contents kept"
row "no host access to private pages" arm64/pkvm_gmem_test \
	"host read of the private page gets SIGBUS"
row "bad input refused (EINVAL)" "" \
	"unaligned offset refused with EINVAL"
row "folio migration (opt-in)" "" \
	"move_pages moves a migratable guest_memfd page to the other node" \
	"without the flag, move_pages leaves the page where it is"
row "userfaultfd on guest_memfd mappings" "" \
	"userfaultfd MISSING registration of a guest_memfd mapping" \
	"UFFDIO_COPY fills the page" "write-protect registration refused with EINVAL"
row "lazy restore: KVM userfault and write()" demand_paging_test \
	"restored guest sees its memory as it was saved" \
	"every page restored once, by both paths"
