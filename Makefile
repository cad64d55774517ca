# SPDX-License-Identifier: GPL-2.0
#
# memlab: build the module, run its tests, show it working.
#
#   make [KDIR=<kernel build dir>]   build memlab.ko (default: the running kernel)
#   make check                       all tests: UML (KUnit, KASAN, lockdep), x86 (SMP, RT,
#                                    KASAN, lockdep, CMA under QEMU -smp 4), QEMU (stock kernel)
#   make check-uml | check-x86 | check-qemu   one environment
#   make demo                        boot memlab in UML and show what debugfs shows
#   make bench                       memlab beside the kernel's allocators, in one boot
#   make fuzz [FUZZ_TIME=60]         fuzz each layer in user space for FUZZ_TIME seconds
#                                    (tools/testing/: ASan, UBSan, libFuzzer; see its README)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || \
		find . \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '*.order' -o -name Module.symvers \) -delete
	rm -rf out

check:
	bash scripts/check.sh all

check-uml:
	bash scripts/check.sh uml

check-x86:
	bash scripts/check.sh x86

check-qemu:
	bash scripts/check.sh qemu

demo:
	bash scripts/demo.sh

bench:
	bash scripts/bench.sh

FUZZ_TIME ?= 60
fuzz:
	$(MAKE) -C tools/testing fuzz FUZZ_TIME=$(FUZZ_TIME)

.PHONY: all modules clean check check-uml check-x86 check-qemu demo bench fuzz
