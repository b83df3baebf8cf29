#!/bin/bash
# Build the KVM selftests named in a test list, statically linked, against
# the kernel's own installed headers.
# Usage: build-selftests.sh TREE HDR_DIR OUT_DIR TEST_LIST ARCH [CROSS_COMPILE]
set -euo pipefail
tree=$(realpath "${1:?usage: build-selftests.sh TREE HDR_DIR OUT_DIR TEST_LIST ARCH [CROSS_COMPILE]}")
hdr=$(realpath "${2:?}")
out=$(realpath -m "${3:?}")
list=${4:?}
arch=${5:?}
cross=${6:-}

targets=()
while read -r test _; do
	targets+=("$out/$test")
done < <(grep -vE '^[[:space:]]*(#|$)' "$list" | sed -E 's/^kvm:[^[:space:]]+[[:space:]]+//')

mkdir -p "$out"
cc=${cross}gcc
command -v ccache >/dev/null && cc="ccache $cc"
make -s -C "$tree/tools/testing/selftests/kvm" -j"$(( $(nproc) + 1 ))" \
	ARCH="$arch" CROSS_COMPILE="$cross" CC="$cc" OUTPUT="$out" \
	KHDR_INCLUDES="-isystem $hdr" USERLDFLAGS=-static "${targets[@]}"
