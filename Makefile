# SPDX-License-Identifier: GPL-2.0
#
# fastfault: the module, faultctl, and the tests.
#
#   make                  faultctl
#   make module           fastfault.ko for KERNELRELEASE (default: running)
#   make install          faultctl, its man page, bash completion, the unit
#   make deb              Debian packages fastfault-dkms and faultctl (build/deb)
#   make dkms-install     register the module with DKMS and build and
#                         install it for every kernel that has headers
#   make check            every test, in QEMU on every supported kernel
#   make check-mm         the kernel's mm selftests, stock vs fastfault, in QEMU
#   make check-debug      the guest suites on a lockdep/KASAN/kmemleak
#                         build of Debian's 6.12 (built once, cached)
#   make demo             the product working, in QEMU
#   make bench            the benchmark suite, in QEMU
#   make bench-native     the same programs on this machine's own kernel
#   make bench-zeroing    clear_page vs movnti for the page pool, on this CPU

VERSION := $(shell cat VERSION)
KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
PREFIX ?= /usr/local
DESTDIR ?=
DKMS_SRC := $(DESTDIR)/usr/src/fastfault-$(VERSION)

all: faultctl

faultctl:
	$(MAKE) -C tools/faultctl

module:
	$(MAKE) -C module KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR)

install: faultctl
	$(MAKE) -C tools/faultctl install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

unit:
	$(MAKE) -C tools/faultctl test

check:
	tests/check

check-debug:
	tests/check-debug

demo:
	tests/demo

bench:
	tests/bench

bench-native:
	tests/bench --native

check-mm:
	tests/check-mm

bench-zeroing:
	mkdir -p build
	$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -o build/zerobench bench/zerobench.c
	build/zerobench $(ZEROBENCH_ARGS)

# DKMS gets only what building the module needs, not the work tree.
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/module/probes $(DKMS_SRC)/include/uapi/linux
	cp dkms.conf VERSION $(DKMS_SRC)/
	cp module/*.c module/*.h module/Kbuild module/Makefile module/probe.sh \
		$(DKMS_SRC)/module/
	cp module/probes/*.c $(DKMS_SRC)/module/probes/
	cp include/uapi/linux/fastfault.h $(DKMS_SRC)/include/uapi/linux/

dkms-add: dkms-src
	dkms add -m fastfault -v $(VERSION)

dkms-install: dkms-add
	set -e; for b in /lib/modules/*/build; do \
		k=$${b%/build}; k=$${k##*/}; \
		dkms install -m fastfault -v $(VERSION) -k $$k; \
	done

dkms-remove:
	-dkms remove -m fastfault -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# Debian packages, from what is committed plus the working tree's changes
# (git ls-files): build/deb/fastfault-dkms_*.deb and faultctl_*.deb
DEB_DIR := build/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/fastfault-$(VERSION)
	git ls-files -co --exclude-standard | grep -v '^bench/results/' | \
		tar -cT - | tar -x -C $(DEB_DIR)/fastfault-$(VERSION)
	cd $(DEB_DIR)/fastfault-$(VERSION) && \
		dpkg-buildpackage -us -uc -b --no-sign >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; exit 1; }
	@ls $(DEB_DIR)/*.deb

clean:
	-$(MAKE) -C module clean KERNELRELEASE=$(KERNELRELEASE) KDIR=$(KDIR)
	-$(MAKE) -C tools/faultctl clean
	rm -rf build

.PHONY: all faultctl module install unit check check-mm check-debug demo bench \
	bench-native \
	bench-zeroing dkms-src dkms-add dkms-install dkms-remove deb clean
