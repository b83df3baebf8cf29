// SPDX-License-Identifier: GPL-2.0
/*
 * What the booted kernel offers for guest_memfd, printed one fact a line.
 * Each feature of the series adds its lines here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/kvm.h>
#include <linux/userfaultfd.h>

#include "../bench/snapshot_guest.h"

static int kvm_fd;
static int failures;
static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Read one byte through a mapping; -1 if that raised SIGBUS. */
static int read_or_sigbus(volatile char *p)
{
	if (sigsetjmp(sigbus_jmp, 1))
		return -1;
	return (unsigned char)*p;
}

static void say(const char *what, const char *fmt, long val)
{
	printf("%-44s ", what);
	printf(fmt, val);
	putchar('\n');
}

static void check(const char *what, int ok)
{
	printf("%-44s %s\n", what, ok ? "yes" : "NO");
	if (!ok)
		failures++;
}

static int create_gmem(int vm, __u64 size, __u64 flags)
{
	struct kvm_create_guest_memfd gmem = { .size = size, .flags = flags };

	return ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gmem);
}

static void demo_shared_mmap(void)
{
	const size_t size = 2 * 4096;
	int vm, fd;
	char *mem;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	fd = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	check("guest_memfd (MMAP|INIT_SHARED) created", fd >= 0);
	if (fd < 0)
		return;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("guest_memfd mapped by the host", mem != MAP_FAILED);
	if (mem == MAP_FAILED)
		return;
	check("fresh guest_memfd page reads as zeros", mem[0] == 0 && mem[size - 1] == 0);
	memset(mem, 0xaa, size);
	check("host write to shared guest_memfd kept", mem[4096] == (char)0xaa);
	check("PUNCH_HOLE frees the pages",
	      !fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, size));
	check("page reads as zeros after PUNCH_HOLE", mem[0] == 0);
	munmap(mem, size);
	close(fd);
	close(vm);
}

static void demo_private(void)
{
	int vm, fd;
	void *mem;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
	check("KVM_X86_SW_PROTECTED_VM created", vm >= 0);
	if (vm < 0)
		return;
	say("private memory (KVM_CAP_MEMORY_ATTRIBUTES)", "%#lx",
	    ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES));
	say("guest_memfd flags for this VM", "%#lx",
	    ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS));
	fd = create_gmem(vm, 4096, GUEST_MEMFD_FLAG_MMAP);
	check("private guest_memfd created", fd >= 0);
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("%-44s %s\n", "host mmap of a private guest_memfd",
	       mem == MAP_FAILED ? "refused" : "allowed");
	if (mem != MAP_FAILED)
		munmap(mem, 4096);
	close(fd);
	close(vm);
}

static int set_attributes(int fd, __u64 offset, __u64 size, __u64 attrs,
			  __u64 *error_offset)
{
	struct kvm_memory_attributes2 args = {
		.offset = offset, .size = size, .attributes = attrs,
	};
	int r = ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &args);

	if (error_offset)
		*error_offset = args.error_offset;
	return r;
}

static void demo_in_place_conversion(void)
{
	const size_t size = 4 * 4096;
	int vm, fd, r;
	char *mem;

	say("in-place conversion (KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES)", "%#lx",
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES));
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) <= 0)
		return;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
	fd = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	check("SW_PROTECTED guest_memfd starts shared (INIT_SHARED)", fd >= 0);
	if (fd < 0)
		return;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mapped by the host", mem != MAP_FAILED);
	if (mem == MAP_FAILED)
		return;
	memset(mem, 0x5a, size);

	r = set_attributes(fd, 4096, 4096, KVM_MEMORY_ATTRIBUTE_PRIVATE, NULL);
	check("page 1 converted to private in place", !r);
	check("host read of the private page gets SIGBUS", read_or_sigbus(mem + 4096) == -1);
	check("its neighbours stay shared", read_or_sigbus(mem) == 0x5a &&
	      read_or_sigbus(mem + 2 * 4096) == 0x5a);
	r = set_attributes(fd, 4096, 4096, 0, NULL);
	check("converted back to shared, contents kept", !r &&
	      read_or_sigbus(mem + 4096) == 0x5a);
	r = set_attributes(fd, 1, 4096, 0, NULL);
	check("unaligned offset refused with EINVAL", r == -1 && errno == EINVAL);

	munmap(mem, size);
	close(fd);
	close(vm);
}

