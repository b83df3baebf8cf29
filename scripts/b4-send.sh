#!/bin/bash
# Produce the mails of the series with b4, offline, without sending them:
# one .eml per mail (cover letter first) and summary.txt (each mail's
# Subject, To and Cc) in OUT_DIR.
#
# The work happens in a throwaway clone of TREE under TREE's parent
# directory (TREE itself is never written to): b4 prep enrols the current
# branch against BASE_REF, the cover letter is the branch description (as
# for make export), b4 prep --auto-to-cc runs the tree's
# scripts/get_maintainer.pl on every patch, and b4 send -o writes the mails.
# The clone checks out only the top-level files (b4 reads nothing else from
# the work tree; writing and deleting 90k files took minutes here), so
# get_maintainer.pl runs in TREE's work tree, read-only, with b4's default
# options, after checking that its MAINTAINERS, get_maintainer.pl and
# .mailmap are those of the commits.
# The identity is the one TREE's git config gives (user.name, user.email),
# else the author of the series' last commit; in the clone, git and b4 see
# no other configuration (global and system config are ignored there).
#
# Fails, before running b4, when the cover letter is a placeholder or a
# commit lacks a Signed-off-by: of its author; and after, when
# get_maintainer.pl finds no mailing list for a patch or that patch's mail
# does not go to one.
# Usage: b4-send.sh TREE BASE_REF OUT_DIR
set -euo pipefail
usage="usage: b4-send.sh TREE BASE_REF OUT_DIR"
tree=${1:?$usage}
base_ref=${2:?$usage}
out=${3:?$usage}
[ $# -eq 3 ] || { echo "$usage" >&2; exit 2; }

say() { echo "b4-send: $*"; }
die() { echo "b4-send: error: $*" >&2; exit 1; }

command -v b4 >/dev/null ||
	die "b4 is not installed (apt-get install b4, or scripts/install-deps.sh as root)"
[ -d "$tree/.git" ] || die "no git tree at $tree (make tree)"
tree=$(realpath "$tree")
git_tree() { git -C "$tree" "$@"; }

branch=$(git_tree symbolic-ref --short -q HEAD) || die "$tree: HEAD is not on a branch"
base=$(git_tree rev-parse -q --verify "$base_ref^{commit}") || die "$tree: no commit $base_ref"
git_tree merge-base --is-ancestor "$base" HEAD || die "$base_ref is not an ancestor of $branch"
head=$(git_tree rev-parse HEAD)
count=$(git_tree rev-list --count "$base..$head")
[ "$count" -gt 0 ] || die "no commits between $base_ref and $branch"
[ -z "$(git_tree rev-list --merges "$base..$head")" ] || die "$base_ref..$branch contains merges"
[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
	say "warning: $tree has uncommitted changes; the mails are made from its commits only"
say "$count patches on $branch since $(git_tree log -1 --format='%h ("%s")' "$base")"

# The identity: TREE's git config (any of its files), else the author of
# the series' last commit (nothing is sent; it only fills From: and Cc:).
if ! name=$(git_tree config user.name) || ! email=$(git_tree config user.email); then
	name=$(git_tree log -1 --format=%an "$head")
	email=$(git_tree log -1 --format=%ae "$head")
	say "warning: no git identity in $tree; using the series' author"
fi
say "identity: $name <$email>"

# Check 1: the cover letter, the branch description: "subject", a blank
# line, then the text; not empty and not a template.
cover=$(git_tree config "branch.$branch.description" | sed '/^#/d') || cover=
[ -n "$(printf '%s' "$cover" | tr -d '[:space:]')" ] ||
	die "the cover letter (git config branch.$branch.description) is empty; write it with: git -C $tree branch --edit-description"
if grep -nE 'EDITME|\*\*\* (SUBJECT|BLURB) HERE \*\*\*|\(no cover subject\)' <<<"$cover" >&2; then
	die "the cover letter (branch.$branch.description) still has template text (lines above)"
fi
subject=$(sed -n 1p <<<"$cover")
if [ -z "${subject// /}" ] || [ -n "$(sed -n '2{/^[[:space:]]*$/d;p}' <<<"$cover")" ] ||
	[ -z "$(sed -n '3,$p' <<<"$cover" | tr -d '[:space:]')" ]; then
	die "the cover letter must be a subject line, a blank line and the text (branch.$branch.description)"
fi
say "cover letter: \"$subject\" ($(wc -l <<<"$cover") lines)"

# Check 2: every commit carries a Signed-off-by: of its author.
bad=0
n=0
while read -r commit; do
	n=$((n + 1))
	author_email=$(git_tree log -1 --format=%ae "$commit")
	if ! git_tree log -1 --format='%(trailers:key=Signed-off-by,valueonly)' "$commit" |
		grep -qiF "<$author_email>"; then
		echo "b4-send: error: patch $n/$count $(git_tree log -1 --format='%h ("%s")' "$commit")" \
			"has no Signed-off-by: of its author $(git_tree log -1 --format='%an <%ae>' "$commit")" >&2
		bad=$((bad + 1))
	fi
done < <(git_tree rev-list --reverse "$base..$head")
[ "$bad" -eq 0 ] || die "$bad of $count commits lack their author's Signed-off-by"
say "Signed-off-by: present for the author of each of the $count commits"

# The throwaway clone, under TREE's parent directory.
work=$(mktemp -d "$(dirname "$tree")/b4-send.XXXXXX")
lists_pid=
cleanup() {
	if [ -n "$lists_pid" ]; then kill "$lists_pid" 2>/dev/null || true; wait "$lists_pid" || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
case $work in *"'"*) die "temporary directory $work has a quote in its path";; esac
clone=$work/linux
log=$work/b4.log
: >"$log"
fail_log() { echo "--- last lines of the b4 log:" >&2; tail -n 30 "$log" >&2; die "$*"; }

# Only the configuration set below: no global or system git config (an
# editor, a sendemail identity, b4 settings of whoever runs this).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
# b4 keeps a cache; keep it in the work directory too.
export XDG_CACHE_HOME=$work/cache
git_clone() { git -C "$clone" "$@"; }
b4_run() { (cd "$clone" && b4 --offline-mode --no-interactive --no-stdin "$@"); }

say "cloning $tree ($branch, top-level files only) into $work"
git clone -q --sparse --single-branch --branch "$branch" "$tree" "$clone"
[ "$(git_clone rev-parse HEAD)" = "$head" ] || die "$branch moved in $tree during the run; run again"

# get_maintainer.pl as b4 would run it from the top of a kernel tree: TREE's.
gm_files=(MAINTAINERS scripts/get_maintainer.pl .get_maintainer.ignore .mailmap)
git_tree diff --quiet "$head" -- "${gm_files[@]}" ||
	die "$tree has uncommitted changes to ${gm_files[*]}; commit or drop them"
getm=$work/get_maintainer.pl
printf '#!/bin/bash\ncd %q && exec perl scripts/get_maintainer.pl "$@"\n' "$tree" >"$getm"
chmod +x "$getm"
gm_opts="--nogit --nogit-fallback --nogit-chief-penguins --norolestats"   # b4 0.12's

# Check 3 starts now, next to b4 (one get_maintainer.pl at a time): the
# mailing lists of each patch alone (--nom --nor: lists only).
lists=$work/lists
mkdir -p "$work/fp" "$lists"
git_clone format-patch -q -o "$work/fp" "$base..$head"
# shellcheck disable=SC2016,SC2086 # $1..$3 are bash -c's; gm_opts splits
find "$work/fp" -name '[0-9][0-9][0-9][0-9]-*.patch' -print0 |
	xargs -0 -n 1 bash -c '"$1" $2 --nom --nor "$3" >"$0/${3##*/}"' "$lists" "$getm" "$gm_opts" &
lists_pid=$!

git_clone config user.name "$name"
git_clone config user.email "$email"
git_clone config sendemail.from "$name <$email>"
# An SMTP server keeps b4 0.12 off its default web endpoint, which it picks
# in a kernel tree and which requires patatt signing.  -o implies a dry run;
# were it ever to send, /bin/false would deliver nothing.
git_clone config sendemail.smtpserver /bin/false
# b4's default: the cover letter in an empty commit on the base, the series
# cherry-picked over it.  (0.12's branch-description strategy writes the
# base's parent as base-commit.)
git_clone config b4.prep-cover-strategy commit
printf '%s\n' "$cover" >"$work/cover.txt"
git_clone config core.editor "cp -- '$work/cover.txt'"
git_clone config b4.send-auto-to-cmd "'$getm' $gm_opts --nol"
git_clone config b4.send-auto-cc-cmd "'$getm' $gm_opts --nom"

say "b4 prep: enrolling $branch against $base_ref"
b4_run prep --enroll "$base" >>"$log" 2>&1 || fail_log "b4 prep --enroll failed"
if [ -n "$(git_clone diff "$head" HEAD | head -c 1)" ] ||
	[ "$(git_clone rev-list --count "$base..HEAD")" -ne $((count + 1)) ]; then
	fail_log "b4 prep --enroll did not rebuild the series on $base_ref"
fi
say "b4 prep: setting the cover letter"
b4_run prep --edit-cover >>"$log" 2>&1 || fail_log "b4 prep --edit-cover failed"

say "b4 prep --auto-to-cc: get_maintainer.pl (To, then Cc) on $count patches, a few s each"
n=0
b4_run --debug prep --auto-to-cc 2>&1 | tee -a "$log" | while IFS= read -r line; do
	case $line in
	"Will collect "*) say "  ${line}";;
	"Collecting from: "*)
		n=$((n + 1))
		if [ $((n % 8)) -eq 0 ] || [ "$n" -eq "$count" ]; then
			say "  get_maintainer: $n/$count patches"
		fi;;
	esac
