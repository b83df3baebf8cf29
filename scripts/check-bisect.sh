#!/bin/bash
# Build the kernel (and the selftests of the test list) at every commit of
# the series, so that each patch is known to build on its own.
# Usage: check-bisect.sh TREE WORK_DIR FRAGMENT TEST_LIST ARCH [CROSS_COMPILE]
# Environment: BISECT_FIRST, BISECT_LAST: the numbers of the first and the
# last patch to build (default: all).
set -euo pipefail
usage="usage: check-bisect.sh TREE WORK_DIR FRAGMENT TEST_LIST ARCH [CROSS_COMPILE]"
tree=$(realpath "${1:?$usage}")
work=$(realpath -m "${2:?$usage}")
fragment=${3:?$usage}
list=${4:?$usage}
arch=${5:?$usage}
cross=${6:-}
here=$(dirname "$(realpath "$0")")

base=$(git -C "$tree" rev-list --max-parents=0 HEAD)
# The tree and the output are named as for the main build (../linux seen
# from kernel-ARCH), so that ccache, which keeps paths relative to the
# tree, finds what the main build compiled.
mkdir -p "$work"
if [ ! -e "$work/linux/.git" ]; then
	git -C "$tree" worktree add -q --detach "$work/linux" "$base"
fi

failed=0
n=0
for commit in $(git -C "$tree" rev-list --reverse "$base..HEAD"); do
	n=$((n + 1))
	if [ "$n" -lt "${BISECT_FIRST:-1}" ] || [ "$n" -gt "${BISECT_LAST:-$n}" ]; then
		continue
	fi
	subject=$(git -C "$tree" log -1 --format=%s "$commit")
	git -C "$work/linux" checkout -q --detach "$commit"
	# Only the tests that exist at this commit.
	while read -r test _; do
		[ -f "$work/linux/tools/testing/selftests/kvm/$test.c" ] && echo "$test"
	done < <(grep -vE '^[[:space:]]*(#|$)' "$list" | sed -E 's/^kvm:[^[:space:]]+[[:space:]]+//') > "$work/tests.txt"
	if "$here/build-kernel.sh" "$work/linux" "$work/kernel-$arch" "$fragment" "$arch" "$cross" \
		> "$work/build.log" 2>&1 &&
	   "$here/build-selftests.sh" "$work/linux" "$work/kernel-$arch/usr/include" \
		"$work/selftests" "$work/tests.txt" "$arch" "$cross" >> "$work/build.log" 2>&1; then
		warnings=$(grep -c 'warning:' "$work/build.log" || true)
		echo "ok   $n $subject ($warnings warnings)"
	else
		echo "FAIL $n $subject"
		tail -n 20 "$work/build.log" | sed 's/^/     /'
		failed=1
	fi
done
exit "$failed"
