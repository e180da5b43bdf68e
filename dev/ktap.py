#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read test results and kernel splats from a guest's console log.

    ktap.py LOG [--prefix NAME]

KTAP/TAP results come from KUnit (printed by the kernel during boot) and
from the kselftest runner (its inner results behind "# ").  Only leaf tests
are counted: a result line that closes a subtest with results of its own is
the subtest's summary, not a test.  Splats (WARNING, BUG, Oops, lockdep,
KASAN, hung tasks, panics) count as failures unless they sit between the
lines "textpool-test: expect-splat-begin" and "...-end" that a test prints
around a WARN it causes on purpose.

Prints one line per test ("PASS name", "FAIL name", "SKIP name") and
exits 0; the caller sums up.
"""
import re
import sys

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
RESULT = re.compile(r'^(not ok|ok)\s+(\d+)\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$')
SPLAT = re.compile(
    r'(WARNING: |BUG: |BUG kmalloc|Oops|general protection fault|'
    r'Kernel panic|KASAN|UBSAN|possible circular locking|'
    r'possible recursive locking|inconsistent lock state|'
    r'suspicious RCU usage|INFO: task .* blocked|'
    r'soft lockup|hard LOCKUP|Found insecure W\+X mapping|'
    r'kernel BUG at|unreferenced object)')


def strip_console(line):
    """The console line without its timestamp."""
    return TIMESTAMP.sub('', line.rstrip('\r\n'))


def split_prefix(line):
    """(depth, text): depth counts leading 4-space indents and "# " marks."""
    depth = 0
    while True:
        if line.startswith('    '):
            line = line[4:]
        elif line.startswith('\t'):
            line = line[1:]
        elif line.startswith('# ') and (RESULT.match(line[2:].lstrip())
                                        or line[2:].startswith(('#', 'KTAP',
                                                                'TAP', '1..',
                                                                '    '))):
            line = line[2:]
        else:
            break
        depth += 1
    return depth, line


# KUnit's report of a failed expectation or assertion, before the result.
KUNIT_FAILED = re.compile(r'^#\s*(\w+): (?:EXPECTATION|ASSERTION) FAILED')


def parse_results(lines):
    """Yield (status, name) for each leaf result, named by its parents.

    A KUnit case that skips after a failed expectation (kunit_skip()
    overrides the failure) is a failure.
    """
    pending = {}    # depth -> [(status, name)] waiting for their parent
    failed = set()  # (depth, case) with a failed expectation, no result yet
    for raw in lines:
        depth, text = split_prefix(strip_console(raw))
        f = KUNIT_FAILED.match(text)
        if f:
            failed.add((depth, f.group(1)))
            continue
        m = RESULT.match(text)
        if not m:
            continue
        ok, _, name, directive = m.groups()
        name = name.strip() or 'unnamed'
        skip = (directive or '').upper().startswith('SKIP')
        status = 'SKIP' if skip else ('PASS' if ok == 'ok' else 'FAIL')
        if (depth, name) in failed:
            failed.discard((depth, name))
            status = 'FAIL'
        failed = {(d, c) for d, c in failed if d <= depth}
        # Anything deeper than the child level was left open: flush it.
        for d in sorted((d for d in pending if d > depth + 1), reverse=True):
            pending.setdefault(d - 1, []).extend(pending.pop(d))
        children = pending.pop(depth + 1, [])
        here = pending.setdefault(depth, [])
        if not children:
            here.append((status, name))
            continue
        here.extend((s, f'{name}.{n}') for s, n in children)
        if status == 'FAIL' and not any(s == 'FAIL' for s, _ in children):
            here.append(('FAIL', name))
    for d in sorted(pending, reverse=True):
        yield from pending[d]


def find_splats(lines):
    """Yield the first line of each unexpected splat."""
    expected = False
    for raw in lines:
        line = strip_console(raw)
        if 'textpool-test: expect-splat-begin' in line:
            expected = True
        elif 'textpool-test: expect-splat-end' in line:
            expected = False
        elif not expected and SPLAT.search(line):
            if line.lstrip().startswith('#'):
                continue    # a test talking about a splat, not one
            yield line.strip()


def main():
    args = sys.argv[1:]
    prefix = ''
    if '--prefix' in args:
        i = args.index('--prefix')
        prefix = args[i + 1] + ': '
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], errors='replace') as f:
        lines = f.readlines()
    for status, name in parse_results(lines):
        print(f'{status} {prefix}{name}')
    seen = set()
    for splat in find_splats(lines):
        if splat not in seen:
            seen.add(splat)
            print(f'FAIL {prefix}kernel splat: {splat[:160]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
