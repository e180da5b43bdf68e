#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of dev/ktap.py, the reader of the guest's console log."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import ktap  # noqa: E402

KUNIT_LOG = """\
[    1.000000] KTAP version 1
[    1.000001] 1..2
[    1.000002]     # Subtest: textpool
[    1.000003]     # module: textpool_kunit
[    1.000004]     1..3
[    1.000005]     ok 1 textpool_test_align
[    1.000006]     # textpool_test_int3: EXPECTATION FAILED at mm/textpool_kunit.c:10
[    1.000007]     not ok 2 textpool_test_int3
[    1.000008]         # Subtest: textpool_test_sizes
[    1.000009]         ok 1 64
[    1.000010]         ok 2 4096 # SKIP too big
[    1.000011]     ok 3 textpool_test_sizes
[    1.000012] # textpool: pass:2 fail:1 skip:0 total:3
[    1.000013] not ok 1 textpool
[    1.000014]     # Subtest: other
[    1.000015]     1..1
[    1.000016]     ok 1 other_test
[    1.000017] ok 2 other
"""

KSELFTEST_LOG = """\
TAP version 13
1..2
# timeout set to 300
# selftests: textpool: bpf_load
# TAP version 13
# 1..2
# ok 1 load 1000 programs
# not ok 2 programs run
# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
not ok 1 selftests: textpool: bpf_load # exit=1
# selftests: textpool: plain.sh
# hello
ok 2 selftests: textpool: plain.sh
"""


class ResultTests(unittest.TestCase):
    def results(self, text):
        return list(ktap.parse_results(text.splitlines(True)))

    def test_kunit_leaves_only(self):
        self.assertEqual(self.results(KUNIT_LOG), [
            ('PASS', 'textpool.textpool_test_align'),
            ('FAIL', 'textpool.textpool_test_int3'),
            ('PASS', 'textpool.textpool_test_sizes.64'),
            ('SKIP', 'textpool.textpool_test_sizes.4096'),
            ('PASS', 'other.other_test'),
        ])

    def test_kselftest_inner_and_plain(self):
        got = self.results(KSELFTEST_LOG)
        self.assertEqual([s for s, _ in got], ['PASS', 'FAIL', 'PASS'])
        self.assertTrue(got[1][1].endswith('programs run'))
        self.assertEqual(got[2][1], 'selftests: textpool: plain.sh')

    def test_failed_parent_without_children_counts(self):
        got = self.results('not ok 1 selftests: textpool: crashed # exit=139\n')
        self.assertEqual(got, [('FAIL', 'selftests: textpool: crashed')])


class SplatTests(unittest.TestCase):
    def splats(self, text):
        return list(ktap.find_splats(text.splitlines(True)))

    def test_skip_after_failed_expectation_fails(self):
        log = """\
[    1.000000] KTAP version 1
[    1.000001] 1..1
[    1.000002]     # Subtest: textpool
[    1.000003]     1..2
[    1.000004]     # textpool_test_nodes: EXPECTATION FAILED at mm/textpool_kunit.c:9
[    1.000005]     Expected 1 == 0
[    1.000006]     ok 1 textpool_test_nodes # SKIP no node 1
[    1.000007]     ok 2 textpool_test_other # SKIP disabled
[    1.000008] ok 1 textpool
"""
        self.assertEqual(list(ktap.parse_results(log.splitlines())),
                         [('FAIL', 'textpool.textpool_test_nodes'),
                          ('SKIP', 'textpool.textpool_test_other')])

    def test_warning_found(self):
        log = ('[    2.0] ------------[ cut here ]------------\n'
               '[    2.1] WARNING: CPU: 0 PID: 1 at mm/textpool.c:100 x+0x1/0x2\n')
        self.assertEqual(len(self.splats(log)), 1)

    def test_lockdep_and_bug_found(self):
        log = ('[ 3.0] WARNING: possible circular locking dependency detected\n'
               '[ 3.1] BUG: sleeping function called from invalid context\n'
               'Kernel panic - not syncing: Fatal exception\n')
        self.assertEqual(len(self.splats(log)), 3)

    def test_expected_splat_ignored(self):
        log = ('textpool-test: expect-splat-begin\n'
               'WARNING: CPU: 0 PID: 1 at mm/textpool.c:100\n'
               'textpool-test: expect-splat-end\n'
               'BUG: unable to handle page fault\n')
        self.assertEqual(self.splats(log), ['BUG: unable to handle page fault'])

    def test_clean_log(self):
        self.assertEqual(self.splats(KUNIT_LOG + KSELFTEST_LOG), [])


if __name__ == '__main__':
    unittest.main()
