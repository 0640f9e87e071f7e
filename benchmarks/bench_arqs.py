"""Benchmark: creating and listing accelerator requests through the API.

Runs the real WSGI application in-process (middleware, policy, SQL on a
SQLite file with the migrated schema; no network) and prints a table:

* create 1,000 ARQs, 10 per request and 1 per request;
* list all ARQs with 100 / 1,000 / 10,000 rows in the table;
* ``GET ?instance=X`` (the instance has 2 ARQs) at the same sizes.

Every row also shows the SQL statements one request issued. Usage::

    python -m benchmarks.bench_arqs [--repeat N]
"""
import argparse
import gc
import time
import uuid

import fixtures
import sqlalchemy as sa
import webob

from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services

ADMIN = {'X-User-Id': 'bench', 'X-Project-Id': 'bench-project',
         'X-Roles': 'admin,manager,member,reader'}


class Statements:
    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, 'before_cursor_execute', self._seen)

    def _seen(self, *args, **kwargs):
        self.count += 1


def call(app, method, path, body=None):
    req = webob.Request.blank(path, method=method, headers=ADMIN)
    if body is not None:
        req.json_body = body
        req.content_type = 'application/json'
    resp = req.get_response(app)
    assert resp.status_int < 300, (resp.status, resp.text[:300])
    return resp


def timed(fn, repeat):
    """Best of ``repeat`` runs: the least disturbed by other load."""
    gc.collect()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples)


def fill(db, profile_id, total, instance):
    """Bring the table to ``total`` ARQs, two of them on ``instance``."""
    with db.engine.begin() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(
            models.ExtArq.__table__)).scalar()
        rows = [{'uuid': str(uuid.uuid4()), 'project_id': 'bench-project',
                 'state': 'Initial', 'substate': 'Initial',
                 'device_profile_id': profile_id,
                 'device_profile_group_id': 0,
                 'instance_uuid': instance if i < 2 and have == 0 else None}
                for i in range(total - have)]
        if rows:
            conn.execute(models.ExtArq.__table__.insert(), rows)


def run(repeat):
    results = []
    with fixtures.TempHomeDir(), database.Database() as db, \
            services.Conductor():
        app = services.api_app()
        stmts = Statements(db.engine)
        call(app, 'POST', '/v2/device_profiles', [{
            'name': 'ten', 'groups': [{'resources:FPGA': '10'}]}])
        call(app, 'POST', '/v2/device_profiles', [{
            'name': 'one', 'groups': [{'resources:FPGA': '1'}]}])
        for name, per in (('ten', 10), ('one', 1)):
            before = stmts.count
            start = time.perf_counter()
            for _ in range(1000 // per):
                call(app, 'POST', '/v2/accelerator_requests',
                     {'device_profile_name': name})
            elapsed = time.perf_counter() - start
            results.append(('create 1,000 ARQs, %d per request' % per,
                            elapsed, (stmts.count - before) // (1000 // per)))
        with db.engine.begin() as conn:
            conn.execute(models.ExtArq.__table__.delete())
            profile_id = conn.execute(sa.select(
                models.DeviceProfile.id)).scalars().first()
        instance = str(uuid.uuid4())
        for size in (100, 1000, 10000):
            fill(db, profile_id, size, instance)
            for label, path in (
                    ('list', '/v2/accelerator_requests'),
                    ('?instance=X', '/v2/accelerator_requests?instance=%s'
                     % instance)):
                before = stmts.count
                call(app, 'GET', path)
                per_request = stmts.count - before
                elapsed = timed(lambda p=path: call(app, 'GET', p), repeat)
                results.append(('%s at %d rows' % (label, size), elapsed,
                                per_request))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=10)
    args = parser.parse_args()
    CONF([], project='cyborg')
    rows = run(args.repeat)
    width = max(len(r[0]) for r in rows)
    print('%-*s  %12s  %14s' % (width, 'operation', 'time (ms)',
                                'SQL statements'))
    print('-' * (width + 30))
    for label, seconds, statements in rows:
        print('%-*s  %12.1f  %14d' % (width, label, seconds * 1000,
                                      statements))


if __name__ == '__main__':
    main()
