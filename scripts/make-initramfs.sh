#!/bin/bash
# Pack the test VM's initramfs: busybox, the guest runner, test lists and
# the (statically linked) test programs.
# Usage: make-initramfs.sh OUT.cpio.gz BUSYBOX TEST_DIR LIST... 
set -euo pipefail
out=${1:?usage: make-initramfs.sh OUT.cpio.gz BUSYBOX TEST_DIR LIST...}
busybox=${2:?}
tests=${3:?}
shift 3
here=$(dirname "$(realpath "$0")")

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,tests}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$here/../guest/init" "$root/init"
for list in "$@"; do
	cp "$list" "$root/etc/"
	while read -r test _; do
		mkdir -p "$root/tests/$(dirname "$test")"
		cp "$tests/$test" "$root/tests/$test"
	done < <(grep -vE '^[[:space:]]*(#|$)' "$list")
done
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
