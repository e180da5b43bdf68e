#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure: dropping the slab caches runs every shrinker, and
# textpool's gives the empty chunks back (stats/shrunk_chunks); the reserve
# chunks among them are made again once the pressure is over.

. "$(dirname "$0")/textpool_lib.sh"

ktap_print_header
ktap_set_plan 2

c0=$(cat "$TP/stats/chunks")
s0=$(cat "$TP/stats/shrunk_chunks")
sync
echo 2 >/proc/sys/vm/drop_caches
c1=$(cat "$TP/stats/chunks")
s1=$(cat "$TP/stats/shrunk_chunks")
msg="under pressure, empty chunks are given back"
msg="$msg (chunks $c0 -> $c1, shrunk_chunks $s0 -> $s1)"
if [ "$s1" -gt "$s0" ] && [ "$c1" -lt "$c0" ]; then
	ktap_test_pass "$msg"
else
	ktap_test_fail "$msg"
fi

i=0
while [ "$(cat "$TP/stats/chunks")" -lt "$c0" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
c2=$(cat "$TP/stats/chunks")
msg="the reserve returns when the pressure is over"
if [ "$c2" -eq "$c0" ]; then
	ktap_test_pass "$msg ($c2 chunks after $((i / 10)).$((i % 10)) s)"
else
	ktap_test_fail "$msg ($c2 of $c0 chunks after 10 s)"
fi
ktap_finished
