# SPDX-License-Identifier: GPL-2.0
#
# textpool driver.  The two commands of the README:
#   make run     build everything, boot the guest, run the demo workload
#   make check   all tests: host, patch hygiene, kernel build, guest
# and the ones for working on textpool:
#   make tree         build/linux: the base + patches/ + our files (links)
#   make refresh      save edits made to upstream files in build/linux
#                     into patches/ (PATCH=name or NEW="subject" to choose)
#   make patch        out/textpool-6.12.patch and out/series/
#   make kernel       build/linux's bzImage, incrementally (ccache)
#   make kernel-base  the pristine base with the same configuration
#   make kernel-mainline  mainline 7.3 (Debian) with the same configuration
#   make shell        an interactive guest (leave it with 'poweroff -f')
#   make check-series every prefix of the series builds (bisectable), and
#                     the series without its tests; see README.md
#   make check-debug  the guest tests on a debug kernel (KASAN, kmemleak,
#                     lockdep, ...) with a long stress run; see README.md
#   make bench        benchmarks: base 6.12, textpool and mainline 7.3 side
#                     by side in the guest; out/bench.{md,json,png}
#   make clean        remove build/ and out/ (the cache of the base stays)
# BUILD=dir puts the trees elsewhere; TP_ACCEL=kvm tries KVM.

BUILD ?= $(CURDIR)/build
export TP_BUILD := $(abspath $(BUILD))
DEV := $(CURDIR)/dev

.PHONY: all deps tree refresh patch kernel kernel-base kernel-mainline bench-smoke run shell check check-series check-debug bench clean

all: kernel

deps:
	@bash -c '. $(DEV)/common.sh; tp_need_pkgs $$TP_HOST_PKGS'

tree: deps
	@$(DEV)/mktree.sh

refresh:
	@$(DEV)/refresh.sh

patch: tree
	@$(DEV)/mkpatch.sh

kernel: tree
	@$(DEV)/kbuild.sh $(TP_BUILD)/linux build

kernel-base: deps
	@$(DEV)/mktree.sh --base
	@$(DEV)/kbuild.sh $(TP_BUILD)/linux-base build

kernel-mainline: deps
	@$(DEV)/mktree.sh --mainline
	@$(DEV)/kbuild.sh $(TP_BUILD)/linux-7.3 build

run: kernel
	@TP_QUIET=1 $(DEV)/guest.sh $(TP_BUILD)/linux run $(TP_BUILD)/run.log 900
	@grep -E '^textpool-demo' $(TP_BUILD)/run.log | sed 's/^textpool-demo: //' 

shell: kernel
	@$(DEV)/guest.sh $(TP_BUILD)/linux shell /dev/null

check: tree
	@$(DEV)/check.sh

check-series: tree
	@FROM=$(FROM) $(DEV)/check-series.sh

check-debug: deps
	@$(DEV)/check-debug.sh

bench: kernel kernel-base kernel-mainline
	@$(DEV)/bench.sh

clean:
	rm -rf $(TP_BUILD) $(CURDIR)/out
