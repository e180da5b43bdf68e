#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which tests must have reported, and which did not.

    expect.py [--debug] TOP RESULTS

make check must not pass with a suite missing (not built, not installed,
crashed before it printed anything).  The expected tests are read from the
sources, not listed by hand: the KUnit cases (KUNIT_CASE) of our KUnit
suites, in both boots (the textpool=off boot runs them too, the textpool
suite skipping itself); the kselftests of tools/testing/selftests/textpool
(TEST_PROGS, TEST_GEN_PROGS) in the first boot, and among them each case
of the stress test (mm/test_textpool.c, reported by test_textpool.sh) and
each planned result of bpf_users.sh (which the second boot runs too); the
results of dev/guest/check-off.sh (its plan) in the second, and those of
dev/guest/check-n.sh in the boot of the CONFIG_TEXTPOOL=n kernel.  With --debug
(make check-debug, one boot of the debug kernel): the KUnit cases, the
kselftests, the stress cases and the kmemleak scans of
dev/guest/check-debug.sh, all in that boot.  Prints "FAIL ..." for
each one that has no PASS, FAIL or SKIP line in RESULTS, "PASS ..." for
the check itself, and exits 0; the caller sums up.
"""
import os
import re
import sys

# Our KUnit suites, built in (see tools/testing/selftests/textpool/config).
KUNIT_SOURCES = ('mm/textpool_kunit.c', 'kernel/bpf/prog_pack_kunit.c')
BOOTS = ('guest', 'guest(textpool=off)')
DEBUG_BOOT = 'guest(debug)'
N_BOOT = 'guest(CONFIG_TEXTPOOL=n)'
STRESS_SOURCE = 'mm/test_textpool.c'
STRESS_TEST = 'test_textpool.sh'
PLANNED_TEST = 'bpf_users.sh'


def kunit_cases(path):
    """(suite, [case]) of the KUnit suite defined in path."""
    with open(path) as f:
        src = f.read()
    suite = re.search(r'struct kunit_suite \w+ = \{[^}]*?\.name\s*=\s*"([^"]+)"',
                      src, re.S)
    cases = re.findall(r'^\s*KUNIT_CASE\((\w+)\)', src, re.M)
    if not suite or not cases:
        raise SystemExit(f'expect.py: no KUnit suite or case in {path}')
    return suite.group(1), cases


def kselftests(makefile):
    """The test programs a kselftest Makefile installs."""
    tests = []
    with open(makefile) as f:
        lines = f.readlines()
    for line in lines:
        m = re.match(r'^\s*TEST_(?:GEN_)?PROGS\s*\+?=\s*(.*)$', line)
        if m:
            tests += m.group(1).split()
    return tests


def stress_cases(path):
    """The case names of the stress test, in their order (tt_cases[])."""
    with open(path) as f:
        src = f.read()
    table = re.search(r'struct tt_case tt_cases\[[^]]*\] = \{(.*?)\n\};', src, re.S)
    cases = re.findall(r'^\s*\{\s*"(\w+)"', table.group(1), re.M) if table else []
    if not cases:
        raise SystemExit(f'expect.py: no stress case in {path}')
    return cases


def ktap_plan(script):
    """Number of results a kselftest script plans (ktap_set_plan N)."""
    with open(script) as f:
        m = re.search(r'^ktap_set_plan (\d+)$', f.read(), re.M)
    return int(m.group(1)) if m else 0


def check_off_plan(script):
    """Number of results a KTAP guest script (dev/guest/check-off.sh,
    dev/guest/check-n.sh) plans."""
    with open(script) as f:
        m = re.search(r'echo "1\.\.(\d+)"', f.read())
    return int(m.group(1)) if m else 0


def main():
    args = sys.argv[1:]
    debug = '--debug' in args
    if debug:
        args.remove('--debug')
    top, results = args
    boots, selftest_boot = (DEBUG_BOOT,), DEBUG_BOOT
    if not debug:
        boots, selftest_boot = BOOTS, 'guest'
    reported = set()
    with open(results) as f:
        lines = f.readlines()
    for line in lines:
        m = re.match(r'^(PASS|FAIL|SKIP) (.*)$', line.rstrip('\n'))
        if m:
            reported.add(m.group(2))
    names = sorted(reported)

    def has(prefix, exact=False):
        if exact:
            return prefix in reported
        return any(n == prefix or n.startswith(prefix + '.') for n in names)

    missing = []
    for src in KUNIT_SOURCES:
        suite, cases = kunit_cases(os.path.join(top, src))
        for boot in boots:
            for case in cases:
                name = f'{boot}: {suite}.{case}'
                if not has(name):
                    missing.append(name)
    tests = kselftests(os.path.join(top, 'tools/testing/selftests/textpool/Makefile'))
    for test in tests:
        name = f'{selftest_boot}: selftests: textpool: {test}'
        if not has(name):
            missing.append(name)
    for num, case in enumerate(stress_cases(os.path.join(top, STRESS_SOURCE)), 1):
        name = f'{selftest_boot}: selftests: textpool: {STRESS_TEST}.case {num} {case}'
        if not any(n.startswith(name + ':') or n == name for n in names):
            missing.append(name)
    # Every result of bpf_users.sh, which the textpool=off boot runs too.
    plan = ktap_plan(os.path.join(top, 'tools/testing/selftests/textpool', PLANNED_TEST))
    prefixes = [f'{selftest_boot}: selftests: textpool: {PLANNED_TEST}']
    if not debug:
        prefixes.append(f'{BOOTS[1]}: {PLANNED_TEST}')
    for prefix in prefixes:
        got = [n for n in names if n.startswith(prefix + '.')]
        if len(got) < plan:
            missing.append(f'{prefix} ({len(got)} of {plan} results)')
    if debug:
        for scan in ('after boot and KUnit', 'after the kselftests and the stress test'):
            if not any(n.startswith(f'{DEBUG_BOOT}: kmemleak: ') and n.endswith(scan)
                       for n in names):
                missing.append(f'{DEBUG_BOOT}: kmemleak scan {scan}')
    else:
        plan = check_off_plan(os.path.join(top, 'dev/guest/check-off.sh'))
        # The results of bpf_users.sh, nested, count as one of check-off.sh.
        nested = f'{BOOTS[1]}: {PLANNED_TEST}'
        off = {nested if n.startswith(nested + '.') else n
               for n in names if n.startswith('guest(textpool=off): ')
               and not any(n.startswith(f'guest(textpool=off): {s}.')
                           for s in ('textpool', 'bpf_prog_pack'))
               and 'kernel splat' not in n and 'boots and finishes' not in n}
        if len(off) < plan:
            missing.append(f'guest(textpool=off): check-off.sh ({len(off)} of {plan} results)')
        plan = check_off_plan(os.path.join(top, 'dev/guest/check-n.sh'))
        nres = [n for n in names if n.startswith(f'{N_BOOT}: ')
                and 'kernel splat' not in n and 'boots and finishes' not in n]
        if len(nres) < plan:
            missing.append(f'{N_BOOT}: check-n.sh ({len(nres)} of {plan} results)')
    for name in missing:
        print(f'FAIL missing: {name}')
    if not missing:
        print('PASS every expected test reported')
    return 0


if __name__ == '__main__':
    sys.exit(main())
