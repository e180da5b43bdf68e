#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of dev/figures.py: textpool=off must cost what the base costs."""
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import figures  # noqa: E402

BASE = """\
[   12.5] some kernel message
textpool-demo: boot: x4k=0 x2m=0 l2=0 l3=0 dm4k=32640kB
textpool-demo: 2000 BPF programs: x4k=1024 x2m=0 l2=1 l3=0 dm4k=34688kB
textpool-demo:     textpoolctl stats lines are not figures
textpool-demo: + 40 ftrace instances + 40 kprobes: x4k=1065 x2m=0 l2=12 l3=0 dm4k=57216kB
textpool-demo: everything removed: x4k=1 x2m=0 l2=12 l3=0 dm4k=57216kB
"""


class Figures(unittest.TestCase):
    def run_figures(self, log, ref):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for name, text in (('log', log), ('ref', ref)):
                paths.append(os.path.join(d, name))
                with open(paths[-1], 'w') as f:
                    f.write(text)
            out = io.StringIO()
            sys.argv = ['figures.py', 'off', *paths]
            with redirect_stdout(out):
                rc = figures.main()
        return rc, out.getvalue().splitlines()

    def test_same_figures_pass(self):
        rc, lines = self.run_figures(BASE, BASE)
        self.assertEqual(rc, 0)
        self.assertEqual(len(lines), 3 * 5)
        self.assertTrue(all(line.startswith('PASS off: ') for line in lines))

    def test_a_page_per_program_fails(self):
        # What BPF's fallback to a page per program cost (issue 11).
        log = BASE.replace('x4k=1024', 'x4k=2000')
        rc, lines = self.run_figures(log, BASE)
        self.assertEqual(rc, 1)
        fails = [line for line in lines if line.startswith('FAIL')]
        self.assertEqual(fails, ['FAIL off: 2000 BPF programs: executable 4 KiB '
                                 'mappings +2000, the base +1024'])

    def test_more_splits_fail_beyond_the_slack(self):
        log = BASE.replace('l2=12 l3=0 dm4k=57216', 'l2=40 l3=0 dm4k=114560')
        rc, lines = self.run_figures(log, BASE)
        self.assertEqual(rc, 1)
        self.assertEqual(len([line for line in lines if line.startswith('FAIL')]), 4)

    def test_splits_within_the_slack_pass(self):
        log = BASE.replace('l2=12 l3=0 dm4k=57216', 'l2=15 l3=0 dm4k=63360')
        rc, _ = self.run_figures(log, BASE)
        self.assertEqual(rc, 0)

    def test_ci_pairs_pass(self):
        # Pairs of boots in CI (7 / 22 seen the other way round): placement.
        for off, base in ((18, 14), (22, 7)):
            ref = BASE.replace('l2=12 l3=0 dm4k=57216', f'l2={base} l3=0 dm4k={32640 + base * 2048}')
            log = BASE.replace('l2=12 l3=0 dm4k=57216', f'l2={off} l3=0 dm4k={32640 + off * 2048}')
            rc, lines = self.run_figures(log, ref)
            self.assertEqual(rc, 0, lines)

    def test_one_split_beyond_the_slack_fails(self):
        log = BASE.replace('l2=12 l3=0 dm4k=57216', 'l2=29 l3=0 dm4k=57216')
        rc, lines = self.run_figures(log, BASE)
        self.assertEqual(rc, 1)
        self.assertIn('FAIL off: + 40 ftrace instances + 40 kprobes: level-2 '
                      'direct-map splits +29, the base +12 (at most 16 more)', lines)
        rc, lines = self.run_figures(BASE.replace('l2=12 l3=0', 'l2=28 l3=0'), BASE)
        self.assertEqual(rc, 0, lines)

    def test_fewer_splits_pass(self):
        # Regions split before the workload are not split again.
        ref = BASE.replace('l2=1 l3=0 dm4k=34688', 'l2=6 l3=0 dm4k=44928')
        rc, _ = self.run_figures(BASE, ref)
        self.assertEqual(rc, 0)

    def test_fewer_mappings_fail(self):
        rc, _ = self.run_figures(BASE.replace('x4k=1065', 'x4k=1064'), BASE)
        self.assertEqual(rc, 1)

    def test_the_last_run_counts(self):
        # An earlier run in the same log (a boot line starts a new one).
        rc, _ = self.run_figures(BASE.replace('x4k=1024', 'x4k=9') + BASE, BASE)
        self.assertEqual(rc, 0)

    def test_missing_workload_fails(self):
        rc, lines = self.run_figures('no figures here\n', BASE)
        self.assertEqual(rc, 1)
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].startswith('FAIL off: both boots ran the workload'))


if __name__ == '__main__':
    unittest.main()
