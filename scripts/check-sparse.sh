#!/bin/bash
# Build C files of a kernel tree that has been built once into OUT_DIR again,
# one at a time, with sparse (C=2) and the extra warnings of W=1, and print
# each compiler and sparse warning and error (kernel-doc's "Warning:" lines
# are not picked up yet) as
# "FILE<TAB>WHERE<TAB>KIND: MESSAGE<TAB>LINE", FILE being the file built and
# WHERE the file the diagnostic points at (a header, say), both relative to
# the tree, and LINE its line (and column).  A file that does not build
# prints "FILE<TAB>FILE<TAB>error: does not build<TAB>-".  The compiler's
# and sparse's whole output goes to standard error.
# Usage: check-sparse.sh TREE OUT_DIR ARCH CROSS_COMPILE SPARSE FILE.c...
set -euo pipefail
usage="usage: check-sparse.sh TREE OUT_DIR ARCH CROSS_COMPILE SPARSE FILE.c..."
tree=$(realpath "${1:?$usage}")
out=$(realpath "${2:?$usage}")
arch=${3:?$usage}
cross=${4?$usage}
sparse=${5:?$usage}
shift 5

# The same compiler and names as build-kernel.sh, so that ccache hits.
cc=${cross}gcc
if command -v ccache >/dev/null; then
	cc="ccache $cc"
	export CCACHE_BASEDIR=$tree
fi
kmake=(make -s -C "$tree" O="$out" ARCH="$arch" CROSS_COMPILE="$cross" CC="$cc"
       KBUILD_BUILD_TIMESTAMP="2000-01-01" KBUILD_BUILD_USER=gmem KBUILD_BUILD_HOST=test
       C=2 CHECK="$sparse" W=1)

# The compiler names sources relative to OUT_DIR (ccache's CCACHE_BASEDIR),
# sparse by their absolute path.
rel=$(realpath --relative-to="$out" "$tree")

for f in "$@"; do
	obj=${f%.c}.o
	# Compiled again even if up to date: the compiler's warnings come only
	# from a compilation (ccache replays them on a hit).
	rm -f "$out/$obj"
	log=$(mktemp)
	status=0
	"${kmake[@]}" "$obj" >"$log" 2>&1 || status=$?
	sed "s|^|$f: |" "$log" >&2
	# kbuild says so (and does not run sparse) when sparse is too old.
	if grep -q 'specified, but .* is not available or not up to date' "$log"; then
		rm -f "$log"
		echo "check-sparse: $sparse does not pass scripts/checker-valid.sh" >&2
		exit 2
	fi
	awk -v f="$f" -v tree="$tree/" -v rel="$rel/" '
		match($0, /^[^: ]+:[0-9]+(:[0-9]+)?: (warning|error): /) {
			loc = substr($0, RSTART, RLENGTH); sub(/: [a-z]+: $/, "", loc)
			line = loc; sub(/^[^:]+:/, "", line)
			where = loc; sub(/:.*/, "", where)
			if (index(where, tree) == 1) where = substr(where, length(tree) + 1)
			if (index(where, rel) == 1) where = substr(where, length(rel) + 1)
			sub(/^\.\//, "", where)
			what = substr($0, RSTART, RLENGTH); sub(/^[^ ]+ /, "", what)
			print f "\t" where "\t" what substr($0, RSTART + RLENGTH) "\t" line
		}' "$log"
	[ "$status" -eq 0 ] || printf '%s\t%s\terror: does not build\t-\n' "$f" "$f"
	rm -f "$log"
done
