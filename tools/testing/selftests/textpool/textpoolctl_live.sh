#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# textpoolctl on the live kernel: `textpoolctl stats --json` (and with
# --node N) holds the values of /sys/kernel/mm/textpool, one key per file,
# an object per directory (textpoolctl(8) allows more keys); `textpoolctl
# set` changes a tunable and turns the kernel's refusal into exit status 1;
# `stats --prometheus` has a family per statistic with the values of the
# files; `watch --json` prints an object per interval; and a session of
# stats, stats --prometheus, watch and top, printed into the log, while BPF
# programs come and go.  Run as root.

DIR=$(dirname "$(readlink -f "$0")")
. "$DIR"/textpool_lib.sh

# TEXTPOOL_SYSFS=DIR runs it on a copy of the tree (and tells the tool).
TP=${TEXTPOOL_SYSFS:-/sys/kernel/mm/textpool}
TOOL=${TEXTPOOLCTL:-textpoolctl}
TMP=

ktap_print_header

if [ "$(id -u)" != 0 ] && [ -z "${TEXTPOOL_SYSFS:-}" ]; then
	ktap_skip_all "must be run as root"
	exit "$KSFT_SKIP"
fi
if [ ! -d "$TP" ]; then
	ktap_skip_all "no $TP: kernel without CONFIG_TEXTPOOL"
	exit "$KSFT_SKIP"
fi
if ! command -v "$TOOL" >/dev/null; then
	ktap_skip_all "no $TOOL in PATH"
	exit "$KSFT_SKIP"
fi

tool() {
	if [ -n "${TEXTPOOL_SYSFS:-}" ]; then
		"$TOOL" --sysfs "$TP" "$@"
	else
		"$TOOL" "$@"
	fi
}

NODES=$(cd $TP && ls -d node* | sed 's/^node//')
NR_NODES=$(echo "$NODES" | wc -w)
ktap_set_plan $((8 + NR_NODES))

TMP=$(mktemp -d)
ORIG_RESERVE=$(cat $TP/reserve_chunks)
ORIG_TOTAL=$(cat $TP/max_total_chunks)
trap 'echo "$ORIG_RESERVE" >$TP/reserve_chunks; echo "$ORIG_TOTAL" >$TP/max_total_chunks
	rm -rf "$TMP"' EXIT

# JSON on stdin to one "a.b.c value" line per scalar (strings unquoted,
# array elements numbered from 0).
flatten() {
	awk '
	function emit(v,   p, k) {
		p = ""
		for (k = 1; k <= depth; k++)
			if (stk[k] != "")
				p = p stk[k] "."
		print p key, v
	}
	{ s = s $0 "\n" }
	END {
		n = length(s)
		i = 1
		depth = 0
		key = ""
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "\"") {
				str = ""
				j = i + 1
				while (j <= n && substr(s, j, 1) != "\"") {
					if (substr(s, j, 1) == "\\")
						j++
					str = str substr(s, j, 1)
					j++
				}
				i = j + 1
				k = i
				while (substr(s, k, 1) ~ /[ \t\r\n]/)
					k++
				if (substr(s, k, 1) == ":") {
					key = str
					i = k + 1
				} else {
					emit(str)
				}
			} else if (c == "{" || c == "[") {
				depth++
				stk[depth] = key
				arr[depth] = c == "["
				idx[depth] = 0
				key = arr[depth] ? 0 : ""
				i++
			} else if (c == "}" || c == "]") {
				depth--
				key = ""
				i++
			} else if (c == ",") {
				if (arr[depth]) {
					idx[depth]++
					key = idx[depth]
				}
				i++
			} else if (c ~ /[ \t\r\n:]/) {
				i++
			} else {
				j = i
				while (j <= n && substr(s, j, 1) !~ /[],} \t\r\n]/)
					j++
				emit(substr(s, i, j - i))
				i = j
			}
		}
		if (depth != 0)
			print "JSON-ERROR unbalanced"
	}'
}

# The sysfs tree as "a.b.c value" lines, the way the JSON nests it.
sysfs_flat() {
	(cd $TP && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
		while read -r f; do
			v=$(cat "$f")
			[ "$f" = enabled ] && { [ "$v" = 1 ] && v=true || v=false; }
			echo "$(echo "$f" | tr / .) $v"
		done)
}

