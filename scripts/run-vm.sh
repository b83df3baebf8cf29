#!/bin/bash
# Boot a test VM under QEMU (TCG), run one test list inside it and judge
# the result: TAP from the guest, a count line, and a failure for any
# kernel report in the guest's log or a guest that does not finish in time.
#   x86_64: q35, nested SVM, two NUMA nodes, single-threaded TCG.
#   arm64:  "virt" with EL2 and GICv3, KVM in protected mode (pKVM).
# Usage: run-vm.sh ARCH KERNEL INITRAMFS LIST_NAME RESULT_DIR [EXTRA_CMDLINE]
# Environment: VM_TIMEOUT (whole run, s), TEST_TIMEOUT (per test, s).
set -euo pipefail
usage="usage: run-vm.sh ARCH KERNEL INITRAMFS LIST_NAME RESULT_DIR [EXTRA_CMDLINE]"
arch=${1:?$usage}
kernel=${2:?$usage}
initramfs=${3:?$usage}
list=${4:?$usage}
results=${5:?$usage}
extra=${6:-}
vm_timeout=${VM_TIMEOUT:-1800}
test_timeout=${TEST_TIMEOUT:-300}
here=$(dirname "$(realpath "$0")")

case "$arch" in
x86_64)
	# shellcheck disable=SC2054 # the commas are QEMU's option syntax
	qemu=(qemu-system-x86_64 -M q35 -cpu max -accel tcg,thread=single
	      -smp 2,sockets=2,cores=1,threads=1 -m 2G
	      -object memory-backend-ram,id=m0,size=1G -numa node,nodeid=0,cpus=0,memdev=m0
	      -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=1,cpus=1,memdev=m1)
	cmdline="console=ttyS0"
	;;
arm64)
	# shellcheck disable=SC2054 # the commas are QEMU's option syntax
	qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
	      -cpu max,pauth-impdef=on -smp 2 -m 2G)
	cmdline="console=ttyAMA0 kvm-arm.mode=protected"
	;;
*)
	echo "run-vm: unknown architecture '$arch'" >&2
	exit 1
	;;
esac

mkdir -p "$results"
console=$results/console.log
start=$(date +%s)
rc=0
timeout --foreground -k 10 "$vm_timeout" "${qemu[@]}" \
	-nographic -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initramfs" \
	-append "$cmdline panic=-1 oops=panic printk.time=1 gmem.list=/etc/$list gmem.timeout=$test_timeout $extra" \
	< /dev/null > "$console" 2>&1 || rc=$?
echo "vm: $list ran for $(( $(date +%s) - start ))s" | tee "$results/time.txt"

"$here/judge-vm-run.sh" "$console" "$results" "$rc"
