#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest mode check-debug: the debug kernel of make check-debug (KASAN,
# kmemleak, DEBUG_VM, DEBUG_PAGEALLOC, KFENCE, UBSAN, lockdep, ...).  The
# KUnit suites ran during boot.  Here: the textpool kselftests, with the
# stress test made long (TP_STRESS_THREADS x TP_STRESS_ITERATIONS per case,
# over all the nodes), then a kmemleak scan that must find nothing.  The
# host reads the results and the splats from the console.
KMEMLEAK=/sys/kernel/debug/kmemleak
# The host passes the stress test's size on the kernel command line.
TP_STRESS_THREADS=4
TP_STRESS_ITERATIONS=35000
for arg in $(cat /proc/cmdline); do
	case $arg in
	tp.stress_threads=*) TP_STRESS_THREADS=${arg#*=} ;;
	tp.stress_iterations=*) TP_STRESS_ITERATIONS=${arg#*=} ;;
	esac
done
export TP_STRESS_THREADS TP_STRESS_ITERATIONS
rc=0

# Objects boot and KUnit left unreferenced are suspects now, not later:
# report them here, then mark them seen so that the scan after the tests
# reports only what the tests leaked.
kmemleak_scan() {
	echo scan >$KMEMLEAK
	# An object must be unreferenced in two scans, 5 s apart, to count.
	sleep 6
	echo scan >$KMEMLEAK
	grep -c '^unreferenced object' $KMEMLEAK
}

echo "textpool-debug: stress test: $TP_STRESS_THREADS threads x $TP_STRESS_ITERATIONS ops per case"
if [ ! -w $KMEMLEAK ]; then
	echo "textpool-debug: no $KMEMLEAK (CONFIG_DEBUG_KMEMLEAK=n?)"
	exit 1
fi
boot_leaks=$(kmemleak_scan)
if [ "$boot_leaks" != 0 ]; then
	cat $KMEMLEAK
fi

start=$(date +%s)
cd /selftests && ./run_kselftest.sh --override-timeout 5400
rc=$?
cd /
echo "textpool-debug: kselftests took $(($(date +%s) - start)) s"

leaks=$(kmemleak_scan)
echo "KTAP version 1"
echo "1..2"
if [ "$boot_leaks" = 0 ]; then
	echo "ok 1 kmemleak: no suspects after boot and KUnit"
else
	echo "not ok 1 kmemleak: $boot_leaks suspects after boot and KUnit"
fi
if [ "$leaks" = 0 ]; then
	echo "ok 2 kmemleak: no suspects after the kselftests and the stress test"
else
	cat $KMEMLEAK
	echo "not ok 2 kmemleak: $leaks suspects after the kselftests and the stress test"
fi
exit $rc
