#!/bin/bash
# Boot the arm64 test VM under QEMU (TCG, "virt" board with EL2, GICv3) with
# KVM in protected mode (pKVM), run one test list inside it and judge the
# result the same way as on x86_64 (judge-vm-run.sh).
# Usage: run-vm-arm64.sh IMAGE INITRAMFS LIST_NAME RESULT_DIR [EXTRA_CMDLINE]
# Environment: VM_TIMEOUT (whole run, s), TEST_TIMEOUT (per test, s).
set -euo pipefail
kernel=${1:?usage: run-vm-arm64.sh IMAGE INITRAMFS LIST_NAME RESULT_DIR [EXTRA_CMDLINE]}
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
timeout --foreground -k 10 "$vm_timeout" qemu-system-aarch64 \
	-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on -smp 2 -m 2G \
	-nographic -no-reboot -serial stdio -monitor none \
	-kernel "$kernel" -initrd "$initramfs" \
	-append "console=ttyAMA0 panic=-1 oops=panic printk.time=1 kvm-arm.mode=protected gmem.list=/etc/$list gmem.timeout=$test_timeout $extra" \
	< /dev/null > "$console" 2>&1 || rc=$?
echo "vm: $list ran for $(( $(date +%s) - start ))s" | tee "$results/time.txt"

"$here/judge-vm-run.sh" "$console" "$results" "$rc"
