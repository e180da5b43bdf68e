#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console logs of `make bench` into out/bench.{json,md,png}.

    bench_report.py OUTDIR NAME=LOG...      (NAME: base, textpool, mainline)
    bench_report.py --validate BENCH.JSON   (make check's smoke run)

The guest prints key=value lines (dev/guest/bench.sh): "tp-bench-load:"
per phase of the BPF workload, "tp-bench-state:" for the state of kernel
text after it, "textpool-bench:" for the in-kernel microbenchmark.  Every
raw number goes to the JSON; the table is computed from it.
"""
import datetime
import json
import math
import os
import re
import shutil
import subprocess
import sys

MIB2 = 2 << 20
# Metadata, in bytes, that is not in the logs as such:
#  - every vmalloc area: its struct vmap_area and struct vm_struct (slab
#    objects of 64 and 96 bytes), and 8 bytes per page of its page array;
#  - a bpf_prog_pack (base and 7.3): struct bpf_prog_pack with one bit per
#    64-byte chunk of 2 MiB per node, 8,224 bytes on 2 nodes, which
#    kzalloc() takes from the page allocator (order 2, 16 KiB);
#  - a textpool chunk: textpool_chunk_meta_size(), printed by the kernel's
#    microbenchmark ("chunk_meta_bytes"), 41,152 bytes when not printed.
AREA_META = 64 + 96
PAGE_ARRAY = 8
PACK_META = 16384
CHUNK_META = 41152

KERNELS = [('base', '6.12 base'), ('textpool', 'textpool'), ('mainline', 'mainline 7.3')]

# The fields every phase must have (the smoke test checks them).
LOAD_FIELDS = ['progs', 'classic', 'requested', 'requested_n0', 'requested_n1',
               'load_us_med', 'load_us_p99']
STATE_FIELDS = ['x4k', 'x2m', 'l2', 'l3', 'dm4k', 'areas', 'text_bytes', 'text_pages',
                'packs', 'bpf_progs', 'flushes']


def kv(text):
    out = {}
    for tok in text.split():
        if '=' in tok:
            k, v = tok.split('=', 1)
            v = v.rstrip('kB') if k == 'dm4k' else v
            try:
                out[k] = int(v)
            except ValueError:
                try:
                    out[k] = float(v)
                except ValueError:
                    out[k] = v
    return out


def _phase(part):
    def put(k, d):
        if part == 'state' and 'state' not in k['phases'].get(d['phase'], {}):
            k['order'].append(d['phase'])
        k['phases'].setdefault(d['phase'], {})[part] = d
    return put


def _info(key=None):
    def put(k, d):
        if key:
            k['info'][key] = d
        else:
            k['info'].update(d)
    return put


# What a console line says, tried in this order: (pattern, what its first
# group is handed to the action as: its key=value pairs, or the text as it
# is, action).
RULES = [(re.compile(rx), parse_as, fn) for rx, parse_as, fn in (
    (r'tp-bench-load: (phase=.*)$', kv, _phase('load')),
    (r'tp-bench-load: (seed=.*)$', kv, _info()),
    (r'tp-bench-state: (phase=.*)$', kv, _phase('state')),
    (r'tp-bench: (kernel=.*)$', kv, _info()),
    (r'tp-bench: tracing (.*)$', kv, _info('tracing')),
    (r'tp-bench: predictor flush (not )?enabled', lambda g: g is None, _info('flush_enabled')),
    (r'(tp-bench(?:-load)?: (?:.*error.*|usage.*))$', str, lambda k, line: k['errors'].append(line)),
    (r'textpool-bench: (impl=.*)$', kv, lambda k, d: k['micro'].append(d)),
    (r'textpool-bench: stats (.*)$', kv, _info('textpool_stats')),
)]


def parse(path):
    k = {'phases': {}, 'order': [], 'micro': [], 'errors': [], 'info': {}}
    with open(path, errors='replace') as f:
        text = f.read()
    for line in text.splitlines():
        line = re.sub(r'^\[\s*\d+\.\d+\]\s?', '', line.rstrip())
        for rx, parse_as, fn in RULES:
            m = rx.match(line)
            if m:
                fn(k, parse_as(m.group(1)))
                break
    return k


def derive(k):
    """Figures computed from the raw numbers of one kernel."""
    meta_chunk = k['info'].get('textpool_stats', {}).get('chunk_meta_bytes', CHUNK_META)
    for name, ph in k['phases'].items():
        st, ld = ph.get('state'), ph.get('load', {})
        if not st:
            continue
        meta = st['areas'] * AREA_META + st['text_pages'] * PAGE_ARRAY
        if 'tp_chunks' in st:
            meta += st['tp_chunks'] * meta_chunk
        else:
            meta += st['packs'] * PACK_META
        d = {'metadata_bytes': meta, 'held_bytes': st['text_bytes'] + meta}
        if ld:
            d['limit_2m'] = sum(math.ceil(ld.get('requested_n%d' % n, 0) / MIB2) for n in (0, 1))
            if ld.get('requested'):
                d['held_per_requested'] = round(d['held_bytes'] / ld['requested'], 3)
        ph['derived'] = d


def load_phases(k):
    return [p for p in k['order'] if p.startswith('load-')]


def fmt(v):
    if v is None:
        return '-'
    if isinstance(v, float):
        if v < 10:
            return f'{v:.2f}'
        return f'{v:,.1f}' if v < 100 else f'{v:,.0f}'
    if isinstance(v, int):
        return f'{v:,}'
    return str(v)


def ratio(a, b):
    if a is None or b in (None, 0):
        return '-'
    return f'{a / b:.2f}'


def mib(v):
    return None if v is None else round(v / 1048576, 1)


def report(outdir, logs):
    data = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'guest': 'QEMU TCG, 2 vCPUs, 2 NUMA nodes of 1 CPU and %s each' %
                 os.environ.get('TP_GUEST_NODE_MEM', '2G').replace('G', ' GiB'),
        'note': 'timings under TCG are compared as ratios only; counts are exact',
        'metadata_model': {'per_vmalloc_area': AREA_META, 'per_page': PAGE_ARRAY,
                           'per_bpf_prog_pack': PACK_META,
                           'per_textpool_chunk': 'chunk_meta_bytes of the kernel, else %d' % CHUNK_META},
        'kernels': {},
    }
    for name, path in logs:
        k = parse(path)
        derive(k)
        data['kernels'][name] = k
    with open(os.path.join(outdir, 'bench.json'), 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    md = table(data)
    with open(os.path.join(outdir, 'bench.md'), 'w') as f:
        f.write(md)
    plot(data, outdir)
    return data


def table(data):
    ks = [(n, label) for n, label in KERNELS if n in data['kernels']]
    K = data['kernels']
    base = 'base' if 'base' in K else None
    ml = 'mainline' if 'mainline' in K else None
    head = '| phase | figure | ' + ' | '.join(
        f"{label} ({K[n]['info'].get('kernel', '?')})" for n, label in ks)
    sep = '|---|---|' + '---|' * len(ks)
    if 'textpool' in K and base:
        head += ' | textpool / base'
        sep += '---|'
    if 'textpool' in K and ml:
        head += ' | textpool / 7.3'
        sep += '---|'
    lines = [f"# make bench ({data['date'][:10]}, {data['guest']})", '',
             'Counts are exact; times are from QEMU TCG and mean something only as '
             'ratios between the kernels.', '']
    lines += summary(K, ks, head, sep)
    lines += ['', '## Every phase', '', head + ' |', sep]

    def row(phase, label, get, ratios=True):
        vals = {}
        for n, _ in ks:
            try:
                vals[n] = get(K[n], phase)
            except (KeyError, TypeError):
                vals[n] = None
        cells = [fmt(vals[n]) for n, _ in ks]
        if 'textpool' in K and base:
            cells.append(ratio(vals['textpool'], vals[base]) if ratios else '')
        if 'textpool' in K and ml:
            cells.append(ratio(vals['textpool'], vals[ml]) if ratios else '')
        lines.append(f'| {phase} | {label} | ' + ' | '.join(cells) + ' |')

    order = K[ks[0][0]]['order']
    for phase in order:
        S = lambda key: (lambda k, p: k['phases'][p]['state'][key])
        L = lambda key: (lambda k, p: k['phases'][p]['load'][key])
        D = lambda key: (lambda k, p: k['phases'][p]['derived'][key])
        if phase.startswith('load-') or phase.startswith('churn-'):
            row(phase, 'BPF programs (classic)', lambda k, p: f"{k['phases'][p]['load']['progs']:,} ({k['phases'][p]['load']['classic']:,})", False)
            row(phase, 'bytes requested (sum of jited_prog_len)', L('requested'))
        row(phase, 'executable 4 KiB mappings', S('x4k'))
        row(phase, 'executable 2 MiB mappings', S('x2m'))
        if phase.startswith('load-') or phase.startswith('churn-'):
            row(phase, 'physical limit: sum of ceil(node bytes / 2 MiB)', D('limit_2m'), False)
        row(phase, 'direct_map_level2_splits', S('l2'))
        row(phase, 'direct_map_level3_splits', S('l3'))
        row(phase, 'DirectMap4k (kB)', S('dm4k'))
        row(phase, 'text memory held (MiB)', lambda k, p: mib(k['phases'][p]['state']['text_bytes']))
        row(phase, '+ metadata (KiB)', lambda k, p: round(k['phases'][p]['derived']['metadata_bytes'] / 1024))
        if phase.startswith('load-') or phase.startswith('churn-'):
            row(phase, 'held with metadata / requested', D('held_per_requested'))
            row(phase, 'us per BPF load, median', L('load_us_med'))
            row(phase, 'us per BPF load, p99', L('load_us_p99'))
            row(phase, 'us per unload (close), median', lambda k, p: k['phases'][p]['load'].get('unload_us_med'))
            row(phase, 'us per unload (close), p99', lambda k, p: k['phases'][p]['load'].get('unload_us_p99'))
        if phase == 'tracing':
            row(phase, 'kprobes optimized / on ftrace / other',
                lambda k, p: '%d / %d / %d' % tuple(k['phases'][p]['state'].get(x, 0) for x in ('kp_opt', 'kp_ftrace', 'kp_other')), False)
        row(phase, 'predictor flushes (classic BPF)', S('flushes'))
        if 'textpool' in K and phase in K['textpool']['phases']:
            st = K['textpool']['phases'][phase].get('state', {})
            if 'tp_chunks' in st:
                util = ''
                if st.get('tp_allocated_bytes') is not None and st.get('tp_chunks'):
                    util = f", utilisation {100 * st['tp_allocated_bytes'] / (st['tp_chunks'] * MIB2):.1f} %"
                fb = ', '.join(f"{c} {st.get('tp_fallback_' + c, 0)}" for c in ('large', 'disabled', 'early', 'limit', 'nomem'))
                tp = (f"{st.get('tp_chunks_n0', '?')} / {st.get('tp_chunks_n1', '?')}{util}; {fb}")
                # In the textpool column, whichever the other kernels are.
                row(phase, 'textpool: chunks node 0 / 1, fallbacks by cause',
                    lambda k, p: tp if k is K['textpool'] else None, False)
    micro = K.get('textpool', {}).get('micro', [])
    if micro:
        lines += ['', '## In-kernel microbenchmark (textpool kernel): ns per alloc+free', '',
                  'Threads 2: both vCPUs allocate and free at once.  Single-threaded TCG '
                  'runs the two vCPUs in turns on one host thread, so a thread may be '
                  'descheduled inside a critical section as on an overcommitted host; '
                  'the times include the other vCPU\'s turns, and only the ratios '
                  'between the implementations mean something.', '',
                  '| size | live | threads | ' + ' | '.join(micro_impls(micro))
                  + ' | execmem / textpool | bpf_prog_pack / textpool |',
                  '|---|---|---|' + '---|' * (len(micro_impls(micro)) + 2)]
        impls = micro_impls(micro)
        cells = {}
        for m in micro:
            cells.setdefault((m['size'], m['live'], m.get('threads', 1)), {})[m['impl']] = m
        for key in sorted(cells, key=lambda x: (x[2], x[1], x[0])):
            c = cells[key]
            t = c.get('textpool')
            ups = [f"{c[o]['ns_per_op'] / max(1, t['ns_per_op']):.1f}x" if t and o in c else '-'
                   for o in ('execmem', 'bpf_prog_pack')]
            lines.append(f'| {key[0]} | {key[1]:,} | {key[2]} | ' +
                         ' | '.join(f"{c[i]['ns_per_op']:,}" if i in c else '-' for i in impls) +
                         f' | {ups[0]} | {ups[1]} |')
    if 'textpool' in K:
        lines += ['', '## Targets for textpool', '', '| target | measured | met |', '|---|---|---|']
        lines += [f'| {t} | {m} | {ok} |' for t, m, ok in targets(K)]
    errs = [(n, e) for n in K for e in K[n]['errors']]
    if errs:
        lines += ['', '## Errors', ''] + [f'- {n}: {e}' for n, e in errs]
    return '\n'.join(lines) + '\n'


def summary(K, ks, head, sep):
    """The headline table: a few figures at the phases that matter."""
    first = K[ks[0][0]]
    loads = [p for p in first['order'] if p.startswith('load-')]
    churns = [p for p in first['order'] if p.startswith('churn-')]
    big = loads[-1] if loads else None
    out = [head.replace('| phase | figure |', '| figure |') + ' |', sep[len('|---'):]]

    def ph(k, p):
        return k['phases'][p]

    def row(label, get, ratios=True):
        vals = {}
        for n, _ in ks:
            try:
                vals[n] = get(K[n])
            except (KeyError, TypeError, IndexError, ZeroDivisionError):
                vals[n] = None
        cells = [fmt(vals[n]) for n, _ in ks]
        if 'textpool' in K and 'base' in K:
            cells.append(ratio(vals['textpool'], vals['base']) if ratios else '')
        if 'textpool' in K and 'mainline' in K:
            cells.append(ratio(vals['textpool'], vals['mainline']) if ratios else '')
        out.append(f'| {label} | ' + ' | '.join(cells) + ' |')

    for p in loads:
        row(f'executable 4 KiB mappings, {int(p[5:]):,} programs', lambda k, p=p: ph(k, p)['state']['x4k'], False)
    row('executable 4 KiB mappings, + ftrace and kprobes', lambda k: ph(k, 'tracing')['state']['x4k'], False)
    if big:
        row(f'executable 2 MiB mappings, {int(big[5:]):,} programs (physical limit)',
            lambda k: f"{ph(k, big)['state']['x2m']} ({ph(k, big)['derived']['limit_2m']})", False)
    for key, label in (('l2', 'level-2'), ('l3', 'level-3')):
        row(f'new direct_map_{label} splits, loaded / after unload',
            lambda k, key=key: f"{ph(k, 'tracing')['state'][key] - ph(k, 'boot')['state'][key]} / "
                               f"{ph(k, 'unload')['state'][key] - ph(k, 'boot')['state'][key]}", False)
    if big:
        row(f'DirectMap4k (kB), {int(big[5:]):,} programs', lambda k: ph(k, big)['state']['dm4k'])
    row('DirectMap4k (kB), after unload', lambda k: ph(k, 'unload')['state']['dm4k'])
    for p in loads + churns[-1:]:
        what = f'{int(p[5:]):,} programs' if p.startswith('load-') else f'after churn at {int(p[6:]):,}'
        row(f'text memory with metadata / requested, {what}',
            lambda k, p=p: ph(k, p)['derived']['held_per_requested'])
    if big:
        row(f'text memory with metadata (MiB), {int(big[5:]):,} programs',
            lambda k: mib(ph(k, big)['derived']['held_bytes']))
    row('text memory with metadata (MiB), after unload', lambda k: mib(ph(k, 'unload')['derived']['held_bytes']))
    for p in loads:
        row(f'us per BPF load, median / p99, up to {int(p[5:]):,}',
            lambda k, p=p: f"{fmt(ph(k, p)['load']['load_us_med'])} / {fmt(ph(k, p)['load']['load_us_p99'])}", False)
        row(f'  ratio of medians, up to {int(p[5:]):,}', lambda k, p=p: ph(k, p)['load']['load_us_med'])
    row('us per unload, median / p99',
        lambda k: f"{fmt(ph(k, 'unload')['load']['unload_us_med'])} / {fmt(ph(k, 'unload')['load']['unload_us_p99'])}", False)
    row('predictor flushes (classic programs)', lambda k: ph(k, 'unload')['state']['flushes'], False)
    if 'textpool' in K and big:
        st = K['textpool']['phases'][big]['state']
        if 'tp_chunks' in st:
            util = 100 * st.get('tp_allocated_bytes', 0) / max(1, st['tp_chunks'] * MIB2)
            fb = ', '.join(f"{c} {st.get('tp_fallback_' + c, 0)}" for c in ('large', 'disabled', 'early', 'limit', 'nomem'))
            out.append('')
            out.append(f"textpool at {int(big[5:]):,} programs: chunks node 0 / node 1: "
                       f"{st.get('tp_chunks_n0', '?')} / {st.get('tp_chunks_n1', '?')}, utilisation "
                       f"{util:.1f} % (allocated / chunk bytes), fallbacks by cause: {fb}.")
    return out


def targets(K):
    """(target, measured, met) rows for the textpool kernel."""
    tp = K['textpool']
    ph = tp['phases']
    boot_l2 = ph.get('boot', {}).get('state', {}).get('l2')
    rows = []
    yes = lambda ok: 'yes' if ok else '**no**'
    loads = [p for p in tp['order'] if p.startswith(('load-', 'churn-'))]
    boot_x4k = ph.get('boot', {}).get('state', {}).get('x4k', 0)
    x4k = [ph[p]['state']['x4k'] - boot_x4k for p in loads + ['tracing'] if p in ph]
    rows.append(('0 executable 4 KiB mappings for pool users (new since boot; '
                 f'{boot_x4k} at boot: early allocations made before textpool is up)',
                 ', '.join(f'{p}: +{v}' for p, v in zip(loads + ['tracing'], x4k)), yes(x4k and not any(x4k))))
    over = [(p, ph[p]['state']['x2m'], ph[p]['derived']['limit_2m']) for p in loads]
    rows.append(('2 MiB mappings at the physical limit (BPF text alone)',
                 ', '.join(f'{p}: {a} for {b}' for p, a, b in over),
                 yes(all(a <= b + 2 for _, a, b in over)) +
                 ' (the pools of BPF trampolines, ftrace and kprobes add up to one chunk per node)'))
    l2 = [(p, ph[p]['state']['l2'] - boot_l2) for p in tp['order'] if p != 'boot' and boot_l2 is not None]
    rows.append(('0 new direct_map_level2_splits', ', '.join(f'{p}: +{v}' for p, v in l2),
                 yes(l2 and not any(v for _, v in l2))))
    for p in loads:
        r = ph[p]['derived'].get('held_per_requested')
        n = int(p.split('-')[1])
        if r is None or n < 10000:
            continue
        lim = 1.25 if p.startswith('churn-') else 1.10
        rows.append((f'memory with metadata <= {lim:.2f} x requested ({p})', f'{r:.3f} x',
                     yes(r <= lim) if r <= lim else f'**no**, by {100 * (r / lim - 1):.1f} %'))
    for other, label, strict in (('base', 'no worse than the base', False), ('mainline', 'better than 7.3', True)):
        if other not in K:
            continue
        for p in loads:  # the loads of churn phases count too
            try:
                a = ph[p]['load']['load_us_med']
                b = K[other]['phases'][p]['load']['load_us_med']
            except KeyError:
                continue
            ok = a < b if strict else a <= b * 1.02
            rows.append((f'BPF load time (median) {label}, {p}', f'{a:.0f} us against {b:.0f} us (x{a / b:.2f})',
                         yes(ok) if ok else f'**no**, by {100 * (a / b - 1):.0f} %'))
    cells = {}
    for m in tp['micro']:
        cells.setdefault((m['size'], m['live'], m.get('threads', 1)), {})[m['impl']] = m
    for key, c in sorted(cells.items(), key=lambda x: (x[0][2], x[0][1], x[0][0])):
        if 'textpool' in c and 'execmem' in c:
            up = c['execmem']['ns_per_op'] / max(1, c['textpool']['ns_per_op'])
            rows.append((f'alloc+free >= 10x execmem (size {key[0]}, {key[1]:,} live, {key[2]} thread(s))',
                         f'{up:.1f}x', yes(up >= 10)))
        if 'textpool' in c and 'bpf_prog_pack' in c:
            r = c['textpool']['ns_per_op'] / max(1, c['bpf_prog_pack']['ns_per_op'])
            rows.append((f'alloc+free no slower than bpf_prog_pack (size {key[0]}, {key[1]:,} live, {key[2]} thread(s))',
                         f'x{r:.2f}', yes(r <= 1.0)))
    return rows


def micro_impls(micro):
    """The microbenchmark's implementations, textpool first, then the
    paths it replaces, then any other, in a fixed order."""
    order = ['textpool', 'execmem', 'bpf_prog_pack']
    found = {m['impl'] for m in micro}
    return [i for i in order if i in found] + sorted(found - set(order))


def plot(data, outdir):
    gp = shutil.which('gnuplot')
    if not gp:
        return
    K = data['kernels']
    series = []
    for n, label in KERNELS:
        if n not in K:
            continue
        pts = []
        for p in load_phases(K[n]):
            ph = K[n]['phases'][p]
            pts.append((ph['load']['progs'], ph['derived']['held_bytes'] / 1048576, ph['state']['x4k']))
        path = os.path.join(outdir, f'bench-{n}.dat')
        with open(path, 'w') as f:
            for p in pts:
                f.write('%d %.2f %d\n' % p)
        series.append((path, label))
    if not series:
        return
    mem = ', '.join(f"'{p}' using 1:2 with linespoints title '{l}'" for p, l in series)
    x4k = ', '.join(f"'{p}' using 1:3 with linespoints title '{l}'" for p, l in series)
    script = f"""set terminal pngcairo size 1200,500
set output '{os.path.join(outdir, 'bench.png')}'
set multiplot layout 1,2 title 'make bench, {data['date'][:10]}, QEMU TCG'
set logscale x
set xlabel 'BPF programs loaded'
set key top left
set ylabel 'dynamic text memory held, with metadata (MiB)'
plot {mem}
set ylabel 'executable 4 KiB mappings (Modules)'
plot {x4k}
unset multiplot
"""
    r = subprocess.run([gp], input=script, text=True, capture_output=True)
    if r.returncode:
        sys.stderr.write(r.stderr)
        raise SystemExit('gnuplot failed')
    for path, _ in series:
        os.unlink(path)


def validate(path):
    """The smoke run's checks: every phase has every field; no errors."""
    with open(path) as f:
        data = json.load(f)
    bad = []
    for key in ('date', 'guest', 'kernels'):
        if key not in data:
            bad.append(f'no {key}')
    for n, k in data.get('kernels', {}).items():
        if not k['info'].get('kernel'):
            bad.append(f'{n}: no kernel version')
        if k['errors']:
            bad += [f'{n}: {e}' for e in k['errors']]
        loads = [p for p in k['order'] if p.startswith('load-')]
        if not loads or 'unload' not in k['order'] or 'tracing' not in k['order']:
            bad.append(f'{n}: phases {k["order"]}')
        for p in k['order']:
            ph = k['phases'][p]
            for f in STATE_FIELDS:
                if f not in ph.get('state', {}):
                    bad.append(f'{n}: {p}: no {f}')
            if p.startswith(('load-', 'churn-')):
                for f in LOAD_FIELDS:
                    if f not in ph.get('load', {}):
                        bad.append(f'{n}: {p}: no {f}')
                want = int(p.split('-')[1])
                if ph.get('load', {}).get('progs') != want:
                    bad.append(f'{n}: {p}: {ph.get("load", {}).get("progs")} programs, not {want}')
                # the count of held programs must see the loaded ones, or
                # it (and settling on it) would see nothing at all
                if ph.get('state', {}).get('bpf_progs', want) < want:
                    bad.append(f'{n}: {p}: the kernel is seen holding {ph["state"]["bpf_progs"]} '
                               f'BPF programs, {want} are loaded')
            if 'held_bytes' not in ph.get('derived', {}):
                bad.append(f'{n}: {p}: no memory held')
        if 'unload' in k['phases'] and k['phases']['unload'].get('load', {}).get('progs') != 0:
            bad.append(f'{n}: programs left after unload')
        # bench-phase.sh reads the state once the frees are done: a
        # program the kernel still holds after unload means it read too early
        held = [k['phases'][p].get('state', {}).get('bpf_progs') for p in ('boot', 'unload')
                if p in k['phases']]
        if len(held) == 2 and None not in held and held[1] > held[0]:
            bad.append(f'{n}: after unload the kernel still holds {held[1]} BPF programs '
                       f'({held[0]} at boot): the state was read before the frees were done')
    for b in bad:
        print(b)
    return not bad


if __name__ == '__main__':
    if sys.argv[1] == '--validate':
        sys.exit(0 if validate(sys.argv[2]) else 1)
    report(sys.argv[1], [a.split('=', 1) for a in sys.argv[2:]])
