#!/usr/bin/env python
"""Benchmark of ``cyborg-manage placement audit`` (``cyborg.audit``).

In-process, against a real SQLite database at alembic head and the REAL
Placement (openstack-placement, in memory, through wsgi-intercept). One
host reports N devices through the conductor's own flow, then:

* ``reconcile`` -- the conductor's periodic reconciliation over the same
  deployment: the baseline (it reads what the audit reads, but not
  allocations, and lists no differences);
* ``audit (in sync)`` -- the audit of the in-sync deployment;
* ``audit (10% drift)`` -- after deleting every tenth provider;
* ``audit --fix`` -- the same drift repaired (and re-audited).

For each: wall time, Placement calls (GET / writes), calls per
deployable, the stated bound ``3 * hosts + 4 * deployables + strays``
(``cyborg.audit.found.call_bound``) and the ratio of time and calls to
the baseline. Usage: ``python benchmarks/bench_audit.py [--devices 1000]``
"""
import argparse
import logging
import sys
import time

from cyborg import context
from cyborg.audit import found
from cyborg.audit import run
from cyborg.conductor.inventory import reconcile
from cyborg.conductor.inventory import report as inventory
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import placement as placement_fixture

sys.path.insert(0, '.')
from benchmarks.bench_inventory import device  # noqa: E402

HOST = 'bench-audit-01'


def _measure(fix, label, fn):
    client = fix.new_client()
    start = time.perf_counter()
    result = fn(client)
    elapsed = time.perf_counter() - start
    return {'label': label, 'seconds': elapsed,
            'gets': client.stats['GET'], 'writes': client.writes,
            'result': result}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--devices', type=int, default=1000)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    ctx = context.get_admin_context()
    n = args.devices
    with database.Database(), \
            placement_fixture.PlacementFixture() as fix:
        fix.create_compute_node(HOST)
        devices = [device(HOST, i) for i in range(n)]
        start = time.perf_counter()
        inventory.report_data(ctx, HOST, devices, client=fix.new_client())
        seeded = time.perf_counter() - start
        rows = [
            _measure(fix, 'reconcile (baseline)',
                     lambda c: reconcile.reconcile(ctx, c)),
            _measure(fix, 'audit (in sync)',
                     lambda c: run.audit(ctx, c)),
        ]
        for dep in devices[::10]:
            rp = fix.client.provider_uuid_for(dep['deployable_list'][0]
                                              ['name'])
            fix.raw('DELETE', '/resource_providers/' + rp)
        rows.append(_measure(fix, 'audit (10% drift)',
                             lambda c: run.audit(ctx, c)))
        rows.append(_measure(fix, 'audit --fix (10% drift)',
                             lambda c: run.audit(ctx, c, fix=True)))
    base = rows[0]
    bound = found.call_bound(1, n)
    print('%d devices on one host (seeded by one report in %.1fs); '
          'stated bound of one audit pass: %d calls'
          % (n, seeded, bound))
    fmt = '%-26s %9s %7s %7s %9s %7s %11s %11s'
    print(fmt % ('run', 'seconds', 'GETs', 'writes', 'calls/dep',
                 'bound', 'time ratio', 'call ratio'))
    for row in rows:
        calls = row['gets'] + row['writes']
        audit_pass = isinstance(row['result'], run.Outcome)
        if audit_pass:
            assert row['result'].placement_calls == calls
            if not row['result'].fixed:
                assert calls <= bound, (calls, bound)
        print(fmt % (row['label'], '%.3f' % row['seconds'], row['gets'],
                     row['writes'], '%.2f' % (calls / n),
                     bound if audit_pass and not row['result'].fixed
                     else '-',
                     '%.2fx' % (row['seconds'] / base['seconds']),
                     '%.2fx' % (calls / (base['gets'] + base['writes']))))
    return 0


if __name__ == '__main__':
    sys.exit(main())