/*
 * Map one page of a new guest_memfd of @vm with @flags and ask move_pages(2)
 * to move it to the node it is not on.  Returns 1 if it moved with its
 * contents, 0 if it stayed where it was with them, -1 on any other outcome.
 */
static int move_gmem_page(int vm, __u64 flags)
{
	int fd, node, status = -1, r = -1;
	void *page;
	long ret;
	char *mem;

	fd = create_gmem(vm, 4096, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED |
			 flags);
	if (fd < 0)
		return -1;
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		goto out_close;
	memset(mem, 0x3c, 4096);
	page = mem;
	/* Where it is now, then ask for the other node. */
	if (syscall(__NR_move_pages, 0, 1, &page, NULL, &status, 0) || status < 0)
		goto out_unmap;
	node = !status;
	/* A page that could not move is counted in the return value. */
	ret = syscall(__NR_move_pages, 0, 1, &page, &node, &status, 0);
	if (ret >= 0 && mem[4095] == 0x3c)
		r = !ret && status == node;
out_unmap:
	munmap(mem, 4096);
out_close:
	close(fd);
	return r;
}

static void demo_migration(void)
{
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);

	check("default VM offers GUEST_MEMFD_FLAG_MIGRATABLE",
	      ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS) &
	      GUEST_MEMFD_FLAG_MIGRATABLE);
	check("move_pages moves a migratable guest_memfd page to the other node",
	      move_gmem_page(vm, GUEST_MEMFD_FLAG_MIGRATABLE) == 1);
	check("without the flag, move_pages leaves the page where it is",
	      move_gmem_page(vm, 0) == 0);
	close(vm);
}

static void demo_userfaultfd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { .len = 4096 };
	char src[4096];
	int vm, fd, uffd;
	char *mem;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	fd = create_gmem(vm, 4096, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (fd < 0 || mem == MAP_FAILED || uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		check("guest_memfd and userfaultfd", 0);
		return;
	}

	reg.range.start = (unsigned long)mem;
	reg.range.len = 4096;
	check("userfaultfd MISSING registration of a guest_memfd mapping",
	      !ioctl(uffd, UFFDIO_REGISTER, &reg));

	memset(src, 0x77, sizeof(src));
	copy.dst = (unsigned long)mem;
	copy.src = (unsigned long)src;
	check("UFFDIO_COPY fills the page", !ioctl(uffd, UFFDIO_COPY, &copy) &&
	      mem[0] == 0x77 && mem[4095] == 0x77);

	reg.mode = UFFDIO_REGISTER_MODE_WP;
	check("write-protect registration refused with EINVAL",
	      ioctl(uffd, UFFDIO_REGISTER, &reg) == -1 && errno == EINVAL);
	close(uffd);
	munmap(mem, 4096);
	close(fd);
	close(vm);
}

/*
 * Lazy restore of the guest of snapshot_guest.h, which re-reads its memory
 * dword by dword.
 */
#define RESTORE_MEM_SIZE	(SNAPSHOT_DATA_GPA + (2UL << 20))
#define RESTORE_PAGES		(RESTORE_MEM_SIZE / 4096)

/* A VM with RESTORE_MEM_SIZE of guest_memfd, see snapshot_vm_create(). */
static const char *restore_vm_create(struct snapshot_vm *v, __u64 gmem_flags,
				     unsigned long *bitmap)
{
	return snapshot_vm_create(v, ioctl(kvm_fd, KVM_CREATE_VM, 0),
				  ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0),
				  RESTORE_MEM_SIZE, gmem_flags, bitmap);
}

/* Run the guest to its snapshot point, save it to @path, destroy the VM. */
static int restore_take_snapshot(const char *path)
{
	struct snapshot_vm v;
	int ok;

	ok = !restore_vm_create(&v, GUEST_MEMFD_FLAG_MMAP |
				GUEST_MEMFD_FLAG_INIT_SHARED, NULL) &&
	     !snapshot_vm_boot(&v, 4) && !ioctl(v.vcpu, KVM_RUN, 0) &&
	     v.run->exit_reason == KVM_EXIT_IO &&
	     v.run->io.port == PORT_SNAPSHOT;
	check("guest filled 2 MiB, stopped at the snapshot point", ok);
	if (ok) {
		ok = !snapshot_vm_save(&v, path);
		check("registers and memory saved, VM destroyed", ok);
	}
	snapshot_vm_destroy(&v);
	return ok ? 0 : -1;
}

