#!/bin/bash
# Build sparse for the kernel's C=1/C=2 checks (check-bisect.sh) from a
# pinned Debian source package, and install the binary once into
# CACHE_DIR/sparse-VERSION.  Linux 7.3's scripts/checker-valid.sh wants
# __typeof_unqual__, which Debian 12's sparse 0.6.4 lacks; 0.6.5~rc1 has
# it, and its binary package needs a newer libc than Debian 12's, so the
# source package is fetched (apt-get source under a private apt
# configuration: apt checks the .dsc against the signed archive, this
# script against the pinned sha256, dpkg-source the tarballs against the
# .dsc) and built here, with none of sparse's optional libraries (the
# checker needs none).  The binary must pass the kernel tree's own
# scripts/checker-valid.sh, as kbuild runs it.
# Usage: fetch-sparse.sh CACHE_DIR [TREE]   (prints the sparse binary's path)
# TREE: the kernel tree whose scripts/checker-valid.sh judges the binary
# (default: build/linux next to this script's directory).
# Environment: SPARSE_SUITE: the suite to fetch the pinned version from
# (default unstable).
set -euo pipefail

VERSION=0.6.5~rc1-2
DSC_SHA256=3520edb07c89820367b7fd99212236aaaf7bf4034ce06fdb7718da0c7e61e076

usage="usage: fetch-sparse.sh CACHE_DIR [TREE]"
cache=${1:?$usage}
here=$(dirname "$(realpath "$0")")
tree=${2:-$here/../build/linux}
suite=${SPARSE_SUITE:-unstable}
die() { echo "fetch-sparse: $*" >&2; exit 1; }
say() { echo "fetch-sparse: $*" >&2; }
# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$(realpath "$0")")/debian-apt.sh"

checker_valid=$tree/scripts/checker-valid.sh
[ -x "$checker_valid" ] || die "no executable $checker_valid (TREE: a kernel tree)"
# valid SPARSE: kbuild's own test of the checker (it prints 1 if good).
valid() {
	[ "$("$checker_valid" "$1" 2>/dev/null || true)" = 1 ]
}

dest=$cache/sparse-$VERSION
if [ -x "$dest/bin/sparse" ]; then
	valid "$dest/bin/sparse" ||
		die "$dest/bin/sparse (sparse $VERSION) does not pass $checker_valid"
	echo "$dest/bin/sparse"
	exit 0
fi

apt_dir=$cache/apt-src
mkdir -p "$cache"
say "reading the source packages of $suite"
private_apt_src "$apt_dir" "$suite" ||
	die "no Debian mirror in the system's apt configuration"
apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
	die "cannot read $suite's source packages; see $apt_dir/update.log"
showsrc=$(apt-cache "${apt_opts[@]}" showsrc sparse 2>/dev/null || true)
seen=$(sed -n 's/^Version: //p' <<< "$showsrc" | sort -uV | xargs)
case " $seen " in
*" $VERSION "*) ;;
*) die "sparse $VERSION (pinned in $0) is not in $suite any more;" \
       "$suite has: ${seen:-no sparse source package}." \
       "Pin another version (VERSION and DSC_SHA256, the .dsc's sha256 in" \
       "'apt-cache showsrc sparse') or set SPARSE_SUITE" ;;
esac
# The .dsc's checksum in the signed index, for the pinned version.
dsc=sparse_${VERSION#*:}.dsc
index_sum=$(awk -v v="$VERSION" -v dsc="$dsc" '
	/^Version: / { ver = $2 }
	/^Checksums-Sha256:/ { sums = 1; next }
	/^[^ ]/ { sums = 0 }
	sums && ver == v && $3 == dsc { print $1; exit }' <<< "$showsrc")
[ "$index_sum" = "$DSC_SHA256" ] ||
	die "$suite's index gives $dsc the sha256 ${index_sum:-(none)}, not the pinned $DSC_SHA256"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "fetching sparse $VERSION"
(cd "$tmp" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root -qq source --download-only \
	"sparse=$VERSION" >"$apt_dir/source.log" 2>&1) ||
	die "apt-get source sparse=$VERSION failed; see $apt_dir/source.log"
[ -f "$tmp/$dsc" ] || die "apt-get source did not fetch $dsc; see $apt_dir/source.log"
sum=$(sha256sum "$tmp/$dsc" | cut -d' ' -f1)
[ "$sum" = "$DSC_SHA256" ] || die "$dsc has the sha256 $sum, not the pinned $DSC_SHA256"
# dpkg-source checks the tarballs against the .dsc and applies Debian's
# patches.
dpkg-source -x "$tmp/$dsc" "$tmp/src" >>"$apt_dir/source.log" 2>&1 ||
	die "dpkg-source -x $dsc failed; see $apt_dir/source.log"

# Debian patches CC to its current default gcc-N; use the system's gcc.  No
# optional libraries: only the sparse program itself is built.
say "building sparse $VERSION"
make -C "$tmp/src" -j"$(nproc)" CC=gcc HAVE_LIBXML=no HAVE_SQLITE=no HAVE_GTK=no \
	HAVE_LLVM=no HAVE_BOOLECTOR=no sparse >"$apt_dir/build.log" 2>&1 ||
	die "building sparse failed; see $apt_dir/build.log"
valid "$tmp/src/sparse" || die "the sparse $VERSION built does not pass $checker_valid"

install -D -m 0755 "$tmp/src/sparse" "$tmp/install/bin/sparse"
rm -rf "$dest"
mv "$tmp/install" "$dest"
say "installed sparse $VERSION in $dest"
echo "$dest/bin/sparse"
