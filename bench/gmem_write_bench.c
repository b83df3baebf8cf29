// SPDX-License-Identifier: GPL-2.0
/*
 * Populating a guest_memfd: pwrite() on a GUEST_MEMFD_FLAG_WRITE file
 * versus memcpy() through its mapping, as a VMM restoring a snapshot would,
 * measured in one process, chunk by chunk, alternating between the two (A B,
 * then B A for the next chunk, ...).  Both guest_memfds are created with
 * WRITE|MMAP|INIT_SHARED and have their holes punched before each
 * repetition, so that both allocate every page: pwrite() copies into a new
 * page, memcpy() faults on each page of the mapping (which allocates and
 * zeroes it) and then copies.
 *
 * Usage: gmem_write_bench SIZE_MIB REPS
 * Prints one line per repetition:
 *   "<ratio memcpy time / pwrite time> <pwrite MiB/s> <memcpy MiB/s>".
 */
#include "bench.h"
#include <linux/falloc.h>

#define CHUNK_PAGES	64

struct backing {
	int fd;
	char *mem;
	unsigned long long ns;
};

/* Undo the previous repetition's writes. */
static void reset(struct backing *b, size_t size)
{
	if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, size))
		err(1, "fallocate(PUNCH_HOLE)");
	if (madvise(b->mem, size, MADV_DONTNEED))
		err(1, "madvise(MADV_DONTNEED)");
	b->ns = 0;
}

static void fill_chunk(struct backing *b, const char *src, size_t off, size_t len,
		       bool use_pwrite)
{
	unsigned long long start = now_ns();

	if (use_pwrite) {
		if (pwrite(b->fd, src + off, len, off) != (ssize_t)len)
			err(1, "pwrite");
	} else {
		memcpy(b->mem + off, src + off, len);
	}
	b->ns += now_ns() - start;
}

int main(int argc, char **argv)
{
	const __u64 flags = GUEST_MEMFD_FLAG_WRITE | GUEST_MEMFD_FLAG_MMAP |
			    GUEST_MEMFD_FLAG_INIT_SHARED;
	const size_t chunk = CHUNK_PAGES * PAGE_SIZE;
	struct backing pw, mc;
	size_t size, off, i;
	int rep, reps, vm;
	char *src;

	if (argc != 3)
		errx(2, "usage: %s SIZE_MIB REPS", argv[0]);
	size = parse_size_count(argv + 1, &reps, "repetitions");

	vm = create_vm(0);
	pw.fd = create_gmem(vm, size, flags);
	pw.mem = map_shared(pw.fd, size);
	mc.fd = create_gmem(vm, size, flags);
	mc.mem = map_shared(mc.fd, size);
	/* The snapshot: a different word in every 8 bytes, already in memory. */
	src = malloc(size);
	if (!src)
		err(1, "malloc");
	for (i = 0; i < size / sizeof(unsigned long); i++)
		((unsigned long *)src)[i] = i * 0x9e3779b97f4a7c15UL;

	for (rep = 0; rep < reps; rep++) {
		reset(&pw, size);
		reset(&mc, size);
		for (off = 0; off < size; off += chunk) {
			bool pwrite_first = (off / chunk + rep) % 2;

			fill_chunk(pwrite_first ? &pw : &mc, src, off, chunk, pwrite_first);
			fill_chunk(pwrite_first ? &mc : &pw, src, off, chunk, !pwrite_first);
		}
		if (memcmp(pw.mem, src, size))
			errx(1, "pwrite: the guest_memfd does not hold what was written");
		if (memcmp(mc.mem, src, size))
			errx(1, "memcpy: the guest_memfd does not hold what was copied");
		printf("%.3f %llu %llu\n", (double)mc.ns / pw.ns,
		       (size >> 20) * 1000000000ULL / pw.ns,
		       (size >> 20) * 1000000000ULL / mc.ns);
	}
	return 0;
}
