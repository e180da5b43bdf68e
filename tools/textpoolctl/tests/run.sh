#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of textpoolctl on fixture sysfs/debugfs trees: every command,
# option and usage error; missing, garbage, huge and unreadable values; set
# against fixture files and against files where the kernel really answers
# EINVAL/ERANGE/EACCES.  Prints TAP; exits 1 when a test failed.
#
#   tests/run.sh              build textpoolctl into a temporary directory
#   TEXTPOOLCTL=path run.sh   test that binary instead

set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=$(mktemp -d /tmp/textpoolctl-test.XXXXXX)
trap 'chmod -R u+rwx "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
OUT=$TMP/stdout
ERR=$TMP/stderr

if [ -z "${TEXTPOOLCTL:-}" ]; then
	if ! make -s -C "$SRC" OUTPUT="$TMP/build/" >"$TMP/build.log" 2>&1; then
		echo "Bail out! cannot build textpoolctl"
		sed 's/^/# /' "$TMP/build.log"
		exit 1
	fi
	TEXTPOOLCTL=$TMP/build/textpoolctl
fi
# A copy that any user can run, for the tests that drop root.
mkdir -p "$TMP/bin"
cp "$TEXTPOOLCTL" "$TMP/bin/textpoolctl"
chmod 755 "$TMP/bin" "$TMP/bin/textpoolctl"
TP=$TMP/bin/textpoolctl

# The statistics of the ABI, in its order.
STATS="chunks allocations allocated_bytes requested_bytes free_bytes largest_free
alloc_total free_total alloc_failures fallback_allocs fallback_large
fallback_disabled fallback_early fallback_limit fallback_nomem
fallback_allocations fallback_allocated_bytes remote_allocs grow_failures
shrunk_chunks bad_frees wrong_user"
# The order of their values in the fixture (statistic i: i): that of the
# first version of the ABI, whose huge_chunks and fallback_chunks (2, 3)
# are gone, the numbers they had now going to the two live gauges of the
# fallback path.
VALUE_ORDER="chunks fallback_allocations fallback_allocated_bytes allocations
allocated_bytes requested_bytes free_bytes largest_free alloc_total free_total
alloc_failures fallback_allocs fallback_large fallback_disabled fallback_early
fallback_limit fallback_nomem remote_allocs grow_failures shrunk_chunks
bad_frees wrong_user"
# What a kernel of the first version of the ABI lacks.
NEWER_STATS="fallback_large fallback_disabled fallback_early fallback_limit
fallback_nomem fallback_allocations fallback_allocated_bytes remote_allocs
grow_failures shrunk_chunks bad_frees wrong_user"
USERS="bpf ftrace kprobes modules"

# ---------------------------------------------------------------- fixtures

# mksysfs DIR: a sysfs tree of two nodes; every statistic a different value
# (node N, statistic i: N*100 + i; total: 1000 + i), bytes chosen so that
# the table is easy to check.
mksysfs() {
	local d=$1 i n s u
	mkdir -p "$d"
	echo 1 >"$d/enabled"
	echo 1 >"$d/reserve_chunks"
	echo 0 >"$d/max_chunks"
	echo 1024 >"$d/max_total_chunks"
	echo 2097152 >"$d/chunk_size"
	echo 64 >"$d/slot_size"
	echo 2048 >"$d/max_chunks_limit"
	for n in stats node0 node1; do
		mkdir -p "$d/$n"
		i=0
		for s in $VALUE_ORDER; do
			i=$((i + 1))
			case $n in
			stats) echo $((1000 + i)) >"$d/$n/$s" ;;
			*) echo $((${n#node} * 100 + i)) >"$d/$n/$s" ;;
			esac
		done
	done
	# In total: 2 chunks (4 MiB), 1 MiB free: 75% used.
	echo 2 >"$d/stats/chunks"
	echo 1048576 >"$d/stats/free_bytes"
	echo 4096 >"$d/stats/allocated_bytes"
	i=0
	for u in $USERS; do
		i=$((i + 1))
		mkdir -p "$d/users/$u"
		echo $((10 + i)) >"$d/users/$u/allocations"
		echo $((640 * i)) >"$d/users/$u/allocated_bytes"
	done
}

MAP_FIRST="o.............................................................##"
MAP_FULL="################################################################"

mkdebugfs() {
	local d=$1 c0 c1
	mkdir -p "$d"
	c0="node=0 start=0xffffffffa0000000 end=0xffffffffa0200000 mapping=2M"
	c0+=" allocations=12 used_bytes=4096 largest_free=2093056 map=$MAP_FIRST"
	c1="node=1 start=0xffffffffa0400000 end=0xffffffffa0600000 mapping=4K"
	c1+=" allocations=1 used_bytes=2097152 largest_free=0 map=$MAP_FULL"
	printf '%s\n' "$c0" "$c1" >"$d/chunks"
}

S=$TMP/sys
D=$TMP/debug
mksysfs "$S"
mkdebugfs "$D"

# fixture NAME: a fresh copy of the good sysfs tree, in $F
fixture() {
	F=$TMP/fix-$1
	rm -rf "$F"
	cp -a "$S" "$F"
}

# old_fixture NAME: the same, as an older kernel has it: no max_total_chunks,
# no max_chunks_limit and none of $NEWER_STATS
old_fixture() {
	local n s
	fixture "$1"
	rm "$F/max_total_chunks" "$F/max_chunks_limit"
	for n in stats node0 node1; do
		for s in $NEWER_STATS; do
			rm "$F/$n/$s"
		done
	done
}

# prev_fixture NAME: the same, as a kernel of the second version of the ABI
# has it: no max_chunks_limit, all statistics but shrunk_chunks and the live
# gauges of the fallback path
prev_fixture() {
	local n
	fixture "$1"
	rm "$F/max_chunks_limit"
	for n in stats node0 node1; do
		rm "$F/$n/shrunk_chunks" "$F/$n/fallback_allocations" \
			"$F/$n/fallback_allocated_bytes"
	done
}

# ---------------------------------------------------------------- harness

N=0
FAILED=0

# t NAME COMMAND...: one test; COMMAND says why when it fails
t() {
	local name=$1 log=$TMP/log
	shift
	N=$((N + 1))
	if ("$@") >"$log" 2>&1; then
		echo "ok $N - $name"
	else
		echo "not ok $N - $name"
		sed 's/^/# /' "$log"
		FAILED=$((FAILED + 1))
	fi
}

# skip NAME REASON
skip() {
	N=$((N + 1))
	echo "ok $N - $1 # SKIP $2"
}

# tp STATUS ARGS...: run textpoolctl ARGS, want exit STATUS
tp() {
	local want=$1 rc
	shift
	timeout 10 "$TP" "$@" >"$OUT" 2>"$ERR" </dev/null
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "textpoolctl $*: exit status $rc, wanted $want"
		echo "stdout:"; cat "$OUT"
		echo "stderr:"; cat "$ERR"
		return 1
	fi
}

# out_has REGEX / err_has REGEX: a line of stdout / stderr matches
out_has() {
	grep -Eq -- "$1" "$OUT" && return 0
	echo "stdout has no line matching /$1/:"; cat "$OUT"
	return 1
}

err_has() {
	grep -Eq -- "$1" "$ERR" && return 0
	echo "stderr has no line matching /$1/:"; cat "$ERR"
	return 1
}

out_lacks() {
	! grep -Eq -- "$1" "$OUT" && return 0
	echo "stdout has a line matching /$1/:"; cat "$OUT"
	return 1
}

# err_lines N: stderr has N lines
err_lines() {
	local n
	n=$(wc -l <"$ERR")
	[ "$n" = "$1" ] && return 0
	echo "stderr has $n lines, wanted $1:"; cat "$ERR"
	return 1
}

out_empty() {
	[ ! -s "$OUT" ] && return 0
	echo "stdout not empty:"; cat "$OUT"
	return 1
}

# usage STATUS-2 test: exit 2, a message, the usage hint, nothing on stdout
usage() {
	tp 2 "$@" && err_has "Try 'textpoolctl" && out_empty
}

# as_nobody ARGS...: textpoolctl without root's powers over files
NOBODY=
if [ "$(id -u)" != 0 ]; then
	NOBODY=self
elif command -v setpriv >/dev/null; then
	NOBODY=setpriv
fi

as_nobody() {
	local want=$1 rc
	shift
	case $NOBODY in
	self) timeout 10 "$TP" "$@" >"$OUT" 2>"$ERR" ;;
	setpriv) timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all "$TP" "$@" >"$OUT" 2>"$ERR" ;;
	esac
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "textpoolctl $* (not root): exit status $rc, wanted $want"
	cat "$OUT" "$ERR"
	return 1
}

have() {
	command -v "$1" >/dev/null
}

echo "# textpoolctl: $TEXTPOOLCTL"

# ------------------------------------------------------------ usage errors

