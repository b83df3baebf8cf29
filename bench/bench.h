/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmark programs share: their size and count arguments, a
 * clock, a VM, a guest_memfd, a shmem baseline and shared mappings.  Every
 * helper exits on error.
 */
#ifndef GMEM_BENCH_H
#define GMEM_BENCH_H

#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#define PAGE_SIZE	4096UL

static inline unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The arguments "SIZE_MIB COUNT" at @argv: returns the size in bytes and
 * puts the count in *@count; exits if either is not positive, calling the
 * count @what.
 */
static inline size_t parse_size_count(char **argv, int *count,
				      const char *what)
{
	size_t size = strtoul(argv[0], NULL, 0) << 20;

	*count = atoi(argv[1]);
	if (!size || *count <= 0)
		errx(2, "bad size or %s", what);
	return size;
}

/* The size of a vCPU's kvm_run mapping (KVM_GET_VCPU_MMAP_SIZE). */
static inline int vcpu_mmap_size(void)
{
	int kvm = open("/dev/kvm", O_RDWR);
	int size;

	if (kvm < 0)
		err(1, "/dev/kvm");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		err(1, "KVM_GET_VCPU_MMAP_SIZE");
	close(kvm);
	return size;
}

static inline int create_vm(unsigned long type)
{
	int kvm = open("/dev/kvm", O_RDWR);
	int vm;

	if (kvm < 0)
		err(1, "/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, type);
	if (vm < 0)
		err(1, "KVM_CREATE_VM");
	close(kvm);
	return vm;
}

static inline int create_gmem(int vm, size_t size, unsigned long long flags)
{
	struct kvm_create_guest_memfd gmem = { .size = size, .flags = flags };
	int fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gmem);

	if (fd < 0)
		err(1, "KVM_CREATE_GUEST_MEMFD");
	return fd;
}

static inline int create_shmem(size_t size)
{
	int fd = memfd_create("baseline", 0);

	if (fd < 0 || ftruncate(fd, size))
		err(1, "memfd");
	return fd;
}

static inline void *map_shared(int fd, size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED)
		err(1, "mmap");
	return mem;
}

#endif
