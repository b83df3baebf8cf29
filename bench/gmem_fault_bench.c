// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's first touch of guest_memfd memory, on a
 * KVM_X86_SW_PROTECTED_VM whose one vCPU (32-bit protected mode, paging
 * off) writes a byte to every 4KiB page of a guest_memfd memslot, in chunks
 * of pages each ended by an OUT, then touches every page again (they are
 * mapped now: the second pass is the cost of the guest's loop and exits
 * without faults).  Every round is a new VM with a new guest_memfd, so
 * every first touch allocates a page.  Modes:
 *
 *   fault inplace|legacy SIZE_MIB ROUNDS
 *       the pages are private: by default with in-place conversion
 *       (kvm.gmem_in_place_conversion=1), by VM-wide
 *       KVM_SET_MEMORY_ATTRIBUTES without (=0).  Chunks of FAULT_CHUNK
 *       pages; the figure is the median chunk, which is less sensitive
 *       than the mean to the host's scheduler taking the CPU from QEMU.
 *   contend SIZE_MIB ROUNDS PAIRS_PER_S [fresh|present]
 *       in place; with "present", the guest touches its pages once, then
 *       PRESENT_PASSES timed passes each follow a conversion to shared
 *       and back that zaps KVM's mappings, so that its faults find written
 *       pages in the file (no allocation, no invalidate_lock), else (fresh,
 *       the default) one timed pass whose first touches allocate, which
 *       takes the invalidate_lock for read.
 *       The guest_memfd has CONVERT_SIZE more bytes, populated, after the
 *       range the guest touches, inside the memslot but never touched by
 *       the guest, and a second VM has a guest_memfd of that
 *       size.  Chunk after chunk (CONTEND_CHUNK pages), another thread
 *       converts to shared and back with KVM_SET_MEMORY_ATTRIBUTES2, at
 *       most PAIRS_PER_S pairs a second: nothing (quiet), the untouched
 *       range of the guest's guest_memfd (same), or the other VM's
 *       guest_memfd (other: a control, the same conversions sharing no
 *       lock of the file or the VM with the guest, nor its vCPU).  The
 *       three alternate in one process, so that they see the same load of
 *       the host; the figures are the mean of each.  QEMU's TCG emulates
 *       all the test VM's CPUs in one host thread, so the converter's CPU
 *       time slows the vCPU down whatever the locking: it sleeps between
 *       pairs, and its achieved rate and CPU share are printed.
 *   hybrid inplace|legacy
 *       a HYBRID_SIZE memslot whose userspace_addr is 2MiB-aligned
 *       anonymous memory with MADV_HUGEPAGE, populated by the host (so
 *       transparent huge pages back it), bound to a guest_memfd without
 *       GUEST_MEMFD_FLAG_MMAP; the first half is shared, the second private
 *       (KVM_SET_MEMORY_ATTRIBUTES2 in place, KVM_SET_MEMORY_ATTRIBUTES in
 *       legacy mode).  The guest touches both halves once; prints KVM's
 *       pages_2m statistic: the 2MiB mappings, which only the shared half
 *       can get.
 *
 * The vCPU runs on CPU 0, the converter on CPU 1.  Prints, in ns per page:
 *   fault:   "<mode> <size_mib> <median chunk> <mean> <second pass>"
 *   contend: "contend <size_mib> <quiet> <same> <other> <second pass>",
 *            then for same and for other the converter's
 *            " <pairs> <pairs per second> <CPU share in %>";
 *   hybrid:  "<mode> <pages_2m> <KiB of THP behind the shared half>".
 */
#include "bench.h"
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <linux/falloc.h>

#define CODE_SIZE	PAGE_SIZE	/* memslot 0, at gpa 0: the guest's code */
#define GPA_BASE	0x40000000UL	/* memslot 1: what the guest touches */
#define FAULT_CHUNK	64		/* pages */
#define CONTEND_CHUNK	128		/* pages */
#define PRESENT_PASSES	8		/* timed passes of contend present */
#define CONVERT_SIZE	(16 * PAGE_SIZE)
#define HYBRID_SIZE	(4UL << 20)
#define HUGE_SIZE	(2UL << 20)
#define PORT_CHUNK	0x10
#define PORT_PASS	0x11
/* EAGAINs in a row after which a conversion to private is not transient. */
#define MAX_EAGAIN	1000

