#!/bin/bash
# Build the kernel (and the selftests of the test list) at every commit of
# the series, so that each patch is known to build on its own, and check
# each patch with sparse and W=1 (compiler warnings and kernel-doc):
# the objects it concerns are built again so, at the patch and at its
# parent, and the patch fails on a warning that the parent did not have.
# The objects a patch concerns are those (built for this configuration) of
# the C files it adds or changes and, when it changes headers, those whose
# dependencies (kbuild's .cmd files) include one of them; the latter only
# among the KVM objects (virt/kvm and arch/ARCH/kvm), so that a header
# included everywhere (include/linux/kvm_host.h) checks KVM, not the
# kernel.  The first patch's parent is built first (unless the work dir
# holds a build of it), so that its check has a baseline; the results of
# a patch's check serve as the next patch's baseline.
# Warnings are told apart by the object built, the file they point at and
# their text, not their line, which the patch may move; in an object new to
# the check, only warnings in files the patch touches count.  Each patch's
# make output is in WORK_DIR/sparse/N.log, the warnings compared (see
# check-sparse.sh) in N.parent and N.commit.
# Each object's results are kept in WORK_DIR/sparse/cache, named by a hash
# of what they depend on (see key()), and taken from there when a check
# meets the same inputs again: a header patch's parent, mostly, or a run
# over the same commits.  Remove the directory to check everything again.
# Usage: check-bisect.sh TREE WORK_DIR FRAGMENT TEST_LIST ARCH [CROSS_COMPILE]
# Environment: BISECT_FIRST, BISECT_LAST: the numbers of the first and the
# last patch to build (default: all).  SPARSE: the sparse binary (default:
# the one fetch-sparse.sh builds in ~/.cache/gmem-series).
set -eEuo pipefail
# Which command failed (line numbers inside $(...) may be off by a few;
# for a pipeline, its last command is named).
trap 'echo "check-bisect: ${FUNCNAME[0]:-main}, near line $LINENO: \"$BASH_COMMAND\" failed ($?)" >&2' ERR
usage="usage: check-bisect.sh TREE WORK_DIR FRAGMENT TEST_LIST ARCH [CROSS_COMPILE]"
tree=$(realpath "${1:?$usage}")
work=$(realpath -m "${2:?$usage}")
fragment=${3:?$usage}
list=${4:?$usage}
arch=${5:?$usage}
cross=${6:-}
here=$(dirname "$(realpath "$0")")
case $arch in
x86_64|i386) srcarch=x86 ;;
*) srcarch=$arch ;;
esac

start_all=$SECONDS
base=$(git -C "$tree" rev-list --max-parents=0 HEAD)
# The tree and the output are named as for the main build (../linux seen
# from kernel-ARCH), so that ccache, which keeps paths relative to the
# tree, finds what the main build compiled.
mkdir -p "$work"
if [ ! -e "$work/linux/.git" ]; then
	echo "check-bisect: $(date +%T) a work tree in $work/linux" >&2
	git -C "$tree" worktree add -q --detach "$work/linux" "$base"
fi

sparse=${SPARSE:-}
if [ -z "$sparse" ]; then
	sparse=$("$here/fetch-sparse.sh" "${XDG_CACHE_HOME:-$HOME/.cache}/gmem-series" "$work/linux")
fi
out=$work/kernel-$arch
# What the output holds: "COMMIT ok CONFIG", "COMMIT failed CONFIG" or
# "COMMIT building CONFIG", CONFIG a hash of the fragments and the
# compilers, so that a build with other ones does not serve as a baseline.
state=$out/.check-bisect
IFS=, read -ra parts <<< "$fragment"
config=$(set -e; { cat "${parts[@]}"; echo "$arch $cross"; "${cross}gcc" --version; } |
	sha256sum | cut -c1-16)
p=$work/sparse
mkdir -p "$out" "$p"
# The previous patch's results serve as the next one's baseline within a
# run only: an earlier run may have used other tools (the cache's keys
# cover those).
rm -f "$p/last-commit"

progress() {
	echo "check-bisect: $(date +%T) $*" >&2
}

# plural N WORD: "1 WORD", "N WORDs".
plural() {
	echo "$1 $2$([ "$1" = 1 ] || echo s)"
}

# run_logged LOG COMMAND...: COMMAND's output into LOG, and the progress
# lines of build-kernel.sh on standard error too; COMMAND's status.
run_logged() {
	local log=$1
	shift
	"$@" 2>&1 | tee -a "$log" | { grep --line-buffered '^build-kernel: ' >&2 || true; }
}

