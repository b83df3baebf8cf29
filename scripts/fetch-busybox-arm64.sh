#!/bin/bash
# Fetch Debian's busybox-static for arm64 (the arm64 test VM's userland)
# with a private apt configuration, and extract the binary once into the
# cache directory.  apt checks the package against the signed archive.
# Usage: fetch-busybox-arm64.sh CACHE_DIR   (prints the binary's path)
set -euo pipefail

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cache=${1:?usage: fetch-busybox-arm64.sh CACHE_DIR}
bin=$cache/busybox-arm64
die() { echo "fetch-busybox-arm64: $*" >&2; exit 1; }

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

apt_dir=$cache/apt-arm64
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
# The Debian mirror the system already uses, for its own release, for arm64.
# shellcheck disable=SC1091 # the system's file, read at run time
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release"
# shellcheck disable=SC2016 # $(...) is apt's format, not the shell's
uri=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' |
	awk -v c="$codename" '$2 == c { print $1; exit }')
[ -n "$uri" ] || die "no Debian mirror for $codename in the system's apt configuration"
echo "deb [signed-by=$KEYRING arch=arm64] $uri $codename main" > "$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	  -o "Dir::Etc::SourceParts=$apt_dir/none"
	  -o "Dir::State::Lists=$apt_dir/lists"
	  -o "Dir::Cache=$apt_dir/cache"
	  -o "APT::Architecture=arm64" -o "APT::Architectures=arm64")
apt-get "${apt_opts[@]}" -qq update >"$apt_dir/update.log" 2>&1 ||
	die "cannot read $codename for arm64 from $uri; see $apt_dir/update.log"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get "${apt_opts[@]}" -qq download busybox-static:arm64 >"$apt_dir/download.log" 2>&1) ||
	die "download of busybox-static:arm64 failed; see $apt_dir/download.log"
dpkg-deb --fsys-tarfile "$tmp"/busybox-static_*_arm64.deb | tar -x -C "$tmp" ./bin/busybox
install -m 0755 "$tmp/bin/busybox" "$bin"
echo "$bin"
