#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of dev/expect.py: make check names every missing test."""
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import expect  # noqa: E402

TOP = os.path.join(os.path.dirname(__file__), '..', '..')


def complete_results():
    """Results in which every expected test reported."""
    lines = []
    for src in expect.KUNIT_SOURCES:
        suite, cases = expect.kunit_cases(os.path.join(TOP, src))
        for boot in expect.BOOTS:
            lines += [f'PASS {boot}: {suite}.{c}' for c in cases]
    mk = os.path.join(TOP, 'tools/testing/selftests/textpool/Makefile')
    lines += [f'PASS guest: selftests: textpool: {t}.sub'
              for t in expect.kselftests(mk)]
    plan = expect.check_off_plan(os.path.join(TOP, 'dev/guest/check-off.sh'))
    lines += [f'PASS guest(textpool=off): off result {i}' for i in range(plan)]
    return lines


def run(lines):
    with tempfile.NamedTemporaryFile('w', delete=False) as f:
        f.write('\n'.join(lines) + '\n')
    out = io.StringIO()
    sys.argv = ['expect.py', TOP, f.name]
    with redirect_stdout(out):
        expect.main()
    os.unlink(f.name)
    return out.getvalue().splitlines()


class ExpectTest(unittest.TestCase):
    def test_sources_have_tests(self):
        suite, cases = expect.kunit_cases(os.path.join(TOP, 'mm/textpool_kunit.c'))
        self.assertEqual(suite, 'textpool')
        self.assertIn('textpool_test_alignment', cases)
        mk = os.path.join(TOP, 'tools/testing/selftests/textpool/Makefile')
        self.assertIn('wx.sh', expect.kselftests(mk))
        self.assertGreater(expect.check_off_plan(
            os.path.join(TOP, 'dev/guest/check-off.sh')), 0)

    def test_complete(self):
        self.assertEqual(run(complete_results()),
                         ['PASS every expected test reported'])

    def test_skip_counts_as_reported(self):
        lines = [l.replace('PASS', 'SKIP', 1) if 'textpool=off' in l else l
                 for l in complete_results()]
        self.assertEqual(run(lines), ['PASS every expected test reported'])

    def test_missing_kunit_case(self):
        lines = [l for l in complete_results()
                 if l != 'PASS guest: textpool.textpool_test_metadata']
        self.assertEqual(run(lines),
                         ['FAIL missing: guest: textpool.textpool_test_metadata'])

    def test_missing_suite_in_off_boot(self):
        lines = [l for l in complete_results()
                 if not l.startswith('PASS guest(textpool=off): bpf_prog_pack.')]
        out = run(lines)
        self.assertTrue(out)
        self.assertTrue(all(o.startswith('FAIL missing: guest(textpool=off): '
                                         'bpf_prog_pack.') for o in out))

    def test_missing_kselftest(self):
        lines = [l for l in complete_results()
                 if 'selftests: textpool: wx.sh' not in l]
        self.assertEqual(run(lines),
                         ['FAIL missing: guest: selftests: textpool: wx.sh'])

    def test_short_check_off(self):
        lines = complete_results()[:-1]
        out = run(lines)
        self.assertEqual(len(out), 1)
        self.assertIn('check-off.sh', out[0])


if __name__ == '__main__':
    unittest.main()
