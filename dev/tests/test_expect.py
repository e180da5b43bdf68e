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


def complete_results(debug=False):
    """Results in which every expected test reported."""
    lines = []
    boots, sboot = expect.BOOTS, 'guest'
    if debug:
        boots, sboot = (expect.DEBUG_BOOT,), expect.DEBUG_BOOT
    for src in expect.KUNIT_SOURCES:
        suite, cases = expect.kunit_cases(os.path.join(TOP, src))
        for boot in boots:
            lines += [f'PASS {boot}: {suite}.{c}' for c in cases]
    mk = os.path.join(TOP, 'tools/testing/selftests/textpool/Makefile')
    lines += [f'PASS {sboot}: selftests: textpool: {t}.sub'
              for t in expect.kselftests(mk) if t != expect.PLANNED_TEST]
    cases = expect.stress_cases(os.path.join(TOP, expect.STRESS_SOURCE))
    lines += [f'PASS {sboot}: selftests: textpool: test_textpool.sh.case {i} {c}: ops=8 ms=1'
              for i, c in enumerate(cases, 1)]
    plan = expect.ktap_plan(os.path.join(TOP, 'tools/testing/selftests/textpool',
                                         expect.PLANNED_TEST))
    lines += [f'PASS {sboot}: selftests: textpool: bpf_users.sh.result {i}' for i in range(plan)]
    if debug:
        lines += [f'PASS {sboot}: kmemleak: no suspects after boot and KUnit',
                  f'PASS {sboot}: kmemleak: no suspects after the kselftests and the stress test']
        return lines
    plan = expect.check_off_plan(os.path.join(TOP, 'dev/guest/check-n.sh'))
    lines += [f'PASS {expect.N_BOOT}: n result {i}' for i in range(plan)]
    plan = expect.ktap_plan(os.path.join(TOP, 'tools/testing/selftests/textpool',
                                         expect.PLANNED_TEST))
    lines += [f'PASS guest(textpool=off): bpf_users.sh.result {i}' for i in range(plan)]
    plan = expect.check_off_plan(os.path.join(TOP, 'dev/guest/check-off.sh'))
    lines += [f'PASS guest(textpool=off): off result {i}' for i in range(plan - 1)]
    return lines


def run(lines, debug=False):
    with tempfile.NamedTemporaryFile('w', delete=False) as f:
        f.write('\n'.join(lines) + '\n')
    out = io.StringIO()
    sys.argv = ['expect.py'] + (['--debug'] if debug else []) + [TOP, f.name]
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

    def test_missing_stress_case(self):
        lines = [l for l in complete_results() if 'case 2 cross_node_free' not in l]
        self.assertEqual(run(lines), ['FAIL missing: guest: selftests: textpool: '
                                      'test_textpool.sh.case 2 cross_node_free'])

    def test_stress_case_by_number_and_name(self):
        # A case reported under another number (cases shuffled) is missing.
        lines = [l.replace('case 1 random_alloc_free', 'case 9 random_alloc_free')
                 for l in complete_results()]
        self.assertIn('FAIL missing: guest: selftests: textpool: '
                      'test_textpool.sh.case 1 random_alloc_free', run(lines))

    def test_stress_cases_from_source(self):
        cases = expect.stress_cases(os.path.join(TOP, expect.STRESS_SOURCE))
        self.assertEqual(cases[0], 'random_alloc_free')
        self.assertIn('bad_free', cases)

    def test_debug_complete(self):
        self.assertEqual(run(complete_results(debug=True), debug=True),
                         ['PASS every expected test reported'])

    def test_debug_needs_its_own_boot(self):
        # The results of make check do not stand in for the debug boot.
        out = run(complete_results(), debug=True)
        self.assertIn('FAIL missing: guest(debug): textpool.textpool_test_metadata', out)
        self.assertIn('FAIL missing: guest(debug): selftests: textpool: wx.sh', out)

    def test_debug_missing_kmemleak_scan(self):
        lines = [l for l in complete_results(debug=True) if 'after boot' not in l]
        self.assertEqual(run(lines, debug=True),
                         ['FAIL missing: guest(debug): kmemleak scan after boot and KUnit'])

    def test_short_check_off(self):
        lines = complete_results()[:-1]
        out = run(lines)
        self.assertEqual(len(out), 1)
        self.assertIn('check-off.sh', out[0])

    def test_short_check_n(self):
        lines = [l for l in complete_results() if ': n result 0' not in l]
        out = run(lines)
        self.assertEqual(len(out), 1)
        self.assertIn('check-n.sh', out[0])

    def test_short_bpf_users(self):
        self.assertGreater(expect.ktap_plan(os.path.join(
            TOP, 'tools/testing/selftests/textpool', expect.PLANNED_TEST)), 1)
        for boot in ('guest: selftests: textpool:', 'guest(textpool=off):'):
            lines = [l for l in complete_results()
                     if l != f'PASS {boot} bpf_users.sh.result 1']
            out = run(lines)
            self.assertEqual(len(out), 1)
            self.assertIn(f'FAIL missing: {boot} bpf_users.sh (', out[0])

    def test_check_n_plans_results(self):
        self.assertGreater(expect.check_off_plan(
            os.path.join(TOP, 'dev/guest/check-n.sh')), 0)


if __name__ == '__main__':
    unittest.main()