# compare ARGS...: run `textpoolctl stats --json ARGS` between two reads
# of sysfs until sysfs did not change while it ran (at most 10 times), then
# compare: every file that the JSON should hold, with its value, and no
# other key. For --node N, nodeM/ of the other nodes is left out.
compare() {
	local try=0 only=$1

	while :; do
		sysfs_flat >"$TMP/before"
		if ! tool stats --json $2 >"$TMP/json" 2>"$TMP/err"; then
			bad "textpoolctl stats --json $2 failed: $(cat "$TMP/err")"
			return 1
		fi
		sysfs_flat >"$TMP/after"
		cmp -s "$TMP/before" "$TMP/after" && break
		try=$((try + 1))
		if [ $try -ge 10 ]; then
			bad "the statistics kept changing; comparing what did not"
			break
		fi
		sleep 1
	done
	flatten <"$TMP/json" | LC_ALL=C sort >"$TMP/tool"
	if [ ! -s "$TMP/tool" ] || grep -q '^JSON-ERROR' "$TMP/tool"; then
		bad "textpoolctl stats --json $2 is not a JSON object: $(head -c 300 "$TMP/json")"
		return 1
	fi
	# What the JSON should hold: every file, but with --node only that node.
	grep -v -E '^node[0-9]+\.' "$TMP/before" >"$TMP/want"
	grep -E "^node($only)\\." "$TMP/before" >>"$TMP/want"
	LC_ALL=C sort -o "$TMP/want" "$TMP/want"
	# Keys that changed while the tool ran are not compared.
	grep -v -x -F -f "$TMP/after" "$TMP/before" | cut -d' ' -f1 >"$TMP/unstable"
	while read -r k v; do
		grep -q -x -F "$k" "$TMP/unstable" && continue
		got=$(awk -v k="$k" '$1 == k { print $2 }' "$TMP/tool")
		if [ -z "$got" ]; then
			bad "no key $k in the JSON (file $(echo "$k" | tr . /) = $v)"
		elif [ "$got" != "$v" ]; then
			bad "$k: JSON $got, file $v"
		fi
	done <"$TMP/want"
	# textpoolctl(8) allows keys to be added: only say so.
	cut -d' ' -f1 "$TMP/want" >"$TMP/wantkeys"
	while read -r k v; do
		grep -q -x -F "$k" "$TMP/wantkeys" ||
			ktap_print_msg "JSON key $k = $v has no file (allowed)"
	done <"$TMP/tool"
	ktap_print_msg "compared $(wc -l <"$TMP/want") values" \
		"($(wc -l <"$TMP/unstable") changed while the tool ran)"
}

compare "$(echo $NODES | tr ' ' '|')" ""
check "stats --json holds the value of every file"

for n in $NODES; do
	compare "$n" "--node $n"
	check "stats --json --node $n holds stats/, node$n/ and users/"
done

old=$(cat $TP/reserve_chunks)
new=$((old == 3 ? 4 : 3))
tool set reserve_chunks $new >"$TMP/out" 2>&1
rc=$?
[ $rc = 0 ] || bad "set reserve_chunks $new: exit $rc: $(cat "$TMP/out")"
[ "$(cat $TP/reserve_chunks)" = $new ] ||
	bad "set reserve_chunks $new: file reads $(cat $TP/reserve_chunks)"
out=$(tool get reserve_chunks 2>&1)
rc=$?
[ $rc = 0 ] || bad "get reserve_chunks: exit $rc: $out"
echo "$out" | grep -q -w "$new" || bad "get reserve_chunks printed '$out', want $new"
echo "$old" >$TP/reserve_chunks
check "set and get reserve_chunks"

for v in 65 1x 99999999999; do
	before=$(cat $TP/reserve_chunks)
	tool set reserve_chunks "$v" >"$TMP/out" 2>&1
	rc=$?
	[ $rc = 1 ] || bad "set reserve_chunks $v: exit $rc, want 1: $(cat "$TMP/out")"
	[ -s "$TMP/out" ] || bad "set reserve_chunks $v: no message"
	[ "$(cat $TP/reserve_chunks)" = "$before" ] || bad "set reserve_chunks $v changed it"
done
check "set reserve_chunks with a bad value: a message, exit 1, value kept"

# max_total_chunks: a value it takes, then 0, which the kernel refuses.
old=$(cat $TP/max_total_chunks)
new=$((old == 5 ? 6 : 5))
tool set max_total_chunks $new >"$TMP/out" 2>&1
rc=$?
[ $rc = 0 ] || bad "set max_total_chunks $new: exit $rc: $(cat "$TMP/out")"
out=$(tool get max_total_chunks 2>&1)
[ "$out" = $new ] || bad "get max_total_chunks printed '$out', want $new"
tool set max_total_chunks 0 >"$TMP/out" 2>&1
rc=$?
[ $rc = 1 ] || bad "set max_total_chunks 0: exit $rc, want 1: $(cat "$TMP/out")"
grep -q "invalid value '0' for max_total_chunks" "$TMP/out" ||
	bad "set max_total_chunks 0: no message: $(cat "$TMP/out")"
[ "$(cat $TP/max_total_chunks)" = $new ] || bad "set max_total_chunks 0 changed it"
echo "$old" >$TP/max_total_chunks
check "set and get max_total_chunks; 0 is refused with a message, exit 1"

tool set chunk_size 1 >"$TMP/out" 2>&1
rc=$?
[ $rc = 1 ] || [ $rc = 2 ] || bad "set chunk_size 1: exit $rc, want 1 or 2: $(cat "$TMP/out")"
[ "$(cat $TP/chunk_size)" = 2097152 ] || bad "chunk_size changed"
check "set of a read-only file fails"

