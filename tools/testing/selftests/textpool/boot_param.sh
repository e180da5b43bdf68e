#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# textpool= with a value other than on or off is reported once in the
# kernel log and changes nothing: textpool stays enabled.  make check boots
# its first guest with textpool=bogus for this test.

. "$(dirname "$0")/textpool_lib.sh"

ktap_print_header
val=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^textpool=//p' | tail -n 1)
case $val in
""|on|off)
	ktap_skip_all "booted without a bad textpool= value (got '${val:-none}')"
	exit "$KSFT_SKIP"
	;;
esac
ktap_set_plan 2

n=$(dmesg | grep -c "textpool: ignoring textpool=$val (expected on or off)")
if [ "$n" = 1 ]; then
	ktap_test_pass "textpool=$val is reported once in the kernel log"
else
	ktap_test_fail "textpool=$val is reported once in the kernel log ($n times)"
fi

if [ "$(cat "$TP/enabled")" = 1 ]; then
	ktap_test_pass "textpool=$val keeps the default: enabled reads 1"
else
	ktap_test_fail "textpool=$val keeps the default: enabled reads $(cat "$TP/enabled")"
fi
ktap_finished
