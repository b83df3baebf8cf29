// SPDX-License-Identifier: GPL-2.0
/*
 * Time until a guest restored from a snapshot runs its first instruction,
 * restoring lazily versus restoring everything before resuming:
 *
 *   eager  create the VM and its guest_memfd (GUEST_MEMFD_FLAG_WRITE),
 *          pwrite() the whole snapshot into the guest_memfd, set the
 *          registers, KVM_RUN until the guest's first OUT after the
 *          snapshot point
 *   lazy   create the VM and its guest_memfd, a memslot with
 *          KVM_MEM_USERFAULT and every bit of its bitmap set, set the
 *          registers, KVM_RUN until that OUT: the code page is the only
 *          page restored, by pwrite() when the vCPU exits for it
 *
 * The snapshot is taken once, in the same process: a guest (32-bit
 * protected mode, paging off, flat segments) fills its memory with a
 * pattern of each dword's address and a seed and stops at an OUT, the
 * snapshot point; its registers and memory go to a file in /tmp.  After the
 * timed OUT the restored guest reads a dword per MiB of its memory and
 * reports those it found wrong, so that a restore that gave it zero pages
 * fails the run.  Eager and lazy alternate, eager first in even
 * repetitions, lazy first in odd ones, one ratio per repetition.
 *
 * Usage: gmem_restore_bench SIZE_MIB REPS
 * Prints one line per repetition: "<ratio eager/lazy> <eager ns> <lazy ns>".
 */
#include "bench.h"
#include <errno.h>

#define DATA_GPA	0x1000UL	/* the code is in page 0 */
#define SEED		0x5eed0fa1
#define PORT_SNAPSHOT	0x10
#define PORT_RESUMED	0x11
#define PORT_WRONG	0x12
/* The snapshot file: registers, then guest memory from this offset. */
#define SNAPSHOT_MEM_OFFSET	4096
/* After the timed OUT the guest reads one dword per MiB, at moving offsets. */
#define CHECK_STRIDE	((1UL << 20) + 4)
#define SNAPSHOT_PATH	"/tmp/gmem_restore_bench.snapshot"

/*
 * %esi first data dword, %edi end, %ebp seed, %ecx stride of the reading
 * after the snapshot point.
 */
static const unsigned char guest_code[] = {
	0x89, 0xf3,				/*     mov %esi, %ebx */
	0x69, 0xc3, 0xb1, 0x79, 0x37, 0x9e,	/* 1:  imul $0x9e3779b1, %ebx, %eax */
	0x31, 0xe8,				/*     xor %ebp, %eax */
	0x89, 0x03,				/*     mov %eax, (%ebx) */
	0x83, 0xc3, 0x04,			/*     add $4, %ebx */
	0x39, 0xfb,				/*     cmp %edi, %ebx */
	0x72, 0xef,				/*     jb 1b */
	0xe6, PORT_SNAPSHOT,			/*     out %al, $PORT_SNAPSHOT */
	0xe6, PORT_RESUMED,			/*     out %al, $PORT_RESUMED */
	0x31, 0xd2,				/*     xor %edx, %edx */
	0x89, 0xf3,				/*     mov %esi, %ebx */
	0x69, 0xc3, 0xb1, 0x79, 0x37, 0x9e,	/* 2:  imul $0x9e3779b1, %ebx, %eax */
	0x31, 0xe8,				/*     xor %ebp, %eax */
	0x39, 0x03,				/*     cmp %eax, (%ebx) */
	0x74, 0x01,				/*     je 3f */
	0x42,					/*     inc %edx */
	0x01, 0xcb,				/* 3:  add %ecx, %ebx */
	0x39, 0xfb,				/*     cmp %edi, %ebx */
	0x72, 0xed,				/*     jb 2b */
	0x89, 0xd0,				/*     mov %edx, %eax */
	0xe7, PORT_WRONG,			/*     out %eax, $PORT_WRONG */
	0xf4,					/*     hlt */
};