/*
 * %esi: first byte, %edi: end, %ecx: bytes per chunk.  After the OUT that
 * ends a pass, the next KVM_RUN starts another.
 */
static const unsigned char guest_code[] = {
	0x89, 0xf3,				/* 1: mov %esi, %ebx */
	0x8d, 0x14, 0x0b,			/* 2: lea (%ebx,%ecx), %edx */
	0xc6, 0x03, 0x01,			/* 3: movb $1, (%ebx) */
	0x81, 0xc3, 0x00, 0x10, 0x00, 0x00,	/*    add $4096, %ebx */
	0x39, 0xd3,				/*    cmp %edx, %ebx */
	0x72, 0xf3,				/*    jb 3b */
	0xe6, PORT_CHUNK,			/*    out %al, $PORT_CHUNK */
	0x39, 0xfb,				/*    cmp %edi, %ebx */
	0x72, 0xea,				/*    jb 2b */
	0xe6, PORT_PASS,			/*    out %al, $PORT_PASS */
	0xeb, 0xe4,				/*    jmp 1b */
};

struct vm {
	int fd, gmem, vcpu;
	struct kvm_run *run;
	void *code;
};

enum phase { QUIET, SAME, OTHER, NR_PHASES };

struct converter {
	/* What to convert in each phase: a guest_memfd (or -1), an offset. */
	int gmem[NR_PHASES];
	unsigned long offset[NR_PHASES];
	unsigned long period_ns;
	int phase;
	bool converting, stop;
	unsigned long pairs[NR_PHASES], retries;
	unsigned long long cpu_ns[NR_PHASES];
};

static int run_size;

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		err(1, "sched_setaffinity(CPU %d)", cpu);
}

static bool in_place_enabled(void)
{
	const char *path = "/sys/module/kvm/parameters/gmem_in_place_conversion";
	FILE *f = fopen(path, "r");
	int c;

	if (!f)
		err(1, "%s", path);
	c = fgetc(f);
	fclose(f);
	return c == 'Y' || c == '1';
}

static void *map_anon(size_t size, int flags)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (mem == MAP_FAILED)
		err(1, "mmap(anonymous)");
	return mem;
}

static void set_region(int vm, __u32 slot, __u64 gpa, __u64 size, void *hva,
		       int gmem)
{
	struct kvm_userspace_memory_region2 region = {
		.slot = slot,
		.flags = gmem >= 0 ? KVM_MEM_GUEST_MEMFD : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (unsigned long)hva,
		.guest_memfd = gmem >= 0 ? gmem : 0,
	};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &region))
		err(1, "KVM_SET_USER_MEMORY_REGION2(slot %u)", slot);
}

/* Returns -1 with errno set on failure, so that a caller can retry. */
static int gmem_convert(int gmem, unsigned long offset, size_t size,
			bool private)
{
	struct kvm_memory_attributes2 attrs = {
		.offset = offset,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	return ioctl(gmem, KVM_SET_MEMORY_ATTRIBUTES2, &attrs);
}

static void vm_set_private(int vm, __u64 gpa, size_t size)
{
	struct kvm_memory_attributes attrs = {
		.address = gpa,
		.size = size,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};

	if (ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &attrs))
		err(1, "KVM_SET_MEMORY_ATTRIBUTES(gpa %#llx, %zu KiB, private)",
		    (unsigned long long)gpa, size >> 10);
}

/* Populated guest_memfd pages, private by default, for a converter. */
static void populate(int gmem, unsigned long offset)
{
	if (fallocate(gmem, FALLOC_FL_KEEP_SIZE, offset, CONVERT_SIZE))
		err(1, "fallocate");
}

