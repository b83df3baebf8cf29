#!/bin/sh
# In-VM driver of gmem_migrate_bench: guest_memfd and shmem interleaved,
# A B A B..., between the VM's two NUMA nodes.  Prints the median ratio of
# pages per second, guest_memfd over shmem, and its spread.
# Environment: BENCH_REPS (9), BENCH_MIB (16), BENCH_ROUNDS (2).
reps=${BENCH_REPS:-9}
mib=${BENCH_MIB:-16}
rounds=${BENCH_ROUNDS:-2}
bench=$(dirname "$0")/gmem_migrate_bench
out=/tmp/bench-migrate
rm -rf $out && mkdir -p $out

i=0
while [ $i -lt "$reps" ]; do
	"$bench" gmem "$mib" "$rounds" >> $out/gmem || exit 1
	"$bench" shmem "$mib" "$rounds" >> $out/shmem || exit 1
	i=$((i + 1))
done

echo "raw (backing MiB pages/s):"
cat $out/gmem $out/shmem
paste -d' ' $out/gmem $out/shmem | awk '{ print $3 / $6 }' |
	"$(dirname "$0")/median.sh" "move_pages, guest_memfd / shmem pages per second"