struct snapshot {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

_Static_assert(sizeof(struct snapshot) <= SNAPSHOT_MEM_OFFSET,
	       "registers fit before the memory");

struct vm {
	int vm, gmem, vcpu;
	char *mem;
	struct kvm_run *run;
};

static size_t mem_size;		/* the code page and the data */
static int run_size;

/*
 * A VM with one vCPU whose memory, gpa 0 to mem_size, is a guest_memfd
 * created with @gmem_flags and mapped by the VMM; the memslot has
 * KVM_MEM_USERFAULT if @bitmap is given.
 */
static void vm_create(struct vm *v, __u64 gmem_flags, unsigned long *bitmap)
{
	struct kvm_userspace_memory_region2 region = {
		.flags = KVM_MEM_GUEST_MEMFD | (bitmap ? KVM_MEM_USERFAULT : 0),
		.memory_size = mem_size,
		.userfault_bitmap = (unsigned long)bitmap,
	};

	v->vm = create_vm(0);
	v->gmem = create_gmem(v->vm, mem_size, gmem_flags);
	v->mem = map_shared(v->gmem, mem_size);
	region.guest_memfd = v->gmem;
	region.userspace_addr = (unsigned long)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION2, &region))
		err(1, "KVM_SET_USER_MEMORY_REGION2");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		err(1, "KVM_CREATE_VCPU");
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		err(1, "mmap(vcpu)");
}

static void vm_destroy(struct vm *v)
{
	munmap(v->run, run_size);
	close(v->vcpu);
	munmap(v->mem, mem_size);
	close(v->gmem);
	close(v->vm);
}

