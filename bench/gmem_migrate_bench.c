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
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kvm.h>

#define PAGE_SIZE	4096UL

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int create_vm(void)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		err(1, "/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		err(1, "KVM_CREATE_VM");
	return vm;
}

static int gmem_fd(int vm, size_t size)
{
	struct kvm_create_guest_memfd gmem = {
		.size = size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int fd;

	fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (fd < 0)
		err(1, "KVM_CREATE_GUEST_MEMFD");
	return fd;
}

static int shmem_fd(size_t size)
{
	int fd = memfd_create("baseline", 0);

	if (fd < 0 || ftruncate(fd, size))
		err(1, "memfd");
	return fd;
}

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

	vm = create_vm();
	if (!strcmp(argv[1], "gmem"))
		fd = gmem_fd(vm, size);
	else if (!strcmp(argv[1], "shmem"))
		fd = shmem_fd(size);
	else
		errx(2, "unknown backing %s", argv[1]);

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		err(1, "mmap");

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
