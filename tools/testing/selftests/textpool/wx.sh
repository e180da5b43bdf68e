#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# After the other textpool tests loaded and unloaded their text: no
# mapping of the kernel page tables is writable and executable at once,
# and the boot-time W+X check (CONFIG_DEBUG_WX) passed.

. "$(dirname "$0")/textpool_lib.sh"

ktap_print_header
[ -r "$PTDUMP" ] || { ktap_skip_all "no $PTDUMP"; exit "$KSFT_SKIP"; }
ktap_set_plan 2

wx=$(awk '
/^---\[ / { section = $0; next }
/^0x/ {
	rw = 0; x = 0
	for (i = 2; i <= NF; i++) {
		if ($i == "RW") rw = 1
		if ($i == "x") x = 1
	}
	if (rw && x) { print section ": " $0; n++ }
}' "$PTDUMP")
if [ -z "$wx" ]; then
	ktap_test_pass "no W+X mapping in $PTDUMP"
else
	echo "$wx" | head -n 20 | while read -r line; do ktap_print_msg "W+X: $line"; done
	ktap_test_fail "no W+X mapping in $PTDUMP"
fi

if ! dmesg | grep -q 'Checked W+X mappings'; then
	ktap_test_skip "boot-time W+X check (not in the kernel log)"
elif dmesg | grep 'Checked W+X mappings' | grep -q 'passed'; then
	ktap_test_pass "boot-time W+X check passed"
else
	ktap_test_fail "boot-time W+X check: $(dmesg | grep 'Checked W+X mappings')"
fi

ktap_print_msg "direct_map_level2_splits since boot: $(tp_l2_splits)," \
	"executable 4K in Modules: $(tp_modules_x4k)"
ktap_finished
