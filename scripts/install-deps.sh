#!/bin/bash
# Install the Debian packages the project needs on the host, or say which
# are missing when not running as root.  QEMU comes from bookworm-backports:
# Debian 12's QEMU 7.2 mis-emulates pKVM's hypervisor (pages scrubbed at EL2
# keep their contents), see README.md.
set -euo pipefail
# shellcheck source=scripts/debian-apt.sh
. "$(dirname "$(realpath "$0")")/debian-apt.sh"
pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils rsync
      perl python3-ply python3-git git ccache busybox-static shellcheck b4
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
qemu_pkgs=(qemu-system-x86 qemu-system-arm)
qemu_min=1:10.0
qemu_suite=bookworm-backports

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
old_qemu=()
for p in "${qemu_pkgs[@]}"; do
	v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
	if [ -z "$v" ] || dpkg --compare-versions "$v" lt "$qemu_min"; then
		old_qemu+=("$p")
	fi
done
[ "${#missing[@]}" -eq 0 ] && [ "${#old_qemu[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing host packages; run as root:" >&2
	[ "${#missing[@]}" -eq 0 ] || echo "  apt-get install ${missing[*]}" >&2
	[ "${#old_qemu[@]}" -eq 0 ] || echo "  apt-get install -t $qemu_suite ${old_qemu[*]} (QEMU >= $qemu_min)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "${#old_qemu[@]}" -ne 0 ]; then
	# The mirror the system already uses, with the backports suite added.
	uri=$(debian_mirror) || { echo "install-deps: no Debian mirror found" >&2; exit 1; }
	echo "deb $uri $qemu_suite main" > /etc/apt/sources.list.d/$qemu_suite.list
fi
echo "install-deps: installing ${missing[*]} ${old_qemu[*]}"
apt-get update -qq
[ "${#missing[@]}" -eq 0 ] ||
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
[ "${#old_qemu[@]}" -eq 0 ] ||
	apt-get install -y -qq --no-install-recommends -t "$qemu_suite" "${old_qemu[@]}" >/dev/null