static void flat_segment(struct kvm_segment *seg, __u16 selector, __u8 type)
{
	*seg = (struct kvm_segment){
		.limit = 0xffffffff, .selector = selector, .type = type,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
}

/*
 * A VM with the code page as memslot 0 and a guest_memfd of @gmem_size
 * bytes whose first @slot_size bytes are memslot 1 at GPA_BASE, shared
 * accesses going to @shared; one vCPU about to touch every page of
 * [GPA_BASE, GPA_BASE + @touch_size), @chunk bytes per OUT.
 */
static void vm_create(struct vm *v, size_t gmem_size, size_t slot_size,
		      void *shared, size_t touch_size, size_t chunk)
{
	struct kvm_regs regs = {
		.rip = 0, .rflags = 2, .rcx = chunk,
		.rsi = GPA_BASE, .rdi = GPA_BASE + touch_size,
	};
	struct kvm_sregs sregs;

	v->fd = create_vm(KVM_X86_SW_PROTECTED_VM);
	v->gmem = create_gmem(v->fd, gmem_size, 0);
	v->code = map_anon(CODE_SIZE, 0);
	memcpy(v->code, guest_code, sizeof(guest_code));
	set_region(v->fd, 0, 0, CODE_SIZE, v->code, -1);
	set_region(v->fd, 1, GPA_BASE, slot_size, shared, v->gmem);

	v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		err(1, "KVM_CREATE_VCPU");
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		err(1, "mmap(vcpu)");
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		err(1, "KVM_GET_SREGS");
	flat_segment(&sregs.cs, 8, 11);		/* code, execute/read */
	flat_segment(&sregs.ds, 16, 3);		/* data, read/write */
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;			/* PE | ET */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(v->vcpu, KVM_SET_REGS, &regs))
		err(1, "KVM_SET_SREGS/REGS");
}

static void vm_destroy(struct vm *v)
{
	munmap(v->run, run_size);
	close(v->vcpu);
	close(v->gmem);
	close(v->fd);
	munmap(v->code, CODE_SIZE);
}

/* KVM_RUN until the guest's next OUT; returns its port. */
static int guest_run(struct vm *v)
{
	struct kvm_run *run = v->run;
	int r = ioctl(v->vcpu, KVM_RUN, 0);

	if (r && errno == EFAULT && run->exit_reason == KVM_EXIT_MEMORY_FAULT)
		errx(1, "KVM_RUN: memory fault exit at gpa %#llx, flags %#llx",
		     run->memory_fault.gpa, run->memory_fault.flags);
	if (r || run->exit_reason != KVM_EXIT_IO)
		errx(1, "KVM_RUN returned %d (errno %d), exit reason %u",
		     r, r ? errno : 0, run->exit_reason);
	return run->io.port;
}

static void guest_chunk(struct vm *v)
{
	if (guest_run(v) != PORT_CHUNK)
		errx(1, "the guest ended its pass early");
}

/*
 * The rest of the guest's pass, or the whole of its next one; returns its
 * nanoseconds.
 */
