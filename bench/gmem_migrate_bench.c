// SPDX-License-Identifier: GPL-2.0
/*
 * Pages per second that move_pages(2) migrates between NUMA nodes 0 and 1,
 * for the memory of a migratable guest_memfd of a plain VM (mmap()ed,
 * shared) and, as the baseline, of a memfd (shmem) of the same size,
 * measured in one process, chunk by chunk, alternating between the two (A B,
 * then B A for the next chunk, ...).
 *
 * The process creates a VM, as a VMM would: its MMU notifier then sees every
 * migration of the process' memory, shmem's too.  Alternating small chunks
 * keeps slow phases of the machine from landing on one backing only.
 *
 * Usage: gmem_migrate_bench SIZE_MIB REPS
 * Prints one line per repetition, which moves every page to node 1 and
 * back: "<ratio gmem/shmem> <gmem pages/s> <shmem pages/s>".
 */
#include "bench.h"
#include <sys/syscall.h>

#define CHUNK_PAGES	256

struct backing {
	char *mem;
	void **pages;
	unsigned long long ns;
};

/* Move pages [first, first + n) to @node; all of them must get there. */
static void move_chunk(struct backing *b, size_t first, size_t n, int node)
{
	int nodes[CHUNK_PAGES], status[CHUNK_PAGES];
	unsigned long long start;
	size_t i;

	for (i = 0; i < n; i++)
		nodes[i] = node;
	start = now_ns();
	if (syscall(__NR_move_pages, 0, n, b->pages + first, nodes, status, 0))
		err(1, "move_pages");
	b->ns += now_ns() - start;
	for (i = 0; i < n; i++) {
		if (status[i] != node)
			errx(1, "page %zu is on node %d, not %d", first + i,
			     status[i], node);
	}
}

static void setup(struct backing *b, int fd, size_t size)
{
	size_t i, n = size / PAGE_SIZE;

	b->mem = map_shared(fd, size);
	b->pages = calloc(n, sizeof(*b->pages));
	if (!b->pages)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		b->pages[i] = b->mem + i * PAGE_SIZE;
		b->mem[i * PAGE_SIZE] = (char)i;
	}
	for (i = 0; i < n; i += CHUNK_PAGES)
		move_chunk(b, i, CHUNK_PAGES, 0);
}

static void check(struct backing *b, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b->mem[i * PAGE_SIZE] != (char)i)
			errx(1, "%s: page %zu lost its contents", name, i);
	}
}

int main(int argc, char **argv)
{
	struct backing gmem = {}, shmem = {}, *first, *second;
	int vm, rep, reps, node;
	size_t size, n, c;

	if (argc != 3)
		errx(2, "usage: %s SIZE_MIB REPS", argv[0]);
	size = parse_size_count(argv + 1, &reps, "repetitions");
	n = size / PAGE_SIZE;

	vm = create_vm(0);
	setup(&gmem, create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
					   GUEST_MEMFD_FLAG_INIT_SHARED |
					   GUEST_MEMFD_FLAG_MIGRATABLE), size);
	setup(&shmem, create_shmem(size), size);

	for (rep = 0; rep < reps; rep++) {
		gmem.ns = 0;
		shmem.ns = 0;
		for (node = 1; node >= 0; node--) {
			for (c = 0; c < n; c += CHUNK_PAGES) {
				bool gmem_first = (c / CHUNK_PAGES + rep) % 2;

				first = gmem_first ? &gmem : &shmem;
				second = gmem_first ? &shmem : &gmem;
				move_chunk(first, c, CHUNK_PAGES, node);
				move_chunk(second, c, CHUNK_PAGES, node);
			}
		}
		check(&gmem, n, "guest_memfd");
		check(&shmem, n, "shmem");
		printf("%.3f %llu %llu\n", (double)shmem.ns / gmem.ns,
		       2 * n * 1000000000ULL / gmem.ns,
		       2 * n * 1000000000ULL / shmem.ns);
	}
	return 0;
}
