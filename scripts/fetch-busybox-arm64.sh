#!/bin/bash
# Fetch Debian's busybox-static for arm64 (the arm64 test VM's userland)
# with a private apt configuration, and extract the binary once into the
# cache directory.  apt checks the package against the signed archive.
# Usage: fetch-busybox-arm64.sh CACHE_DIR   (prints the binary's path)
set -euo pipefail

cache=${1:?usage: fetch-busybox-arm64.sh CACHE_DIR}
bin=$cache/busybox-arm64
die() { echo "fetch-busybox-arm64: $*" >&2; exit 1; }
# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$(realpath "$0")")/debian-apt.sh"

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

apt_dir=$cache/apt-arm64
# The system's own release, for arm64.
codename=$(debian_codename)
private_apt "$apt_dir" "$codename" arm64 ||
	die "no Debian mirror for ${codename:-this release} in the system's apt configuration"
apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
	die "cannot read $codename for arm64; see $apt_dir/update.log"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get "${apt_opts[@]}" -qq download busybox-static:arm64 >"$apt_dir/download.log" 2>&1) ||
	die "download of busybox-static:arm64 failed; see $apt_dir/download.log"
dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*_arm64.deb | tar -x -C "$tmp" ./bin/busybox
install -m 0755 "$tmp/bin/busybox" "$bin"
echo "$bin"
