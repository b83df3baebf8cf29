/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A guest to snapshot and restore, and the VM it runs in, for the demo's
 * lazy restore and gmem_restore_bench.  The guest (32-bit protected mode,
 * paging off, flat segments) fills its memory with a pattern of each
 * dword's address and a seed, stops at the snapshot point (an OUT), and
 * after it announces that it runs again (the next OUT), re-reads its
 * memory and reports the dwords it found wrong (an OUT of a dword).
 * Registers: %esi first data dword, %edi end, %ebp seed, %ecx stride of
 * the re-reading; the snapshot carries them.
 *
 * The snapshot_vm_*() helpers that can fail return NULL, or what failed,
 * with errno saying why where the call set it; snapshot_vm_destroy() then
 * undoes whatever was set up.
 */
#ifndef GMEM_SNAPSHOT_GUEST_H
#define GMEM_SNAPSHOT_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#define SNAPSHOT_DATA_GPA	0x1000UL	/* the code is in page 0 */
#define SNAPSHOT_SEED		0x5eed0fa1
#define PORT_SNAPSHOT		0x10
#define PORT_RESUMED		0x11
#define PORT_WRONG		0x12
/* The snapshot file: registers, then guest memory from this offset. */
#define SNAPSHOT_MEM_OFFSET	4096

static const unsigned char snapshot_guest_code[] = {
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

struct snapshot_vm {
	int vm, gmem, vcpu, run_size;
	size_t mem_size;
	char *mem;
	struct kvm_run *run;
};

/*
 * Give @vm (returned by KVM_CREATE_VM, negative if that failed) one vCPU,
 * whose kvm_run is @run_size bytes, and memory, gpa 0 to @mem_size, that
 * is a guest_memfd created with @gmem_flags and mapped by the VMM; the
 * memslot has KVM_MEM_USERFAULT if @bitmap is given.
 */
static inline const char *snapshot_vm_create(struct snapshot_vm *v, int vm,
					     int run_size, size_t mem_size,
					     __u64 gmem_flags,
					     unsigned long *bitmap)
{
	struct kvm_create_guest_memfd gmem = {
		.size = mem_size, .flags = gmem_flags,
	};
	struct kvm_userspace_memory_region2 region = {
		.flags = KVM_MEM_GUEST_MEMFD | (bitmap ? KVM_MEM_USERFAULT : 0),
		.memory_size = mem_size,
		.userfault_bitmap = (unsigned long)bitmap,
	};

	*v = (struct snapshot_vm){
		.vm = vm, .gmem = -1, .vcpu = -1, .run_size = run_size,
		.mem_size = mem_size, .mem = MAP_FAILED, .run = MAP_FAILED,
	};
	if (vm < 0)
		return "KVM_CREATE_VM";
	v->gmem = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (v->gmem < 0)
		return "KVM_CREATE_GUEST_MEMFD";
	v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->gmem, 0);
	if (v->mem == MAP_FAILED)
		return "mmap";
	region.guest_memfd = v->gmem;
	region.userspace_addr = (unsigned long)v->mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &region))
		return "KVM_SET_USER_MEMORY_REGION2";
	v->vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return "KVM_CREATE_VCPU";
	if (run_size <= 0)
		return "KVM_GET_VCPU_MMAP_SIZE";
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	return v->run == MAP_FAILED ? "mmap(vcpu)" : NULL;
}

static inline void snapshot_vm_destroy(struct snapshot_vm *v)
{
	if (v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->mem != MAP_FAILED)
		munmap(v->mem, v->mem_size);
	if (v->gmem >= 0)
		close(v->gmem);
	if (v->vm >= 0)
		close(v->vm);
}

/* Load the registers of @snap into the vCPU. */
static inline const char *snapshot_vm_set_regs(struct snapshot_vm *v,
					       const struct snapshot *snap)
{
	if (ioctl(v->vcpu, KVM_SET_SREGS, &snap->sregs) ||
	    ioctl(v->vcpu, KVM_SET_REGS, &snap->regs))
		return "KVM_SET_SREGS/REGS";
	return NULL;
}

static inline void flat_segment(struct kvm_segment *seg, __u16 selector,
				__u8 type)
{
	*seg = (struct kvm_segment){
		.limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
}

/*
 * Copy the guest's code into page 0 and point the vCPU at its start, in
 * 32-bit protected mode with paging off; the guest re-reads its memory
 * every @stride bytes.
 */
static inline const char *snapshot_vm_boot(struct snapshot_vm *v, __u32 stride)
{
	struct snapshot boot = {
		.regs = {
			.rip = 0, .rflags = 2, .rsi = SNAPSHOT_DATA_GPA,
			.rdi = v->mem_size, .rbp = SNAPSHOT_SEED, .rcx = stride,
		},
	};

	memcpy(v->mem, snapshot_guest_code, sizeof(snapshot_guest_code));
	if (ioctl(v->vcpu, KVM_GET_SREGS, &boot.sregs))
		return "KVM_GET_SREGS";
	flat_segment(&boot.sregs.cs, 8, 11);	/* code, execute/read */
	flat_segment(&boot.sregs.ds, 16, 3);	/* data, read/write */
	boot.sregs.es = boot.sregs.fs = boot.sregs.gs = boot.sregs.ss = boot.sregs.ds;
	boot.sregs.cr0 = 0x11;			/* PE | ET */
	boot.sregs.cr4 = 0;
	boot.sregs.efer = 0;
	return snapshot_vm_set_regs(v, &boot);
}

/* pwrite() all of @buf, however many calls that takes. */
static inline int snapshot_write(int fd, const char *buf, size_t len, off_t off)
{
	ssize_t r;

	for (; len; buf += r, len -= r, off += r) {
		r = pwrite(fd, buf, len, off);
		if (r <= 0)
			return -1;
	}
	return 0;
}

/*
 * The guest has stopped at its snapshot point: complete that OUT (RIP
 * moves past it) without entering the guest, and save its registers and
 * memory to @path.
 */
static inline const char *snapshot_vm_save(struct snapshot_vm *v,
					   const char *path)
{
	struct snapshot snap;
	int fd, saved_errno;

	v->run->immediate_exit = 1;
	if (ioctl(v->vcpu, KVM_RUN, 0) != -1 || errno != EINTR)
		return "KVM_RUN with immediate_exit did not return EINTR";
	if (ioctl(v->vcpu, KVM_GET_REGS, &snap.regs) ||
	    ioctl(v->vcpu, KVM_GET_SREGS, &snap.sregs))
		return "KVM_GET_REGS/SREGS";
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return path;
	if (snapshot_write(fd, (char *)&snap, sizeof(snap), 0) ||
	    snapshot_write(fd, v->mem, v->mem_size, SNAPSHOT_MEM_OFFSET)) {
		saved_errno = errno;
		close(fd);
		errno = saved_errno;
		return "pwrite";
	}
	close(fd);
	return NULL;
}

#endif
