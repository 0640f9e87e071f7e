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

``--paths per-provider,bulk`` (the default) runs each first report (and
the identical one) once per way of writing new providers' inventories, in
the same run: ``per-provider`` puts each provider's inventory on its own
(three calls per new device), ``bulk`` sets them together with
Placement's reshaper (about two). ``--rounds N`` repeats each first
report N times, the paths interleaved (alternating which goes first, each
on a new host), and shows the run of median time; ``speed-up`` is the
per-provider time over the path's time (same size and workers), and
``calls/device`` the calls over the new devices. The load average is
printed: on a busy machine, compare only paths of the same run.

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
[--hosts 100] [--per-host 10] [--sync-workers 1,4] [--server-workers 4]
[--paths per-provider,bulk] [--rounds 3]``
"""
import argparse
import copy
import json
import logging
import os
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


PATHS = ('per-provider', 'bulk')


def placement_for(args):
    if args.server_workers:
        return placement_remote.RemotePlacement(args.server_workers)
    return placement_fixture.PlacementFixture()


def report(fix, host, devices, path='bulk'):
    """One report on a fresh client: (time, cpu, calls, writes)."""
    client = fix.new_client(bulk_inventory=path == 'bulk')
    start, cpu = time.perf_counter(), time.process_time()
    summary = inventory.report_data(context.get_admin_context(), host,
                                    copy.deepcopy(devices), client=client)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not summary['placement_failures'], summary
    if path == 'bulk' and len(devices) > 1:
        assert client.bulk_inventory, 'Placement refused the reshaper'
    return elapsed, cpu, sum(client.stats.values()), client.writes


def _first_reports(fix, args, workers, size):
    """Each path's first report of ``size`` new devices, ``rounds``
    times, the paths interleaved (their order alternates), each on a
    host of its own; then one identical report per path. Returns rows."""
    runs = {path: [] for path in args.paths}
    repeats = {}
    for rnd in range(args.rounds):
        order = args.paths if rnd % 2 == 0 else args.paths[::-1]
        for path in order:
            host = 'bench-%d-w%d-%s-%d' % (size, workers, path, rnd)
            fix.create_compute_node(host)
            devices = [device(host, i) for i in range(size)]
            runs[path].append(report(fix, host, devices, path))
            if rnd == 0 and size == max(args.sizes):
                repeats[path] = report(fix, host, devices, path)
    rows = []
    base = runs.get('per-provider')
    for path in args.paths:
        elapsed, cpu, calls, writes = _median(runs[path])
        ratio = _median(base)[0] / elapsed if base else None
        rows.append(('first report, %d devices, %d worker%s' % (
            size, workers, 's' * (workers > 1)), path, elapsed, cpu, calls,
            writes, calls / size, ratio))
    for path, (elapsed, cpu, calls, writes) in repeats.items():
        rows.append(('identical report, %d devices' % size, path, elapsed,
                     cpu, calls, writes, None, None))
    return rows


def _median(runs):
    """The run of median time (the first of the two middle ones)."""
    ordered = sorted(runs)
    return ordered[(len(ordered) - 1) // 2]


def run(args):
    rows = []
    with database.Database(), placement_for(args) as fix:
        for workers in args.sync_workers:
            CONF.set_override('placement_sync_workers', workers,
                              group='conductor')
            for size in args.sizes:
                rows.extend(_first_reports(fix, args, workers, size))
        totals = [0, 0, 0, 0]
        path = args.paths[-1]
        for h in range(args.hosts):
            host = 'bench-host-%03d' % h
            fix.create_compute_node(host)
            one = report(fix, host, [device(host, i)
                                     for i in range(args.per_host)], path)
            totals = [a + b for a, b in zip(totals, one)]
        if args.hosts:
            rows.append(('%d hosts x %d devices (total)' % (
                args.hosts, args.per_host), path) + tuple(totals) + (
                totals[2] / (args.hosts * args.per_host), None))
            rows.append(('  per host (mean)', path) + tuple(
                t / args.hosts for t in totals) + (None, None))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='1,100,1000',
                        type=lambda s: [int(x) for x in s.split(',')])
    parser.add_argument('--hosts', type=int, default=100)
    parser.add_argument('--per-host', type=int, default=10)
    parser.add_argument('--sync-workers', default=[4],
                        type=lambda s: [int(x) for x in s.split(',')])
    parser.add_argument('--paths', default=list(PATHS),
                        type=lambda s: s.split(','))
    parser.add_argument('--rounds', type=int, default=1)
    parser.add_argument('--server-workers', type=int, default=0)
    args = parser.parse_args(argv)
    unknown = set(args.paths) - set(PATHS)
    if unknown:
        parser.error('unknown path(s) %s; choose among %s' % (
            ', '.join(sorted(unknown)), ', '.join(PATHS)))
    logging.basicConfig(level=logging.ERROR)
    rows = run(args)
    print('load average at the end: %s' % ' '.join(
        '%.2f' % x for x in os.getloadavg()))
    header = ('scenario', 'path', 'time (s)', 'cpu (s)', 'calls', 'writes',
              'calls/device', 'speed-up')
    print('%-40s %-12s %9s %9s %7s %7s %12s %8s' % header)
    for name, path, elapsed, cpu, calls, writes, per, ratio in rows:
        print('%-40s %-12s %9.3f %9.3f %7s %7s %12s %8s' % (
            name, path, elapsed, cpu, _n(calls), _n(writes),
            '-' if per is None else '%.2f' % per,
            '-' if ratio is None else '%.2fx' % ratio))
    return 0


def _n(value):
    return ('%d' % value) if float(value).is_integer() else '%.1f' % value


if __name__ == '__main__':
    sys.exit(main())
