// SPDX-License-Identifier: GPL-2.0
/*
 * Pages per second that move_pages(2) migrates between NUMA nodes 0 and 1,
 * for the memory of a guest_memfd of a plain VM (mmap()ed, shared) or, as
 * the baseline, of a memfd (shmem) of the same size.
 *
 * Both runs create a VM first, as a VMM would: its MMU notifier then sees
 * every migration of the process' memory in both cases.
 *
 * Usage: gmem_migrate_bench gmem|shmem SIZE_MIB ROUNDS
 * Prints "<backing> <size_mib> <pages per second>"; a round moves every
 * page to node 1 and back to node 0.
 */
#include "bench.h"
#include <sys/syscall.h>

/* Move every page to @node; all of them must get there. */
static void move_all(void **pages, int *nodes, int *status, size_t n, int node)
{
	size_t i;

	for (i = 0; i < n; i++)
		nodes[i] = node;
	if (syscall(__NR_move_pages, 0, n, pages, nodes, status, 0))
		err(1, "move_pages");
	for (i = 0; i < n; i++) {
		if (status[i] != node)
			errx(1, "page %zu is on node %d, not %d", i, status[i], node);
	}
}

int main(int argc, char **argv)
{
	unsigned long long start, ns;
	int vm, fd, rounds, r, *nodes, *status;
	size_t size, n, i;
	void **pages;
	char *mem;

	if (argc != 4)
		errx(2, "usage: %s gmem|shmem SIZE_MIB ROUNDS", argv[0]);
	size = strtoul(argv[2], NULL, 0) << 20;
	rounds = atoi(argv[3]);
	if (!size || rounds <= 0)
		errx(2, "bad size or rounds");

	vm = create_vm(0);
	if (!strcmp(argv[1], "gmem"))
		fd = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
					   GUEST_MEMFD_FLAG_INIT_SHARED |
					   GUEST_MEMFD_FLAG_MIGRATABLE);
	else if (!strcmp(argv[1], "shmem"))
		fd = create_shmem(size);
	else
		errx(2, "unknown backing %s", argv[1]);

	mem = map_shared(fd, size);

	n = size / PAGE_SIZE;
	pages = calloc(n, sizeof(*pages));
	nodes = calloc(n, sizeof(*nodes));
	status = calloc(n, sizeof(*status));
	if (!pages || !nodes || !status)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		pages[i] = mem + i * PAGE_SIZE;
		mem[i * PAGE_SIZE] = (char)i;
	}
	move_all(pages, nodes, status, n, 0);

	start = now_ns();
	for (r = 0; r < rounds; r++) {
		move_all(pages, nodes, status, n, 1);
		move_all(pages, nodes, status, n, 0);
	}
	ns = now_ns() - start;

	for (i = 0; i < n; i++) {
		if (mem[i * PAGE_SIZE] != (char)i)
			errx(1, "page %zu lost its contents", i);
	}
	printf("%s %s %llu\n", argv[1], argv[2],
	       2ULL * rounds * n * 1000000000ULL / ns);
	return 0;
}
