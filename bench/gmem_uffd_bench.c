// SPDX-License-Identifier: GPL-2.0
/*
 * Pages per second that userfaultfd fills into a guest_memfd mapping of a
 * plain VM, or, as the baseline, into a memfd (shmem) mapping of the same
 * size:
 *
 *   copy      UFFDIO_COPY of every page of a MISSING-registered mapping
 *             (allocate, copy, insert in the page cache, map)
 *   continue  UFFDIO_CONTINUE of every page of a MINOR-registered mapping
 *             whose pages were populated through a second mapping (map)
 *
 * The ioctls are issued directly, without faulting first: the fault and
 * its message cost the same whatever the backing.  Both runs create a VM,
 * as a VMM would.
 *
 * Usage: gmem_uffd_bench gmem|shmem copy|continue SIZE_MIB
 * Prints "<backing> <op> <size_mib> <pages per second>".
 */
#include "bench.h"
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

static int backing_fd(const char *backing, size_t size)
{
	int vm = create_vm(0);

	if (!strcmp(backing, "shmem"))
		return create_shmem(size);
	if (strcmp(backing, "gmem"))
		errx(2, "unknown backing %s", backing);
	return create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
				     GUEST_MEMFD_FLAG_INIT_SHARED);
}

static int uffd_for(void *mem, size_t size, __u64 mode)
{
	struct uffdio_api api = {
		.api = UFFD_API,
		.features = mode == UFFDIO_REGISTER_MODE_MINOR ?
			    UFFD_FEATURE_MINOR_SHMEM : 0,
	};
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)mem, .len = size },
		.mode = mode,
	};
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC);

	if (uffd < 0)
		err(1, "userfaultfd");
	if (ioctl(uffd, UFFDIO_API, &api))
		err(1, "UFFDIO_API");
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		err(1, "UFFDIO_REGISTER");
	return uffd;
}

int main(int argc, char **argv)
{
	unsigned long long start, ns;
	size_t size, i, n;
	char *mem, *src;
	int fd, uffd;
	bool copy;

	if (argc != 4)
		errx(2, "usage: %s gmem|shmem copy|continue SIZE_MIB", argv[0]);
	copy = !strcmp(argv[2], "copy");
	if (!copy && strcmp(argv[2], "continue"))
		errx(2, "unknown op %s", argv[2]);
	size = strtoul(argv[3], NULL, 0) << 20;
	if (!size)
		errx(2, "bad size");
	n = size / PAGE_SIZE;

	fd = backing_fd(argv[1], size);
	mem = map_shared(fd, size);
	if (copy) {
		src = malloc(PAGE_SIZE);
		if (!src)
			err(1, "malloc");
		memset(src, 0x5a, PAGE_SIZE);
	} else {
		/* Populate the page cache through a second mapping. */
		src = map_shared(fd, size);
		for (i = 0; i < n; i++)
			src[i * PAGE_SIZE] = (char)i;
	}
	uffd = uffd_for(mem, size, copy ? UFFDIO_REGISTER_MODE_MISSING :
					  UFFDIO_REGISTER_MODE_MINOR);

	start = now_ns();
	for (i = 0; i < n; i++) {
		unsigned long addr = (unsigned long)mem + i * PAGE_SIZE;

		if (copy) {
			struct uffdio_copy c = {
				.dst = addr, .src = (unsigned long)src,
				.len = PAGE_SIZE,
			};

			if (ioctl(uffd, UFFDIO_COPY, &c))
				err(1, "UFFDIO_COPY");
		} else {
			struct uffdio_continue c = {
				.range = { .start = addr, .len = PAGE_SIZE },
			};

			if (ioctl(uffd, UFFDIO_CONTINUE, &c))
				err(1, "UFFDIO_CONTINUE");
		}
	}
	ns = now_ns() - start;

	for (i = 0; i < n; i++) {
		if (mem[i * PAGE_SIZE] != (copy ? 0x5a : (char)i))
			errx(1, "page %zu has the wrong contents", i);
	}
	printf("%s %s %s %llu\n", argv[1], argv[2], argv[3],
	       n * 1000000000ULL / ns);
	return 0;
}
