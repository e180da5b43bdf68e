#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print "textpool-chunk-base: 0x...", the lowest start of the chunks listed
# in debugfs textpool/chunks, for make check to compare across boots.  When
# there is no chunk, load one BPF program first and keep it loaded while
# reading, so that one is mapped.  Exits 1 if there is still no chunk.
C=/sys/kernel/debug/textpool/chunks
# The chunks file prints addresses with %pK: real ones for root only with
# kptr_restrict=1 (0 hashes them, 2 zeroes them).
kr=$(cat /proc/sys/kernel/kptr_restrict)
echo 1 >/proc/sys/kernel/kptr_restrict
trap 'echo $kr >/proc/sys/kernel/kptr_restrict' EXIT
# The starts are %lx of kernel addresses: 16 lower-case digits, so the
# string order is the numeric one.
lowest() {
	sed -n 's/.* start=\(0x[0-9a-f]*\) .*/\1/p' $C 2>/dev/null | sort | head -n 1
}

# Where KASLR put the kernel this boot, for the record.
echo "# kernel _text at 0x$(awk '$3 == "_text" { print $1 }' /proc/kallsyms)"
base=$(lowest)
if [ -z "$base" ]; then
	f=/tmp/chunk-base.$$
	mkfifo $f
	tp-bpf-load 1 <$f >$f.out 2>&1 &
	pid=$!
	# tp-bpf-load keeps its programs until its standard input closes.
	exec 3>$f
	i=0
	while ! grep -q '^loaded' $f.out && kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sed 's/^/# /' $f.out
	base=$(lowest)
	exec 3>&-
	wait $pid
	rm -f $f $f.out
fi
if [ -z "$base" ]; then
	echo "# textpool-chunk-base: no chunk in $C"
	exit 1
fi
echo "textpool-chunk-base: $base"
