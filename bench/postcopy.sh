#!/bin/sh
# In-VM driver of demand_paging_test for post-copy of vCPU accesses: the
# vCPUs touch every page once and each first touch is served on demand,
#   - guest_memfd + KVM userfault: the vCPU exits to its own thread, which
#     restores the page (UFFDIO_COPY through the guest_memfd mapping, or
#     pwrite() on the guest_memfd with BENCH_POPULATE=pwrite), clears its bit
#     in the userfault bitmap and re-enters (-g -k -u MISSING, or -g -k -p);
#   - anonymous memory + userfaultfd MISSING, the classic path: the vCPU
#     thread sleeps in the fault while a handler thread restores the page
#     with UFFDIO_COPY (-u MISSING -V).
# Both copy each page from a source built before the clock starts (the
# pattern of the whole test memory) and the guest checks every word of every
# page: -g and -k imply it, the classic side asks for it with -V.  The two
# alternate in one boot, one pair per repetition (which one runs first
# alternates too), one ratio per pair.  Prints the median ratio of pages per
# second, KVM userfault over userfaultfd, and its spread.
# Environment: BENCH_REPS (9), BENCH_MEM (per-vCPU memory, 8M),
# BENCH_VCPUS (1), BENCH_POPULATE (copy or pwrite, copy).
reps=${BENCH_REPS:-9}
mem=${BENCH_MEM:-8M}
vcpus=${BENCH_VCPUS:-1}
populate=${BENCH_POPULATE:-copy}
case $populate in
copy) kuf="-g -k -u MISSING" ;;
pwrite) kuf="-g -k -p" ;;
*) echo "BENCH_POPULATE must be copy or pwrite" >&2; exit 1 ;;
esac
uffd="-u MISSING -V"
test=$(dirname "$0")/../demand_paging_test
out=/tmp/bench-postcopy
rm -rf $out && mkdir -p $out

# Run demand_paging_test with "$@" and print its pages per second.
rate() {
	# shellcheck disable=SC2068 # the options are split on purpose
	"$test" -v "$vcpus" -b "$mem" $@ > $out/log 2>&1 || {
		cat $out/log >&2
		return 1
	}
	awk '/Overall demand paging rate/ { print $(NF - 1) }' $out/log
}

i=0
while [ $i -lt "$reps" ]; do
	if [ $((i % 2)) -eq 0 ]; then
		k=$(rate "$kuf") || exit 1
		u=$(rate "$uffd") || exit 1
	else
		u=$(rate "$uffd") || exit 1
		k=$(rate "$kuf") || exit 1
	fi
	echo "$k $u" | awk '{ printf "%.3f %.0f %.0f\n", $1 / $2, $1, $2 }' >> $out/pairs
	i=$((i + 1))
done

echo "raw (ratio kvm-userfault-pages/s uffd-pages/s), '$kuf' vs '$uffd', -v $vcpus -b $mem:"
cat $out/pairs
awk '{ print $1 }' $out/pairs | "$(dirname "$0")/median.sh" \
	"post-copy, guest_memfd + KVM userfault ($populate) / anonymous + userfaultfd MISSING pages per second"
