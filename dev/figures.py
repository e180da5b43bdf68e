#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the base figures of two guest boots.

    figures.py NAME LOG LOG-OF-REFERENCE

Both consoles ran the workload of shared/baseline-6.12.md
(dev/guest/ktap-lib.sh base_figures: 2,000 BPF programs, 40 ftrace
instances, 40 kprobe events, all removed again), which prints after each
step "textpool-demo: STEP: x4k=N x2m=N l2=N l3=N dm4k=NkB".  With
textpool=off the kernel must cost what the reference (the CONFIG_TEXTPOOL=n
kernel, which behaves as the base) costs: per step, the same change since
the first step in executable 4 KiB and 2 MiB mappings of the Modules area,
exactly; in direct-map level-2 and level-3 splits and in DirectMap4k, no
more than the base's (a boot that split more before the workload, as the
textpool=off boot's KUnit suites do, finds regions split already), up to
the spread of boot-to-boot placement (SPLIT_SLACK below): which 2 MiB
pages of the direct map a set_memory_rox() splits depends on the physical
pages the page allocator hands out, which two boots do not hand out alike.
Prints one PASS or FAIL line per figure, in make check's results format.
"""
import re
import sys

# How many more splits the textpool=off boot may show than the base's.
# Which 2 MiB pages of the direct map the workload splits depends on where
# the page allocator puts the pages it makes read-only, not on how many
# there are (those are the executable 4 KiB mappings, compared exactly):
# level-2 splits after the ftrace and kprobe step in pairs of make check
# runs, textpool=off / CONFIG_TEXTPOOL=n, were 12 / 13, 16 / 17, 18 / 14
# and 7 / 22, so either kernel alone spreads from 7 to 22.  What this
# still catches is a kernel that splits far more than the base (more than
# twice the base's, and 16 more): the page-per-program fallback of issue
# 11 added 10 splits, which this spread hides, and 976 mappings, which the
# exact count does not.
SPLIT_SLACK = 16
EXACT = ('x4k', 'x2m')


def slack(figure, base):
    """How far a figure may be from the base's: splits by SPLIT_SLACK or as
    many again as the base's, DirectMap4k by 2 MiB per level-2 split of
    that."""
    splits = max(SPLIT_SLACK, abs(base['l2']))
    return {'l2': splits, 'dm4k': splits * 2048}.get(figure, 0)


LINE = re.compile(r'textpool-demo: ([^:]+): x4k=(\d+) x2m=(\d+) l2=(\d+) l3=(\d+) dm4k=(\d+)kB')
FIGURES = ('x4k', 'x2m', 'l2', 'l3', 'dm4k')
LABELS = {
    'x4k': 'executable 4 KiB mappings',
    'x2m': 'executable 2 MiB mappings',
    'l2': 'level-2 direct-map splits',
    'l3': 'level-3 direct-map splits',
    'dm4k': 'DirectMap4k (kB)',
}


def steps(path):
    """[(step, {figure: value})] of the last run of the workload in a log."""
    found = []
    with open(path, errors='replace') as f:
        for line in f:
            m = LINE.search(line)
            if not m:
                continue
            if m.group(1) == 'boot':
                found = []
            found.append((m.group(1), dict(zip(FIGURES, map(int, m.groups()[1:])))))
    return found


def deltas(run):
    """Each step's change since the first step."""
    first = run[0][1]
    return [(step, {k: v[k] - first[k] for k in FIGURES}) for step, v in run[1:]]


def main():
    name, log, ref = sys.argv[1:4]
    got, want = steps(log), steps(ref)
    if len(got) < 2 or len(want) < 2 or [s for s, _ in got] != [s for s, _ in want]:
        print(f'FAIL {name}: both boots ran the workload of the base figures '
              f'(steps {[s for s, _ in got]} against {[s for s, _ in want]})')
        return 1
    bad = 0
    for (step, g), (_, w) in zip(deltas(got), deltas(want)):
        for k in FIGURES:
            room = slack(k, w)
            # Mappings exactly; the direct map no worse than the base's.
            ok = g[k] == w[k] if k in EXACT else g[k] - w[k] <= room
            bad += not ok
            within = '' if k in EXACT else f' (at most {room} more)'
            print(f'{"PASS" if ok else "FAIL"} {name}: {step}: {LABELS[k]} '
                  f'{g[k]:+d}, the base {w[k]:+d}{within}')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
