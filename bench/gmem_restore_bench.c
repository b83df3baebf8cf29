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
#include "snapshot_guest.h"
#include <errno.h>

/* After the timed OUT the guest reads one dword per MiB, at moving offsets. */
#define CHECK_STRIDE	((1UL << 20) + 4)
#define SNAPSHOT_PATH	"/tmp/gmem_restore_bench.snapshot"

static size_t mem_size;		/* the code page and the data */
static int run_size;

/* Exit if a snapshot_guest.h helper says what failed. */
static void or_exit(const char *failed)
{
	if (failed)
		err(1, "%s", failed);
}

static void vm_create(struct snapshot_vm *v, __u64 gmem_flags,
		      unsigned long *bitmap)
{
	or_exit(snapshot_vm_create(v, create_vm(0), run_size, mem_size,
				   gmem_flags, bitmap));
}

static void write_all(int fd, const char *buf, size_t len, off_t off)
{
	if (snapshot_write(fd, buf, len, off))
		err(1, "pwrite");
}

/*
 * KVM_RUN until the guest does an OUT, whose port is returned.  Userfault
 * exits are resolved by writing the page from @saved into the guest_memfd
 * and clearing its bit; @exits counts them.
 */
static int run_to_out(struct snapshot_vm *v, const char *saved,
		      unsigned long *bitmap, int *exits)
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
	struct snapshot_vm v;
	int exits = 0;

	vm_create(&v, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, NULL);
	or_exit(snapshot_vm_boot(&v, CHECK_STRIDE));
	if (run_to_out(&v, NULL, NULL, &exits) != PORT_SNAPSHOT)
		errx(1, "the guest did not stop at the snapshot point");
	or_exit(snapshot_vm_save(&v, SNAPSHOT_PATH));
	snapshot_vm_destroy(&v);
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
	struct snapshot_vm v;
	int exits = 0;
	__u32 wrong;

	start = now_ns();
	if (lazy)
		memset(bitmap, 0xff, bitmap_size);
	vm_create(&v, GUEST_MEMFD_FLAG_WRITE | GUEST_MEMFD_FLAG_MMAP |
		  GUEST_MEMFD_FLAG_INIT_SHARED, lazy ? bitmap : NULL);
	if (!lazy)
		write_all(v.gmem, saved, mem_size, 0);
	or_exit(snapshot_vm_set_regs(&v, snap));
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
	snapshot_vm_destroy(&v);
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
	mem_size = SNAPSHOT_DATA_GPA + (mem_size << 20);

	run_size = vcpu_mmap_size();
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0)
		err(1, "/dev/kvm");
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
