#!/bin/sh
# In-VM driver of gmem_convert_bench: in-place and legacy (two-backing)
# conversion interleaved, A B A B..., reloading KVM with the module
# parameter each mode needs; then unpopulated 1GiB vs 4MiB.  Prints the
# median ratio and its spread.
# Environment: BENCH_REPS (5), BENCH_MIB (16), BENCH_ROUNDS (4),
# BENCH_UNPOP_ROUNDS (256); unpopulated ranges take little time, so they
# are measured in 3 pairs per repetition.
reps=${BENCH_REPS:-5}
mib=${BENCH_MIB:-16}
rounds=${BENCH_ROUNDS:-4}
unpop_rounds=${BENCH_UNPOP_ROUNDS:-256}
bench=$(dirname "$0")/gmem_convert_bench
out=/tmp/bench-convert
rm -rf $out && mkdir -p $out

run() {
	"$bench" "$@" || { echo "gmem_convert_bench $* failed"; exit 1; }
}

i=0
while [ $i -lt "$reps" ]; do
	kvm-load gmem_in_place_conversion=1 || exit 1
	run inplace "$mib" "$rounds" >> $out/inplace
	run inplace-touch "$mib" "$rounds" >> $out/inplace-touch
	for _ in 1 2 3; do
		run unpop 1024 "$unpop_rounds" >> $out/unpop-1g
		run unpop 4 "$unpop_rounds" >> $out/unpop-4m
	done
	kvm-load gmem_in_place_conversion=0 || exit 1
	run legacy "$mib" "$rounds" >> $out/legacy
	run legacy-touch "$mib" "$rounds" >> $out/legacy-touch
	i=$((i + 1))
done
kvm-load || exit 1

# ratio NAME FILE_A FIELD_A FILE_B FIELD_B: per-pair ratios A/B, then median.
ratio() {
	paste -d' ' "$2" "$4" | awk -v fa="$3" -v fb="$5" '{ print $fa / $(fb + 4) }' |
		"$(dirname "$0")/median.sh" "$1"
}

echo "raw (mode MiB ns/round ns/page):"
cat $out/inplace $out/legacy $out/inplace-touch $out/legacy-touch \
	$out/unpop-1g $out/unpop-4m
ratio "legacy / in-place, ns per 4KiB page (higher is better for in-place)" \
	$out/legacy 4 $out/inplace 4
ratio "legacy / in-place with host touching every shared page" \
	$out/legacy-touch 4 $out/inplace-touch 4
ratio "unpopulated 1GiB / 4MiB, ns per conversion round trip" \
	$out/unpop-1g 3 $out/unpop-4m 3
