# SPDX-License-Identifier: GPL-2.0
#
# memlab: build the module, run its tests, show it working.
#
#   make [KDIR=<kernel build dir>]   build memlab.ko (default: the running kernel)
#   make check                       all tests: UML (KUnit, KASAN, lockdep), x86 (SMP, RT,
#                                    KASAN, lockdep, CMA under QEMU -smp 4), QEMU (stock kernel)
#   make check-uml | check-x86 | check-qemu | check-dkms   one environment (check-qemu:
#                                    Debian 12's 6.1 and 6.12 kernels; check-dkms: dkms build
#                                    against both kernels' headers)
#   make install [KDIR=...]          modules_install (to /lib/modules/<kver>/updates) + depmod
#   make dkms-install [KDIR=...]     copy the sources to /usr/src/memlab-$(VERSION), then
#                                    dkms add (once), build and install for <kver>; dkms then
#                                    rebuilds memlab for every kernel installed later
#   make dkms-uninstall              dkms remove --all, and the copy in /usr/src goes
#   make demo                        boot memlab in UML and show what debugfs shows
#   make bench                       memlab beside the kernel's allocators, in one boot
#   make bench-smp                   thread scaling (1, 2, 4 CPUs) on Debian's 6.12 under QEMU
#   make fuzz [FUZZ_TIME=60]         fuzz each layer in user space for FUZZ_TIME seconds
#                                    (tools/testing/: ASan, UBSan, libFuzzer; see its README)
#   make clean

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(CURDIR)
# The release of the kernel in KDIR, as its modules directory is named
# (6.1.0-57-amd64; Debian's include/config/kernel.release says 6.1.192).
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
# memlab's version: written once, in dkms.conf.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)

# DKMS_SOURCETREE and DKMS_FLAGS (e.g. --dkmstree, --installtree) let
# scripts/dkms-check.sh run these targets in a private tree.
DKMS_SOURCETREE ?= /usr/src
DKMS_FLAGS ?=
DKMS := dkms --sourcetree $(DKMS_SOURCETREE) $(DKMS_FLAGS)
DKMS_SRC := $(DKMS_SOURCETREE)/memlab-$(VERSION)

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

check-fuzz:
	bash scripts/check.sh fuzz

check-x86:
	bash scripts/check.sh x86

check-qemu:
	bash scripts/check.sh qemu

check-dkms:
	bash scripts/check.sh dkms

# INSTALL_MOD_PATH=<dir> installs under <dir> instead of /.
install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)

dkms-install:
	@test -n "$(KVER)" || { echo "no kernel release found in $(KDIR)" >&2; exit 1; }
	@test -n "$(VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	bash scripts/copy-module.sh $(CURDIR) $(DKMS_SRC)
	cp dkms.conf $(DKMS_SRC)/
	$(DKMS) status -m memlab -v $(VERSION) | grep -q . || $(DKMS) add -m memlab -v $(VERSION)
	$(DKMS) build -m memlab -v $(VERSION) -k $(KVER) --kernelsourcedir $(KDIR) --force
	$(DKMS) install -m memlab -v $(VERSION) -k $(KVER) --kernelsourcedir $(KDIR) --force

dkms-uninstall:
	@test -n "$(VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	$(DKMS) remove -m memlab -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

demo:
	bash scripts/demo.sh

bench:
	bash scripts/bench.sh

bench-smp:
	bash scripts/bench-smp.sh

FUZZ_TIME ?= 60
fuzz:
	$(MAKE) -C tools/testing fuzz FUZZ_TIME=$(FUZZ_TIME)

.PHONY: all modules clean check check-uml check-fuzz check-x86 check-qemu check-dkms install dkms-install \
	dkms-uninstall demo bench bench-smp fuzz
