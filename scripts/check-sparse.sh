#!/bin/bash
# Build objects of a kernel tree that has been built once into OUT_DIR
# again, with sparse and the extra warnings of W=1 (which include
# kernel-doc's checks of the C file), all in one make, and print each
# compiler, sparse and kernel-doc warning and error as
# "OBJ<TAB>FILE<TAB>WHERE<TAB>KIND: MESSAGE<TAB>LINE": OBJ the object built
# (relative to OUT_DIR), FILE its C file and WHERE the file the diagnostic
# points at (a header, say), both relative to the tree, and LINE its line
# (and column).  kernel-doc's "Warning: FILE:LINE MESSAGE" lines come out
# as "warning: kernel-doc: MESSAGE".  An object that does not build prints
# "OBJ<TAB>FILE<TAB>FILE<TAB>error: does not build<TAB>-".  make's whole
# output goes to standard error.
# C=1 (sparse on what is compiled, and the objects are removed first), not
# C=2: arm64's hyp objects (*.nvhe.o) have a rule of their own, which runs
# C=1's check only.
# sparse stops at 100 warnings a file by default (arch/x86/kvm/vmx/vmcs12.c
# has more): no limit here, so that a new one is not hidden.
# Each diagnostic goes to the object whose recipe printed it: make runs the
# recipes in parallel but prints each one's output in one piece (-Otarget),
# after kbuild's "CC OBJ" line.
# Usage: check-sparse.sh TREE OUT_DIR ARCH CROSS_COMPILE SPARSE OBJ...
set -euo pipefail
usage="usage: check-sparse.sh TREE OUT_DIR ARCH CROSS_COMPILE SPARSE OBJ..."
tree=$(realpath "${1:?$usage}")
out=$(realpath "${2:?$usage}")
arch=${3:?$usage}
cross=${4?$usage}
sparse=${5:?$usage}
shift 5
[ "$#" -gt 0 ] || exit 0

# The same compiler and names as build-kernel.sh, so that ccache hits.
cc=${cross}gcc
if command -v ccache >/dev/null; then
	cc="ccache $cc"
	export CCACHE_BASEDIR=$tree
fi
# Not -s: kbuild's "CC OBJ" lines tell the objects' output apart.
kmake=(make -k -j"$(nproc)" --output-sync=target --no-print-directory
       -C "$tree" O="$out" ARCH="$arch" CROSS_COMPILE="$cross" CC="$cc"
       KBUILD_BUILD_TIMESTAMP="2000-01-01" KBUILD_BUILD_USER=gmem KBUILD_BUILD_HOST=test
       C=1 CHECK="$sparse" CF=-fmax-warnings=unlimited W=1)

# The compiler names sources relative to OUT_DIR (ccache's CCACHE_BASEDIR),
# sparse and kernel-doc by their absolute path.
rel=$(realpath --relative-to="$out" "$tree")

# Each object's C file, from the .cmd file kbuild wrote when it built it.
sources=$(mktemp)
log=$(mktemp)
trap 'rm -f "$sources" "$log"' EXIT
for obj in "$@"; do
	src=$(sed -n "s|^source_$obj := ||p" "$out/$(dirname "$obj")/.$(basename "$obj").cmd" 2>/dev/null || true)
	src=${src#"$tree/"}
	src=${src#"$rel/"}
	[ -n "$src" ] || src=${obj%.o}.c
	printf '%s\t%s\n' "$obj" "$src" >> "$sources"
	# Compiled again even if up to date: the compiler's warnings come only
	# from a compilation (ccache replays them on a hit).
	rm -f "${out:?}/$obj"
done

# make fails if an object does not build; that is told below.
"${kmake[@]}" "$@" >"$log" 2>&1 || true
cat "$log" >&2
# kbuild says so (and does not run sparse) when sparse is too old.
if grep -q 'specified, but .* is not available or not up to date' "$log"; then
	echo "check-sparse: $sparse does not pass scripts/checker-valid.sh" >&2
	exit 2
fi

awk -v tree="$tree/" -v rel="$rel/" '
	# Relative to the tree, without "dir/.." (x86 builds virt/kvm/*.c
	# as arch/x86/kvm/../../../virt/kvm/*.o).
	function path(p,   n, i, k, part, r) {
		if (index(p, tree) == 1) p = substr(p, length(tree) + 1)
		if (index(p, rel) == 1) p = substr(p, length(rel) + 1)
		n = split(p, part, "/"); k = 0
		for (i = 1; i <= n; i++) {
			if (part[i] == "." || part[i] == "") continue
			if (part[i] == ".." && k > 0 && part[k] != "..") { k--; continue }
			part[++k] = part[i]
		}
		r = part[1]
		for (i = 2; i <= k; i++) r = r "/" part[i]
		return r
	}
	FILENAME == ARGV[1] { src[$1] = $2; next }
	# kbuild'\''s line before a command ("  CC [M]  OBJ"): the
	# compilation of one of our objects, or of something else (sparse'\''s
	# "CHECK" line is part of the object'\''s recipe).
	/^  [A-Z][A-Z0-9_]*( \[M\])? +[^ ]+$/ && $1 != "CHECK" {
		obj = ($1 == "CC" && ($NF in src)) ? $NF : ""
		delete seen
		next
	}
	obj == "" { next }
	match($0, /^[^: ]+:[0-9]+(:[0-9]+)?: (warning|error): /) {
		loc = substr($0, RSTART, RLENGTH); sub(/: [a-z]+: $/, "", loc)
		line = loc; sub(/^[^:]+:/, "", line)
		where = loc; sub(/:.*/, "", where)
		what = substr($0, RSTART, RLENGTH); sub(/^[^ ]+ /, "", what)
		print obj "\t" src[obj] "\t" path(where) "\t" what substr($0, RSTART + RLENGTH) "\t" line
		next
	}
	# kernel-doc (W=1), which prints each of its warnings twice.
	match($0, /^(Warning|Error): [^: ]+:[0-9]+ /) && !seen[$0]++ {
		kind = tolower($1); loc = $2
		line = loc; sub(/^.*:/, "", line)
		where = loc; sub(/:[0-9]+$/, "", where)
		print obj "\t" src[obj] "\t" path(where) "\t" kind " kernel-doc: " \
			substr($0, RSTART + RLENGTH) "\t" line
	}' "$sources" "$log"

while IFS=$'\t' read -r obj src; do
	[ -f "$out/$obj" ] || printf '%s\t%s\t%s\terror: does not build\t-\n' "$obj" "$src" "$src"
done < "$sources"
exit 0
