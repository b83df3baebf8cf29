#!/bin/bash
# Configure and build a kernel out of tree: allnoconfig plus a fragment.
# Usage: build-kernel.sh TREE OUT_DIR FRAGMENT ARCH [CROSS_COMPILE]
set -euo pipefail
tree=${1:?usage: build-kernel.sh TREE OUT_DIR FRAGMENT ARCH [CROSS_COMPILE]}
out=${2:?}
fragment=$(realpath "${3:?}")
arch=${4:?}
cross=${5:-}
here=$(dirname "$(realpath "$0")")

cc=${cross}gcc
if command -v ccache >/dev/null; then
	cc="ccache $cc"
	export CCACHE_BASEDIR
	CCACHE_BASEDIR=$(realpath "$tree")
fi
jobs=$(( $(nproc) + 1 ))
kmake=(make -s -C "$tree" O="$(realpath -m "$out")" ARCH="$arch" CROSS_COMPILE="$cross" CC="$cc"
       KBUILD_BUILD_TIMESTAMP="2000-01-01" KBUILD_BUILD_USER=gmem KBUILD_BUILD_HOST=test -j"$jobs")
mkdir -p "$out"
"${kmake[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig
"$here/check-config.sh" "$fragment" "$out/.config" "$tree"
"${kmake[@]}" headers_install INSTALL_HDR_PATH="$(realpath -m "$out")/usr"
"${kmake[@]}" all