t "no command is a usage error" eval 'usage && err_has "missing command"'
t "-h prints the usage of every command" eval \
	'tp 0 -h && for c in stats get set watch chunks help; do
		out_has "^  textpoolctl $c" || return 1
	done'
t "--help prints the usage" eval \
	'tp 0 --help && out_has "^Usage: textpoolctl" && out_has "--sysfs DIR"'
t "help prints the usage" eval 'tp 0 help && out_has "^Usage: textpoolctl"'
t "help COMMAND prints its help" eval 'tp 0 help watch && out_has "--interval S"'
t "help of an unknown command" eval 'usage help bogus && err_has "unknown command .bogus."'
t "help with two arguments" eval 'usage help stats get'
t "unknown command" eval 'usage bogus && err_has "unknown command .bogus."'
t "unknown long option" eval 'usage --bogus stats && err_has "unknown option .--bogus."'
t "unknown short option" eval 'usage -x stats && err_has "unknown option .-x."'
t "--sysfs without its DIR" eval 'usage --sysfs && err_has "option .--sysfs. needs an argument"'
t "--debugfs without its DIR" eval 'usage chunks --debugfs && err_has "needs an argument"'
for c in stats get set watch chunks; do
	t "$c -h prints its help" eval "tp 0 $c -h && out_has '^Usage: textpoolctl .*$c'"
	t "$c --help prints its help" eval \
		"tp 0 --sysfs /nonexistent $c --help && out_has '^Usage: textpoolctl .*$c'"
	t "$c with an unknown option" eval "usage --sysfs '$S' $c --bogus &&
		err_has 'unknown option' && err_has '^Usage: textpoolctl $c'"
done
t "stats with an argument" eval \
	'usage --sysfs "$S" stats extra && err_has "unexpected argument .extra."'
t "stats --node without N" eval 'usage --sysfs "$S" stats --node'
for v in x -1 1x "" 4294967296 99999999999999999999999; do
	t "stats --node '$v' is a usage error" eval \
		'usage --sysfs "$S" stats --node "$v" && err_has "invalid node"'
done
t "get without NAME" eval 'usage --sysfs "$S" get && err_has "missing NAME"'
t "get with two NAMEs" eval 'usage --sysfs "$S" get enabled max_chunks && err_has "too many"'
for v in bogus stats stats/ stats/bogus node01/chunks nodex/chunks node/chunks \
	users users/bpf users/bpf/chunks users/other/allocations ../../../etc/passwd \
	/etc/passwd "stats/../enabled" "enabled/" "node0/chunks/x"; do
	t "get '$v' is not a NAME" eval 'usage --sysfs "$S" get "$v" && err_has "unknown NAME"'
done
t "set without VALUE" eval 'usage --sysfs "$S" set enabled && err_has "missing NAME or VALUE"'
t "set without NAME" eval 'usage --sysfs "$S" set'
t "set with three arguments" eval 'usage --sysfs "$S" set enabled 1 2 && err_has "too many"'
t "set of an unknown NAME" eval \
	'usage --sysfs "$S" set bogus 1 && err_has "unknown tunable .bogus."'
for v in chunk_size slot_size stats/chunks node1/free_bytes users/bpf/allocations; do
	t "set $v: read-only" eval 'fixture ro && tp 1 --sysfs "$F" set "$v" 5 &&
		err_has "$v is read-only" && cmp -s "$S/$v" "$F/$v"'
done
t "watch --interval without S" eval 'usage --sysfs "$S" watch --interval'
for v in 0 -1 abc 1x "" nan inf 0.0001 86401 1e9; do
	t "watch --interval '$v' is a usage error" eval \
		'usage --sysfs "$S" watch --interval "$v" && err_has "invalid interval"'
done
for v in 0 -1 x 1.5 "" 18446744073709551616; do
	t "watch --count '$v' is a usage error" eval \
		'usage --sysfs "$S" watch --count "$v" && err_has "invalid count"'
done
t "watch with an argument" eval 'usage --sysfs "$S" watch 1'
t "chunks with an argument" eval 'usage --debugfs "$D" chunks extra'

# ------------------------------------------------------ no textpool at all

for c in stats "get enabled" "set enabled 1" "watch --count 1"; do
	t "$c without textpool: one line, exit 1" eval \
		'tp 1 --sysfs "$TMP/none" $c && err_lines 1 && err_has "no textpool" && out_empty'
done
t "--sysfs naming a file: no textpool" eval \
	'tp 1 --sysfs "$S/enabled" stats && err_lines 1 && err_has "no textpool"'
t "chunks without textpool in debugfs: one line, exit 1" eval \
	'tp 1 --debugfs "$TMP/none" chunks && err_lines 1 && err_has "no textpool in debugfs" &&
	 out_empty'
t "set without textpool creates nothing" eval \
	'tp 1 --sysfs "$TMP/none" set enabled 1; [ ! -e "$TMP/none" ]'

# ------------------------------------------------------------------- stats

t "stats: a column per node and the total" eval \
	'tp 0 --sysfs "$S" stats && out_has "^ +total +node0 +node1$" && err_lines 0'
t "stats: tunables" eval \
	'tp 0 --sysfs "$S" stats &&
	 out_has "^textpool enabled, reserve_chunks 1, max_chunks 0 \(no bound\), "\
"max_total_chunks 1024, max_chunks_limit 2048$"'
t "stats: used and free bytes" eval \
	'tp 0 --sysfs "$S" stats && out_has "^used +4.0 KiB +5 B +105 B$" &&
	 out_has "^free +1.0 MiB +7 B +107 B$"'
t "stats: utilisation of the chunks" eval \
	'tp 0 --sysfs "$S" stats && out_has "^utilisation +75.0% +100.0% +100.0%$"'
t "stats: chunks, live allocations on the fallback path" eval \
	'tp 0 --sysfs "$S" stats && out_has "^chunks +2 +1 +101$" &&
	 out_has "^  on fallback +1002 +2 +102$" &&
	 out_has "^  fallback used +1003 B +3 B +103 B$" &&
	 out_lacks "2M|4K|huge"'
t "stats: fallbacks and counters" eval \
	'tp 0 --sysfs "$S" stats && out_has "^fallback allocs +1012 +12 +112$" &&
	 out_has "^allocs total +1009 " && out_has "^frees total +1010 " &&
	 out_has "^alloc failures +1011 " && out_has "^allocations +1004 "'
t "stats: fallbacks by cause, under fallback allocs" eval \
	'tp 0 --sysfs "$S" stats && err_lines 0 &&
	 grep -A5 "^fallback allocs " "$OUT" | sed 1d |
	 awk "{print \$1, \$2, \$3, \$4}" >"$TMP/causes" &&
	 printf "%s\n" "large 1013 13 113" "disabled 1014 14 114" "early 1015 15 115" \
		"limit 1016 16 116" "nomem 1017 17 117" | cmp - "$TMP/causes" &&
	 out_has "^  large +1013 +13 +113$" && out_has "^  nomem +1017 +17 +117$"'
t "stats: remote allocs, grow failures, shrunk chunks, bad frees, wrong user" eval \
	'tp 0 --sysfs "$S" stats && out_has "^remote allocs +1018 +18 +118$" &&
	 out_has "^grow failures +1019 +19 +119$" && out_has "^shrunk chunks +1020 +20 +120$" &&
	 out_has "^bad frees +1021 +21 +121$" && out_has "^wrong user +1022 +22 +122$"'
t "stats: shrunk chunks right after grow failures" eval \
	'tp 0 --sysfs "$S" stats && err_lines 0 &&
	 [ "$(grep -A1 "^grow failures " "$OUT" | sed 1d | awk "{print \$1, \$2}")" = \
	   "shrunk chunks" ]'
t "stats: per user" eval \
	'tp 0 --sysfs "$S" stats && out_has "^bpf +11 +640 B$" && out_has "^ftrace +12 +1.2 KiB$" &&
	 out_has "^kprobes +13 +1.9 KiB$" && out_has "^modules +14 +2.5 KiB$"'
t "stats --node 1: that node only" eval \
	'tp 0 --sysfs "$S" stats --node 1 && out_has "^ +node1$" && out_lacks "^ +total|node0" &&
	 out_has "^used +105 B$"'
t "stats -n 0" eval 'tp 0 --sysfs "$S" stats -n 0 && out_has "^ +node0$"'
t "stats --node of a node that is not there" eval \
	'tp 1 --sysfs "$S" stats --node 7 && err_has "no node 7" && out_empty'
t "stats: options after the command" eval \
	'tp 0 stats --sysfs "$S" --node 0 --json && out_has "\"node0\":\{"'
t "stats without nodes: the total" eval \
	'fixture nonodes && rm -r "$F"/node* && tp 0 --sysfs "$F" stats && out_has "^ +total$"'
