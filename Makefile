# guest_memfd series: fetch the base, apply the series, build, boot, test.
# See README.md.  Every recipe is a script under scripts/.

BUILD      ?= build
CACHE      ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/gmem-series
KSRC       ?=
TREE       := $(BUILD)/linux
KOUT       := $(BUILD)/kernel-x86_64
STOUT      := $(BUILD)/selftests-x86_64
RESULTS    := $(BUILD)/results
BZIMAGE    := $(KOUT)/arch/x86/boot/bzImage
HDRS       := $(KOUT)/usr/include
FRAGMENT   := config/x86_64-test-vm.config
TESTS      := config/x86_64-tests.txt
DEMO       := config/x86_64-demo.txt
BENCH      := config/x86_64-bench.txt
CMDLINE    ?= kvm.gmem_in_place_conversion=1 init_on_free=1
S          := scripts

# KASAN leg: the x86_64 kernel plus KASAN and kmemleak, running the host-side
# tests and the stress test with the x86_64 selftest binaries.
KOUT_KASAN     := $(BUILD)/kernel-kasan
BZIMAGE_KASAN  := $(KOUT_KASAN)/arch/x86/boot/bzImage
FRAGMENT_KASAN := $(FRAGMENT),config/x86_64-kasan.config
TESTS_KASAN    := config/x86_64-kasan-tests.txt
# 4-level paging.  With 5-level paging (QEMU's -cpu max has LA57), an
# interrupt at boot while identify_cpu() has cleared boot_cpu_data's feature
# bits makes KASAN size the address space for 4 levels and report a wild
# access in the interrupt handler: a false report of the base kernel.
CMDLINE_KASAN  ?= $(CMDLINE) no5lvl
STRESS         := config/x86_64-stress.txt

# arm64 leg: KVM in protected mode (pKVM) at an emulated EL2, cross-built.
CROSS_ARM64    ?= aarch64-linux-gnu-
KOUT_ARM64     := $(BUILD)/kernel-arm64
STOUT_ARM64    := $(BUILD)/selftests-arm64
IMAGE_ARM64    := $(KOUT_ARM64)/arch/arm64/boot/Image
FRAGMENT_ARM64 := config/arm64-test-vm.config
TESTS_ARM64    := config/arm64-tests.txt
CMDLINE_ARM64  ?= kvm.gmem_in_place_conversion=1

.PHONY: all demo check deps base tree export kernel selftests initramfs \
	vm-test bench checkpatch check-bisect clean help \
	kernel-arm64 selftests-arm64 initramfs-arm64 vm-test-arm64 \
	kernel-kasan initramfs-kasan vm-test-kasan stress stress-lockdep stress-kasan b4

# The x86_64 demo, then the arm64 leg, whose tests show the pKVM side,
# then one line per feature with what each showed.
all:
	@rc=0; $(MAKE) --no-print-directory demo || rc=1; \
	$(MAKE) --no-print-directory vm-test-arm64 || rc=1; \
	echo; $(S)/feature-table.sh $(RESULTS); exit $$rc

help:
	@echo "make            build the patched kernels, boot them, run the demo"
	@echo "                (x86_64) and the pKVM tests (arm64)"
	@echo "make check      checkpatch, build, run every test in the VM"
	@echo "make tree       scratch kernel tree with the series applied ($(TREE))"
	@echo "make export     regenerate patches/ from the scratch tree's commits"
	@echo "make bench      run the benchmarks in the test VM"
	@echo "make check-bisect  build the kernel and selftests at every patch"
	@echo "make vm-test-arm64  run the arm64 (pKVM) tests in the arm64 test VM"
	@echo "make vm-test-kasan  run the host-side tests and the stress test on a"
	@echo "                KASAN + kmemleak kernel (x86_64)"
	@echo "make stress     the stress test 20 times, on both x86_64 kernels"
	@echo "make b4         write the series' mails with b4, offline, to $(RESULTS)/b4"
	@echo "make kernel | selftests | vm-test | checkpatch | clean"
	@echo "make kernel-arm64 | selftests-arm64"

deps:
	@$(S)/install-deps.sh

