#!/usr/bin/env python
"""Benchmark of the conductor's report processing (report_data).

Runs in-process against a real SQLite database (the test fixture's, at
alembic head) and the REAL Placement (openstack-placement, in-memory,
through wsgi-intercept), and prints a table:

* one report of a new host with 1, 100 and 1,000 devices: conductor time
  and number of Placement calls (and writes);
* the same 1,000-device report repeated unchanged: Placement writes
  (must be 0);
* 100 hosts reporting 10 devices each (first reports), total and per host.

Times are wall-clock and, beside them, the CPU time of this process
(conductor and in-process Placement alike): on a shared, busy machine the
wall-clock time varies with the load, the CPU time much less.

``--sync-workers 1,4`` runs the first and the identical report once per
value of ``[conductor] placement_sync_workers`` (1: the providers of new
deployables written one after the other, as before; more: that many at a
time), each on a host of its own, in the same run.

``--server-workers N`` serves Placement as production does instead:
``benchmarks/placement_server.py``, N gunicorn worker processes on a
throw-away MariaDB database of the test server (``tools/test-setup.sh``),
reached over loopback HTTP. The in-process Placement (default) answers
one request at a time, so only this mode shows what parallel writes gain.

Usage: ``python benchmarks/bench_inventory.py [--sizes 1,100,1000]
[--hosts 100] [--per-host 10] [--sync-workers 1,4] [--server-workers 4]``
"""
import argparse
import copy
import json
import logging
import sys
import time

from benchmarks import placement_remote
from cyborg import context
from cyborg.conductor.inventory import report as inventory
from cyborg.conf import CONF
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import placement as placement_fixture


def device(host, index):
    bus, dev = '%02x' % (index // 32 % 256), '%02x' % (index % 32)
    func = str(index // 8192)
    info = json.dumps({'bus': bus, 'device': dev, 'domain': '0000',
                       'function': func}, sort_keys=True)
    return {
        'type': 'GPU', 'vendor': '10de', 'model': 'Tesla T4',
        'std_board_info': '{"product_id": "1eb8"}',
        'vendor_board_info': None, 'stub': False,
        'controlpath_id': {'cpid_type': 'PCI', 'cpid_info': info},
        'deployable_list': [{
            'name': '%s_0000:%s:%s.%s' % (host, bus, dev, func),
            'num_accelerators': 1, 'driver_name': 'NVIDIA',
            'attribute_list': [{'key': 'rc', 'value': 'PGPU'},
                               {'key': 'trait0', 'value': 'OWNER_CYBORG'},
                               {'key': 'trait1',
                                'value': 'CUSTOM_NVIDIA_1EB8'}],
            'attach_handle_list': [{'attach_type': 'PCI', 'in_use': False,
                                    'attach_info': info}]}]}


def placement_for(args):
    if args.server_workers:
        return placement_remote.RemotePlacement(args.server_workers)
    return placement_fixture.PlacementFixture()


def report(fix, host, devices):
    client = fix.new_client()
    start, cpu = time.perf_counter(), time.process_time()
    summary = inventory.report_data(context.get_admin_context(), host,
                                    copy.deepcopy(devices), client=client)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not summary['placement_failures'], summary
    return elapsed, cpu, sum(client.stats.values()), client.writes


def run(args):
    rows = []
    with database.Database(), placement_for(args) as fix:
        for workers in args.sync_workers:
            CONF.set_override('placement_sync_workers', workers,
                              group='conductor')
            tag = ', %d sync worker%s' % (workers, 's' * (workers > 1))
            for size in args.sizes:
                host = 'bench-%d-w%d' % (size, workers)
                fix.create_compute_node(host)
                devices = [device(host, i) for i in range(size)]
                rows.append(('first report, %d devices%s' % (size, tag),)
                            + report(fix, host, devices))
                if size == max(args.sizes):
                    rows.append(('identical report, %d devices' % size,)
                                 + report(fix, host, devices))
        totals = [0, 0, 0, 0]
        for h in range(args.hosts):
            host = 'bench-host-%03d' % h
            fix.create_compute_node(host)
            one = report(
                fix, host, [device(host, i) for i in range(args.per_host)])
            totals = [a + b for a, b in zip(totals, one)]
        if args.hosts:
            rows.append(('%d hosts x %d devices (total)' % (
                args.hosts, args.per_host),) + tuple(totals))
            rows.append(('  per host (mean)',) + tuple(
                t / args.hosts for t in totals))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='1,100,1000',
                        type=lambda s: [int(x) for x in s.split(',')])
    parser.add_argument('--hosts', type=int, default=100)
    parser.add_argument('--per-host', type=int, default=10)
    parser.add_argument('--sync-workers', default=[4],
                        type=lambda s: [int(x) for x in s.split(',')])
    parser.add_argument('--server-workers', type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    rows = run(args)
    print('%-48s %10s %10s %16s %16s' % ('scenario', 'time (s)', 'cpu (s)',
                                         'Placement calls',
                                         'Placement writes'))
    for name, elapsed, cpu, calls, writes in rows:
        print('%-48s %10.3f %10.3f %16s %16s' % (name, elapsed, cpu,
                                                 _n(calls), _n(writes)))
    return 0


def _n(value):
    return ('%d' % value) if float(value).is_integer() else '%.1f' % value


if __name__ == '__main__':
    sys.exit(main())