t "stats: nodes in numeric order, odd directories ignored" eval \
	'fixture order && cp -a "$F/node1" "$F/node10" && cp -a "$F/node1" "$F/node2" &&
	 cp -a "$F/node1" "$F/node01" && cp -a "$F/node1" "$F/nodex" && mkdir "$F/node" &&
	 tp 0 --sysfs "$F" stats && out_has "^ +total +node0 +node1 +node2 +node10$"'
t "stats: no chunks, no utilisation" eval \
	'fixture nochunks && echo 0 >"$F/stats/chunks" && tp 0 --sysfs "$F" stats &&
	 out_has "^utilisation +- "'
t "stats: more free than mapped, no utilisation" eval \
	'fixture overfree && echo 99999999 >"$F/stats/free_bytes" && tp 0 --sysfs "$F" stats &&
	 out_has "^utilisation +- "'
t "stats: disabled" eval \
	'fixture off && echo 0 >"$F/enabled" && tp 0 --sysfs "$F" stats &&
	 out_has "^textpool disabled"'
t "stats > /dev/full: exit 1" eval \
	'"$TP" --sysfs "$S" stats >/dev/full 2>"$ERR"; [ $? = 1 ] && err_has "cannot write"'

# ------------------------------------------------------------- stats --json

JSON_KEYS='chunk_size enabled max_chunks max_chunks_limit max_total_chunks node0 node1'
JSON_KEYS+=' reserve_chunks slot_size stats users'

# json_is_files DIR [N]: the JSON of stats on $OUT mirrors the files of DIR,
# N values (81: 7 tunables and constants, 22 statistics in 3 directories,
# 2 of 4 users)
json_is_files() {
	local d=$1 nr=${2:-$((7 + 22 * 3 + 2 * 4))} path val want
	local flat='paths(scalars) as $p | "\($p | map(tostring) | join("/")) \(getpath($p))"'

	jq -r "$flat" "$OUT" >"$TMP/flat" || return 1
	[ "$(wc -l <"$TMP/flat")" = "$nr" ] ||
		{ echo "not $nr values:"; cat "$TMP/flat"; return 1; }
	while read -r path val; do
		want=$(cat "$d/$path")
		case $path in
		enabled) case $want in 1) want=true ;; 0) want=false ;; esac ;;
		esac
		[ "$val" = "$want" ] || { echo "$path: JSON $val, file $want"; return 1; }
	done <"$TMP/flat"
}

if have jq; then
	t "stats --json: valid JSON, equal to the files" eval \
		'tp 0 --sysfs "$S" stats --json && json_is_files "$S"'
	t "stats --json: the documented keys" eval \
		'tp 0 --sysfs "$S" stats -j &&
		 [ "$(jq -r "keys[]" "$OUT" | xargs)" = "$JSON_KEYS" ] &&
		 [ "$(jq -r ".stats | keys_unsorted[]" "$OUT" | xargs)" = "$(echo $STATS)" ] &&
		 [ "$(jq -r ".users | keys_unsorted[]" "$OUT" | xargs)" = "$USERS" ] &&
		 [ "$(jq -r ".users.bpf | keys_unsorted[]" "$OUT" | xargs)" = \
		   "allocations allocated_bytes" ] &&
		 [ "$(jq -r ".enabled | type" "$OUT")" = boolean ]'
	t "stats --json --node 1: node1 only" eval \
		'tp 0 --sysfs "$S" stats --json --node 1 &&
		 [ "$(jq -r "keys[]" "$OUT" | xargs)" = "${JSON_KEYS/node0 /}" ] &&
		 [ "$(jq .node1.chunks "$OUT")" = 101 ]'
	t "stats --json: 64-bit values exactly" eval \
		'fixture big && echo 18446744073709551615 >"$F/stats/alloc_total" &&
		 tp 0 --sysfs "$F" stats --json && out_has "\"alloc_total\":18446744073709551615,"'
	t "stats --json: an unreadable value is null, exit 1" eval \
		'fixture jnull && rm "$F/node1/free_bytes" && echo x >"$F/enabled" &&
		 tp 1 --sysfs "$F" stats --json &&
		 [ "$(jq .node1.free_bytes "$OUT")" = null ] &&
		 [ "$(jq .enabled "$OUT")" = null ] &&
		 [ "$(jq .node1.chunks "$OUT")" = 101 ] && err_lines 2'
else
	skip "stats --json tests" "jq not installed"
fi

# ----------------------------------------------------- broken values, stats

# broken NAME SETUP STDERR-REGEX: stats reports the file and shows the rest
broken() {
	local name=$1 setup=$2 msg=$3
	t "stats: $name" eval 'fixture broken && (cd "$F" && eval "$setup") &&
		tp 1 --sysfs "$F" stats && err_has "$F/stats/largest_free: $msg" && err_lines 1 &&
		out_has "^largest free +- +8 B +108 B$" && out_has "^used +4.0 KiB"'
}
broken "missing file" 'rm stats/largest_free' "No such file or directory"
broken "empty file" ': >stats/largest_free' "empty value"
broken "just a newline" 'echo >stats/largest_free' "empty value"
broken "garbage" 'echo abc >stats/largest_free' "not a number: 'abc'"
broken "negative" 'echo -5 >stats/largest_free' "not a number: '-5'"
broken "a plus sign" 'echo +5 >stats/largest_free' "not a number: '\+5'"
broken "trailing junk" 'echo 12x >stats/largest_free' "not a number: '12x'"
broken "leading blank" 'echo " 12" >stats/largest_free' "not a number: ' 12'"
broken "two lines" 'printf "1\n2\n" >stats/largest_free' "not a number: '1\?2'"
broken "hex" 'echo 0x10 >stats/largest_free' "not a number: '0x10'"
broken "a NUL byte" 'printf "1\0002\n" >stats/largest_free' "not a number: '1\?2'"
broken "control characters shown as ?" 'printf "\033[2J\n" >stats/largest_free' \
	"not a number: '\?\[2J'"
broken "2^64" 'echo 18446744073709551616 >stats/largest_free' \
	"number out of range: '18446744073709551616'"
broken "a long number" 'printf "%0500d\n" 7 >stats/largest_free' "value too long"
broken "a directory" 'rm stats/largest_free && mkdir stats/largest_free' "Is a directory"
broken "a FIFO (no hang)" 'rm stats/largest_free && mkfifo stats/largest_free' \
	"not a regular file"
broken "a dangling symlink" 'rm stats/largest_free && ln -s nowhere stats/largest_free' \
	"No such file or directory"
broken "a symlink loop" 'rm stats/largest_free && ln -s largest_free stats/largest_free' \
	"Too many levels of symbolic links"
if [ -n "$NOBODY" ]; then
	t "stats: a file we may not read" eval 'fixture eacces && chmod -R a+rX "$F" &&
		chmod 0 "$F/stats/largest_free" && as_nobody 1 --sysfs "$F" stats &&
		err_has "$F/stats/largest_free: Permission denied" && err_lines 1 &&
		out_has "^largest free +- "'
	t "stats: a directory we may not read" eval 'fixture eacces2 && chmod -R a+rX "$F" &&
		chmod 0 "$F/node1" && as_nobody 1 --sysfs "$F" stats &&
		err_has "node1/chunks: Permission denied" && err_lines 22 &&
		out_has "^chunks +2 +1 +-$"'
else
	skip "stats: unreadable files" "cannot drop root (no setpriv)"
