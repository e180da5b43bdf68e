#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Real BPF users of textpool, loaded through libbpf (bpf_users, built from
# progs/*.bpf.c against the kernel's BTF): fentry, fexit and fmod_ret
# programs attached and detached many times (each time the BPF trampoline
# is rebuilt and swapped), a tcp_congestion_ops struct_ops, XDP on a veth
# pair (the XDP dispatcher), tail calls through a prog array updated while
# running (direct-jump pokes) and BPF-to-BPF calls.  Each case checks what
# its programs do, that their images lie in a chunk of the node of the CPU
# that made them, and that everything is given back afterwards.
#
# Then, with all of them loaded, the tools of an admin: bpftool prog list,
# prog dump jited (the bytes at the program's kallsyms address, read back
# through /proc/kcore), map list, struct_ops list, struct_ops register and
# unregister; /proc/kallsyms has every program, trampoline and dispatcher
# at a textpool address.
#
# TP_OFF=1 (dev/guest/check-off.sh, a boot with textpool=off): the same,
# except that no image may lie in a chunk and no chunk may be mapped.

. "$(dirname "$0")/textpool_lib.sh"

USERS=$(dirname "$0")/bpf_users
CA_OBJ=$(dirname "$0")/tp_tcp_ca.bpf.o
CHUNKS=/sys/kernel/debug/textpool/chunks
BPFTOOL=${BPFTOOL:-bpftool}
# "prog dump jited" needs a bpftool with a disassembler (Debian's has none).
BPFTOOL_JITED=${BPFTOOL_JITED:-bpftool-jited}
TP_OFF=${TP_OFF:-0}
export TP_OFF
ROUNDS=${TP_BPF_ROUNDS:-4}
FRAMES=${TP_BPF_FRAMES:-64}
UPDATES=${TP_BPF_UPDATES:-300}

ktap_print_header
[ "$(id -u)" = 0 ] || { ktap_skip_all "needs root"; exit "$KSFT_SKIP"; }
[ -d "$TP" ] || { ktap_skip_all "no $TP: kernel without CONFIG_TEXTPOOL"; exit "$KSFT_SKIP"; }
ktap_set_plan 12

# No prerequisite may be missing: each would be a failure of its own, so
# say which and fail every test.
missing=
[ -x "$USERS" ] || missing="$missing $USERS"
[ -r "$CA_OBJ" ] || missing="$missing $CA_OBJ"
command -v "$BPFTOOL" >/dev/null || missing="$missing $BPFTOOL"
command -v "$BPFTOOL_JITED" >/dev/null || missing="$missing $BPFTOOL_JITED"
[ -r /sys/kernel/btf/vmlinux ] || missing="$missing /sys/kernel/btf/vmlinux"
[ -r "$CHUNKS" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
[ -r "$CHUNKS" ] || missing="$missing $CHUNKS"
[ -r /proc/kcore ] || missing="$missing /proc/kcore"
if [ -n "$missing" ]; then
	ktap_exit_fail_msg "missing:$missing"
fi
case $TP_OFF in
0) [ "$(cat "$TP/enabled")" = 1 ] ||
	ktap_exit_fail_msg "textpool is disabled (TP_OFF=1 for a textpool=off boot)" ;;
*) [ "$(cat "$TP/enabled")" = 0 ] ||
	ktap_exit_fail_msg "TP_OFF=$TP_OFF but textpool is enabled" ;;
esac

# debugfs textpool/chunks prints %pK: real addresses only with kptr_restrict=1.
KPTR=$(cat /proc/sys/kernel/kptr_restrict)
echo 1 >/proc/sys/kernel/kptr_restrict
WORK=$(mktemp -d)
HOLD_PID=

