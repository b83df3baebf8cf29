#!/bin/sh
# In-VM driver of gmem_fault_bench, the guest's first touch of private
# guest_memfd pages, one fresh page per touch:
#  1. in place (kvm.gmem_in_place_conversion=1) and legacy (=0, VM-wide
#     attributes) interleaved, A B B A A B..., reloading KVM with the
#     parameter each mode needs; the series aims at in-place / legacy
#     <= 1.05x;
#  2. in place, chunks of the guest's pages while another thread converts
#     an unrelated range of the same guest_memfd (busy) alternating, in one
#     process, with chunks without conversions (quiet) and with the same
#     conversions of another VM's guest_memfd (control); the series aims at
#     busy / quiet <= 1.2x.  The converter is paced (BENCH_RATE pairs per
#     second at most) and pinned to the other CPU, and its rate and CPU
#     share are printed: QEMU emulates both CPUs of the test VM in one
#     thread, so the converter's CPU time slows the vCPU down whatever the
#     kernel's locking does.  control / quiet is what conversions that share
#     nothing with the guest cost it; busy / control is what sharing the
#     file, the VM and its vCPU adds, the converter's own extra CPU time
#     (its share is printed for both) included.  Run twice: on fresh
#     pages, whose first touch allocates them and takes the invalidate_lock
#     for read, like the conversion, and on pages already in the file
#     (touched once, then unmapped from the guest by a conversion to shared
#     and back), whose faults take no lock the converter holds;
#  3. a hybrid memslot, THP-backed shared half and guest_memfd private
#     half: the number of 2MiB mappings the shared half got, in place (and
#     in legacy mode for comparison).  With in-place conversion the shared
#     half has to get one: FAIL (exit status 1) if it got none although the
#     host backed it with a transparent huge page (NOT MEASURED if not).
# Environment: BENCH_REPS (11), BENCH_MIB (8), BENCH_ROUNDS (1, of 1.),
# BENCH_CONTEND_ROUNDS (2, of 2.), BENCH_RATE (20).
reps=${BENCH_REPS:-11}
mib=${BENCH_MIB:-8}
rounds=${BENCH_ROUNDS:-1}
contend_rounds=${BENCH_CONTEND_ROUNDS:-2}
rate=${BENCH_RATE:-20}
[ "$reps" -ge 1 ] || { echo "BENCH_REPS must be at least 1"; exit 1; }
here=$(dirname "$0")
bench=$here/gmem_fault_bench
out=/tmp/bench-fault
rm -rf $out && mkdir -p $out

run() {
	"$bench" "$@" || { echo "gmem_fault_bench $* failed"; exit 1; }
}

# One reload per repetition: in place then legacy in even ones, legacy
# then in place in odd ones, so that the runs of a pair are next to each
# other and which one goes first alternates.
in_place() {
	run fault inplace "$mib" "$rounds" >> $out/inplace
}

legacy() {
	run fault legacy "$mib" "$rounds" >> $out/legacy
}

contend() {
	run contend "$mib" "$contend_rounds" "$rate" fresh >> $out/contend
	run contend "$mib" "$contend_rounds" "$rate" present >> $out/contend-present
}