fi
t "stats: 2^64-1 everywhere, no overflow" eval 'fixture huge &&
	for f in "$F"/stats/* "$F"/node*/* "$F"/users/*/* "$F/chunk_size"; do
		echo 18446744073709551615 >"$f"
	done &&
	tp 0 --sysfs "$F" stats && out_has "^used +16.0 EiB +16.0 EiB +16.0 EiB$" &&
	out_has "^allocations +18446744073709551615 +18446744073709551615"'
t "stats: enabled not a boolean" eval 'fixture bool && echo 2 >"$F/enabled" &&
	tp 1 --sysfs "$F" stats && err_has "enabled: not a boolean: .2." && out_has "^textpool -, "'
# 5 tunables and constants, 12 statistics, 8 of users; the newer files are
# just not there, in one line
t "stats: every file missing, no crash" eval 'fixture empty && rm -r "$F"/* &&
	tp 1 --sysfs "$F" stats && [ "$(wc -l <"$ERR")" = $((5 + 10 + 8 + 1)) ] &&
	out_has "^used +- *$" && err_has "not in this kernel"'
t "stats: nodeN a file" eval 'fixture nodefile && rm -r "$F/node1" && echo 1 >"$F/node1" &&
	tp 1 --sysfs "$F" stats && err_has "node1/chunks: Not a directory"'

# ------------------------------------------- an older kernel: fewer files

# A kernel of the first version of the ABI has no max_total_chunks and
# only the first 12 statistics.  Like bpftool on an older kernel, the tool
# shows what there is, leaves the rest out, says so in one line and does
# not fail for it.
OLD_MSG="not in this kernel \(an older textpool\), not shown: max_total_chunks,"
OLD_MSG+=" max_chunks_limit, fallback_large, fallback_disabled, fallback_early, fallback_limit,"
OLD_MSG+=" fallback_nomem, fallback_allocations, fallback_allocated_bytes, remote_allocs,"
OLD_MSG+=" grow_failures, shrunk_chunks, bad_frees, wrong_user$"
t "older kernel: stats shows the rest, says what is missing, exit 0" eval \
	'old_fixture old && tp 0 --sysfs "$F" stats && err_lines 1 && err_has "$OLD_MSG" &&
	 out_has "^textpool enabled, reserve_chunks 1, max_chunks 0 \(no bound\)$" &&
	 out_has "^fallback allocs +1012 +12 +112$" && out_has "^alloc failures +1011 " &&
	 out_has "^used +4.0 KiB +5 B +105 B$" &&
	 out_lacks "^  (large|disabled|early|limit|nomem) " &&
	 out_lacks "^(remote allocs|grow failures|shrunk chunks|bad frees|wrong user) " &&
	 out_lacks " - "'
t "older kernel: stats --node 1" eval \
	'old_fixture old && tp 0 --sysfs "$F" stats --node 1 && err_has "$OLD_MSG" &&
	 out_has "^fallback allocs +112$" && out_lacks "^remote allocs"'
if have jq; then
	t "older kernel: stats --json leaves the keys out, exit 0" eval \
		'old_fixture old && tp 0 --sysfs "$F" stats --json && err_lines 1 &&
		 err_has "$OLD_MSG" && json_is_files "$F" $((5 + 10 * 3 + 2 * 4)) &&
		 [ "$(jq -r "keys[]" "$OUT" | xargs)" = \
		   "$(echo $JSON_KEYS | sed "s/max_chunks_limit max_total_chunks //")" ] &&
		 [ "$(jq -r ".node0 | keys_unsorted[]" "$OUT" | xargs)" = \
		   "$(echo ${STATS%%fallback_large*})" ] &&
		 [ "$(jq .stats.remote_allocs "$OUT")" = null ]'
	t "older kernel: only some files missing" eval \
		'fixture part && rm "$F/node1/remote_allocs" "$F/node1/wrong_user" &&
		 tp 0 --sysfs "$F" stats --json && err_lines 1 &&
		 err_has "not shown: remote_allocs, wrong_user$" &&
		 [ "$(jq -r ".node1 | keys_unsorted[]" "$OUT" | tail -n 1)" = bad_frees ] &&
		 [ "$(jq .node0.wrong_user "$OUT")" = 22 ] && json_is_files "$F" 79'
else
	skip "older kernel: stats --json tests" "jq not installed"
fi
t "older kernel: a newer file missing in one node is '-'" eval \
	'fixture part && rm "$F/node1/remote_allocs" && tp 0 --sysfs "$F" stats &&
	 out_has "^remote allocs +1018 +18 +-$" && err_has "not shown: remote_allocs$"'
t "older kernel: an unreadable newer file is an error" eval \
	'fixture oldbad && echo x >"$F/node0/grow_failures" && tp 1 --sysfs "$F" stats &&
	 err_has "node0/grow_failures: not a number" && err_lines 1 &&
	 out_has "^grow failures +1019 +- +119$"'
t "older kernel: watch works" eval \
	'old_fixture old && tp 0 --sysfs "$F" watch -i 0.01 -c 2 && err_lines 0 &&
	 [ "$(wc -l <"$OUT")" = 3 ]'
for v in max_total_chunks stats/remote_allocs node1/fallback_nomem node0/shrunk_chunks; do
	t "older kernel: get $v says the kernel lacks it" eval \
		'old_fixture old && tp 1 --sysfs "$F" get "$v" && out_empty && err_lines 1 &&
		 err_has "this kernel has no .*/$v \(an older textpool\)$"'
done
t "older kernel: set max_total_chunks says the kernel lacks it, creates nothing" eval \
	'old_fixture old && tp 1 --sysfs "$F" set max_total_chunks 8 && err_lines 1 &&
	 err_has "this kernel has no .*/max_total_chunks \(an older textpool\)$" &&
	 [ ! -e "$F/max_total_chunks" ]'
t "older kernel: set max_chunks still works" eval \
	'old_fixture old && tp 0 --sysfs "$F" set max_chunks 8 && [ "$(cat "$F/max_chunks")" = 8 ]'

# A kernel of the second version of the ABI has max_total_chunks and 21
# statistics: all but shrunk_chunks.
PREV_MSG="not in this kernel \(an older textpool\), not shown: max_chunks_limit,"
PREV_MSG+=" fallback_allocations, fallback_allocated_bytes, shrunk_chunks$"
t "no shrunk_chunks: stats shows the rest, says it is missing, exit 0" eval \
	'prev_fixture prev && tp 0 --sysfs "$F" stats && err_lines 1 && err_has "$PREV_MSG" &&
	 out_has "^textpool enabled, .*, max_total_chunks 1024$" &&
	 out_has "^grow failures +1019 +19 +119$" && out_has "^bad frees +1021 +21 +121$" &&
	 out_lacks "^shrunk chunks" && out_lacks " - "'
t "no shrunk_chunks: stats --node 0" eval \
	'prev_fixture prev && tp 0 --sysfs "$F" stats --node 0 && err_lines 1 &&
	 err_has "$PREV_MSG" && out_has "^wrong user +22$" && out_lacks "^shrunk chunks"'