cleanup() {
	if [ -n "$HOLD_PID" ]; then
		kill "$HOLD_PID" 2>/dev/null
		wait "$HOLD_PID" 2>/dev/null
	fi
	"$BPFTOOL" struct_ops unregister name tp_reno >/dev/null 2>&1
	echo "$KPTR" >/proc/sys/kernel/kptr_restrict
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# run DESCRIPTION ARGS...: one case of bpf_users, its output as comments.
run() {
	desc=$1
	shift
	if "$USERS" "$@" >"$WORK/out" 2>&1; then
		sed '/^#/!s/^/# /' "$WORK/out"
		ktap_test_pass "$desc"
	else
		sed '/^#/!s/^/# /' "$WORK/out"
		ktap_test_fail "$desc"
	fi
}

allocs0=$(tp_user_allocs bpf)
# The XDP dispatcher's image, once made ("[bpf]": not the kernel's struct
# of the same name).
disp0=$(awk '$3 == "bpf_dispatcher_xdp" && $4 == "[bpf]"' /proc/kallsyms | wc -l)
chunks0=$(tp_num "$TP/stats/chunks")
x4k0=$(tp_modules_x4k)
t0=$(date +%s)

run "fentry, fexit, fmod_ret: $ROUNDS rounds of attach and detach on both nodes" tramp 0 "$ROUNDS"
run "struct_ops: a tcp_congestion_ops carries a TCP connection" struct_ops 1
run "XDP on a veth pair, through the dispatcher, attached 8 times" xdp 0 "$FRAMES"
run "tail calls through a prog array updated $UPDATES times while running" tailcall 1 "$UPDATES"
run "BPF-to-BPF calls: one image per function" subprogs 0

# Everything at once, on node 1's CPU, for the tools.
: >"$WORK/hold"
"$USERS" hold 1 >"$WORK/hold" 2>&1 &
HOLD_PID=$!
i=0
while ! grep -q -E '^(ready|failed)' "$WORK/hold" && kill -0 "$HOLD_PID" 2>/dev/null &&
	[ $i -lt 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
sed -e '/^#/!d' "$WORK/hold"
grep -q '^ready' "$WORK/hold" || bad "bpf_users hold did not get ready: $(tail -n 5 "$WORK/hold")"
# "prog ID NAME IMAGES" per program.
progs=$(awk '$1 == "prog" { print $2 ":" $3 }' "$WORK/hold")
nprogs=$(echo "$progs" | grep -c .)
nimages=$(awk '$1 == "prog" { n += $4 } END { print n + 0 }' "$WORK/hold")
ktap_print_msg "held: $nprogs programs, $nimages JIT images"
[ "$nprogs" -ge 16 ] || bad "only $nprogs programs held"

# bpftool prog list: every program, by id and name.
"$BPFTOOL" prog list >"$WORK/prog-list" 2>&1 ||
	bad "bpftool prog list failed: $(head -n 3 "$WORK/prog-list")"
for p in $progs; do
	id=${p%%:*}
	name=${p#*:}
	grep -q "^$id: .* name $(echo "$name" | cut -c1-15)[a-z0-9_]* " "$WORK/prog-list" ||
		bad "bpftool prog list lacks $id $name"
done
check "bpftool prog list shows the $nprogs programs"

# The chunks, "start end node" (hex without 0x, as /proc/kallsyms prints).
sed -n 's/^node=\([0-9]*\) start=0x\([0-9a-f]*\) end=0x\([0-9a-f]*\) .*/\2 \3 \1/p' \
	"$CHUNKS" >"$WORK/chunks"
# in_chunk ADDR: the node of the chunk ADDR is in, or -1.
in_chunk() {
	awk -v a="$1" '$1 <= a && a < $2 { n = $3 } END { print (n == "" ? -1 : n) }' "$WORK/chunks"
}
# placed WHAT ADDR NODE: ADDR is in a chunk of NODE (any: -1), or with
# textpool off in none.
placed() {
	node=$(in_chunk "$2")
	if [ "$TP_OFF" != 0 ]; then
		[ "$node" = -1 ] || bad "$1 at $2 is in a chunk of node $node with textpool off"
	elif [ "$node" = -1 ]; then
		bad "$1 at $2 is in no chunk"
	elif [ "$3" != -1 ] && [ "$node" != "$3" ]; then
		bad "$1 at $2 is in a chunk of node $node, not $3"
	fi
}

# bpftool prog dump jited of tp_tail_entry (its tail call patched by the
# prog array update): disassembled as an admin reads it, and as raw bytes
# that must be the bytes at its kallsyms address.
entry=$(echo "$progs" | sed -n 's/:tp_tail_entry$//p')
tag=$(sed -n "s/^$entry: .* tag \([0-9a-f]*\).*/\1/p" "$WORK/prog-list")
addr=$(awk -v s="bpf_prog_${tag}_tp_tail_entry" '$3 == s { print $1 }' /proc/kallsyms)
if [ -z "$entry" ] || [ -z "$tag" ] || [ -z "$addr" ]; then
	bad "tp_tail_entry: id '$entry', tag '$tag', kallsyms address '$addr'"
elif ! "$BPFTOOL_JITED" prog dump jited id "$entry" >"$WORK/disasm" 2>&1; then
	bad "bpftool prog dump jited id $entry failed: $(head -n 3 "$WORK/disasm")"
elif ! "$BPFTOOL_JITED" prog dump jited id "$entry" file "$WORK/jited" >"$WORK/dump" 2>&1; then
	bad "bpftool prog dump jited id $entry file failed: $(head -n 3 "$WORK/dump")"
else
	ninsns=$(grep -c '^ *[0-9a-f]*:' "$WORK/disasm")
	ktap_print_msg "bpftool prog dump jited id $entry: $ninsns instructions," \
		"$(wc -c <"$WORK/jited") bytes"
	head -n 4 "$WORK/disasm" | sed 's/^/# /'
	[ "$ninsns" -gt 0 ] || bad "no instructions in the disassembly"
	"$USERS" kcore "$addr" "$WORK/jited" >"$WORK/kcore" 2>&1 || true
	sed '/^#/!s/^/# /' "$WORK/kcore"
	grep -q '^bpf_users kcore: ok' "$WORK/kcore" || bad "the dump is not the text at $addr"
	placed "bpf_prog_${tag}_tp_tail_entry" "$addr" 1
fi
check "bpftool prog dump jited id $entry is the text at its symbol ($addr)"

# bpftool map list and struct_ops list.
"$BPFTOOL" map list >"$WORK/map-list" 2>&1 || bad "bpftool map list failed"
for m in "prog_array  name tp_jmp_table" "struct_ops  name tp_reno" "array  name tp_tramp.bss" \
	"array  name tp_net.bss"; do
	grep -q ": $m " "$WORK/map-list" || bad "bpftool map list lacks '$m'"
done
"$BPFTOOL" struct_ops list 2>&1 | grep -q ': tp_reno *tcp_congestion_ops' ||
	bad "bpftool struct_ops list lacks tp_reno"
check "bpftool map list and struct_ops list show the maps"

# /proc/kallsyms: every BPF program, trampoline and the dispatcher at a
# textpool address (perf symbolizes BPF frames from there).
awk '$4 == "[bpf]" && $3 ~ /^(bpf_prog_|bpf_trampoline_|bpf__|bpf_dispatcher_)/ { print $1, $3 }' \
	/proc/kallsyms >"$WORK/bpf-syms"
nsyms=$(grep -c . "$WORK/bpf-syms")
ntramp=$(grep -c ' bpf_trampoline_' "$WORK/bpf-syms")
nops=$(grep -c ' bpf__tcp_congestion_ops_' "$WORK/bpf-syms")
ndisp=$(grep -c ' bpf_dispatcher_xdp$' "$WORK/bpf-syms")
while read -r a s; do
	case $s in
	bpf_prog_*) placed "$s" "$a" 1 ;;
	*) placed "$s" "$a" -1 ;;
	esac
done <"$WORK/bpf-syms"
for p in $progs; do
	grep -q " bpf_prog_[0-9a-f]*_${p#*:}$" "$WORK/bpf-syms" ||
		bad "no kallsyms symbol for ${p#*:}"
done
[ "$(grep -c ' bpf_prog_' "$WORK/bpf-syms")" -ge "$nimages" ] ||
	bad "fewer bpf_prog_ symbols than images"
[ "$ntramp" -ge 2 ] || bad "$ntramp bpf_trampoline_ symbols, expected 2 (two functions)"
[ "$nops" -ge 4 ] || bad "$nops bpf__tcp_congestion_ops_ symbols, expected 4"
[ "$ndisp" = 1 ] || bad "$ndisp bpf_dispatcher_xdp symbols"
ktap_print_msg "kallsyms: $nsyms BPF symbols, $ntramp bpf_trampoline_," \
	"$nops bpf__tcp_congestion_ops_, $ndisp bpf_dispatcher_xdp"
if [ "$TP_OFF" != 0 ]; then
	check "/proc/kallsyms has every program and trampoline, none in a chunk"
else
	check "/proc/kallsyms has every program and trampoline at a textpool address"
fi

# Mappings: textpool maps no executable 4 KiB page; with textpool off no
# chunk is mapped.
x4k1=$(tp_modules_x4k)
chunks1=$(tp_num "$TP/stats/chunks")
ktap_print_msg "mappings: executable 4K in Modules $x4k0 -> $x4k1, chunks $chunks0 -> $chunks1"
if [ "$TP_OFF" != 0 ]; then
	[ "$chunks1" = 0 ] || bad "$chunks1 chunks mapped with textpool off"
	check "textpool=off: no chunk is mapped"
else
	[ "$x4k1" -ge 0 ] || bad "no $PTDUMP"
	[ "$x4k1" -le "$x4k0" ] || bad "new executable 4K pages in Modules"
	check "no executable 4K page for programs, trampolines, dispatcher"
fi

kill "$HOLD_PID"
wait "$HOLD_PID"
HOLD_PID=
grep -q '^released' "$WORK/hold" || bad "bpf_users hold did not release: $(tail -n 3 "$WORK/hold")"
# The dispatcher's image stays once made.
want=$allocs0
[ "$TP_OFF" = 0 ] && [ "$disp0" = 0 ] && want=$((allocs0 + 1))
tp_wait_le "$TP/users/bpf/allocations" "$want" 120 ||
	bad "users/bpf/allocations $(tp_user_allocs bpf), want $want" \
		"(were $allocs0, dispatcher images $disp0)"
check "all unloaded: users/bpf/allocations back to $(tp_user_allocs bpf) (were $allocs0)"

# bpftool struct_ops register and unregister, as an admin would.
a0=$(tp_user_allocs bpf)
if ! "$BPFTOOL" struct_ops register "$CA_OBJ" >"$WORK/reg" 2>&1; then
	bad "bpftool struct_ops register: $(head -n 3 "$WORK/reg")"
else
	sed 's/^/# /' "$WORK/reg"
	grep -qw tp_reno /proc/sys/net/ipv4/tcp_available_congestion_control ||
		bad "tp_reno not in tcp_available_congestion_control"
	awk '$3 ~ /^bpf__tcp_congestion_ops_/ { print $1, $3 }' /proc/kallsyms >"$WORK/ops-syms"
	[ -s "$WORK/ops-syms" ] || bad "no bpf__tcp_congestion_ops_ symbols"
	while read -r a s; do
		placed "$s" "$a" -1
	done <"$WORK/ops-syms"
	"$BPFTOOL" struct_ops unregister name tp_reno >"$WORK/unreg" 2>&1 ||
		bad "bpftool struct_ops unregister: $(head -n 3 "$WORK/unreg")"
	! grep -qw tp_reno /proc/sys/net/ipv4/tcp_available_congestion_control ||
		bad "tp_reno still registered"
fi
tp_wait_le "$TP/users/bpf/allocations" "$a0" ||
	bad "users/bpf/allocations $(tp_user_allocs bpf), were $a0"
check "bpftool struct_ops register and unregister tp_reno"

ktap_print_msg "bpf_users.sh took $(( $(date +%s) - t0 )) s"
ktap_finished
