#!/bin/bash
# Boot the x86_64 test VM under QEMU (TCG, nested SVM, two NUMA nodes), run
# one test list inside it and judge the result: TAP from the guest, a count
# line, and a failure for any kernel report in the guest's log or a guest
# that does not finish in time.
# Usage: run-vm.sh BZIMAGE INITRAMFS LIST_NAME RESULT_DIR [EXTRA_CMDLINE]
# Environment: VM_TIMEOUT (whole run, s), TEST_TIMEOUT (per test, s).
set -euo pipefail
kernel=${1:?usage: run-vm.sh BZIMAGE INITRAMFS LIST_NAME RESULT_DIR [EXTRA_CMDLINE]}
initramfs=${2:?}
list=${3:?}
results=${4:?}
extra=${5:-}
vm_timeout=${VM_TIMEOUT:-1800}
test_timeout=${TEST_TIMEOUT:-300}
here=$(dirname "$(realpath "$0")")

mkdir -p "$results"
console=$results/console.log
start=$(date +%s)
rc=0
timeout --foreground -k 10 "$vm_timeout" qemu-system-x86_64 \
	-M q35 -cpu max -accel tcg,thread=single \
	-smp 2,sockets=2,cores=1,threads=1 -m 2G \
	-object memory-backend-ram,id=m0,size=1G -numa node,nodeid=0,cpus=0,memdev=m0 \
	-object memory-backend-ram,id=m1,size=1G -numa node,nodeid=1,cpus=1,memdev=m1 \
	-nographic -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initramfs" \
	-append "console=ttyS0 panic=-1 oops=panic printk.time=1 gmem.list=/etc/$list gmem.timeout=$test_timeout $extra" \
	< /dev/null > "$console" 2>&1 || rc=$?
echo "vm: $list ran for $(( $(date +%s) - start ))s" | tee "$results/time.txt"

"$here/judge-vm-run.sh" "$console" "$results" "$rc"
