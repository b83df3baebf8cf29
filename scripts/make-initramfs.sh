#!/bin/bash
# Pack the test VM's initramfs: busybox, the guest runner, the kernel's
# modules, test lists and the (statically linked) test programs.
# Usage: make-initramfs.sh OUT.cpio.gz BUSYBOX KERNEL_OUT TEST_DIR LIST...
set -euo pipefail
out=${1:?usage: make-initramfs.sh OUT.cpio.gz BUSYBOX KERNEL_OUT TEST_DIR LIST...}
busybox=${2:?}
kout=${3:?}
tests=${4:?}
shift 4
here=$(dirname "$(realpath "$0")")

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,tests,lib/modules}
# The guest's init installs the other applets; busybox may be for another
# architecture than the host's, so it is not run here.
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/../guest/init" "$root/init"
cp "$here/../guest/kvm-load" "$root/bin/kvm-load"
cp "$here/../guest/kernel-report-patterns" "$root/etc/"
find "$kout" -name '*.ko' -exec cp {} "$root/lib/modules/" \;
for list in "$@"; do
	cp "$list" "$root/etc/"
	# Each listed program, with what stands beside it (helpers of a
	# benchmark driver, say), but no build by-products.
	while read -r test _; do
		dir=$(dirname "$test")
		mkdir -p "$root/tests/$dir"
		find "$tests/$dir" -maxdepth 1 -type f ! -name '*.[od]' \
			-exec cp {} "$root/tests/$dir/" \;
	done < <(grep -vE '^[[:space:]]*(#|$)' "$list" | sed -E 's/^kvm:[^[:space:]]+[[:space:]]+//')
done
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
