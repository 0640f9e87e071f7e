"""Benchmark: one page of a 2.4 list against the whole 2.3 list.

Runs the real WSGI application in-process (middleware, policy, SQL on a
SQLite file with the migrated schema; no network) with 10,000 and 50,000
ARQs in the table and prints, per size:

* the whole list at microversion 2.3 (the baseline, ratio 1.00);
* the first page at 2.4 (``limit=100`` and the default ``[api] max_limit``
  of 1,000);
* the last page at 2.4 (a marker near the end of the list), descending
  by ``created_at`` and ascending by ``uuid``.

Every row shows the SQL statements one request issued. Usage::

    python -m benchmarks.bench_paging [--repeat N]
"""
import argparse
import datetime
import uuid

import fixtures
import sqlalchemy as sa
import webob

from benchmarks import bench_arqs
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services

ARQS = '/v2/accelerator_requests'


def call(app, path, version):
    headers = dict(bench_arqs.ADMIN)
    headers['OpenStack-API-Version'] = 'accelerator ' + version
    req = webob.Request.blank(path, headers=headers)
    resp = req.get_response(app)
    assert resp.status_int == 200, (resp.status, resp.text[:300])
    return resp


def fill(db, profile_id, total):
    start = datetime.datetime(2026, 1, 1)
    with db.engine.begin() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(
            models.ExtArq.__table__)).scalar()
        rows = [{'uuid': str(uuid.uuid4()), 'project_id': 'bench-project',
                 'state': 'Initial', 'substate': 'Initial',
                 'device_profile_id': profile_id,
                 'device_profile_group_id': 0,
                 'created_at': start + datetime.timedelta(seconds=i)}
                for i in range(have, total)]
        if rows:
            conn.execute(models.ExtArq.__table__.insert(), rows)


def _marker(db, column, descending, offset):
    """The uuid ``offset`` rows before the end of the order."""
    table = models.ExtArq.__table__
    direction = sa.desc if descending else sa.asc
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(table.c.uuid).order_by(
            direction(table.c[column]), direction(table.c.id))
            .offset(offset).limit(1))


def run(repeat):
    results = []
    with fixtures.TempHomeDir(), database.Database() as db:
        app = services.api_app()
        stmts = bench_arqs.Statements(db.engine)
        with db.engine.begin() as conn:
            profile_id = conn.execute(sa.insert(models.DeviceProfile).values(
                uuid=str(uuid.uuid4()), name='bench', profile_json='{}')
            ).inserted_primary_key[0]
        for size in (10000, 50000):
            fill(db, profile_id, size)
            cases = [
                ('whole list, 2.3 (baseline)', ARQS, '2.3'),
                ('first page, limit=100', ARQS + '?limit=100', '2.4'),
                ('first page, limit=1000', ARQS + '?limit=1000', '2.4'),
                ('last page, created_at desc',
                 ARQS + '?sort_dir=desc&limit=1000&marker=%s' % _marker(
                     db, 'created_at', True, size - 501), '2.4'),
                ('last page, uuid asc',
                 ARQS + '?sort_key=uuid&limit=1000&marker=%s' % _marker(
                     db, 'uuid', False, size - 501), '2.4'),
            ]
            baseline = None
            for label, path, version in cases:
                before = stmts.count
                call(app, path, version)
                per_request = stmts.count - before
                elapsed = bench_arqs.timed(
                    lambda p=path, v=version: call(app, p, v), repeat)
                baseline = baseline or elapsed
                results.append(('%s at %d rows' % (label, size), elapsed,
                                elapsed / baseline, per_request))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    args = parser.parse_args()
    CONF([], project='cyborg')
    rows = run(args.repeat)
    width = max(len(r[0]) for r in rows)
    print('%-*s  %10s  %7s  %14s' % (width, 'operation', 'time (ms)',
                                      'ratio', 'SQL statements'))
    print('-' * (width + 37))
    for label, seconds, ratio, statements in rows:
        print('%-*s  %10.1f  %7.3f  %14d' % (width, label, seconds * 1000,
                                             ratio, statements))


if __name__ == '__main__':
    main()
