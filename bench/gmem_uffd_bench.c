// SPDX-License-Identifier: GPL-2.0
/*
 * Pages per second that userfaultfd fills into a guest_memfd mapping of a
 * plain VM and, as the baseline, into a memfd (shmem) mapping of the same
 * size, measured in one process, chunk by chunk, alternating between the
 * two (A B, then B A for the next chunk, ...):
 *
 *   copy      UFFDIO_COPY of every page of a MISSING-registered mapping
 *             (allocate, copy, insert in the page cache, map); the holes
 *             are punched again before each repetition
 *   continue  UFFDIO_CONTINUE of every page of a MINOR-registered mapping
 *             whose pages were populated through a second mapping (map);
 *             the mapping is zapped (MADV_DONTNEED) before each repetition
 *
 * The ioctls are issued directly, without faulting first: the fault and
 * its message cost the same whatever the backing.  Alternating small chunks
 * keeps slow phases of the machine (other processes, deferred work of the
 * previous repetition, a TCG host's own scheduling) from landing on one
 * backing only, which separate processes per backing did not.
 *
 * Usage: gmem_uffd_bench copy|continue SIZE_MIB REPS
 * Prints one line per repetition:
 *   "<op> <ratio gmem/shmem> <gmem pages/s> <shmem pages/s>".
 */
#include "bench.h"
#include <sys/syscall.h>
#include <linux/falloc.h>
#include <linux/userfaultfd.h>

#define CHUNK_PAGES	64

struct backing {
	int fd, uffd;
	char *mem, *src;
	unsigned long long ns;
};

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

static void setup(struct backing *b, int fd, size_t size, bool copy)
{
	size_t i;

	b->fd = fd;
	b->mem = map_shared(fd, size);
	/* The source of UFFDIO_COPY, or the mapping that populates the file. */
	b->src = copy ? malloc(PAGE_SIZE) : map_shared(fd, size);
	if (!b->src)
		err(1, "malloc");
	if (copy) {
		memset(b->src, 0x5a, PAGE_SIZE);
	} else {
		for (i = 0; i < size / PAGE_SIZE; i++)
			b->src[i * PAGE_SIZE] = (char)i;
	}
	b->uffd = uffd_for(b->mem, size, copy ? UFFDIO_REGISTER_MODE_MISSING :
						UFFDIO_REGISTER_MODE_MINOR);
}

/* Undo the previous repetition's fills. */
static void reset(struct backing *b, size_t size, bool copy)
{
	if (copy && fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      0, size))
		err(1, "fallocate(PUNCH_HOLE)");
	if (madvise(b->mem, size, MADV_DONTNEED))
		err(1, "madvise(MADV_DONTNEED)");
	b->ns = 0;
}

static void fill_chunk(struct backing *b, size_t first, size_t n, bool copy)
{
	unsigned long long start = now_ns();
	size_t i;

	for (i = first; i < first + n; i++) {
		unsigned long addr = (unsigned long)b->mem + i * PAGE_SIZE;

		if (copy) {
			struct uffdio_copy c = {
				.dst = addr, .src = (unsigned long)b->src,
				.len = PAGE_SIZE,
			};

			if (ioctl(b->uffd, UFFDIO_COPY, &c))
				err(1, "UFFDIO_COPY");
		} else {
			struct uffdio_continue c = {
				.range = { .start = addr, .len = PAGE_SIZE },
			};

			if (ioctl(b->uffd, UFFDIO_CONTINUE, &c))
				err(1, "UFFDIO_CONTINUE");
		}
	}
	b->ns += now_ns() - start;
}

static void check(struct backing *b, size_t n, bool copy, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (b->mem[i * PAGE_SIZE] != (copy ? 0x5a : (char)i))
			errx(1, "%s: page %zu has the wrong contents", name, i);
	}
}

int main(int argc, char **argv)
{
	struct backing gmem, shmem, *first, *second;
	size_t size, n, c;
	int rep, reps, vm;
	bool copy;

	if (argc != 4)
		errx(2, "usage: %s copy|continue SIZE_MIB REPS", argv[0]);
	copy = !strcmp(argv[1], "copy");
	if (!copy && strcmp(argv[1], "continue"))
		errx(2, "unknown op %s", argv[1]);
	size = parse_size_count(argv + 2, &reps, "repetitions");
	n = size / PAGE_SIZE;

	/* A VMM creates a VM either way. */
	vm = create_vm(0);
	setup(&gmem, create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
					   GUEST_MEMFD_FLAG_INIT_SHARED), size, copy);
	setup(&shmem, create_shmem(size), size, copy);

	for (rep = 0; rep < reps; rep++) {
		reset(&gmem, size, copy);
		reset(&shmem, size, copy);
		for (c = 0; c < n; c += CHUNK_PAGES) {
			bool gmem_first = (c / CHUNK_PAGES + rep) % 2;

			first = gmem_first ? &gmem : &shmem;
			second = gmem_first ? &shmem : &gmem;
			fill_chunk(first, c, CHUNK_PAGES, copy);
			fill_chunk(second, c, CHUNK_PAGES, copy);
		}
		check(&gmem, n, copy, "guest_memfd");
		check(&shmem, n, copy, "shmem");
		printf("%s %.3f %llu %llu\n", argv[1],
		       (double)shmem.ns / gmem.ns,
		       n * 1000000000ULL / gmem.ns, n * 1000000000ULL / shmem.ns);
	}
	return 0;
}
