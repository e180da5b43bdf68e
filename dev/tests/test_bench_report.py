#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of dev/bench_report.py: the numbers of make bench's table."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import bench_report  # noqa: E402

MIB2 = 2 << 20


def console(chunks=None, x4k=0, packs=0, extra='', held_after_unload=0, held_loaded=200):
    """A console log of the guest's bench mode, 2 phases + tracing + unload."""
    tp = ''
    if chunks is not None:
        tp = f' tp_chunks={chunks} tp_chunks_n0={chunks // 2} tp_chunks_n1={chunks - chunks // 2}'
    st = (f'x4k={x4k} x2m=3 l2=0 l3=0 dm4k=2048kB areas=2 text_bytes={3 * MIB2} '
          f'text_pages=1024 packs={packs} n0=512 n1=512 bpf_progs=0{tp} flushes=0')
    lines = ['[    1.000000] tp-bench: kernel=6.12.117 steps=200 churn=10 ninst=1 nkprobes=1 mem_kb=1',
             'tp-bench-load: seed=1 classic_twin_bytes=60+5*insns',
             f'tp-bench-state: phase=boot {st}']
    for phase, progs in (('load-200', 200), ('churn-200', 200)):
        lines.append(f'tp-bench-load: phase={phase} progs={progs} classic=20 requested={MIB2 + 100} '
                     f'requested_n0={MIB2 + 100} requested_n1=1000 ebpf_requested=5 wall_s=1 '
                     'load_n=200 load_us_med=10.0 load_us_p99=20.0 unload_n=0')
        lines.append(f'tp-bench-state: phase={phase} {st}'.replace('bpf_progs=0', f'bpf_progs={held_loaded}'))
    lines.append('tp-bench: tracing instances=1 kprobes=1 setup_s=0')
    lines.append(f'tp-bench-state: phase=tracing {st} kp_opt=1 kp_ftrace=0 kp_other=0')
    lines.append(f'tp-bench-state: phase=untraced {st}')
    lines.append('tp-bench-load: phase=unload progs=0 classic=0 requested=0 requested_n0=0 '
                 'requested_n1=0 ebpf_requested=0 wall_s=1 load_n=0 unload_n=200 '
                 'unload_us_med=1.0 unload_us_p99=2.0')
    lines.append(f'tp-bench-state: phase=unload {st}'.replace('bpf_progs=0',
                                                                f'bpf_progs={held_after_unload}'))
    lines.append('textpool-bench: impl=textpool size=256 live=100 nodes=2 threads=1 iters=4 ns_per_op=100 alloc_ns=60 free_ns=40')
    lines.append('textpool-bench: impl=execmem size=256 live=100 nodes=2 threads=1 iters=4 ns_per_op=5000 alloc_ns=60 free_ns=40')
    lines.append('textpool-bench: impl=bpf_prog_pack size=256 live=100 nodes=2 threads=1 iters=4 ns_per_op=250 alloc_ns=50 free_ns=200')
    lines.append('textpool-bench: stats chunks=2 allocations=0 fallback_allocs=0 fallback_allocations=0 alloc_failures=0 chunk_meta_bytes=40000')
    return '\n'.join(lines) + extra + '\n'


class BenchReport(unittest.TestCase):
    def run_report(self, logs):
        d = tempfile.mkdtemp()
        args = []
        for name, text in logs.items():
            path = os.path.join(d, name + '.log')
            with open(path, 'w') as f:
                f.write(text)
            args.append((name, path))
        data = bench_report.report(d, args)
        return d, data

    def test_derived(self):
        d, data = self.run_report({'base': console(x4k=40, packs=1), 'textpool': console(chunks=2)})
        tp = data['kernels']['textpool']['phases']['load-200']['derived']
        # metadata: 2 areas, 1,024 pages, 2 chunks at the kernel's 40,000 bytes
        self.assertEqual(tp['metadata_bytes'], 2 * 160 + 1024 * 8 + 2 * 40000)
        self.assertEqual(tp['held_bytes'], 3 * MIB2 + tp['metadata_bytes'])
        # node 0: just over 2 MiB (2 pages of 2 MiB), node 1: 1,000 bytes (1)
        self.assertEqual(tp['limit_2m'], 3)
        base = data['kernels']['base']['phases']['load-200']['derived']
        self.assertEqual(base['metadata_bytes'], 2 * 160 + 1024 * 8 + 16384)
        with open(os.path.join(d, 'bench.md')) as f:
            md = f.read()
        self.assertIn('| load-200 | executable 4 KiB mappings | 40 | 0 | 0.00 |', md)
        # textpool's own figures in its column, after the base's
        self.assertIn('| load-200 | textpool: chunks node 0 / 1, fallbacks by cause | - | 1 / 1; '
                      'large 0, disabled 0, early 0, limit 0, nomem 0 |  |', md)
        # columns: textpool, then the others sorted; ratios to textpool
        self.assertIn('| 256 | 100 | 1 | 100 | 5,000 | 250 | 50.0x | 2.5x |', md)
        self.assertIn('| alloc+free no slower than bpf_prog_pack (size 256, 100 live, 1 thread(s)) | x0.40 |', md)
        # load time is a target in the churn phases too
        self.assertIn('| BPF load time (median) no worse than the base, churn-200 | 10 us against 10 us (x1.00) | yes |',
                      md)
        self.assertTrue(bench_report.validate(os.path.join(d, 'bench.json')))
        # gnuplot-nox is one of the host packages (dev/common.sh)
        self.assertGreater(os.path.getsize(os.path.join(d, 'bench.png')), 1000)

    def test_validate_missing_field(self):
        text = console(chunks=2).replace(' flushes=0 kp_opt', ' kp_opt')
        self.assertNotEqual(text, console(chunks=2))
        d, _ = self.run_report({'textpool': text})
        self.assertFalse(bench_report.validate(os.path.join(d, 'bench.json')))

    def test_validate_error_line(self):
        d, _ = self.run_report({'textpool': console(chunks=2, extra='\ntp-bench: error: wanted 1 instances')})
        self.assertFalse(bench_report.validate(os.path.join(d, 'bench.json')))

    def test_validate_programs_left(self):
        text = console(chunks=2).replace('phase=unload progs=0', 'phase=unload progs=3')
        d, _ = self.run_report({'textpool': text})
        self.assertFalse(bench_report.validate(os.path.join(d, 'bench.json')))

    def test_validate_frees_pending(self):
        # the state after unload read while the kernel still frees programs
        d, _ = self.run_report({'textpool': console(chunks=2, held_after_unload=5)})
        self.assertFalse(bench_report.validate(os.path.join(d, 'bench.json')))
        d, _ = self.run_report({'textpool': console(chunks=2, held_after_unload=0)})
        self.assertTrue(bench_report.validate(os.path.join(d, 'bench.json')))

    def test_validate_held_count_blind(self):
        # a count that does not see the loaded programs sees no frees either
        d, _ = self.run_report({'textpool': console(chunks=2, held_loaded=0)})
        self.assertFalse(bench_report.validate(os.path.join(d, 'bench.json')))

    def test_json_has_versions_and_date(self):
        d, _ = self.run_report({'textpool': console(chunks=2)})
        with open(os.path.join(d, 'bench.json')) as f:
            data = json.load(f)
        self.assertRegex(data['date'], r'^\d{4}-\d\d-\d\dT')
        self.assertEqual(data['kernels']['textpool']['info']['kernel'], '6.12.117')


if __name__ == '__main__':
    unittest.main()
