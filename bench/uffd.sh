#!/bin/sh
# In-VM driver of gmem_uffd_bench: guest_memfd and shmem interleaved,
# A B A B..., for UFFDIO_COPY and UFFDIO_CONTINUE.  Prints the median
# ratio of pages per second, guest_memfd over shmem, and its spread.
# Environment: BENCH_REPS (9), BENCH_MIB (16).
reps=${BENCH_REPS:-9}
mib=${BENCH_MIB:-16}
bench=$(dirname "$0")/gmem_uffd_bench
out=/tmp/bench-uffd
rm -rf $out && mkdir -p $out

for op in copy continue; do
	i=0
	while [ $i -lt "$reps" ]; do
		"$bench" gmem $op "$mib" >> $out/gmem-$op || exit 1
		"$bench" shmem $op "$mib" >> $out/shmem-$op || exit 1
		i=$((i + 1))
	done
done

echo "raw (backing op MiB pages/s):"
cat $out/*
for op in copy continue; do
	paste -d' ' $out/gmem-$op $out/shmem-$op | awk '{ print $4 / $8 }' |
		"$(dirname "$0")/median.sh" \
		"UFFDIO_$(echo $op | tr '[:lower:]' '[:upper:]'), guest_memfd / shmem pages per second"
done