struct lazy_restore {
	char *saved;		/* guest memory in the snapshot file */
	char *mem;		/* the guest_memfd mapping */
	unsigned long *bitmap;	/* the memslot's userfault bitmap */
	int uffd, stop;
	long vcpu_pages, uffd_pages;
};

/* The page is populated: let the vCPU map it. */
static void clear_userfault_bit(unsigned long *bitmap, unsigned long page)
{
	__atomic_fetch_and(&bitmap[page / 64], ~(1UL << (page % 64)), __ATOMIC_RELEASE);
}

/* Resolve the VMM's own faults on the guest_memfd mapping from the snapshot. */
static void *restore_uffd_handler(void *arg)
{
	struct lazy_restore *lr = arg;
	struct pollfd fds[2] = {
		{ .fd = lr->uffd, .events = POLLIN },
		{ .fd = lr->stop, .events = POLLIN },
	};
	struct uffdio_copy copy = { .len = 4096 };
	struct uffd_msg msg;
	unsigned long off;

	while (poll(fds, 2, -1) >= 0 || errno == EINTR) {
		if (fds[1].revents)
			break;
		if (read(lr->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		off = (msg.arg.pagefault.address - (unsigned long)lr->mem) & ~4095UL;
		copy.dst = (unsigned long)lr->mem + off;
		copy.src = (unsigned long)lr->saved + off;
		if (ioctl(lr->uffd, UFFDIO_COPY, &copy)) {
			struct uffdio_range range = { .start = copy.dst, .len = 4096 };

			/* Populated meanwhile by a vCPU exit: just wake the faulter. */
			if (errno == EEXIST && !ioctl(lr->uffd, UFFDIO_WAKE, &range))
				continue;
			check("userfaultfd handler restores the page", 0);
			exit(1);
		}
		clear_userfault_bit(lr->bitmap, off / 4096);
		__atomic_fetch_add(&lr->uffd_pages, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Run the restored vCPU to the guest's report: each userfault exit is
 * resolved by writing the page from the snapshot into the guest_memfd.
 * Returns the dwords the guest found wrong, or -1.
 */
static long restore_run(struct snapshot_vm *v, struct lazy_restore *lr,
			int *resumed)
{
	struct kvm_run *run = v->run;
	unsigned long gpa;
	int exits;

	for (exits = 0; exits < 2 * RESTORE_PAGES + 8; exits++) {
		int r = ioctl(v->vcpu, KVM_RUN, 0);

		if (r == -1 && errno == EFAULT &&
		    run->exit_reason == KVM_EXIT_MEMORY_FAULT &&
		    (run->memory_fault.flags & KVM_MEMORY_EXIT_FLAG_USERFAULT)) {
			gpa = run->memory_fault.gpa;
			if (gpa >= RESTORE_MEM_SIZE ||
			    pwrite(v->gmem, lr->saved + gpa, 4096, gpa) != 4096)
				return -1;
			clear_userfault_bit(lr->bitmap, gpa / 4096);
			lr->vcpu_pages++;
			continue;
		}
		if (r || run->exit_reason != KVM_EXIT_IO)
			return -1;
		if (run->io.port == PORT_RESUMED)
			*resumed = 1;
		else if (run->io.port == PORT_WRONG)
			return *(__u32 *)((char *)run + run->io.data_offset);
		else
			return -1;
	}
	return -1;
}

static void demo_lazy_restore(void)
{
	const char *path = "/tmp/gmem_demo.snapshot";
	__u64 gmem_flags = GUEST_MEMFD_FLAG_WRITE | GUEST_MEMFD_FLAG_MMAP |
			   GUEST_MEMFD_FLAG_INIT_SHARED;
	unsigned long bitmap[(RESTORE_PAGES + 63) / 64] = { 0 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct lazy_restore lr = { .bitmap = bitmap, .uffd = -1, .stop = -1 };
	struct snapshot snap;
	struct snapshot_vm v;
	int fd, ok, resumed = 0;
	pthread_t handler;
	unsigned long i;
	long wrong = -1;

	say("lazy restore (KVM_CAP_USERFAULT)", "%ld",
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_USERFAULT));
	if (restore_take_snapshot(path))
		return;
	fd = open(path, O_RDONLY);
	lr.saved = fd < 0 ? MAP_FAILED :
		   mmap(NULL, RESTORE_MEM_SIZE, PROT_READ, MAP_PRIVATE, fd, SNAPSHOT_MEM_OFFSET);
	if (lr.saved == MAP_FAILED || pread(fd, &snap, sizeof(snap), 0) != sizeof(snap)) {
		check("snapshot read back", 0);
		unlink(path);
		return;
	}

	/* Nothing is restored yet: every page of the new VM is a userfault. */
	for (i = 0; i < RESTORE_PAGES; i++)
		bitmap[i / 64] |= 1UL << (i % 64);
	ok = !restore_vm_create(&v, gmem_flags, bitmap);
	check("new VM: guest_memfd with WRITE, all pages userfault", ok);
	if (!ok)
		goto out;
	lr.mem = v.mem;
	lr.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	lr.stop = eventfd(0, EFD_CLOEXEC);
	reg.range.start = (unsigned long)v.mem;
	reg.range.len = RESTORE_MEM_SIZE;
	ok = lr.uffd >= 0 && lr.stop >= 0 && !ioctl(lr.uffd, UFFDIO_API, &api) &&
	     !ioctl(lr.uffd, UFFDIO_REGISTER, &reg) &&
	     !pthread_create(&handler, NULL, restore_uffd_handler, &lr);
	check("its guest_memfd mapping served by userfaultfd", ok);
	if (!ok)
		goto out;

	/* The VMM inspects the instruction the guest resumes at. */
	check("VMM reads the resume point: OUT to the next port",
	      v.mem[snap.regs.rip] == (char)0xe6 &&
	      v.mem[snap.regs.rip + 1] == PORT_RESUMED);
	if (!snapshot_vm_set_regs(&v, &snap))
		wrong = restore_run(&v, &lr, &resumed);
	eventfd_write(lr.stop, 1);
	pthread_join(handler, NULL);

	check("restored guest ran on after the snapshot point", resumed);
	say("dwords the restored guest found wrong", "%ld", wrong);
	check("restored guest sees its memory as it was saved", wrong == 0);
	printf("%-44s %ld by vCPU exits, %ld by userfaultfd\n",
	       "pages restored on demand:", lr.vcpu_pages, lr.uffd_pages);
	check("every page restored once, by both paths",
	      lr.vcpu_pages + lr.uffd_pages == RESTORE_PAGES &&
	      lr.vcpu_pages > 0 && lr.uffd_pages > 0);
out:
	snapshot_vm_destroy(&v);
	if (lr.uffd >= 0)
		close(lr.uffd);
	if (lr.stop >= 0)
		close(lr.stop);
	munmap(lr.saved, RESTORE_MEM_SIZE);
	close(fd);
	unlink(path);
}

int main(void)
{
	kvm_fd = open("/dev/kvm", O_RDWR);
	check("/dev/kvm opened", kvm_fd >= 0);
	if (kvm_fd < 0)
		return 1;
	say("KVM API version", "%ld", ioctl(kvm_fd, KVM_GET_API_VERSION, 0));
	say("VM types (KVM_CAP_VM_TYPES)", "%#lx",
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES));
	say("KVM_CAP_GUEST_MEMFD", "%ld",
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD));
	say("guest_memfd flags (KVM_CAP_GUEST_MEMFD_FLAGS)", "%#lx",
	    ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS));

	signal(SIGBUS, on_sigbus);
	demo_shared_mmap();
	demo_private();
	demo_in_place_conversion();
	demo_migration();
	demo_userfaultfd();
	demo_lazy_restore();

	printf("%s: %d check(s) failed\n", failures ? "FAILED" : "done", failures);
	return failures ? 1 : 0;
}