if have jq; then
	t "no shrunk_chunks: stats --json leaves the key out, exit 0" eval \
		'prev_fixture prev && tp 0 --sysfs "$F" stats --json && err_lines 1 &&
		 err_has "$PREV_MSG" && json_is_files "$F" $((6 + 19 * 3 + 2 * 4)) &&
		 [ "$(jq -r "keys[]" "$OUT" | xargs)" = "${JSON_KEYS/max_chunks_limit /}" ] &&
		 [ "$(jq -r ".node1 | keys_unsorted[]" "$OUT" | xargs)" = \
		   "$(echo $STATS | sed "s/shrunk_chunks //" |
		      sed "s/fallback_allocations fallback_allocated_bytes //")" ] &&
		 [ "$(jq ".stats | has(\"shrunk_chunks\")" "$OUT")" = false ]'
else
	skip "no shrunk_chunks: stats --json" "jq not installed"
fi
t "no shrunk_chunks: get stats/shrunk_chunks says the kernel lacks it" eval \
	'prev_fixture prev && tp 1 --sysfs "$F" get stats/shrunk_chunks && out_empty &&
	 err_lines 1 && err_has "this kernel has no .*/stats/shrunk_chunks \(an older textpool\)$"'
t "no shrunk_chunks: get max_total_chunks still works" eval \
	'prev_fixture prev && tp 0 --sysfs "$F" get max_total_chunks && [ "$(cat "$OUT")" = 1024 ]'

# --------------------------------------------------------------------- get

# get_all DIR: get prints every file of the ABI as it is
get_all() {
	local name names want s u

	names="enabled reserve_chunks max_chunks max_total_chunks chunk_size slot_size"
	names+=" max_chunks_limit"
	for s in $STATS; do
		names+=" stats/$s node0/$s node1/$s"
	done
	for u in $USERS; do
		names+=" users/$u/allocations users/$u/allocated_bytes"
	done
	for name in $names; do
		tp 0 --sysfs "$1" get "$name" || return 1
		want=$(cat "$1/$name")
		[ "$(cat "$OUT")" = "$want" ] ||
			{ echo "get $name: $(cat "$OUT"), file $want"; return 1; }
	done
}
t "get: every file of the ABI" get_all "$S"
for v in 1:1 0:0 y:1 Y:1 n:0 N:0 on:1 off:0 ON:1 Off:0; do
	t "get enabled: '${v%:*}' is ${v#*:}" eval 'fixture gb && echo "${v%:*}" >"$F/enabled" &&
		tp 0 --sysfs "$F" get enabled && [ "$(cat "$OUT")" = "${v#*:}" ]'
done
for v in 2 yes1 1x "" "o n" -1; do
	t "get enabled: '$v' is not a boolean" eval 'fixture gb && echo "$v" >"$F/enabled" &&
		tp 1 --sysfs "$F" get enabled && out_empty && err_lines 1'
done
t "get: no newline at the end is fine" eval 'fixture nonl && printf 42 >"$F/max_chunks" &&
	tp 0 --sysfs "$F" get max_chunks && [ "$(cat "$OUT")" = 42 ]'
t "get: 2^64-1" eval 'fixture gbig && echo 18446744073709551615 >"$F/node1/alloc_total" &&
	tp 0 --sysfs "$F" get node1/alloc_total && [ "$(cat "$OUT")" = 18446744073709551615 ]'
t "get: 2^64 is out of range" eval 'fixture grange && echo 18446744073709551616 >"$F/max_chunks" &&
	tp 1 --sysfs "$F" get max_chunks && err_has "out of range" && out_empty'
t "get: garbage" eval 'fixture gg && echo "12 34" >"$F/slot_size" &&
	tp 1 --sysfs "$F" get slot_size && err_has "slot_size: not a number: .12 34." && out_empty'
t "get: missing file" eval 'fixture gm && rm "$F/users/ftrace/allocations" &&
	tp 1 --sysfs "$F" get users/ftrace/allocations &&
	err_has "users/ftrace/allocations: No such file" && err_lines 1'
t "get: a directory" eval 'fixture gd && rm "$F/chunk_size" && mkdir "$F/chunk_size" &&
	tp 1 --sysfs "$F" get chunk_size && err_has "Is a directory"'
t "get: a FIFO, no hang" eval 'fixture gf && rm "$F/chunk_size" && mkfifo "$F/chunk_size" &&
	tp 1 --sysfs "$F" get chunk_size && err_has "not a regular file"'
if [ -n "$NOBODY" ]; then
	t "get: a file we may not read" eval 'fixture gu && chmod -R a+rX "$F" &&
		chmod 0 "$F/max_chunks" && as_nobody 1 --sysfs "$F" get max_chunks &&
		err_has "max_chunks: Permission denied"'
else
	skip "get: a file we may not read" "cannot drop root (no setpriv)"
fi

# --------------------------------------------------------------------- set

for v in enabled:0 enabled:on reserve_chunks:64 max_chunks:4096 max_chunks:0 \
	max_total_chunks:1 max_total_chunks:4096; do
	t "set ${v%:*} ${v#*:} writes the file" eval 'fixture set &&
		tp 0 --sysfs "$F" set "${v%:*}" "${v#*:}" &&
		out_empty && err_lines 0 && [ "$(cat "$F/${v%:*}")" = "${v#*:}" ]'
done
t "set: a value that looks like an option goes to the kernel" eval \
	'fixture setneg && tp 0 --sysfs "$F" set reserve_chunks -1 &&
	 [ "$(cat "$F/reserve_chunks")" = -1 ]'
t "set: options before NAME" eval \
	'fixture setopt && tp 0 set --sysfs "$F" max_chunks 7 &&
	 [ "$(cat "$F/max_chunks")" = 7 ]'
t "set: a missing tunable" eval 'fixture setm && rm "$F/max_chunks" &&
	tp 1 --sysfs "$F" set max_chunks 1 && err_has "cannot set .*max_chunks: No such file" &&
	[ ! -e "$F/max_chunks" ]'
t "set: a directory" eval 'fixture setd && rm "$F/max_chunks" && mkdir "$F/max_chunks" &&
	tp 1 --sysfs "$F" set max_chunks 1 && err_has "cannot set .*max_chunks: Is a directory"'
t "set: a FIFO, no hang" eval 'fixture setf && rm "$F/max_chunks" && mkfifo "$F/max_chunks" &&
	tp 1 --sysfs "$F" set max_chunks 1 && err_has "cannot set .*max_chunks"'
# /proc/self/oom_score_adj answers like a sysfs store: EINVAL for junk and
# out of range, ERANGE for overflow.  "self" is textpoolctl when it writes.
if echo 0 2>/dev/null >/proc/self/oom_score_adj; then
	kernel_says() {
		fixture kernel && rm "$F/$1" && ln -s /proc/self/oom_score_adj "$F/$1"
	}
	EINVAL_MSG="invalid value .abc. for reserve_chunks:"
	EINVAL_MSG+=" it takes a number of chunks from 0 to 64"
	t "set: the kernel's EINVAL" eval 'kernel_says reserve_chunks &&
		tp 1 --sysfs "$F" set reserve_chunks abc && err_has "$EINVAL_MSG" && err_lines 1'
	t "set: EINVAL of enabled says what it takes" eval 'kernel_says enabled &&
		tp 1 --sysfs "$F" set enabled 5000 &&
		err_has "invalid value .5000. for enabled: it takes 0/1, y/n or on/off"'
	ERANGE_MSG="value .99999999999. out of range for max_chunks: it takes 0 \(no bound\) or"
	ERANGE_MSG+=" a number of chunks up to max_chunks_limit"
	t "set: the kernel's ERANGE" eval 'kernel_says max_chunks &&
		tp 1 --sysfs "$F" set max_chunks 99999999999 && err_has "$ERANGE_MSG"'
	t "set: a value the kernel takes" eval \
		'kernel_says max_chunks && tp 0 --sysfs "$F" set max_chunks 0'
	TOTAL_MSG="invalid value .0x. for max_total_chunks: it takes a number of chunks from 1"
	TOTAL_MSG+=" to what the module area can hold"
	t "set: EINVAL of max_total_chunks says what it takes" eval \
		'kernel_says max_total_chunks && tp 1 --sysfs "$F" set max_total_chunks 0x &&
		 err_has "$TOTAL_MSG" && err_lines 1'
else
	skip "set: the kernel's EINVAL/ERANGE" "/proc/self/oom_score_adj not writable"
fi
if [ -n "$NOBODY" ]; then
	EACCES_MSG="not allowed to set enabled: Permission denied (needs root, CAP_SYS_ADMIN)"
	t "set: not allowed (EACCES)" eval 'fixture seta && chmod -R a+rX "$F" &&
		chmod 644 "$F/enabled" &&
		[ "$NOBODY" = setpriv ] || chmod 444 "$F/enabled"
		as_nobody 1 --sysfs "$F" set enabled 0 && grep -q "$EACCES_MSG" "$ERR" &&
		[ "$(cat "$F/enabled")" = 1 ]'
else
	skip "set: not allowed (EACCES)" "cannot drop root (no setpriv)"
fi
for v in enabled reserve_chunks max_chunks max_total_chunks; do
	t "set $v '': a usage error, the file unchanged" eval 'fixture sete &&
		before=$(cat "$F/$v") && usage --sysfs "$F" set "$v" "" &&
		err_has "empty VALUE for $v" && [ "$(cat "$F/$v")" = "$before" ]'
done
t "set: an unprintable value is shown safely" eval 'fixture setu &&
	kernel_says reserve_chunks &&
	tp 1 --sysfs "$F" set reserve_chunks "$(printf "a\tb")" && err_has "invalid value .a\?b."'

# ------------------------------------------------------------------- watch

WATCH_HEADER="^time +allocs/s +frees/s +allocations +used +free +util +chunks"
WATCH_HEADER+=" +fallback/s +fail/s$"
t "watch --count 3: a header and 3 lines" eval \
	'tp 0 --sysfs "$S" watch --interval 0.01 --count 3 &&
	 [ "$(wc -l <"$OUT")" = 4 ] && out_has "$WATCH_HEADER"'
t "watch: no rates on the first line, then 0/s" eval 'tp 0 --sysfs "$S" watch -i 0.01 -c 2 &&
	[ "$(sed -n 2p "$OUT" | awk "{print \$2, \$3}")" = "- -" ] &&
	[ "$(sed -n 3p "$OUT" | awk "{print \$2, \$3}")" = "0.0 0.0" ]'
t "watch: usage on each line" eval 'tp 0 --sysfs "$S" watch -i 0.01 -c 1 &&
	out_has "^[0-9]{2}:[0-9]{2}:[0-9]{2} +- +- +1004 +4.0 KiB +1.0 MiB +75.0% +2 +- +-$"'
t "watch: waits the interval" eval 'start=$(date +%s%N) &&
	tp 0 --sysfs "$S" watch -i 0.2 -c 3 &&
	[ $(( ($(date +%s%N) - start) / 1000000 )) -ge 400 ]'
t "watch: rates of allocations and frees" eval 'fixture rate &&
	{ (sleep 0.3; echo 2009 >"$F/stats/alloc_total"; echo 1510 >"$F/stats/free_total") & } &&
	tp 0 --sysfs "$F" watch -i 0.5 -c 3 && wait &&
	awk "NR > 2 && \$2 > 1000 && \$3 > 500 { found = 1 } END { exit !found }" "$OUT"'
t "watch: a counter that goes back has no rate" eval 'fixture back &&
	{ (sleep 0.1; echo 5 >"$F/stats/alloc_total") & } &&
	tp 0 --sysfs "$F" watch -i 0.3 -c 2 && wait &&
	[ "$(sed -n 3p "$OUT" | awk "{print \$2, \$3}")" = "- 0.0" ]'
t "watch: a file broken for good: gives up after 3 intervals" eval \
	'fixture wb && echo x >"$F/stats/alloc_total" &&
	tp 1 --sysfs "$F" watch -i 0.01 -c 10 && err_has "alloc_total: not a number" &&
	err_has "giving up: read errors in 3 intervals in a row" && err_lines 4 &&
	[ "$(wc -l <"$OUT")" = 4 ]'
t "watch: an error on the last line: exit 1" eval \
	'fixture wl && echo x >"$F/stats/alloc_total" &&
	tp 1 --sysfs "$F" watch -i 0.01 -c 2 && err_lines 2 && [ "$(wc -l <"$OUT")" = 3 ]'
# The file is gone for one interval (the kernel's stats directory being
# recreated, a node going away): that line has "-", watch goes on, and the
# rate after it spans the gap.
t "watch: survives a transient read error" eval 'fixture wt &&
	{ (sleep 0.35; mv "$F/stats/alloc_total" "$F/stats/x"; sleep 0.3;
	   echo 2009 >"$F/stats/x"; mv "$F/stats/x" "$F/stats/alloc_total") & } &&
	tp 0 --sysfs "$F" watch -i 0.25 -c 8 && wait && [ "$(wc -l <"$OUT")" = 9 ] &&
	err_has "alloc_total: No such file" &&
	awk "NR > 2 && \$2 == \"-\" { gap = 1 } gap && \$2 > 100 { after = 1 }
	     END { exit !(gap && after) }" "$OUT" &&
	[ "$(tail -n 1 "$OUT" | awk "{print \$2}")" = 0.0 ]'
t "watch --node 1: that node's values" eval 'tp 0 --sysfs "$S" watch -i 0.01 -c 1 --node 1 &&
	out_has "^[0-9:]+ +- +- +104 +105 B +107 B +100.0% +101 +- +-$"'
t "watch --node of a node that is not there" eval \
	'tp 1 --sysfs "$S" watch -c 1 --node 7 && err_has "no node 7" && out_empty'
if have jq; then
	t "watch --json: one compact object per interval" eval \
		'tp 0 --sysfs "$S" watch -i 0.01 -c 3 --json && [ "$(wc -l <"$OUT")" = 3 ] &&
		 [ "$(jq -c "[.levels.chunks, .levels.allocations, .rates.alloc_total]" "$OUT" |
		      xargs)" = "[2,1004,null] [2,1004,0] [2,1004,0]" ] &&
		 [ "$(jq -r ".levels | keys_unsorted[]" "$OUT" | head -n 9 | xargs)" = \
		   "chunks allocations allocated_bytes requested_bytes free_bytes largest_free \
fallback_allocations fallback_allocated_bytes utilisation" ] &&
		 [ "$(jq -r ".rates | keys_unsorted[]" "$OUT" | head -n 14 | xargs)" = \
		   "alloc_total free_total alloc_failures fallback_allocs fallback_large \
fallback_disabled fallback_early fallback_limit fallback_nomem remote_allocs grow_failures \
shrunk_chunks bad_frees wrong_user" ] &&
		 [ "$(jq .levels.utilisation "$OUT" | head -n 1)" = 75 ] &&
		 jq -e "has(\"node\") | not" "$OUT" >/dev/null'
	t "watch --json --node 0: levels and rates of that node" eval \
		'tp 0 --sysfs "$S" watch -i 0.01 -c 2 -j --node 0 &&
		 [ "$(jq -c "[.node, .levels.allocations, .rates.free_total]" "$OUT" | xargs)" = \
		   "[0,4,null] [0,4,0]" ] &&
		 [ "$(jq -c "[(.levels | has(\"alloc_total\")), (.rates | has(\"chunks\"))]" \
		      "$OUT" | sort -u)" = "[false,false]" ]'
	t "watch --json: counters as rates per second" eval 'fixture jrate &&
		{ (sleep 0.3; echo 2009 >"$F/stats/alloc_total") & } &&
		tp 0 --sysfs "$F" watch -i 0.5 -c 3 -j && wait &&
		[ "$(jq -c ".rates.alloc_total | if . == null then . else (. > 1000) end" "$OUT" |
		     xargs)" = "null true false" ]'
	t "watch: -j before the command" eval \
		'tp 0 --sysfs "$S" -j watch -i 0.01 -c 1 --node 1 && [ "$(jq .node "$OUT")" = 1 ] &&
		 [ "$(jq .levels.allocations "$OUT")" = 104 ]'
	t "watch --json: an unreadable value is null" eval 'fixture jnull2 &&
		rm "$F/stats/free_bytes" && tp 1 --sysfs "$F" watch -i 0.01 -c 1 -j &&
		[ "$(jq -c "[.levels.free_bytes, .levels.utilisation]" "$OUT")" = "[null,null]" ]'
else
	skip "watch --json tests" "jq not installed"
fi
t "watch: chunk_size missing" eval 'fixture wc && rm "$F/chunk_size" &&
	tp 1 --sysfs "$F" watch -c 1 && err_has "chunk_size: No such file"'

# ------------------------------------------------------------------ chunks

# chunks_grid: the chunks of mkdebugfs, drawn
chunks_grid() {
	local head0 head1

	head0="^node 0  0xffffffffa0000000-0xffffffffa0200000  2M  12 allocations, 4.0 KiB used,"
	head0+=" largest free 2.0 MiB$"
	head1="^node 1  0xffffffffa0400000-0xffffffffa0600000  4K  1 allocation, 2.0 MiB used,"
	head1+=" largest free 0 B$"
	tp 0 --debugfs "$D" chunks && err_lines 0 && out_has "$head0" &&
		out_has "^  \+0x000000 \|o\.{15}\|$" && out_has "^  \+0x080000 \|\.{16}\|$" &&
		out_has "^  \+0x180000 \|\.{14}##\|$" && out_has "^  \(a cell is 32.0 KiB\)$" &&
		out_has "$head1" && [ "$(grep -c "|################|" "$OUT")" = 4 ] &&
		out_has "^2 chunks; .\.. empty, .o. partly used, .#. full$"
}
t "chunks: a grid per chunk" chunks_grid
t "chunks: none" eval 'mkdir -p "$TMP/d0" && : >"$TMP/d0/chunks" &&
	tp 0 --debugfs "$TMP/d0" chunks && out_has "^no chunks mapped$"'
t "chunks: fields in another order, unknown fields skipped" eval 'mkdir -p "$TMP/d1" &&
	line="map=$MAP_FULL future=1 end=0x2000 start=0x1000 node=3 mapping=4K" &&
	line+=" allocations=1 used_bytes=64 largest_free=0" && echo "$line" >"$TMP/d1/chunks" &&
	tp 0 --debugfs "$TMP/d1" chunks && out_has "^node 3  0x1000-0x2000  4K" &&
	out_has "a cell is 32.0 KiB"'

# bad_line NAME LINE: that line is reported, the good ones still drawn
GOOD="node=0 start=0xffffffffa0000000 end=0xffffffffa0200000 mapping=2M"
GOOD+=" allocations=1 used_bytes=64 largest_free=2097088"
bad_line() {
	local name=$1 line=$2 why=$3
	t "chunks: $name" eval 'mkdir -p "$TMP/db" &&
		printf "%s\n" "$GOOD map=$MAP_FIRST" "$line" >"$TMP/db/chunks" &&
		tp 1 --debugfs "$TMP/db" chunks && err_has "chunks:2: malformed line \($why\)" &&
		err_lines 1 && out_has "^node 0  0xffffffffa0000000" && out_has "^1 chunk;"'
}
bad_line "no map" "$GOOD" "no map"
bad_line "a short map" "$GOOD map=${MAP_FULL:1}" "bad map"
bad_line "a long map" "$GOOD map=${MAP_FULL}#" "bad map"
bad_line "a strange map character" "$GOOD map=${MAP_FULL:1}x" "bad map"
bad_line "a field twice" "$GOOD node=1 map=$MAP_FULL" "bad node"
bad_line "a negative node" "${GOOD/node=0/node=-1} map=$MAP_FULL" "bad node"
bad_line "start without 0x" "${GOOD/start=0x/start=} map=$MAP_FULL" "bad start"
bad_line "end not hex" "${GOOD/end=0x/end=0xg} map=$MAP_FULL" "bad end"
bad_line "start past 64 bits" "${GOOD/start=0x/start=0x1} map=$MAP_FULL" "bad start"
bad_line "a long mapping" "${GOOD/mapping=2M/mapping=2Mbytes!} map=$MAP_FULL" "bad mapping"
bad_line "allocations not a number" "${GOOD/allocations=1/allocations=one} map=$MAP_FULL" \
	"bad allocations"
bad_line "used_bytes past 64 bits" \
	"${GOOD/used_bytes=64/used_bytes=18446744073709551616} map=$MAP_FULL" "bad used_bytes"
bad_line "a word without =" "$GOOD map=$MAP_FULL junk" "a field without '='"
bad_line "an empty line" "" "no node"
# The kernel prints the addresses with %pK: 0 under kptr_restrict=2, hashed
# (in any order) under kptr_restrict=0.
t "chunks: addresses hidden by kptr_restrict" eval 'mkdir -p "$TMP/dk" &&
	z=0x0000000000000000 && r="start=0xffffffffa0000000 end=0xffffffffa0200000" &&
	printf "%s\n" "${GOOD/$r/start=$z end=$z} map=$MAP_FULL" \
		"${GOOD/end=0xffffffffa0200000/end=0x1} map=$MAP_FIRST" >"$TMP/dk/chunks" &&
	tp 0 --debugfs "$TMP/dk" chunks && err_lines 0 && out_has "^node 0  0-0  2M" &&
	out_has "^2 chunks;"'
t "chunks: a NUL byte" eval 'mkdir -p "$TMP/dn" && printf "node=0\0 x\n" >"$TMP/dn/chunks" &&
	tp 1 --debugfs "$TMP/dn" chunks && err_has "chunks:1: malformed line: a NUL byte"'
t "chunks: a 1 MiB line" eval 'mkdir -p "$TMP/dl" &&
	head -c 1048576 /dev/zero | tr "\0" x >"$TMP/dl/chunks" &&
	tp 1 --debugfs "$TMP/dl" chunks && err_has "chunks:1: malformed line .*\.\.\.$" &&
	err_lines 1'
t "chunks: file missing" eval 'mkdir -p "$TMP/dm" &&
	tp 1 --debugfs "$TMP/dm" chunks && err_has "dm/chunks: No such file or directory"'
t "chunks: a directory" eval 'mkdir -p "$TMP/dd/chunks" &&
	tp 1 --debugfs "$TMP/dd" chunks && err_has "dd/chunks: Is a directory"'
t "chunks: a FIFO, no hang" eval 'mkdir -p "$TMP/df" && mkfifo "$TMP/df/chunks" &&
	tp 1 --debugfs "$TMP/df" chunks && err_has "df/chunks: not a regular file"'
if [ -n "$NOBODY" ]; then
	t "chunks: a file we may not read" eval 'mkdir -p "$TMP/du" && cp "$D/chunks" "$TMP/du/" &&
		chmod 0 "$TMP/du/chunks" &&
		as_nobody 1 --debugfs "$TMP/du" chunks && err_has "du/chunks: Permission denied"'
else
	skip "chunks: a file we may not read" "cannot drop root (no setpriv)"
fi

# -------------------------------------------------- global options (bpftool)

if have jq; then
	for args in "-j --sysfs $S stats" "--sysfs $S -j stats" "--sysfs $S stats -j" \
		"--sysfs $S stats --node 1 -j" "--json --sysfs $S stats" \
		"--sysfs $S stats --json"; do
		t "textpoolctl $args: one compact line" eval \
			'tp 0 $args && [ "$(wc -l <"$OUT")" = 1 ] && jq -e . "$OUT" >/dev/null &&
			 out_lacks "\": |^ "'
	done
	for args in "-p --sysfs $S stats" "--sysfs $S stats -p" "--sysfs $S stats --pretty" \
		"--sysfs $S --pretty stats --node 0"; do
		t "textpoolctl $args: indented JSON" eval \
			'tp 0 $args && [ "$(wc -l <"$OUT")" -gt 20 ] &&
			 out_has "^  \"stats\": \{$" && out_has "^    \"chunks\": [0-9]+,$" &&
			 out_has "^\}$" && jq -e . "$OUT" >/dev/null'
	done
	t "--pretty and compact JSON hold the same" eval \
		'tp 0 --sysfs "$S" stats -p && jq -S . "$OUT" >"$TMP/pretty" &&
		 tp 0 --sysfs "$S" stats && cp "$OUT" "$TMP/table" &&
		 tp 0 -j --sysfs "$S" stats && jq -S . "$OUT" | cmp - "$TMP/pretty"'
	t "-j --version: the version as JSON" eval \
		'tp 0 -j --version && [ "$(jq -r .version "$OUT")" = 2.0 ]'
else
	skip "global -j/-p tests" "jq not installed"
fi
for args in "--version" "-V" "stats --version" "--sysfs /nonexistent watch -V"; do
	t "textpoolctl $args: the version, exit 0" eval \
		'tp 0 $args && [ "$(cat "$OUT")" = "textpoolctl 2.0" ] && err_lines 0'
done
t "set: a value -j after -- goes to the kernel" eval \
	'fixture setj && tp 0 --sysfs "$F" set -- max_chunks -j; [ "$(cat "$F/max_chunks")" = -j ]'
t "-j does not take a table command's output away" eval \
	'tp 0 --debugfs "$D" chunks -j && out_has "^2 chunks;"'

# ------------------------------------------------------- stats --prometheus

# prom FILE: the Prometheus validator on FILE
prom() {
	python3 "$SRC/tests/prom_check.py" --prefix textpool_ "$1"
}
if have python3; then
	t "stats --prometheus: a valid text exposition" eval \
		'tp 0 --sysfs "$S" stats --prometheus && err_lines 0 && prom "$OUT"'
	t "stats --prometheus: a family per statistic, node and user labels" eval \
		'tp 0 --sysfs "$S" stats --prometheus &&
		 out_has "^textpool_chunks\{node=\"1\"\} 101$" &&
		 out_has "^textpool_allocs_total\{node=\"0\"\} 9$" &&
		 out_has "^textpool_fallback_allocations\{node=\"1\"\} 102$" &&
		 out_has "^textpool_wrong_user_total\{node=\"1\"\} 122$" &&
		 out_has "^# TYPE textpool_bad_frees_total counter$" &&
		 out_has "^# TYPE textpool_free_bytes gauge$" &&
		 out_has "^# HELP textpool_fallback_nomem_total .+" &&
		 out_has "^textpool_user_allocated_bytes\{user=\"kprobes\"\} 1920$" &&
		 out_has "^textpool_max_chunks_limit 2048$" && out_has "^textpool_enabled 1$" &&
		 out_lacks "node=\"stats\"|\} 10[0-9][0-9]$" &&
		 [ "$(grep -c "^# TYPE" "$OUT")" = $((7 + 22 + 2)) ] &&
		 [ "$(grep -c "^textpool_[a-z_]*{node=" "$OUT")" = $((22 * 2)) ]'
	t "stats --prometheus --node 1: node 1 only" eval \
		'tp 0 --sysfs "$S" stats --prometheus --node 1 && prom "$OUT" &&
		 out_has "^textpool_chunks\{node=\"1\"\} 101$" && out_lacks "node=\"0\""'
	t "stats --prometheus: an older kernel, its families only" eval \
		'old_fixture old && tp 0 --sysfs "$F" stats --prometheus && prom "$OUT" &&
		 out_lacks "max_total_chunks|max_chunks_limit|fallback_large|wrong_user" &&
		 out_has "^textpool_fallback_allocs_total\{node=\"1\"\} 112$"'
	t "stats --prometheus: an unreadable value is left out, exit 1" eval \
		'fixture punread && echo x >"$F/node1/free_bytes" &&
		 tp 1 --sysfs "$F" stats --prometheus && prom "$OUT" &&
		 out_has "^textpool_free_bytes\{node=\"0\"\} 7$" &&
		 out_lacks "^textpool_free_bytes\{node=\"1\"" &&
		 err_has "node1/free_bytes: not a number"'
	t "stats --prometheus --json: a usage error" eval \
		'usage --sysfs "$S" stats --prometheus --json &&
		 usage -j --sysfs "$S" stats --prometheus'
	# The validator itself: each of these must fail it.
	good="# HELP textpool_a_total A.\n# TYPE textpool_a_total counter\n"
	good+="textpool_a_total{node=\"0\"} 1\n"
	fam_b="# HELP textpool_b B.\n# TYPE textpool_b gauge\n"
	fam_1="# HELP textpool_1-a X.\n# TYPE textpool_1-a gauge\n"
	fam_c="# HELP textpool_c C.\n# TYPE textpool_c counter\n"
	for bad in "no newline|${good}textpool_a_total{node=\"1\"} 2" \
		"a sample twice|${good}textpool_a_total{node=\"0\"} 1\n" \
		"an unescaped quote|${good}textpool_a_total{node=\"a\"b\"} 1\n" \
		"a raw backslash|${good}textpool_a_total{node=\"a\\\\b\"} 1\n" \
		"a bad HELP escape|# HELP textpool_b \\\\x\n# TYPE textpool_b gauge\n" \
		"no TYPE|# HELP textpool_b B.\ntextpool_b 1\n" \
		"a TYPE twice|${good}# TYPE textpool_a_total counter\n" \
		"a family split|${good}${fam_b}textpool_b 1\ntextpool_a_total{node=\"1\"} 1\n" \
		"a bad metric name|${fam_1}textpool_1-a 1\n" \
		"a bad label name|${good}textpool_a_total{1node=\"1\"} 1\n" \
		"a counter without _total|${fam_c}textpool_c 1\n" \
		"not a number|${good}textpool_a_total{node=\"2\"} x\n" \
		"another prefix|# HELP other O.\n# TYPE other gauge\nother 1\n" \
		"a blank line|${good}\n" \
		"a label twice|${good}textpool_a_total{node=\"1\",node=\"2\"} 1\n"; do
		t "prometheus validator: rejects ${bad%%|*}" eval \
			'printf "%b" "${bad#*|}" >"$TMP/bad.prom" &&
			 ! prom "$TMP/bad.prom" >"$TMP/why" &&
			 [ -s "$TMP/why" ] && cat "$TMP/why"'
	done
	t "prometheus validator: takes escaped labels and HELP" eval \
		'printf "%s\n" "# HELP textpool_x A \\\\ and \\n." "# TYPE textpool_x gauge" \
			"textpool_x{user=\"a\\\\\\\"b\\nc\"} 1" >"$TMP/ok.prom" &&
		 prom "$TMP/ok.prom"'
else
	skip "stats --prometheus tests" "python3 not installed"
fi

# ------------------------------------------------------------------- top

TOP_ROW0="^      0    0.2%      2.0 MiB      12  o\.{30}#$"
TOP_ROW1="^      0  100.0%          0 B       1  #{32}$"
t "top --count 1: per node its chunks, utilisation, largest free, map" eval \
	'tp 0 --sysfs "$S" --debugfs "$D" top -c 1 && err_lines 0 &&
	 out_has "^textpool top - [0-9:]+, 2 chunks on 2 nodes, every 1.0 s$" &&
	 out_has "^node 0: 1 chunk, 4.0 KiB of 2.0 MiB used \(0.2%\)$" &&
	 out_has "^node 1: 1 chunk, 2.0 MiB of 2.0 MiB used \(100.0%\)$" &&
	 out_has "$TOP_ROW0" && out_has "$TOP_ROW1" && [ "$(wc -l <"$OUT")" = 8 ]'
t "top --node 1: that node only" eval \
	'tp 0 --debugfs "$D" top -c 1 --node 1 && out_has "$TOP_ROW1" && out_lacks "^node 0"'
t "top: a node without chunks is listed" eval \
	'mkdir -p "$TMP/dt1" && grep node=1 "$D/chunks" >"$TMP/dt1/chunks" &&
	 tp 0 --sysfs "$S" --debugfs "$TMP/dt1" top -c 1 && out_has "^node 0: 0 chunks"'
# many_chunks N DIR: N chunks on nodes 0 and 1 in DIR/chunks
many_chunks() {
	local i
	mkdir -p "$2"
	for ((i = 0; i < $1; i++)); do
		echo "node=$((i % 2)) start=0x0000000000000000 end=0x0000000000000000 mapping=2M" \
			"allocations=$i used_bytes=$((i * 4096)) largest_free=4096 map=$MAP_FIRST"
	done >"$2/chunks"
}
t "top: 200 chunks fit 80x24" eval 'many_chunks 200 "$TMP/dt2" &&
	tp 0 --sysfs "$S" --debugfs "$TMP/dt2" top -c 1 && [ "$(wc -l <"$OUT")" -le 24 ] &&
	[ "$(awk "{ if (length > m) m = length } END { print m }" "$OUT")" -le 80 ] &&
	out_has "^  \.\.\. [0-9]+ more chunks$" && out_has "^node 1: 100 chunks"'
t "top --count 2: two frames" eval \
	'tp 0 --debugfs "$D" top -c 2 -i 0.1 && [ "$(grep -c "^textpool top" "$OUT")" = 2 ]'
t "top: a malformed line is reported, the rest shown, exit 1" eval \
	'mkdir -p "$TMP/dt3" && { cat "$D/chunks"; echo junk; } >"$TMP/dt3/chunks" &&
	 tp 1 --debugfs "$TMP/dt3" top -c 1 && err_has "malformed line" && out_has "$TOP_ROW1"'
t "top without textpool in debugfs: one line, exit 1" eval \
	'tp 1 --debugfs "$TMP/none" top -c 1 && err_lines 1 && out_empty'
for v in 0 0.01 x -1; do
	t "top --interval '$v' is a usage error" eval 'usage --debugfs "$D" top -i "$v"'
done
t "top --count 0 is a usage error" eval 'usage --debugfs "$D" top -c 0'

# ------------------------------------------------------ build, doc, completion

t "make OUTPUT=dir builds there" eval 'make -s -C "$SRC" OUTPUT="$TMP/out1" >/dev/null &&
	[ -x "$TMP/out1/textpoolctl" ] && [ -e "$TMP/out1/main.o" ]'
if [ -e "$(${CC:-gcc} -print-file-name=libc.a)" ]; then
	t "make STATIC=1 links statically" eval \
		'make -s -C "$SRC" OUTPUT="$TMP/static" STATIC=1 >/dev/null &&
		! LC_ALL=C readelf -d "$TMP/static/textpoolctl" | grep -q NEEDED &&
		"$TMP/static/textpoolctl" --sysfs "$S" get slot_size | grep -qx 64'
else
	skip "make STATIC=1 links statically" "no static libc"
fi
t "make check" make -s -C "$SRC" OUTPUT="$TMP/out1" check
if have rst2man; then
	t "make doc renders the man page" eval 'make -s -C "$SRC" OUTPUT="$TMP/doc" doc &&
		grep -q "^\.TH \"\?TEXTPOOLCTL\"\? \"\?8\"\?" "$TMP/doc/textpoolctl.8" &&
		grep -q "reserve_chunks" "$TMP/doc/textpoolctl.8"'
else
	skip "make doc renders the man page" "rst2man not installed"
fi
# The man page documents every JSON key and every command.
t "man page: every command and JSON key" eval 'for w in stats get set watch chunks top \
	--sysfs --debugfs --node --json --pretty --version --prometheus --interval --count \
	max_chunks_limit levels rates \
	enabled reserve_chunks max_chunks max_total_chunks chunk_size slot_size $STATS $USERS \
	allocated_bytes \
	"JSON OUTPUT" "EXIT STATUS"; do
		grep -q -- "$w" "$SRC/Documentation/textpoolctl.rst" ||
			{ echo "missing: $w"; return 1; }
	done'

# complete WORDS...: what the bash completion offers for the last word
complete_words() {
	bash -c '
		complete() { :; }
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_textpoolctl textpoolctl "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$SRC/bash-completion/textpoolctl" "$@" | sort | xargs
}
# expect_completion "WORDS" "OFFERS"
expect_completion() {
	local got
	# shellcheck disable=SC2086
	got=$(complete_words $1)
	[ "$got" = "$2" ] || { echo "completing '$1': '$got', wanted '$2'"; return 1; }
}
t "bash completion: the file parses" bash -n "$SRC/bash-completion/textpoolctl"
t "bash completion: commands" expect_completion "textpoolctl ''" \
	"chunks get help set stats top watch"
t "bash completion: a command's start" expect_completion "textpoolctl st" "stats"
t "bash completion: global options" expect_completion "textpoolctl --" \
	"--debugfs --help --json --pretty --sysfs --version"
t "bash completion: stats options" expect_completion "textpoolctl stats --" \
	"--debugfs --help --json --node --pretty --prometheus --sysfs --version"
t "bash completion: watch options" expect_completion "textpoolctl watch -" \
	"--count --debugfs --help --interval --json --node --pretty --sysfs --version"
t "bash completion: top options" expect_completion "textpoolctl top -" \
	"--count --debugfs --help --interval --json --node --pretty --sysfs --version"
t "bash completion: a command after -j" expect_completion "textpoolctl -j w" "watch"
t "bash completion: set NAME" expect_completion "textpoolctl set ''" \
	"enabled max_chunks max_total_chunks reserve_chunks"
t "bash completion: set max_t" expect_completion "textpoolctl set max_t" "max_total_chunks"
t "bash completion: get NAME of a newer kernel" eval \
	'want="stats/fallback_allocated_bytes stats/fallback_allocations"
	 want+=" stats/fallback_allocs stats/fallback_disabled"
	 want+=" stats/fallback_early stats/fallback_large stats/fallback_limit"
	 want+=" stats/fallback_nomem"
	 expect_completion "textpoolctl --sysfs $S get stats/fallback_" "$want"'
t "bash completion: get node0/sh" eval \
	'expect_completion "textpoolctl --sysfs $S get node0/sh" "node0/shrunk_chunks"'
t "bash completion: set enabled VALUE" expect_completion "textpoolctl set enabled ''" "0 1"
t "bash completion: get NAME from --sysfs" eval \
	'expect_completion "textpoolctl --sysfs $S get node1/al" \
	 "node1/alloc_failures node1/alloc_total node1/allocated_bytes node1/allocations"'
t "bash completion: --node from --sysfs" expect_completion \
	"textpoolctl --sysfs $S stats --node ''" "0 1"
t "bash completion: help COMMAND" expect_completion "textpoolctl help w" "watch"

if have shellcheck; then
	t "shellcheck of the tests and the completion" \
		shellcheck -s bash -e SC2016,SC2034,SC2207,SC2317 \
		"$SRC/tests/run.sh" "$SRC/bash-completion/textpoolctl"
else
	skip "shellcheck of the tests and the completion" "shellcheck not installed"
fi

echo "1..$N"
[ "$FAILED" = 0 ] || echo "# $FAILED of $N failed"
[ "$FAILED" = 0 ]
