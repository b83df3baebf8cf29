#!/bin/sh
# In-VM driver of gmem_migrate_bench: guest_memfd and shmem alternate chunk
# by chunk in one process, every page moved to node 1 and back per
# repetition, one ratio per repetition.  Prints the median ratio of pages
# per second, guest_memfd over shmem, and its spread.
# Environment: BENCH_REPS (9), BENCH_MIB (16).
reps=${BENCH_REPS:-9}
mib=${BENCH_MIB:-16}
bench=$(dirname "$0")/gmem_migrate_bench
out=/tmp/bench-migrate
rm -rf $out && mkdir -p $out

"$bench" "$mib" "$reps" > $out/migrate || exit 1

echo "raw (ratio guest_memfd-pages/s shmem-pages/s):"
cat $out/migrate
awk '{ print $1 }' $out/migrate |
	"$(dirname "$0")/median.sh" "move_pages, guest_memfd / shmem pages per second"
