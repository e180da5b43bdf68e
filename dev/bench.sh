#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: the workload of shared/baseline-6.12.md on the pristine base
# and on textpool, booted the same way in the same run, and the in-kernel
# microbenchmark of textpool (when built).  Counts are the headline;
# timings under TCG are compared only as ratios.  Writes out/bench.md.

. "$(dirname "$0")/common.sh"

mkdir -p "$TP_OUT"
for t in linux-base linux; do
	TP_QUIET=1 "$TP_TOP/dev/guest.sh" "$TP_BUILD/$t" bench "$TP_BUILD/bench-$t.log" 1800
done

python3 - "$TP_BUILD/bench-linux-base.log" "$TP_BUILD/bench-linux.log" >"$TP_OUT/bench.md" <<'PY'
import re, sys

def read(path):
    steps, loads, micro = [], [], []
    for line in open(path, errors='replace'):
        line = re.sub(r'^\[\s*\d+\.\d+\]\s?', '', line.rstrip())
        m = re.match(r'textpool-demo: (.*): (x4k=.*)$', line)
        if m:
            steps.append((m.group(1), dict(kv.split('=') for kv in m.group(2).split())))
        m = re.search(r'\(([\d.]+) us per load\)', line)
        if m:
            loads.append(float(m.group(1)))
        m = re.match(r'textpool-bench: (impl=.*)$', line)
        if m:
            micro.append(dict(kv.split('=', 1) for kv in m.group(1).split()))
    return steps, loads, micro

base, tp = read(sys.argv[1]), read(sys.argv[2])
print('# make bench: base 6.12.117 against textpool (same guest, same run)\n')
print('| after | figure | base | textpool |')
print('|---|---|---|---|')
names = {'x4k': 'executable 4 KiB mappings (Modules)',
         'x2m': 'executable 2 MiB mappings (Modules)',
         'l2': 'direct_map_level2_splits', 'l3': 'direct_map_level3_splits',
         'dm4k': 'DirectMap4k'}
for (step, b), (_, t) in zip(base[0], tp[0]):
    for k, label in names.items():
        print(f'| {step} | {label} | {b.get(k, "?")} | {t.get(k, "?")} |')
bl = sum(base[1]) / len(base[1]) if base[1] else 0
tl = sum(tp[1]) / len(tp[1]) if tp[1] else 0
ratio = f'{tl / bl:.2f}' if bl else '?'
print(f'| 2,000 BPF programs | us per BPF load (TCG) | {bl:.0f} | {tl:.0f} (x{ratio}) |')
if tp[2]:
    print('\n## In-kernel microbenchmark: alloc+free, ns per operation\n')
    print('| size | live allocations | textpool (alloc / free) | execmem + set_memory_rox + vfree | speed-up |')
    print('|---|---|---|---|---|')
    runs = {}
    for r in tp[2]:
        runs.setdefault((int(r['size']), int(r['live'])), {})[r['impl']] = r
    for (size, live), r in sorted(runs.items(), key=lambda x: (x[0][1], x[0][0])):
        t, e = r.get('textpool'), r.get('execmem')
        if not t:
            continue
        tcell = f"{t['ns_per_op']} ({t['alloc_ns']} / {t['free_ns']})"
        ecell = e['ns_per_op'] if e else '-'
        up = f"{int(e['ns_per_op']) / max(1, int(t['ns_per_op'])):.1f}x" if e else '-'
        print(f'| {size} | {live} | {tcell} | {ecell} | {up} |')
PY
cat "$TP_OUT/bench.md"
