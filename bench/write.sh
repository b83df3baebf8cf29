#!/bin/sh
# In-VM driver of gmem_write_bench: pwrite() into a guest_memfd and memcpy()
# through the mapping of another alternate chunk by chunk in one process,
# both allocating every page, one ratio per repetition.  Prints the median
# ratio memcpy time / pwrite time (higher is better for pwrite) and its
# spread.
# Environment: BENCH_REPS (9), BENCH_MIB (64).
reps=${BENCH_REPS:-9}
mib=${BENCH_MIB:-64}
bench=$(dirname "$0")/gmem_write_bench
out=/tmp/bench-write
rm -rf $out && mkdir -p $out

"$bench" "$mib" "$reps" > $out/write || exit 1

echo "raw (ratio pwrite-MiB/s memcpy-MiB/s):"
cat $out/write
awk '{ print $1 }' $out/write | "$(dirname "$0")/median.sh" \
	"populating $mib MiB of guest_memfd, memcpy through the mapping / pwrite() time"
