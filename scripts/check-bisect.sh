#!/bin/bash
# Build the kernel (and the selftests of the test list) at every commit of
# the series, so that each patch is known to build on its own.  The C files
# a patch adds or changes (those kbuild builds for this configuration) are
# then built again with sparse (C=2) and W=1, as they were at the patch's
# parent, and the patch fails on a warning that the parent did not have.
# Warnings are told apart by the file built, the file they point at and
# their text, not their line, which the patch may move; in a file new with
# the patch, only warnings in files the patch touches count.  Each patch's
# diagnostics with their lines are in WORK_DIR/sparse/N.log.
# Usage: check-bisect.sh TREE WORK_DIR FRAGMENT TEST_LIST ARCH [CROSS_COMPILE]
# Environment: BISECT_FIRST, BISECT_LAST: the numbers of the first and the
# last patch to build (default: all).  SPARSE: the sparse binary (default:
# the one fetch-sparse.sh builds in ~/.cache/gmem-series).
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

sparse=${SPARSE:-}
if [ -z "$sparse" ]; then
	sparse=$("$here/fetch-sparse.sh" "${XDG_CACHE_HOME:-$HOME/.cache}/gmem-series")
fi
out=$work/kernel-$arch
mkdir -p "$work/sparse"

# The C files that commit $1 adds or changes and that kbuild built for this
# configuration at the work tree's current commit: their object is newer
# than the source (which a checkout that changed it rewrote).  Not the host
# programs of tools/ and scripts/.
built_c_files() {
	local f
	git -C "$tree" diff-tree --no-commit-id --name-only -r --diff-filter=AMR "$1" -- '*.c' |
	grep -vE '^(tools|scripts)/' |
	while read -r f; do
		if [ -f "$work/linux/$f" ] && [ "$out/${f%.c}.o" -nt "$work/linux/$f" ]; then
			echo "$f"
		fi
	done
}

# check_files LIST RESULT: sparse and W=1 on the files of LIST, at the work
# tree's current commit (see check-sparse.sh for RESULT's lines).
check_files() {
	local files start=$SECONDS
	mapfile -t files < "$1"
	: > "$2"
	[ "${#files[@]}" -eq 0 ] && return 0
	echo "-- ${files[*]}" >> "$work/sparse/log"
	"$here/check-sparse.sh" "$work/linux" "$out" "$arch" "$cross" "$sparse" "${files[@]}" \
		> "$2" 2>> "$work/sparse/log" || {
		tail -n 1 "$work/sparse/log" >&2
		exit 2
	}
	echo "-- $(( SECONDS - start )) s" >> "$work/sparse/log"
}

# new_warnings COMMIT: the warnings of the commit's check that its parent's
# check did not have, as FILE:LINE: MESSAGE (built as part of FILE.c).
new_warnings() {
	local p=$work/sparse
	git -C "$tree" diff-tree --no-commit-id --name-only -r "$1" > "$p/touched"
	awk -F'\t' '
		FILENAME == ARGV[1] { touched[$0] = 1; next }
		FILENAME == ARGV[2] { checked[$0] = 1; next }
		FILENAME == ARGV[3] { base[$1 FS $2 FS $3]++; next }
		{
			# A file new to the check: only what the patch touches.
			if (!($1 in checked) && !($2 in touched)) next
			if (base[$1 FS $2 FS $3]-- > 0) next
			print "     " $2 ":" $4 ": " $3 ($1 == $2 ? "" : " (building " $1 ")")
		}' "$p/touched" "$p/parent-files" "$p/parent" "$p/commit"
}

failed=0
n=0
for commit in $(git -C "$tree" rev-list --reverse "$base..HEAD"); do
	n=$((n + 1))
	if [ "$n" -lt "${BISECT_FIRST:-1}" ] || [ "$n" -gt "${BISECT_LAST:-$n}" ]; then
		continue
	fi
	subject=$(git -C "$tree" log -1 --format=%s "$commit")
	# The parent's warnings, in the files this patch changes.  The work
	# tree is normally at the parent, built, from the previous patch;
	# otherwise (the first patch checked) the parent is built first.
	parent=$(git -C "$tree" rev-parse "$commit^")
	echo "== $n $subject" > "$work/sparse/log"
	if [ "$(git -C "$work/linux" rev-parse HEAD)" != "$parent" ]; then
		git -C "$work/linux" checkout -q --detach "$parent"
		"$here/build-kernel.sh" "$work/linux" "$out" "$fragment" "$arch" "$cross" \
			> "$work/build.log" 2>&1 || true
	fi
	built_c_files "$commit" > "$work/sparse/parent-files"
	check_files "$work/sparse/parent-files" "$work/sparse/parent"
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
		built_c_files "$commit" > "$work/sparse/files"
		check_files "$work/sparse/files" "$work/sparse/commit"
		new=$(new_warnings "$commit")
		cp "$work/sparse/log" "$work/sparse/$n.log"
		if [ -z "$new" ]; then
			echo "ok   $n $subject ($warnings warnings)"
		else
			echo "FAIL $n $subject ($(wc -l <<< "$new") new sparse/W=1 warnings)"
			echo "$new"
			failed=1
		fi
	else
		echo "FAIL $n $subject"
		tail -n 20 "$work/build.log" | sed 's/^/     /'
		failed=1
	fi
done
exit "$failed"
