#!/bin/sh
# In-VM driver of gmem_restore_bench: a guest restored from a snapshot of
# its memory and registers, eagerly (the whole snapshot written into its
# guest_memfd before it runs) and lazily (KVM_MEM_USERFAULT, a page
# restored when the guest first touches it), alternating in one process,
# one ratio per repetition.  Prints the median ratio eager / lazy of the
# time until the restored guest runs its first instruction after the
# snapshot point, its spread, and the absolute times.
# Environment: BENCH_REPS (9), BENCH_MIB (64).
reps=${BENCH_REPS:-9}
mib=${BENCH_MIB:-64}
bench=$(dirname "$0")/gmem_restore_bench
out=/tmp/bench-restore
rm -rf $out && mkdir -p $out

"$bench" "$mib" "$reps" > $out/restore || exit 1

# ms FIELD NAME: median and spread of a column of nanoseconds, in ms.
ms() {
	awk -v f="$1" '{ print $f / 1000000 }' $out/restore | sort -n |
		awk -v name="$2" '
		{ r[NR] = $1 }
		END {
			printf "%s: median %.2f ms (min %.2f ms, max %.2f ms)\n",
			       name, r[int((NR + 1) / 2)], r[1], r[NR]
		}'
}

echo "raw (ratio eager-ns lazy-ns):"
cat $out/restore
awk '{ print $1 }' $out/restore | "$(dirname "$0")/median.sh" \
	"restore of $mib MiB, eager / lazy time to the guest's first instruction"
ms 2 "eager restore (pwrite everything, then run)"
ms 3 "lazy restore (KVM_MEM_USERFAULT, code page on demand)"
