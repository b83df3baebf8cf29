#!/bin/bash
# Regenerate patches/ from the scratch tree's commits on top of its base:
# git format-patch output with a cover letter, and the series file.
# Deterministic: an unchanged tree exports the same bytes.
# Usage: export-patches.sh TREE PATCH_DIR
set -euo pipefail
tree=${1:?usage: export-patches.sh TREE PATCH_DIR}
patches=${2:?}
die() { echo "export: $*" >&2; exit 1; }

git_tree() { git -C "$tree" "$@"; }
[ -d "$tree/.git" ] || die "no scratch tree at $tree; run 'make tree'"
[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted changes; commit them first"
base=$(git_tree rev-list --max-parents=0 HEAD)
count=$(git_tree rev-list --count "$base..HEAD")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$count" -gt 0 ]; then
	# The cover letter takes its date from the newest commit, its subject
	# and text from the branch description (see make-tree.sh).
	GIT_COMMITTER_DATE=$(git_tree log -1 --format=%cI) \
	git_tree -c core.abbrev=12 format-patch -q --cover-letter --cover-from-description=subject \
		--no-signature --base="$base" -o "$tmp" "$base..HEAD"
fi
(cd "$tmp" && find . -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -printf '%f\n' | sort) > "$tmp/series"

mkdir -p "$patches"
find "$patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
cp "$tmp"/*.patch "$patches"/ 2>/dev/null || true
cp "$tmp/series" "$patches/series"
hash=$( (cd "$patches" && cat series && xargs -r cat < series) | sha256sum | cut -d' ' -f1)
echo "$hash $(git_tree rev-parse HEAD)" > "$tree/.git/series-applied"
echo "export: $count patches in $patches"