# build COMMIT [selftests]: check out COMMIT in the work tree and build the
# kernel (and the selftests of the test list at COMMIT); records in $state
# whether the kernel built.
build() {
	local commit=$1 start=$SECONDS test
	git -C "$work/linux" checkout -q --detach "$commit" || {
		progress "cannot check out $commit in $work/linux"
		exit 2
	}
	echo "$commit building $config" > "$state"
	: > "$work/build.log"
	if ! run_logged "$work/build.log" \
		"$here/build-kernel.sh" "$work/linux" "$out" "$fragment" "$arch" "$cross"; then
		echo "$commit failed $config" > "$state"
		return 1
	fi
	echo "$commit ok $config" > "$state"
	if [ "${2:-}" != selftests ]; then
		progress "  kernel built in $(( SECONDS - start )) s"
		return 0
	fi
	# Only the tests that exist at this commit.
	while read -r test _; do
		if [ -f "$work/linux/tools/testing/selftests/kvm/$test.c" ]; then
			echo "$test"
		fi
	done < <(grep -vE '^[[:space:]]*(#|$)' "$list" | sed -E 's/^kvm:[^[:space:]]+[[:space:]]+//') \
		> "$work/tests.txt"
	run_logged "$work/build.log" "$here/build-selftests.sh" "$work/linux" "$out/usr/include" \
		"$work/selftests" "$work/tests.txt" "$arch" "$cross" || return 1
	progress "  kernel and selftests built in $(( SECONDS - start )) s"
}

# objects COMMIT: the objects that commit COMMIT concerns, as the work
# tree's current commit has them, built: those of the C files that COMMIT
# adds or changes (not the host programs of tools/ and scripts/) and, if it
# changes headers, the KVM objects whose dependencies include one of them.
# Taken from the .cmd files kbuild writes for each object, which name its
# source and dependencies, and only if the object is newer than its source
# (built at this commit, not a leftover).
objects() {
	local cdirs=() kvmdirs=() f
	git -C "$tree" diff-tree --no-commit-id --name-only -r "$1" |
		grep -vE '^(tools|scripts)/' | grep -E '\.[ch]$' > "$p/changed" || true
	while read -r f; do
		case $f in
		# Not built for this architecture: no directory.
		*.c) [ ! -d "$out/$(dirname "$f")" ] || cdirs+=("$out/$(dirname "$f")") ;;
		*.h) kvmdirs=("$out/virt/kvm" "$out/arch/$srcarch/kvm") ;;
		esac
	done < "$p/changed"
	# A .c file's objects are in its directory, the KVM objects below
	# theirs.  An object's .cmd file: "source_OBJ := SOURCE", then its
	# dependencies, one "  PATH \" a line.  The object is named as the
	# Makefile that builds it names it (x86's KVM module builds
	# virt/kvm/kvm_main.c as arch/x86/kvm/../../../virt/kvm/kvm_main.o):
	# kbuild builds it with that Makefile's flags under that name only.
	# shellcheck disable=SC2016 # awk's $, not the shell's
	{
		[ "${#cdirs[@]}" -eq 0 ] || find "${cdirs[@]}" -maxdepth 1 -name '.*.o.cmd'
		[ "${#kvmdirs[@]}" -eq 0 ] || find "${kvmdirs[@]}" -name '.*.o.cmd'
	} 2>/dev/null | sort -u |
	xargs -r awk -v changed_list="$p/changed" -v out="$out/" -v tree="$work/linux/" \
		-v rel="$(realpath --relative-to="$out" "$work/linux")/" -v srcarch="$srcarch" '
		function path(f) {
			if (index(f, tree) == 1) f = substr(f, length(tree) + 1)
			if (index(f, rel) == 1) f = substr(f, length(rel) + 1)
			return f
		}
		BEGIN { while ((getline f < changed_list) > 0) changed[f] = 1 }
		FNR == 1 && NR > 1 && obj != "" && pick { print obj "\t" src }
		FNR == 1 {
			obj = ""; pick = 0
			kvm = substr(FILENAME, length(out) + 1) ~ "^(virt/kvm|arch/" srcarch "/kvm)/"
		}
		/^source_[^ ]+\.o := [^ ]+\.c$/ {
			obj = substr($1, 8); src = path($3)
			if (src in changed) pick = 1
			next
		}
		kvm && /^  [^ $]+\.h( \\)?$/ && (path($1) in changed) { pick = 1 }
		END { if (obj != "" && pick) print obj "\t" src }
	' |
	while IFS=$'\t' read -r obj f; do
		if [ -f "$work/linux/$f" ] && [ "$out/$obj" -nt "$work/linux/$f" ]; then
			echo "$obj"
		fi
	done | sort -u
}

