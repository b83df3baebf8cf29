#!/bin/bash
# Fetch Debian's linux-source-7.3 with a private apt configuration, verify
# its pinned checksum and extract it once into the cache directory.
# Usage: fetch-base.sh CACHE_DIR   (prints the extracted tree's path)
set -euo pipefail

PKG=linux-source-7.3
VERSION=7.3.4-1~bpo13+1
SUITE=trixie-backports
SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3

cache=${1:?usage: fetch-base.sh CACHE_DIR}
src=$cache/linux-7.3
die() { echo "fetch-base: $*" >&2; exit 1; }
# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$(realpath "$0")")/debian-apt.sh"

if [ -f "$src/.extracted" ]; then
	echo "$src"
	exit 0
fi

apt_dir=$cache/apt
deb=$cache/${PKG}_${VERSION//:/%3a}_all.deb

if [ ! -f "$deb" ]; then
	# The suite is added only in this private configuration, never in the
	# system's sources.
	private_apt "$apt_dir" "$SUITE" amd64 all ||
		die "no Debian mirror found in the system's apt configuration"
	apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
		die "cannot read $SUITE (no network?); see $apt_dir/update.log"
	seen=$(apt-cache "${apt_opts[@]}" madison "$PKG" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | xargs)
	case " $seen " in
	*" $VERSION "*) ;;
	*) die "$PKG $VERSION is not in $SUITE; versions seen: ${seen:-none}" ;;
	esac
	(cd "$cache" && apt-get "${apt_opts[@]}" -qq download "$PKG=$VERSION" >"$apt_dir/download.log" 2>&1) ||
		die "download of $PKG $VERSION failed; see $apt_dir/download.log"
	[ -f "$deb" ] || die "apt-get download did not produce $(basename "$deb")"
fi

sum=$(sha256sum "$deb" | cut -d' ' -f1)
if [ "$sum" != "$SHA256" ]; then
	mv "$deb" "$deb.bad"
	die "checksum mismatch for $(basename "$deb"): got $sum, want $SHA256"
fi

tmp=$cache/extract.tmp
rm -rf "$tmp" "$src"
mkdir -p "$tmp"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './usr/src/linux-source-7.3.tar.*'
tarball=$(ls "$tmp"/usr/src/linux-source-7.3.tar.*)
mkdir -p "$src"
tar -x -C "$src" --strip-components=1 -f "$tarball"
rm -rf "$tmp"
touch "$src/.extracted"
echo "$src"