static unsigned long long guest_pass(struct vm *v)
{
	unsigned long long start = now_ns();

	while (guest_run(v) == PORT_CHUNK)
		;
	return now_ns() - start;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static void bench_fault(const char *mode, size_t size, int rounds, bool legacy)
{
	size_t chunks = size / (FAULT_CHUNK * PAGE_SIZE), n = 0;
	unsigned long long *chunk_ns, sum = 0, second = 0, start;
	void *shared = map_anon(size, MAP_NORESERVE);
	unsigned long pages = size / PAGE_SIZE;
	struct vm v;
	size_t c;
	int i;

	if (!chunks || size % (FAULT_CHUNK * PAGE_SIZE))
		errx(2, "the size is not a multiple of %lu KiB",
		     FAULT_CHUNK * PAGE_SIZE >> 10);
	chunk_ns = calloc(rounds * chunks, sizeof(*chunk_ns));
	if (!chunk_ns)
		err(1, "calloc");
	for (i = 0; i < rounds; i++) {
		vm_create(&v, size, size, shared, size, FAULT_CHUNK * PAGE_SIZE);
		if (legacy)
			vm_set_private(v.fd, GPA_BASE, size);
		for (c = 0; c < chunks; c++) {
			start = now_ns();
			guest_chunk(&v);
			chunk_ns[n] = now_ns() - start;
			sum += chunk_ns[n++];
		}
		guest_pass(&v);
		second += guest_pass(&v);
		vm_destroy(&v);
	}
	munmap(shared, size);
	qsort(chunk_ns, n, sizeof(*chunk_ns), cmp_ull);
	printf("%s %zu %llu %llu %llu\n", mode, size >> 20,
	       chunk_ns[n / 2] / FAULT_CHUNK, sum / (rounds * pages),
	       second / (rounds * pages));
	free(chunk_ns);
}

static unsigned long long thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		err(1, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void convert_pair(struct converter *c, enum phase p)
{
	bool private;
	int again;

	for (private = false; ; private = true) {
		/*
		 * A transient reference on a page makes a conversion to
		 * private fail with EAGAIN: try again.
		 */
		for (again = 0; gmem_convert(c->gmem[p], c->offset[p],
					     CONVERT_SIZE, private); again++) {
			if (errno != EAGAIN || again == MAX_EAGAIN)
				err(1, "KVM_SET_MEMORY_ATTRIBUTES2(offset %#lx, to %s)",
				    c->offset[p], private ? "private" : "shared");
			c->retries++;
		}
		if (private)
			return;
	}
}

/*
 * Every period, a conversion pair of what the phase says, if anything.
 * While it converts, @converting tells the vCPU thread not to start its
 * next chunk: a conversion belongs to the chunk of its phase.
 */
static void *convert_loop(void *arg)
{
	struct converter *c = arg;
	unsigned long long next = now_ns(), cpu;
	struct timespec ts;
	enum phase p;

	pin_to_cpu(1);
	while (!__atomic_load_n(&c->stop, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&c->converting, true, __ATOMIC_SEQ_CST);
		p = __atomic_load_n(&c->phase, __ATOMIC_SEQ_CST);
		if (c->gmem[p] >= 0) {
			cpu = thread_cpu_ns();
			convert_pair(c, p);
			c->cpu_ns[p] += thread_cpu_ns() - cpu;
			c->pairs[p]++;
		}
		__atomic_store_n(&c->converting, false, __ATOMIC_SEQ_CST);

		/* The next pair at a fixed rate, but no bursts to catch up. */
		next += c->period_ns;
		if (next < now_ns())
			next = now_ns();
		ts.tv_sec = next / 1000000000ULL;
		ts.tv_nsec = next % 1000000000ULL;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	return NULL;
}

/* Zap KVM's mappings of [0, @size) of @gmem, keeping the pages, private. */
static void unmap_from_guest(int gmem, size_t size)
{
	if (gmem_convert(gmem, 0, size, false))
		err(1, "converting the touched range to shared");
	while (gmem_convert(gmem, 0, size, true))
		if (errno != EAGAIN)
			err(1, "converting the touched range back");
}

static void bench_contend(size_t size, int rounds, unsigned long rate,
			  bool present)
{
	size_t chunks = size / (CONTEND_CHUNK * PAGE_SIZE), gmem_size = size + CONVERT_SIZE;
	unsigned long long ns[NR_PHASES] = { 0 }, second = 0, start;
	unsigned long pages[NR_PHASES] = { 0 };
	void *shared = map_anon(gmem_size, MAP_NORESERVE);
	struct converter conv = {
		.gmem = { [QUIET] = -1 }, .period_ns = 1000000000UL / rate,
	};
	size_t c, passes = present ? PRESENT_PASSES : 1;
	struct vm v, other;
	pthread_t thread;
	enum phase p;
	int i, r;

	if (!chunks || size % (CONTEND_CHUNK * PAGE_SIZE))
		errx(2, "the size is not a multiple of %lu KiB",
		     CONTEND_CHUNK * PAGE_SIZE >> 10);
	if (!in_place_enabled())
		errx(1, "contend needs kvm.gmem_in_place_conversion=1");
	for (i = 0; i < rounds; i++) {
		vm_create(&v, gmem_size, gmem_size, shared, size,
			  CONTEND_CHUNK * PAGE_SIZE);
		populate(v.gmem, size);
		if (present)
			guest_pass(&v);
		vm_create(&other, CONVERT_SIZE, CONVERT_SIZE, shared, 0, 0);
		populate(other.gmem, 0);
		conv.gmem[SAME] = v.gmem;
		conv.offset[SAME] = size;
		conv.gmem[OTHER] = other.gmem;
		conv.phase = QUIET;
		conv.stop = false;
		r = pthread_create(&thread, NULL, convert_loop, &conv);
		if (r)
			errx(1, "pthread_create: %s", strerror(r));

		for (c = 0; c < chunks * passes; c++) {
			/*
			 * Pages in the file, written, but not mapped by KVM:
			 * before each pass, a conversion to shared and back
			 * (untimed, the converter idle) zaps KVM's mappings
			 * and keeps the pages.  Faults on them are quick, so
			 * several passes give the converter time to work.
			 */
			if (present && !(c % chunks)) {
				__atomic_store_n(&conv.phase, QUIET, __ATOMIC_SEQ_CST);
				while (__atomic_load_n(&conv.converting, __ATOMIC_SEQ_CST))
					sched_yield();
				/* The exit that ends the previous pass. */
				if (c && guest_run(&v) == PORT_CHUNK)
					errx(1, "the guest's pass is longer than expected");
				unmap_from_guest(v.gmem, size);
			}
			p = (c + i) % NR_PHASES;
			__atomic_store_n(&conv.phase, p, __ATOMIC_SEQ_CST);
			while (__atomic_load_n(&conv.converting, __ATOMIC_SEQ_CST))
				sched_yield();
			start = now_ns();
			guest_chunk(&v);
			ns[p] += now_ns() - start;
			pages[p] += CONTEND_CHUNK;
		}

		/* No conversion after the timed chunks counts. */
		__atomic_store_n(&conv.phase, QUIET, __ATOMIC_SEQ_CST);
		__atomic_store_n(&conv.stop, true, __ATOMIC_SEQ_CST);
		r = pthread_join(thread, NULL);
		if (r)
			errx(1, "pthread_join: %s", strerror(r));
		guest_pass(&v);
		second += guest_pass(&v);
		vm_destroy(&other);
		vm_destroy(&v);
	}
	munmap(shared, gmem_size);

	for (p = 0; p < NR_PHASES; p++)
		if (!pages[p])
			errx(2, "too few chunks for every phase to get one");
	printf("contend %zu %llu %llu %llu %llu", size >> 20,
	       ns[QUIET] / pages[QUIET], ns[SAME] / pages[SAME],
	       ns[OTHER] / pages[OTHER], second / (rounds * size / PAGE_SIZE));
	for (p = SAME; p <= OTHER; p++) {
		/* Else the figure says nothing about conversions. */
		if (!conv.pairs[p])
			errx(1, "the converter converted nothing");
		printf(" %lu %.0f %.1f", conv.pairs[p], conv.pairs[p] * 1e9 / ns[p],
		       100.0 * conv.cpu_ns[p] / ns[p]);
	}
	printf("\n");
	if (conv.retries)
		fprintf(stderr, "%lu conversions to private retried after EAGAIN\n",
			conv.retries);
}

/* The value of VM statistic @name, through KVM_GET_STATS_FD. */
static unsigned long long vm_stat(int vm, const char *name)
{
	struct kvm_stats_header hdr;
	struct kvm_stats_desc *desc;
	unsigned long long value;
	size_t desc_size;
	char *descs;
	int fd, i;

	fd = ioctl(vm, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		err(1, "KVM_GET_STATS_FD");
	if (pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
		err(1, "read(stats header)");
	desc_size = sizeof(*desc) + hdr.name_size;
	descs = malloc(desc_size * hdr.num_desc);
	if (!descs)
		err(1, "malloc");
	if (pread(fd, descs, desc_size * hdr.num_desc, hdr.desc_offset) !=
	    (ssize_t)(desc_size * hdr.num_desc))
		err(1, "read(stats descriptors)");
	for (i = 0; i < hdr.num_desc; i++) {
		desc = (struct kvm_stats_desc *)(descs + i * desc_size);
		if (strcmp(desc->name, name))
			continue;
		if (pread(fd, &value, sizeof(value),
			  hdr.data_offset + desc->offset) != sizeof(value))
			err(1, "read(stat %s)", name);
		free(descs);
		close(fd);
		return value;
	}
	errx(1, "no VM statistic %s", name);
}

/* AnonHugePages of the mapping that starts at @addr, in KiB. */
static unsigned long anon_huge_kib(void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long start, end, kib = 0;
	bool found = false;
	char line[256];

	if (!f)
		err(1, "/proc/self/smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
			found = start == (unsigned long)addr;
		else if (found && sscanf(line, "AnonHugePages: %lu kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}

static void bench_hybrid(const char *mode, bool legacy)
{
	/* Room to align the mapping to 2MiB; the rest is unmapped. */
	size_t map_size = HYBRID_SIZE + HUGE_SIZE;
	char *map = map_anon(map_size, 0);
	char *mem = (char *)(((unsigned long)map + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	unsigned long long pages_2m;
	unsigned long thp_kib;
	struct vm v;

	if (mem > map)
		munmap(map, mem - map);
	if (map + map_size > mem + HYBRID_SIZE)
		munmap(mem + HYBRID_SIZE, map + map_size - (mem + HYBRID_SIZE));
	if (madvise(mem, HYBRID_SIZE, MADV_HUGEPAGE))
		err(1, "madvise(MADV_HUGEPAGE)");
	/* The shared half only; the private half is never used. */
	memset(mem, 1, HYBRID_SIZE / 2);
	thp_kib = anon_huge_kib(mem);

	vm_create(&v, HYBRID_SIZE, HYBRID_SIZE, mem, HYBRID_SIZE, HYBRID_SIZE);
	if (legacy) {
		vm_set_private(v.fd, GPA_BASE + HYBRID_SIZE / 2, HYBRID_SIZE / 2);
	} else if (gmem_convert(v.gmem, 0, HYBRID_SIZE / 2, false)) {
		err(1, "KVM_SET_MEMORY_ATTRIBUTES2(offset 0, %lu KiB, to shared)",
		    HYBRID_SIZE / 2 >> 10);
	}
	guest_pass(&v);
	pages_2m = vm_stat(v.fd, "pages_2m");
	vm_destroy(&v);
	munmap(mem, HYBRID_SIZE);
	printf("%s %llu %lu\n", mode, pages_2m, thp_kib);
}

static bool is_mode(const char *arg, const char *a, const char *b)
{
	return !strcmp(arg, a) || !strcmp(arg, b);
}

int main(int argc, char **argv)
{
	bool fault = argc == 5 && !strcmp(argv[1], "fault") &&
		     is_mode(argv[2], "inplace", "legacy");
	bool contend = (argc == 5 || argc == 6) && !strcmp(argv[1], "contend") &&
		       (argc == 5 || is_mode(argv[5], "fresh", "present"));
	bool hybrid = argc == 3 && !strcmp(argv[1], "hybrid") &&
		      is_mode(argv[2], "inplace", "legacy");
	int rounds = 0, size_arg = fault ? 3 : 2;
	unsigned long rate = 0;
	size_t size = 0;
	bool legacy;

	if (!fault && !contend && !hybrid)
		errx(2, "usage: %s fault inplace|legacy SIZE_MIB ROUNDS\n"
		     "       %s contend SIZE_MIB ROUNDS PAIRS_PER_S [fresh|present]\n"
		     "       %s hybrid inplace|legacy", argv[0], argv[0], argv[0]);
	legacy = !contend && !strcmp(argv[2], "legacy");
	if (!hybrid) {
		size = parse_size_count(argv + size_arg, &rounds, "rounds");
		/* The guest addresses its memory with 32 bits. */
		if (size > (1UL << 30))
			errx(2, "bad size (1 to 1024 MiB)");
	}
	if (contend) {
		rate = strtoul(argv[4], NULL, 0);
		if (!rate || rate > 1000000)
			errx(2, "bad rate (1 to 1000000 pairs per second)");
	}
	if ((fault || hybrid) && in_place_enabled() == legacy)
		errx(1, "%s needs kvm.gmem_in_place_conversion=%d", argv[2], !legacy);

	run_size = vcpu_mmap_size();
	pin_to_cpu(0);

	if (fault)
		bench_fault(argv[2], size, rounds, legacy);
	else if (contend)
		bench_contend(size, rounds, rate,
			      argc == 6 && !strcmp(argv[5], "present"));
	else
		bench_hybrid(argv[2], legacy);
	return 0;
}