# key OBJ: what an object's check depends on, hashed: the contents of its
# source and of every file its dependencies (kbuild's .cmd file, written
# by the last build) name, the configuration, and $inputs (see check()).
# Not the compiler's command line, which a check leaves with W=1's flags
# until the next build.  Fails if one of them cannot be read.
key() {
	local cmd
	cmd=$out/$(dirname "$1")/.$(basename "$1").cmd
	[ -f "$cmd" ] || return 1
	{
		echo "$inputs $1"
		# shellcheck disable=SC2016 # the .cmd file's $(wildcard ...)
		sed -nE -e 's/^source_[^ ]+ := //p' -e 's/^  ([^ $]+)( \\)?$/\1/p' "$cmd" |
			(cd "$out" && xargs -r sha256sum) || return 1
		sha256sum "$out/include/generated/autoconf.h" || return 1
	} | sha256sum | cut -c1-64
}

# check WHAT LIST RESULT [CACHE_COMMIT]: sparse and W=1 on the objects of
# LIST, at the work tree's current commit (WHAT: which one, for the
# progress line; see check-sparse.sh for RESULT's lines).  Objects that the
# last check saw at this commit (CACHE_COMMIT, the commit of the previous
# patch) are taken from its results; others whose inputs (see key()) a
# check has seen before, here or in an earlier run, from the results it
# kept in WORK_DIR/sparse/cache.
check() {
	local what=$1 objs=() start=$SECONDS cached=0 obj k run=() keys=()
	shift
	: > "$2"
	mapfile -t objs < "$1"
	if [ -n "${3:-}" ] && [ "$3" = "$(cat "$p/last-commit" 2>/dev/null || true)" ]; then
		mapfile -t objs < <(grep -vxFf "$p/last-objs" "$1" || true)
		awk -F'\t' 'FILENAME == ARGV[1] { want[$0] = 1; next } $1 in want' \
			"$1" "$p/last-result" > "$2"
	fi
	mkdir -p "$p/cache"
	# What every object's results depend on besides its own files: the
	# build rules (scripts/ and every Makefile and Kbuild file outside
	# tools/), kernel-doc and its Python library, the checking scripts,
	# sparse and the compiler.  Stops the script if one is missing.
	inputs=$(set -e; {
		git -C "$work/linux" rev-parse HEAD:scripts HEAD:tools/docs HEAD:tools/lib/python
		git -C "$work/linux" ls-tree -r HEAD | grep -vE '	tools/' |
			grep -E '	(.*/)?(Makefile[^/]*|Kbuild[^/]*)$'
		sha256sum "$here/check-sparse.sh" "$here/check-bisect.sh" "$(command -v "$sparse")"
		python3 --version
		"${cross}gcc" --version
	} | sha256sum | cut -c1-64)
	for obj in ${objs[@]+"${objs[@]}"}; do
		# No key (a file it names cannot be read): checked, not kept.
		k=$(key "$obj") || k=
		if [ -n "$k" ] && [ -f "$p/cache/$k" ]; then
			cat "$p/cache/$k" >> "$2"
		else
			run+=("$obj")
			keys+=("$k")
		fi
	done
	objs=(${run[@]+"${run[@]}"})
	cached=$(( $(wc -l < "$1") - ${#objs[@]} ))
	echo "-- $(wc -l < "$1") objects, $cached from earlier checks: $(xargs < "$1")" >> "$p/log"
	if [ "${#objs[@]}" -eq 0 ] && [ "$cached" -gt 0 ]; then
		progress "  sparse and W=1 $what: $(plural "$cached" object) from earlier checks"
	elif [ "${#objs[@]}" -gt 0 ]; then
		progress "  sparse and W=1 $what: $(plural "${#objs[@]}" object)$([ "$cached" -eq 0 ] ||
			echo " ($cached more from earlier checks)")"
		"$here/check-sparse.sh" "$work/linux" "$out" "$arch" "$cross" "$sparse" "${objs[@]}" \
			> "$p/run" 2>> "$p/log" || {
			tail -n 1 "$p/log" >&2
			exit 2
		}
		cat "$p/run" >> "$2"
		# Kept for a check of the same inputs, unless it did not build.
		for k in "${!objs[@]}"; do
			awk -F'\t' -v obj="${objs[$k]}" '$1 == obj' "$p/run" > "$p/cache/new"
			if [ -z "${keys[$k]}" ] ||
			   grep -q '	error: does not build	' "$p/cache/new"; then
				rm -f "$p/cache/new"
			else
				mv "$p/cache/new" "$p/cache/${keys[$k]}"
			fi
		done
	fi
	echo "-- $(( SECONDS - start )) s" >> "$p/log"
}

# new_warnings COMMIT: the warnings of the commit's check that its parent's
# check did not have, as FILE:LINE: MESSAGE (building FILE.c), one line for
# all the objects that have it (a header's).
new_warnings() {
	git -C "$tree" diff-tree --no-commit-id --name-only -r "$1" > "$p/touched"
	awk -F'\t' '
		FILENAME == ARGV[1] { touched[$0] = 1; next }
		FILENAME == ARGV[2] { checked[$0] = 1; next }
		FILENAME == ARGV[3] { base[$1 FS $3 FS $4]++; next }
		{
			# An object new to the check: only what the patch touches.
			if (!($1 in checked) && !($3 in touched)) next
			if (base[$1 FS $3 FS $4]-- > 0) next
			w = $3 ":" $5 ": " $4
			if (!(w in count)) { order[++n] = w; first[w] = $2 }
			count[w]++
		}
		END {
			for (i = 1; i <= n; i++) {
				w = order[i]; f = first[w]
				if (count[w] > 1)
					f = f " and " count[w] - 1 " more"
				else if (index(w, f ":") == 1)
					f = ""
				print "     " w (f == "" ? "" : " (building " f ")")
			}
		}' "$p/touched" "$p/parent-objs" "$p/parent" "$p/commit"
}

commits=$(git -C "$tree" rev-list --reverse "$base..HEAD")
total=$(wc -w <<< "$commits")
first=${BISECT_FIRST:-1}
last=${BISECT_LAST:-$total}
failed=0
n=0
for commit in $commits; do
	n=$((n + 1))
	if [ "$n" -lt "$first" ] || [ "$n" -gt "$last" ]; then
		continue
	fi
	subject=$(git -C "$tree" log -1 --format=%s "$commit")
	parent=$(git -C "$tree" rev-parse "$commit^")
	echo "== $n $subject" > "$p/log"
	progress "$n/$total $(git -C "$tree" log -1 --format=%h "$commit") $subject"
	# The parent's warnings, as the baseline: the output normally holds
	# the parent's build, from the previous patch; otherwise (the first
	# patch checked) the parent is built first.
	if [ "$(cat "$state" 2>/dev/null || true)" != "$parent ok $config" ] &&
	   [ "$(cat "$state" 2>/dev/null || true)" != "$parent failed $config" ]; then
		progress "  building its parent $(git -C "$tree" log -1 --format=%h "$parent"), the baseline"
		build "$parent" || true
	fi
	baseline=1
	: > "$p/parent-objs"
	: > "$p/parent"
	if [ "$(cat "$state")" = "$parent ok $config" ]; then
		objects "$commit" > "$p/parent-objs"
		check "at the parent" "$p/parent-objs" "$p/parent" "$parent"
	else
		baseline=0
	fi
	progress "  building it"
	if build "$commit" selftests; then
		warnings=$(grep -c 'warning:' "$work/build.log" || true)
		objects "$commit" > "$p/objs"
		check "at the patch" "$p/objs" "$p/commit"
		# The next patch's baseline.
		cp "$p/objs" "$p/last-objs"
		cp "$p/commit" "$p/last-result"
		echo "$commit" > "$p/last-commit"
		new=$(new_warnings "$commit")
		cp "$p/log" "$p/$n.log"
		cp "$p/parent" "$p/$n.parent"
		cp "$p/commit" "$p/$n.commit"
		if [ "$baseline" = 0 ] && [ "$n" -gt "$first" ]; then
			# The parent's own line says that it failed.
			echo "ok   $n $subject ($warnings warnings; no sparse/W=1 check: its parent does not build)"
		elif [ "$baseline" = 0 ]; then
			echo "FAIL $n $subject (its parent does not build: no sparse/W=1 baseline)"
			failed=1
		elif [ -z "$new" ]; then
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
progress "done in $(( (SECONDS - start_all) / 60 )) min $(( (SECONDS - start_all) % 60 )) s"
exit "$failed"