static void flat_segment(struct kvm_segment *seg, __u16 selector, __u8 type)
{
	*seg = (struct kvm_segment){
		.limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
}

/* 32-bit protected mode, paging off, at the start of the code page. */
static void vm_boot(struct vm *v)
{
	struct kvm_regs regs = {
		.rip = 0, .rflags = 2, .rsi = DATA_GPA, .rdi = mem_size,
		.rbp = SEED, .rcx = CHECK_STRIDE,
	};
	struct kvm_sregs sregs;

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		err(1, "KVM_GET_SREGS");
	flat_segment(&sregs.cs, 8, 11);		/* code, execute/read */
	flat_segment(&sregs.ds, 16, 3);		/* data, read/write */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;			/* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) || ioctl(v->vcpu, KVM_SET_REGS, &regs))
		err(1, "KVM_SET_SREGS/REGS");
}

static void write_all(int fd, const char *buf, size_t len, off_t off)
{
	ssize_t r;

	for (; len; buf += r, len -= r, off += r) {
		r = pwrite(fd, buf, len, off);
		if (r <= 0)
			err(1, "pwrite");
	}
}

/*
 * KVM_RUN until the guest does an OUT, whose port is returned.  Userfault
 * exits are resolved by writing the page from @saved into the guest_memfd
 * and clearing its bit; @exits counts them.
 */
static int run_to_out(struct vm *v, const char *saved, unsigned long *bitmap,
		      int *exits)
{
	struct kvm_run *run = v->run;
	unsigned long page;

	for (;;) {
		int r = ioctl(v->vcpu, KVM_RUN, 0);

		if (r == -1 && errno == EFAULT &&
		    run->exit_reason == KVM_EXIT_MEMORY_FAULT &&
		    (run->memory_fault.flags & KVM_MEMORY_EXIT_FLAG_USERFAULT)) {
			page = run->memory_fault.gpa / PAGE_SIZE;
			if (page >= mem_size / PAGE_SIZE)
				errx(1, "userfault at gpa %#llx", run->memory_fault.gpa);
			write_all(v->gmem, saved + page * PAGE_SIZE, PAGE_SIZE,
				  page * PAGE_SIZE);
			__atomic_fetch_and(&bitmap[page / 64], ~(1UL << (page % 64)),
					   __ATOMIC_RELEASE);
			(*exits)++;
			continue;
		}
		if (r || run->exit_reason != KVM_EXIT_IO)
			errx(1, "KVM_RUN returned %d (errno %d), exit reason %u",
			     r, r ? errno : 0, run->exit_reason);
		return run->io.port;
	}
}

/* Run the guest to its snapshot point, save it, destroy the VM. */
static void take_snapshot(void)
{
	struct snapshot snap;
	struct vm v;
	int fd, exits = 0;

	vm_create(&v, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, NULL);
	memcpy(v.mem, guest_code, sizeof(guest_code));
	vm_boot(&v);
	if (run_to_out(&v, NULL, NULL, &exits) != PORT_SNAPSHOT)
		errx(1, "the guest did not stop at the snapshot point");
	/* Complete the OUT (RIP moves past it) without entering the guest. */
	v.run->immediate_exit = 1;
	if (ioctl(v.vcpu, KVM_RUN, 0) != -1 || errno != EINTR)
		errx(1, "KVM_RUN with immediate_exit did not return EINTR");
	if (ioctl(v.vcpu, KVM_GET_REGS, &snap.regs) ||
	    ioctl(v.vcpu, KVM_GET_SREGS, &snap.sregs))
		err(1, "KVM_GET_REGS/SREGS");
	fd = open(SNAPSHOT_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		err(1, SNAPSHOT_PATH);
	write_all(fd, (char *)&snap, sizeof(snap), 0);
	write_all(fd, v.mem, mem_size, SNAPSHOT_MEM_OFFSET);
	close(fd);
	vm_destroy(&v);
}

/*
 * Restore the snapshot into a new VM and return the nanoseconds until the
 * guest's first OUT after the snapshot point; then let the guest check its
 * memory (not timed).
 */
static unsigned long long restore(bool lazy, const struct snapshot *snap,
				  const char *saved, unsigned long *bitmap,
				  size_t bitmap_size)
{
	unsigned long long start, ns;
	int exits = 0;
	struct vm v;
	__u32 wrong;

	start = now_ns();
	if (lazy)
		memset(bitmap, 0xff, bitmap_size);
	vm_create(&v, GUEST_MEMFD_FLAG_WRITE | GUEST_MEMFD_FLAG_MMAP |
		  GUEST_MEMFD_FLAG_INIT_SHARED, lazy ? bitmap : NULL);
	if (!lazy)
		write_all(v.gmem, saved, mem_size, 0);
	if (ioctl(v.vcpu, KVM_SET_SREGS, &snap->sregs) ||
	    ioctl(v.vcpu, KVM_SET_REGS, &snap->regs))
		err(1, "KVM_SET_SREGS/REGS");
	if (run_to_out(&v, saved, bitmap, &exits) != PORT_RESUMED)
		errx(1, "the restored guest did not resume after the snapshot point");
	ns = now_ns() - start;

	/* Only the code page was needed to get there. */
	if (exits != (lazy ? 1 : 0))
		errx(1, "%s restore: %d userfault exits before the first OUT",
		     lazy ? "lazy" : "eager", exits);
	if (run_to_out(&v, saved, bitmap, &exits) != PORT_WRONG)
		errx(1, "the restored guest did not report");
	wrong = *(__u32 *)((char *)v.run + v.run->io.data_offset);
	if (wrong)
		errx(1, "%s restore: the guest found %u wrong dwords",
		     lazy ? "lazy" : "eager", wrong);
	vm_destroy(&v);
	return ns;
}

int main(int argc, char **argv)
{
	unsigned long long eager, lazy;
	size_t bitmap_size;
	unsigned long *bitmap;
	struct snapshot snap;
	char *saved;
	int kvm, fd, rep, reps;

	if (argc != 3)
		errx(2, "usage: %s SIZE_MIB REPS", argv[0]);
	mem_size = strtoul(argv[1], NULL, 0);
	reps = atoi(argv[2]);
	/* The guest addresses its memory with 32 bits. */
	if (!mem_size || mem_size > 1024 || reps <= 0)
		errx(2, "bad size (1 to 1024 MiB) or repetitions");
	mem_size = DATA_GPA + (mem_size << 20);

	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		err(1, "/dev/kvm");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		err(1, "KVM_GET_VCPU_MMAP_SIZE");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_USERFAULT) <= 0)
		errx(1, "KVM_CAP_USERFAULT not supported");
	close(kvm);

	take_snapshot();
	fd = open(SNAPSHOT_PATH, O_RDONLY);
	if (fd < 0 || pread(fd, &snap, sizeof(snap), 0) != sizeof(snap))
		err(1, SNAPSHOT_PATH);
	/* In memory before the first repetition, as for every other one. */
	saved = mmap(NULL, mem_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		     SNAPSHOT_MEM_OFFSET);
	if (saved == MAP_FAILED)
		err(1, "mmap(snapshot)");
	bitmap_size = (mem_size / PAGE_SIZE + 63) / 64 * sizeof(*bitmap);
	bitmap = malloc(bitmap_size);
	if (!bitmap)
		err(1, "malloc");

	for (rep = 0; rep < reps; rep++) {
		if (rep % 2) {
			lazy = restore(true, &snap, saved, bitmap, bitmap_size);
			eager = restore(false, &snap, saved, bitmap, bitmap_size);
		} else {
			eager = restore(false, &snap, saved, bitmap, bitmap_size);
			lazy = restore(true, &snap, saved, bitmap, bitmap_size);
		}
		printf("%.3f %llu %llu\n", (double)eager / lazy, eager, lazy);
	}
	munmap(saved, mem_size);
	close(fd);
	unlink(SNAPSHOT_PATH);
	return 0;
}