# --- stats --prometheus on the live kernel ------------------------------------

tool stats --prometheus >"$TMP/prom" 2>"$TMP/err" ||
	bad "stats --prometheus failed: $(cat "$TMP/err")"
# Every sample of a family declared before it by HELP and TYPE, no line twice.
awk '
/^# HELP / { help[$3] = 1; next }
/^# TYPE / { if ($3 in type) { print "TYPE twice: " $3; bad = 1 }
	     type[$3] = $4; if (!($3 in help)) { print "TYPE before HELP: " $3; bad = 1 }
	     next }
{
	name = $1; sub(/\{.*/, "", name)
	if (!(name in type)) { print "no TYPE before " $0; bad = 1 }
	if ($0 in seen) { print "twice: " $0; bad = 1 }
	if ($0 !~ /^textpool_[a-z_]+(\{[a-z]+="[^"\\]*"\})? [0-9]+$/) {
		print "malformed: " $0; bad = 1
	}
	if (type[name] == "counter" && name !~ /_total$/) { print "counter " name; bad = 1 }
	seen[$0] = 1
}
END { exit bad }' "$TMP/prom" >"$TMP/why" || bad "stats --prometheus: $(head -n 3 "$TMP/why")"
for n in $NODES; do
	for f in chunks:chunks allocations:allocations free_bytes:free_bytes \
		 fallback_allocations:fallback_allocations bad_frees:bad_frees_total; do
		want=$(cat "$TP/node$n/${f%%:*}")
		got=$(awk -v m="textpool_${f#*:}{node=\"$n\"}" '$1 == m { print $2 }' "$TMP/prom")
		# Chunks and allocations may move while it runs: allow a change.
		[ "$got" = "$want" ] || [ "${f%%:*}" != bad_frees ] ||
			bad "textpool_${f#*:}{node=\"$n\"} is '$got', node$n/${f%%:*} $want"
		[ -n "$got" ] || bad "no textpool_${f#*:}{node=\"$n\"}"
	done
done
grep -q "^textpool_max_chunks_limit $(cat $TP/max_chunks_limit)$" "$TMP/prom" ||
	bad "no textpool_max_chunks_limit $(cat $TP/max_chunks_limit)"
check "stats --prometheus: a family per statistic, node and user labels, the files' values"

# --- watch --json on the live kernel ----------------------------------------------

tool watch --json --interval 0.2 --count 3 >"$TMP/watch" 2>"$TMP/err" ||
	bad "watch --json failed: $(cat "$TMP/err")"
[ "$(wc -l <"$TMP/watch")" = 3 ] ||
	bad "watch --json --count 3 printed $(wc -l <"$TMP/watch") lines"
while read -r l; do
	echo "$l" | flatten >"$TMP/flat"
	grep -q '^JSON-ERROR' "$TMP/flat" && bad "not JSON: $l"
	grep -q '^levels.chunks [0-9]' "$TMP/flat" || bad "no levels.chunks: $l"
	grep -q '^rates.alloc_total ' "$TMP/flat" || bad "no rates.alloc_total: $l"
done <"$TMP/watch"
tail -n 1 "$TMP/watch" | flatten | grep -q '^rates.alloc_total [0-9]' ||
	bad "no rate on the last line: $(tail -n 1 "$TMP/watch")"
check "watch --json: an object per interval with levels and rates"

# --- a session, into the log --------------------------------------------------------

# show CMD...: run textpoolctl CMD, its output into the log; fails on an error.
show() {
	ktap_print_msg "\$ textpoolctl $*"
	if ! tool "$@" >"$TMP/show" 2>&1; then
		bad "textpoolctl $* failed"
	fi
	sed 's/^/#   /' "$TMP/show"
}
[ -d /sys/kernel/debug/textpool ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
# Some BPF programs come and go on CPU 0 meanwhile.
( for i in $(seq 1 40); do "$DIR"/sysfs_helper bpf-load 0 8 2 >/dev/null || exit; done ) &
LOAD=$!
show stats
tool stats --prometheus >"$TMP/show" 2>&1 || bad "stats --prometheus failed"
# The families of some statistics, whole.
PICK='^textpool_(chunks|allocs_total|fallback_(allocs_total|allocations|disabled_total)'
PICK="$PICK|bad_frees_total|user_allocations)\$"
ktap_print_msg "\$ textpoolctl stats --prometheus (the families of $PICK)"
awk -v pick="$PICK" '/^# HELP / { keep = $3 ~ pick } keep' "$TMP/show" | sed 's/^/#   /'
show watch --interval 1 --count 3
show watch --node 0 --json --count 2 --interval 0.5
show top --count 1
kill $LOAD 2>/dev/null
wait $LOAD 2>/dev/null
check "a textpoolctl session: stats, stats --prometheus, watch, top"

ktap_finished
