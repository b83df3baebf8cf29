#!/bin/bash
# Create the scratch kernel tree: the base as one commit, the series applied
# on top with git am.  An existing tree is brought up to date only when it
# holds nothing that was not exported.
# Usage: make-tree.sh BASE_DIR TREE_DIR PATCH_DIR
set -euo pipefail
base=${1:?usage: make-tree.sh BASE_DIR TREE_DIR PATCH_DIR}
tree=${2:?}
patches=$(cd "${3:?}" && pwd)
die() { echo "make-tree: $*" >&2; exit 1; }

series_hash() {
	(cd "$patches" && cat series && xargs -r cat < series) | sha256sum | cut -d' ' -f1
}
stamp=$tree/.git/series-applied

git_tree() { git -C "$tree" "$@"; }

# Identity used for the base commit only, so the base hash is reproducible.
export GIT_AUTHOR_NAME="Linux base" GIT_AUTHOR_EMAIL="base@localhost"
export GIT_COMMITTER_NAME="Linux base" GIT_COMMITTER_EMAIL="base@localhost"

if [ -d "$tree/.git" ]; then
	# No background gc or maintenance in trees made before new trees got
	# the same settings (below), even when they are up to date: git would
	# repack objects while other steps (b4-send.sh's clone) read them.
	git_tree config gc.auto 0
	git_tree config maintenance.auto false
	read -r applied_hash applied_head < "$stamp" 2>/dev/null || true
	[ "${applied_hash:-}" = "$(series_hash)" ] && exit 0
	[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
		die "$tree has uncommitted changes; commit and 'make export', or remove the tree"
	[ "${applied_head:-}" = "$(git_tree rev-parse HEAD)" ] ||
		die "$tree has commits that are not in patches/; run 'make export' first, or remove the tree"
	echo "make-tree: patches/ changed, re-applying the series"
	git_tree am --abort >/dev/null 2>&1 || true
	git_tree reset -q --hard "$(git_tree rev-list --max-parents=0 HEAD)"
else
	[ -f "$base/Makefile" ] || die "no kernel source at $base"
	echo "make-tree: copying $base into $tree"
	mkdir -p "$tree"
	if [ -d "$base/.git" ]; then
		git -C "$base" archive --format=tar HEAD | tar -x -C "$tree"
	else
		tar -C "$base" --exclude=./.extracted -cf - . | tar -x -C "$tree"
	fi
	# Debian's source package appends "ignore everything at the top level"
	# to .gitignore, which would hide every change from git; drop it.
	perl -0pi -e 's/\n*#\n# Debian packaging:.*\z/\n/s' "$tree/.gitignore"
	git_tree init -q -b base
	# No automatic gc or maintenance: committing the base leaves about
	# 90,000 loose objects, and a detached gc packing them would race
	# with later clones of the tree (make b4).
	git_tree config gc.auto 0
	git_tree config maintenance.auto false
	git_tree config core.autocrlf false
	git_tree add -A -f .
	version=$(make -s -C "$tree" kernelversion 2>/dev/null || echo unknown)
	GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git_tree commit -q --no-verify -m "Linux $version (base tree)"
	git_tree checkout -q -b series
fi

# The cover letter's subject and text become the branch description, which
# 'make export' turns back into the cover letter.
cover=$patches/0000-cover-letter.patch
if [ -f "$cover" ]; then
	awk '/^Subject: /{sub(/^Subject: \[PATCH[^]]*\] /,""); print; print ""; body=1; next}
	     body && /^$/ && !started {started=1; next}
	     started && /^[^ ].* \([0-9]+\):$/ {exit}
	     started {print}' "$cover" > "$tree/.git/cover-description"
	git_tree config branch.series.description "$(cat "$tree/.git/cover-description")"
fi

while read -r p; do
	[ -n "$p" ] || continue
	if ! out=$(git_tree am -q --keep-cr "$patches/$p" 2>&1); then
		git_tree am --abort >/dev/null 2>&1 || true
		die "$p does not apply: $(echo "$out" | grep -m1 -E 'error|patch failed' || echo "$out" | head -n1)"
	fi
done < "$patches/series"

echo "$(series_hash) $(git_tree rev-parse HEAD)" > "$stamp"
echo "make-tree: $tree at $(git_tree log -1 --format='%h %s')"
