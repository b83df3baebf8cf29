#!/bin/bash
# Configure and build a kernel out of tree: allnoconfig plus fragments.
# FRAGMENTS is one kconfig fragment or several joined by commas, applied in
# that order (a later one may override an earlier one).
# Usage: build-kernel.sh TREE OUT_DIR FRAGMENTS ARCH [CROSS_COMPILE]
set -euo pipefail
usage="usage: build-kernel.sh TREE OUT_DIR FRAGMENTS ARCH [CROSS_COMPILE]"
tree=${1:?$usage}
out=${2:?$usage}
fragments=${3:?$usage}
arch=${4:?$usage}
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

# kbuild is silent with -s; say every minute that it is still going.
progress() {
	local start=$SECONDS
	trap 'kill "$!" 2>/dev/null; exit' TERM
	while sleep 60 & wait "$!"; do
		echo "build-kernel: $arch: $(( (SECONDS - start) / 60 )) min, $(find "$out" -name '*.o' | wc -l) objects built" >&2
	done
}
progress &
ticker=$!
trap 'kill "$ticker" 2>/dev/null' EXIT

fragment=$(realpath "$out")/fragment.config
IFS=, read -ra parts <<< "$fragments"
# Joined, with only the last setting of each option kept.
cat "${parts[@]}" | tac |
	awk 'match($0, /CONFIG_[A-Za-z0-9_]+/) && /^(# )?CONFIG_/ {
		if (seen[substr($0, RSTART, RLENGTH)]++) next
	} 1' | tac > "$fragment"
"${kmake[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig
"$here/check-config.sh" "$fragment" "$out/.config" "$tree"
"${kmake[@]}" headers_install INSTALL_HDR_PATH="$(realpath -m "$out")/usr"
"${kmake[@]}" all
