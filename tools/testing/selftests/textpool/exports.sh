#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# textpool hands out read-only + executable memory and writes into it: no
# module needs that, so none of its functions is exported, with a single
# exception for test kernels.  When its stress test is a module
# (CONFIG_TEST_TEXTPOOL=m, test_textpool.ko), the functions the test calls
# are exported in the TEXTPOOL_TEST namespace, and nothing else.
#
# Exported symbols have a __ksymtab_ entry in /proc/kallsyms
# (CONFIG_KALLSYMS_ALL); vfree's shows that the check can see one.  The
# guest has no nm: the functions test_textpool.ko imports are listed
# below, and each must be a symbol name of the module file.

. "$(dirname "$0")/textpool_lib.sh"

KO=${TP_TEST_MODULE:-/modules/test_textpool.ko}
# What mm/test_textpool.c calls of textpool (EXPORT_SYMBOL_IF_TEXTPOOL_TEST).
TEST_IMPORTS="
arch_textpool_fill_byte
textpool_alloc_node
textpool_bad_free_count
textpool_contains
textpool_copy
textpool_enabled
textpool_free
textpool_get_stats
textpool_get_user_stats
textpool_is_fallback
textpool_max_chunks
textpool_max_chunks_limit
textpool_refill_all
textpool_reserve_chunks
textpool_set
textpool_set_enabled
textpool_set_max_chunks
textpool_set_reserve_chunks
textpool_space_state
"

ktap_print_header
ktap_set_plan 3

if grep -q ' __ksymtab_vfree$' /proc/kallsyms; then
	ktap_test_pass "exported symbols are visible in /proc/kallsyms (vfree)"
else
	ktap_test_fail "exported symbols are visible in /proc/kallsyms (vfree)"
fi

exported=$(grep -E ' __ksymtab_(textpool_|arch_textpool_)' /proc/kallsyms |
	   awk '{ print $3 }' | sed 's/^__ksymtab_//' | sort)

if [ ! -f "$KO" ]; then
	if [ -z "$exported" ]; then
		ktap_test_pass "no textpool function is exported (no test module)"
	else
		ktap_print_msg "exported:" $exported
		ktap_test_fail "no textpool function is exported (no test module)"
	fi
	ktap_test_skip "test_textpool.ko imports the TEXTPOOL_TEST namespace (no $KO)"
	ktap_finished
	exit 0
fi

# The NUL-terminated strings of the module: its symbol names, its modinfo.
tr '\0' '\n' <"$KO" >/tmp/exports.strings
for sym in $exported; do
	if ! echo "$TEST_IMPORTS" | grep -qx "$sym"; then
		bad "$sym is exported, but the test does not need it"
	elif ! grep -qx "$sym" /tmp/exports.strings; then
		bad "$sym is exported, but $KO does not use it"
	fi
done
for sym in $TEST_IMPORTS; do
	echo "$exported" | grep -qx "$sym" || bad "$sym is not exported"
done
n=$(echo "$TEST_IMPORTS" | grep -c .)
check "textpool exports only the $n functions test_textpool.ko needs"

grep -qx 'import_ns=TEXTPOOL_TEST' /tmp/exports.strings ||
	bad "no import_ns=TEXTPOOL_TEST in the modinfo of $KO"
check "test_textpool.ko imports the TEXTPOOL_TEST namespace"
rm -f /tmp/exports.strings
ktap_finished