kvm-load gmem_in_place_conversion=1 || exit 1
i=0
while [ $i -lt "$reps" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		contend
		in_place
		kvm-load gmem_in_place_conversion=0 || exit 1
		legacy
	else
		legacy
		kvm-load gmem_in_place_conversion=1 || exit 1
		in_place
		contend
	fi
	i=$((i + 1))
done

# The shared half can only get a 2MiB mapping from a transparent huge page.
thp=/sys/kernel/mm/transparent_hugepage/enabled
grep -q '\[never\]' $thp && { echo madvise > $thp || exit 1; }
echo "transparent huge pages: $(cat $thp)"
kvm-load gmem_in_place_conversion=0 || exit 1
run hybrid legacy > $out/hybrid-legacy
kvm-load gmem_in_place_conversion=1 || exit 1
run hybrid inplace > $out/hybrid
kvm-load || exit 1

# ratio NAME FILE_A FIELD_A FILE_B FIELD_B: per-pair (line) ratios A/B,
# then median.
ratio() {
	awk -v f="$3" '{ print $f }' "$2" > $out/a
	awk -v f="$5" '{ print $f }' "$4" > $out/b
	paste -d' ' $out/a $out/b | awk '{ print $1 / $2 }' | "$here/median.sh" "$1"
}

# spread NAME FILE FIELD UNIT: median, min and max of FIELD over the runs.
spread() {
	awk -v f="$3" '{ print $f }' "$2" | sort -n | awk -v name="$1" -v unit="$4" '
		{ r[NR] = $1 }
		END {
			printf "%s: median %s%s (min %s%s, max %s%s, %d runs)\n", name,
			       r[int((NR + 1) / 2)], unit, r[1], unit, r[NR], unit, NR
		}'
}

echo "raw, ns per page (mode MiB median-chunk mean second-pass):"
cat $out/inplace $out/legacy
ratio "in-place / legacy, fresh private 4KiB page faults, median chunk of 64 (goal <= 1.05x)" \
	$out/inplace 3 $out/legacy 3
ratio "in-place / legacy, the same, mean of all chunks" $out/inplace 4 $out/legacy 4
# Whole runs are fast or about twice as slow depending on the emulator's
# phase, whatever the mode: the fastest run of each mode is steadier.
best() { awk -v f="$2" 'NR == 1 || $f < m { m = $f } END { print m }' "$1"; }
echo "in-place / legacy, fastest run of each mode: $(best $out/inplace 3) / $(best $out/legacy 3) ns per page" \
	"= $(awk -v a="$(best $out/inplace 3)" -v b="$(best $out/legacy 3)" 'BEGIN { printf "%.2fx", a / b }')"
echo "raw, ns per page (contend MiB quiet busy control second-pass), then for busy and control: conversion-pairs pairs/s converter-CPU%:"
cat $out/contend
ratio "in place, busy / quiet, converter on an unrelated range of the file (goal <= 1.2x)" \
	$out/contend 4 $out/contend 3
spread "  busy converter rate, pairs per second of timed chunks (paced at $rate)" $out/contend 8 ""
spread "  busy converter CPU share" $out/contend 9 "%"
ratio "in place, control / quiet, converter on another VM's guest_memfd" \
	$out/contend 5 $out/contend 3
spread "  control converter rate, pairs per second" $out/contend 11 ""
spread "  control converter CPU share" $out/contend 12 "%"
ratio "in place, busy / control, what sharing the file, the VM and its vCPU adds" \
	$out/contend 4 $out/contend 5
echo "raw, pages already in the file, unmapped from the guest (same fields):"
cat $out/contend-present
ratio "in place, pages present in the file, busy / quiet (no invalidate_lock on these faults)" \
	$out/contend-present 4 $out/contend-present 3
spread "  busy converter rate, pairs per second of timed chunks (paced at $rate)" $out/contend-present 8 ""
ratio "in place, pages present in the file, control / quiet" \
	$out/contend-present 5 $out/contend-present 3

echo "raw (mode pages_2m KiB-of-THP-behind-the-shared-half):"
cat $out/hybrid-legacy $out/hybrid
read -r _ legacy_2m legacy_thp < $out/hybrid-legacy
read -r _ pages_2m thp_kib < $out/hybrid
for v in "$pages_2m" "$thp_kib"; do
	case $v in
	'' | *[!0-9]*) echo "FAIL: malformed hybrid output: $(cat $out/hybrid)"; exit 1 ;;
	esac
done
echo "hybrid memslot, 2MiB mappings of the THP-backed shared half: in place $pages_2m (host THP $thp_kib KiB), legacy $legacy_2m (host THP $legacy_thp KiB)"
if [ "$pages_2m" -lt 1 ] && [ "$thp_kib" -lt 2048 ]; then
	# Nothing to map at 2MiB: the host, not the series, decided.
	echo "hybrid memslot: NOT MEASURED, the host gave the shared half no transparent huge page"
elif [ "$pages_2m" -lt 1 ]; then
	echo "FAIL: the shared half of the hybrid memslot got no 2MiB mapping in place"
	exit 1
fi
