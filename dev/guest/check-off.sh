#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest mode check-off (booted with textpool=off): every user of textpool
# still works as on the base kernel, through the fallback path, and the
# pools stay empty.  BPF falls back to 6.12's bpf_prog_pack: the workload
# of the base figures must give what it gives on the CONFIG_TEXTPOOL=n
# kernel (make check compares the two boots).  KTAP on the console.
. /tp/ktap-lib.sh
TP=/sys/kernel/mm/textpool
stat() { cat "$TP/$1" 2>/dev/null || echo -1; }

echo "KTAP version 1"
echo "1..16"
[ "$(stat enabled)" = 0 ]
result $? "textpool=off: enabled reads 0"
base_figures
pack_checks

fb0=$(stat stats/fallback_allocs)
out=$(tp-bpf-load 100 </dev/null)
echo "# $out"
echo "$out" | grep -q 'the last returned 1099 (expected 1099)'
result $? "100 BPF programs load and run"
fb1=$(stat stats/fallback_allocs)
[ "$fb1" -ge $((fb0 + 100)) ]
result $? "BPF programs took the fallback path ($fb0 -> $fb1 fallback_allocs)"

# The workload's kprobes on function entries left the trampoline of
# kprobes' static ftrace_ops, which ftrace keeps for reuse (as on the base):
# what is given back is counted from here.
fa0=$(stat users/ftrace/allocations)
d=$T/instances/tp_off
mkdir $d && echo vfs_read >$d/set_ftrace_filter && echo function >$d/current_tracer
workload
hits=$(cat $d/per_cpu/cpu*/stats | awk '$1 == "entries:" { n += $2 } END { print n + 0 }')
[ "$hits" -gt 0 ]
result $? "a filtered function tracer records hits ($hits)"
echo nop >$d/current_tracer
rmdir $d

kp=$(kprobe_hits tp_off_kp)
[ "$kp" -gt 0 ]
result $? "a kprobe event fires ($kp hits)"

# Real BPF users through libbpf, bpftool and /proc/kallsyms: the kselftest
# bpf_users.sh told that textpool is off (no image in a chunk), its KTAP
# nested under this result.
TP_OFF=1 /selftests/textpool/bpf_users.sh >/tmp/bpf_users.out 2>&1
rc=$?
sed 's/^/    /' /tmp/bpf_users.out
result $rc "bpf_users.sh"

[ "$(stat stats/chunks)" = 0 ]
result $? "no chunk was mapped"
sleep 1
ba=$(stat users/bpf/allocations)
fa=$(stat users/ftrace/allocations)
# bpf_users.sh swaps BPF trampolines while attached: modify_ftrace_direct()
# registers its static tmp_ops, which keeps the trampoline it gets on first
# use, as every static ftrace_ops does (as on the base): one more at most.
[ "$ba" = 0 ] && [ "$fa" -le $((fa0 + 1)) ]
result $? "BPF and ftrace allocations are all given back (bpf $ba, ftrace $fa0 -> $fa)"
[ "$(stat stats/alloc_failures)" = 0 ]
result $? "no allocation failed"

# The real ftrace and kprobes users through the fallback: the kselftest
# ftrace_users.sh, its results nested under this one.
{ TP_EXPECT_OFF=1 /selftests/textpool/ftrace_users.sh 2>&1; echo $? >/tmp/fu.rc; } |
	sed 's/^/    /'
[ "$(cat /tmp/fu.rc)" = 0 ]
result $? "ftrace_users.sh"

# Turned on at run time, the pools map a chunk: make check compares where
# it lands with the chunk of the first boot.  Under KASLR it must not be
# where lowest-fit would put it: the placement of lowest-fit moves only
# with what else the module area holds (execmem's random offset), which
# the comparison across boots cannot tell from randomness.
free=$(/tp/lowest-free.sh)
echo "# lowest free 2 MiB of the module area: ${free:-none}"
echo 1 >$TP/enabled
out=$(/tp/chunk-base.sh)
rc=$?
echo "$out"
result $rc "enabled at run time, a BPF program gets a chunk"
base=$(echo "$out" | sed -n 's/^textpool-chunk-base: //p')
[ -n "$free" ] && [ -n "$base" ] && [ "$base" != "$free" ]
result $? "the chunk is not at the lowest free 2 MiB (${base:-none}, lowest free ${free:-none})"
echo 0 >$TP/enabled
exit $failed
