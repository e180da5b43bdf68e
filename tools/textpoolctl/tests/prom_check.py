#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a Prometheus text exposition, line by line.

    prom_check.py [--prefix P] FILE

What node_exporter's textfile collector and Prometheus take: each line is
a "# HELP name text", a "# TYPE name counter|gauge" or a sample
"name{label="value",...} number"; metric and label names are valid; label
values escape backslash, double quote and newline (and HELP texts backslash
and newline); every family has one HELP and one TYPE, before its samples,
and its samples are together; no family and no sample (name and labels) is
there twice; counters end in _total, gauges do not.  Prints every problem
with its line number and exits 1 if there was one.
"""
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
# A label value: anything but a raw backslash, quote or newline, or one of
# the three escapes.
VALUE = r'(?:[^\\"\n]|\\\\|\\"|\\n)*'
SAMPLE = re.compile(rf'^({NAME})(?:\{{((?:{LABEL}="{VALUE}",?)*)\}})? (\S+)$')
PAIR = re.compile(rf'({LABEL})="({VALUE})",?')
HELP = re.compile(rf'^# HELP ({NAME}) (.*)$')
TYPE = re.compile(rf'^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$')
NUMBER = re.compile(r'^[-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|NaN|[-+]?Inf)$')


def check(text, prefix):
    errors = []
    helps, types, done, samples = {}, {}, set(), set()
    current = None

    def bad(num, why):
        errors.append(f'line {num}: {why}')

    if text and not text.endswith('\n'):
        errors.append('no newline at the end')
    for num, line in enumerate(text.split('\n')[:-1] if text.endswith('\n')
                               else text.split('\n'), 1):
        if line.startswith('# HELP '):
            m = HELP.match(line)
            if not m:
                bad(num, f'malformed HELP: {line!r}')
                continue
            name, help_text = m.groups()
            if re.search(r'\\[^\\n]|\\$', help_text.replace('\\\\', '')):
                bad(num, f'HELP of {name}: bad escape')
            if name in helps:
                bad(num, f'HELP of {name} twice')
            if name in done or (current and current != name and name in types):
                bad(num, f'{name}: HELP after its samples')
            helps[name] = num
            if current != name:
                if current:
                    done.add(current)
                current = name
            continue
        if line.startswith('# TYPE '):
            m = TYPE.match(line)
            if not m:
                bad(num, f'malformed TYPE: {line!r}')
                continue
            name, kind = m.groups()
            if name in types:
                bad(num, f'TYPE of {name} twice')
            types[name] = kind
            if kind == 'counter' and not name.endswith('_total'):
                bad(num, f'counter {name} does not end in _total')
            if kind == 'gauge' and name.endswith('_total'):
                bad(num, f'gauge {name} ends in _total')
            if current != name:
                if current:
                    done.add(current)
                current = name
            continue
        if line.startswith('#') or not line.strip():
            bad(num, f'not a sample, HELP or TYPE line: {line!r}')
            continue
        m = SAMPLE.match(line)
        if not m:
            bad(num, f'malformed sample: {line!r}')
            continue
        name, labels, value = m.groups()
        if prefix and not name.startswith(prefix):
            bad(num, f'{name} does not start with {prefix}')
        if name not in types or name not in helps:
            bad(num, f'{name}: sample without HELP and TYPE before it')
        if name != current:
            bad(num, f'{name}: sample away from the rest of its family')
        if name in done:
            bad(num, f'{name}: family seen before')
        pairs = PAIR.findall(labels or '')
        names = [p[0] for p in pairs]
        if len(set(names)) != len(names):
            bad(num, f'{name}: a label twice')
        if (labels or '') and ''.join(f'{k}="{v}",' for k, v in pairs).rstrip(',') != \
           labels.rstrip(','):
            bad(num, f'{name}: malformed labels {labels!r}')
        key = (name, tuple(sorted(pairs)))
        if key in samples:
            bad(num, f'sample {name}{{{labels or ""}}} twice')
        samples.add(key)
        if not NUMBER.match(value):
            bad(num, f'{name}: value {value!r} is not a number')
    for name in helps:
        if name not in types:
            errors.append(f'{name}: HELP without TYPE')
    if not samples:
        errors.append('no sample at all')
    return errors


def main():
    args = sys.argv[1:]
    prefix = ''
    if len(args) == 3 and args[0] == '--prefix':
        prefix = args[1]
        args = args[2:]
    if len(args) != 1:
        sys.exit(__doc__)
    with open(args[0], encoding='utf-8', newline='') as f:
        text = f.read()
    errors = check(text, prefix)
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
