#!/bin/sh
# In-VM driver of gmem_uffd_bench, for UFFDIO_COPY and UFFDIO_CONTINUE:
# guest_memfd and shmem alternate chunk by chunk in one process, and each
# repetition gives one ratio.  Prints the median ratio of pages per
# second, guest_memfd over shmem, and its spread.
# Environment: BENCH_REPS (15), BENCH_MIB (16).
reps=${BENCH_REPS:-15}
mib=${BENCH_MIB:-16}
bench=$(dirname "$0")/gmem_uffd_bench
out=/tmp/bench-uffd
rm -rf $out && mkdir -p $out

for op in copy continue; do
	"$bench" $op "$mib" "$reps" > $out/$op || exit 1
done

echo "raw (op ratio guest_memfd-pages/s shmem-pages/s):"
cat $out/copy $out/continue
for op in copy continue; do
	awk '{ print $2 }' $out/$op | "$(dirname "$0")/median.sh" \
		"UFFDIO_$(echo $op | tr '[:lower:]' '[:upper:]'), guest_memfd / shmem pages per second"
done
