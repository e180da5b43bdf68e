#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# textpool hands out read-only + executable memory and writes into it: no
# module needs that, so none of its functions is exported.  Exported
# symbols have a __ksymtab_ entry in /proc/kallsyms (CONFIG_KALLSYMS_ALL);
# vfree's shows that the check can see one.

. "$(dirname "$0")/textpool_lib.sh"

ktap_print_header
ktap_set_plan 2

if grep -q ' __ksymtab_vfree$' /proc/kallsyms; then
	ktap_test_pass "exported symbols are visible in /proc/kallsyms (vfree)"
else
	ktap_test_fail "exported symbols are visible in /proc/kallsyms (vfree)"
fi

exported=$(grep -E ' __ksymtab_(textpool_|arch_textpool_)' /proc/kallsyms |
	   awk '{ print $3 }' | sed 's/^__ksymtab_//' | tr '\n' ' ')
if [ -z "$exported" ]; then
	ktap_test_pass "no textpool function is exported"
else
	ktap_test_fail "no textpool function is exported (exported: $exported)"
fi
ktap_finished