done || fail_log "b4 prep --auto-to-cc failed"
grep -q '^Will collect To: addresses using get_maintainer.pl' "$log" ||
	fail_log "b4 did not use the tree's scripts/get_maintainer.pl"

# Check 3, first half: get_maintainer.pl finds a mailing list for each patch.
st=0
wait "$lists_pid" || st=$?
lists_pid=
[ "$st" -eq 0 ] || die "get_maintainer.pl failed on a patch (lists check, status $st)"
bad=0
for f in "$lists"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -f "$f" ] || continue
	num=${f##*/}
	num=${num%%-*}
	if ! grep -q @ "$f"; then
		echo "b4-send: error: patch $((10#$num))/$count (${f##*/}): get_maintainer.pl finds no mailing list for it" >&2
		bad=$((bad + 1))
	fi
done
n=$(find "$lists" -name '[0-9][0-9][0-9][0-9]-*.patch' | wc -l)
[ "$n" -eq "$count" ] || die "get_maintainer.pl ran on $n patches, expected $count"
[ "$bad" -eq 0 ] || die "$bad of $count patches have no mailing list (MAINTAINERS L: entries); nothing written to $out"
say "get_maintainer.pl finds a mailing list for each of the $count patches"

say "b4 send -o: writing the mails"
stage=$work/mails
b4_run send --no-sign -o "$stage" >>"$log" 2>&1 || fail_log "b4 send -o failed"
mapfile -t mails < <(cd "$stage" && find . -maxdepth 1 -name '*.eml' -printf '%f\n' | sort)
[ "${#mails[@]}" -eq $((count + 1)) ] ||
	fail_log "b4 wrote ${#mails[@]} mails, expected $((count + 1)) (cover letter + $count patches)"

# Each mail's Subject, From, To and Cc, decoded, one address per
# comma-separated item: "file<TAB>subject<TAB>from<TAB>to<TAB>cc".
headers=$work/headers.tsv
(cd "$stage" && python3 - "$work/cover.txt" "${mails[@]}" >"$headers") <<'EOF' ||
import email, email.policy, email.utils, sys
for f in sys.argv[2:]:
    with open(f, 'rb') as fh:
        m = email.message_from_binary_file(fh, policy=email.policy.default)
    def addrs(h):
        return ', '.join(email.utils.formataddr(p) for p in
                         email.utils.getaddresses([str(x) for x in m.get_all(h, [])]))
    subj = ' '.join(str(m.get('Subject', '')).split())
    if f.startswith('0000-'):
        # The cover letter mail: the description's text, then b4's part.
        text = open(sys.argv[1], encoding='utf-8').read().split('\n', 2)[2].strip()
        if not m.get_content().startswith(text + '\n'):
            sys.exit('the cover letter mail does not start with the cover letter text')
    print('\t'.join((f, subj, addrs('From'), addrs('To'), addrs('Cc'))))
EOF
	fail_log "reading the mails failed"

# The cover letter mail: the description's subject, no template text.
IFS=$'\t' read -r _ cover_subject _ < <(head -n 1 "$headers")
[ "$cover_subject" = "[PATCH 00/$count] $subject" ] ||
	fail_log "cover letter subject is \"$cover_subject\", expected \"[PATCH 00/$count] $subject\""
if grep -q 'EDITME' "$stage/${mails[0]}"; then fail_log "the cover letter mail has EDITME in it"; fi
grep -qx "base-commit: $base" "$stage/${mails[0]}" || fail_log "the cover letter mail lacks base-commit: $base"

# Check 3, second half: each patch's mail goes to the mailing lists
# get_maintainer.pl finds for that patch.
say "checking that each mail goes to its patch's mailing lists"
bad=0
summary=$work/summary.txt
{
	echo "# $count patches + cover letter, $branch on $(git_tree log -1 --format='%h ("%s")' "$base")"
	echo "# From: $name <$email>; made by scripts/b4-send.sh with b4 $(b4 --version)"
} >"$summary"
while IFS=$'\t' read -r file subj from to cc; do
	{
		echo
		echo "$file"
		echo "  Subject: $subj"
		echo "  From: $from"
		echo "  To: $to"
		echo "  Cc: $cc"
	} >>"$summary"
	num=${file%%-*}
	[ "$num" != 0000 ] || continue        # the cover letter
	fp=("$lists/$num"-*.patch)
	[ -f "${fp[0]}" ] || die "no get_maintainer.pl output for patch $num"
	mapfile -t mls < <(grep -oE '[^][<>()", [:space:]]+@[^][<>()", [:space:]]+' "${fp[0]}" | sort -u)
	echo "  Lists (get_maintainer.pl for this patch): ${mls[*]:-NONE}" >>"$summary"
	if [ "${#mls[@]}" -eq 0 ]; then
		echo "b4-send: error: $file: get_maintainer.pl finds no mailing list for this patch" >&2
		bad=$((bad + 1))
		continue
	fi
	for ml in "${mls[@]}"; do
		if ! grep -qiF "<$ml>" <<<"$to, $cc" && ! grep -qiE "(^|, )${ml//./\\.}(,|$)" <<<"$to, $cc"; then
			echo "b4-send: error: $file: its mail does not go to the list $ml" >&2
			bad=$((bad + 1))
		fi
	done
done <"$headers"
[ "$bad" -eq 0 ] || die "$bad mailing list problems (see above); nothing written to $out"

mkdir -p "$out"
rm -f "$out"/*.eml "$out/summary.txt"
cp "$stage"/*.eml "$summary" "$out"/
say "wrote ${#mails[@]} mails and summary.txt to $out (nothing was sent)"
say "To: $(cut -f4 "$headers" | head -n 1 | tr ',' '\n' | grep -c @) addresses, Cc: $(cut -f5 "$headers" | head -n 1 | tr ',' '\n' | grep -c @) on the cover letter"
