#!/bin/bash
# Install the Debian packages the project needs on the host, or say which
# are missing when not running as root.
set -euo pipefail
pkgs=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils rsync
      perl python3-ply python3-git git ccache busybox-static qemu-system-x86
      shellcheck)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing host packages; run as root: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
