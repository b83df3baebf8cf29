// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of shared<->private conversion of guest memory, in nanoseconds per
 * 4KiB page, for one of:
 *
 *   inplace   KVM_SET_MEMORY_ATTRIBUTES2 on a populated guest_memfd (needs
 *             kvm.gmem_in_place_conversion=1): to private, then to shared.
 *             The pages stay where they are: nothing is freed or refilled.
 *   legacy    two backings, guest_memfd for private and a memfd for shared
 *             (needs kvm.gmem_in_place_conversion=0): VM-wide
 *             KVM_SET_MEMORY_ATTRIBUTES, PUNCH_HOLE of the backing being
 *             left, and the other backing populated again (fallocate), in
 *             each direction.
 *   inplace-touch, legacy-touch
 *             the same, and the host then writes every page of the shared
 *             mapping, as a VMM that uses all of its shared memory would:
 *             a minor fault per page in place, a fault on a new page with
 *             the legacy flip.
 *   unpop     in-place conversion of a range that was never populated.
 *
 * Usage: gmem_convert_bench MODE SIZE_MIB ROUNDS
 * Prints "<mode> <size_mib> <ns per round trip> <ns per page per round trip>".
 */
#include "bench.h"

#define GPA_BASE	(1UL << 32)

static int vm_fd;

static void add_memslot(int gmem_fd, void *hva, size_t size)
{
	struct kvm_userspace_memory_region2 region = {
		.slot = 1,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA_BASE,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
		.guest_memfd = gmem_fd,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION2, &region))
		err(1, "KVM_SET_USER_MEMORY_REGION2");
}

static void gmem_convert(int fd, size_t size, bool private)
{
	struct kvm_memory_attributes2 attrs = {
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	if (ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &attrs))
		err(1, "KVM_SET_MEMORY_ATTRIBUTES2");
}

static void vm_convert(size_t size, bool private)
{
	struct kvm_memory_attributes attrs = {
		.address = GPA_BASE,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	if (ioctl(vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &attrs))
		err(1, "KVM_SET_MEMORY_ATTRIBUTES");
}

static void fallocate_or_die(int fd, int mode, size_t size)
{
	if (fallocate(fd, mode, 0, size))
		err(1, "fallocate(%#x)", mode);
}

static void touch(volatile char *mem, size_t size)
{
	size_t i;

	for (i = 0; i < size; i += PAGE_SIZE)
		mem[i] = 1;
}

static unsigned long long bench_inplace(size_t size, int rounds, bool populate,
					bool host_touch)
{
	int fd = create_gmem(vm_fd, size, GUEST_MEMFD_FLAG_MMAP |
					  GUEST_MEMFD_FLAG_INIT_SHARED);
	char *mem = map_shared(fd, size);
	unsigned long long start;
	int i;

	add_memslot(fd, mem, size);
	if (populate)
		touch(mem, size);

	start = now_ns();
	for (i = 0; i < rounds; i++) {
		gmem_convert(fd, size, true);
		gmem_convert(fd, size, false);
		if (host_touch)
			touch(mem, size);
	}
	return now_ns() - start;
}

static unsigned long long bench_legacy(size_t size, int rounds, bool host_touch)
{
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	int gmem = create_gmem(vm_fd, size, 0);
	int shared = create_shmem(size);
	char *mem = map_shared(shared, size);
	unsigned long long start;
	int i;

	add_memslot(gmem, mem, size);
	touch(mem, size);

	start = now_ns();
	for (i = 0; i < rounds; i++) {
		vm_convert(size, true);
		fallocate_or_die(shared, punch, size);
		fallocate_or_die(gmem, FALLOC_FL_KEEP_SIZE, size);

		vm_convert(size, false);
		fallocate_or_die(gmem, punch, size);
		if (host_touch)
			touch(mem, size);
		else
			fallocate_or_die(shared, 0, size);
	}
	return now_ns() - start;
}

int main(int argc, char **argv)
{
	unsigned long long ns;
	size_t size;
	int rounds;

	if (argc != 4)
		errx(2, "usage: %s inplace|inplace-touch|legacy|legacy-touch|unpop SIZE_MIB ROUNDS",
		     argv[0]);
	size = parse_size_count(argv + 2, &rounds, "rounds");

	vm_fd = create_vm(KVM_X86_SW_PROTECTED_VM);

	if (!strcmp(argv[1], "inplace"))
		ns = bench_inplace(size, rounds, true, false);
	else if (!strcmp(argv[1], "inplace-touch"))
		ns = bench_inplace(size, rounds, true, true);
	else if (!strcmp(argv[1], "unpop"))
		ns = bench_inplace(size, rounds, false, false);
	else if (!strcmp(argv[1], "legacy"))
		ns = bench_legacy(size, rounds, false);
	else if (!strcmp(argv[1], "legacy-touch"))
		ns = bench_legacy(size, rounds, true);
	else
		errx(2, "unknown mode %s", argv[1]);

	printf("%s %s %llu %llu\n", argv[1], argv[2], ns / rounds,
	       ns / ((unsigned long long)rounds * (size / PAGE_SIZE)));
	return 0;
}