base: deps
	@$(if $(KSRC),test -f $(KSRC)/Makefile || { echo "KSRC=$(KSRC) is not a kernel tree"; exit 1; },$(S)/fetch-base.sh $(CACHE) >/dev/null)

tree: base
	@$(S)/make-tree.sh $(or $(KSRC),$(CACHE)/linux-7.3) $(TREE) patches

export:
	@$(S)/export-patches.sh $(TREE) patches

kernel: tree
	@echo "kernel: building $(BZIMAGE)"
	@$(S)/timed.sh $(RESULTS)/timings.txt kernel \
		$(S)/build-kernel.sh $(TREE) $(KOUT) $(FRAGMENT) x86_64

selftests: kernel
	@echo "selftests: building the KVM selftests and the demo"
	@$(S)/timed.sh $(RESULTS)/timings.txt selftests \
		$(S)/build-selftests.sh $(TREE) $(HDRS) $(STOUT) $(TESTS) x86_64
	@mkdir -p $(STOUT)/demo $(STOUT)/bench
	@gcc -Wall -O2 -static -isystem $(HDRS) demo/gmem_demo.c -o $(STOUT)/demo/gmem_demo
	@for src in bench/*.c; do \
		gcc -Wall -O2 -static -isystem $(HDRS) $$src \
			-o $(STOUT)/bench/$$(basename $$src .c) || exit 1; \
	done
	@cp bench/*.sh $(STOUT)/bench/

initramfs: selftests
	@$(S)/make-initramfs.sh $(BUILD)/initramfs-x86_64.cpio.gz \
		$$(command -v busybox) $(KOUT) $(STOUT) $(TESTS) $(DEMO) $(BENCH)

vm-test: initramfs
	@echo "vm-test: booting the test VM (TCG, nested SVM); this takes a while"
	@$(S)/timed.sh $(RESULTS)/timings.txt vm-test \
		$(S)/run-vm.sh x86_64 $(BZIMAGE) $(BUILD)/initramfs-x86_64.cpio.gz \
		$(notdir $(TESTS)) $(RESULTS)/vm-test "$(CMDLINE)"

bench: initramfs
	@echo "bench: booting the test VM for the benchmarks"
	@$(S)/timed.sh $(RESULTS)/timings.txt bench \
		$(S)/run-vm.sh x86_64 $(BZIMAGE) $(BUILD)/initramfs-x86_64.cpio.gz \
		$(notdir $(BENCH)) $(RESULTS)/bench "$(CMDLINE)"

demo: initramfs
	@$(S)/run-vm.sh x86_64 $(BZIMAGE) $(BUILD)/initramfs-x86_64.cpio.gz \
		$(notdir $(DEMO)) $(RESULTS)/demo "$(CMDLINE)"

kernel-kasan: tree
	@echo "kernel-kasan: building $(BZIMAGE_KASAN)"
	@$(S)/timed.sh $(RESULTS)/timings.txt kernel-kasan \
		$(S)/build-kernel.sh $(TREE) $(KOUT_KASAN) $(FRAGMENT_KASAN) x86_64

initramfs-kasan: selftests kernel-kasan
	@$(S)/make-initramfs.sh $(BUILD)/initramfs-kasan.cpio.gz \
		$$(command -v busybox) $(KOUT_KASAN) $(STOUT) $(TESTS_KASAN)

vm-test-kasan: initramfs-kasan
	@echo "vm-test-kasan: booting the KASAN test VM (TCG, nested SVM)"
	@$(S)/timed.sh $(RESULTS)/timings.txt vm-test-kasan \
		$(S)/run-vm.sh x86_64 $(BZIMAGE_KASAN) $(BUILD)/initramfs-kasan.cpio.gz \
		$(notdir $(TESTS_KASAN)) $(RESULTS)/vm-test-kasan "$(CMDLINE_KASAN)"

# Both runs happen even if the first fails (make -k).
stress:
	@$(MAKE) -k --no-print-directory stress-lockdep stress-kasan

stress-lockdep: selftests
	@$(S)/make-initramfs.sh $(BUILD)/initramfs-stress.cpio.gz \
		$$(command -v busybox) $(KOUT) $(STOUT) $(STRESS)
	@echo "stress: $(STRESS) on the lockdep kernel"
	@$(S)/timed.sh $(RESULTS)/timings.txt stress-lockdep \
		$(S)/run-vm.sh x86_64 $(BZIMAGE) $(BUILD)/initramfs-stress.cpio.gz \
		$(notdir $(STRESS)) $(RESULTS)/stress "$(CMDLINE)"

stress-kasan: selftests kernel-kasan
	@$(S)/make-initramfs.sh $(BUILD)/initramfs-stress-kasan.cpio.gz \
		$$(command -v busybox) $(KOUT_KASAN) $(STOUT) $(STRESS)
	@echo "stress: $(STRESS) on the KASAN kernel"
	@$(S)/timed.sh $(RESULTS)/timings.txt stress-kasan \
		$(S)/run-vm.sh x86_64 $(BZIMAGE_KASAN) $(BUILD)/initramfs-stress-kasan.cpio.gz \
		$(notdir $(STRESS)) $(RESULTS)/stress-kasan "$(CMDLINE_KASAN)"

kernel-arm64: tree
	@echo "kernel-arm64: building $(IMAGE_ARM64)"
	@$(S)/timed.sh $(RESULTS)/timings.txt kernel-arm64 \
		$(S)/build-kernel.sh $(TREE) $(KOUT_ARM64) $(FRAGMENT_ARM64) arm64 $(CROSS_ARM64)

selftests-arm64: kernel-arm64
	@echo "selftests-arm64: building the arm64 KVM selftests"
	@$(S)/timed.sh $(RESULTS)/timings.txt selftests-arm64 \
		$(S)/build-selftests.sh $(TREE) $(KOUT_ARM64)/usr/include $(STOUT_ARM64) \
		$(TESTS_ARM64) arm64 $(CROSS_ARM64)

initramfs-arm64: selftests-arm64
	@busybox=$$($(S)/fetch-busybox-arm64.sh $(CACHE)) && \
	$(S)/make-initramfs.sh $(BUILD)/initramfs-arm64.cpio.gz \
		"$$busybox" $(KOUT_ARM64) $(STOUT_ARM64) $(TESTS_ARM64)

vm-test-arm64: initramfs-arm64
	@echo "vm-test-arm64: booting the arm64 test VM (TCG, pKVM at EL2)"
	@$(S)/timed.sh $(RESULTS)/timings.txt vm-test-arm64 \
		$(S)/run-vm.sh arm64 $(IMAGE_ARM64) $(BUILD)/initramfs-arm64.cpio.gz \
		$(notdir $(TESTS_ARM64)) $(RESULTS)/vm-test-arm64 "$(CMDLINE_ARM64)"

check-bisect: tree
	@$(S)/fetch-sparse.sh $(CACHE) $(TREE) >/dev/null
	@echo "check-bisect: x86_64"
	@SPARSE=$$($(S)/fetch-sparse.sh $(CACHE) $(TREE)) $(S)/check-bisect.sh $(TREE) $(BUILD)/bisect $(FRAGMENT) $(TESTS) x86_64
	@echo "check-bisect: arm64"
	@SPARSE=$$($(S)/fetch-sparse.sh $(CACHE) $(TREE)) $(S)/check-bisect.sh $(TREE) $(BUILD)/bisect-arm64 $(FRAGMENT_ARM64) $(TESTS_ARM64) \
		arm64 $(CROSS_ARM64)

b4: tree
	@base=$$(git -C $(TREE) log --format=%H --grep='(base tree)' -1) && \
	[ -n "$$base" ] || { echo "b4: no base commit in $(TREE)"; exit 1; } && \
	$(S)/b4-send.sh $(TREE) "$$base" $(RESULTS)/b4

checkpatch: tree
	@mkdir -p $(RESULTS)
	@$(S)/checkpatch.sh $(TREE) patches $(RESULTS)/checkpatch.txt

check: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	@$(S)/timed.sh $(RESULTS)/timings.txt check $(MAKE) -k --no-print-directory checkpatch b4 vm-test bench vm-test-arm64 vm-test-kasan
	@cat $(RESULTS)/timings.txt
	@$(S)/summarize.sh $(RESULTS)

clean:
	rm -rf $(BUILD)
