"""Benchmark: bind, resolved query and delete by instance vs table size.

Runs the real WSGI application and a conductor in-process (fake
transport, SQLite file with the migrated schema, recording Nova on
loopback) and prints, for 100 and 10,000 *other* ARQs in the table:

* bind-to-resolved: PATCH of a 2-ARQ instance until ``GET
  ?instance=X&bind_state=resolved`` answers 200;
* the resolved query alone;
* ``DELETE ?instance=X`` (unbind and delete of the 2 ARQs).

Each cell is the median of ``--repeat`` runs, with the SQL statements of
one run. Decision D3.8 says these cost in proportion to the instance's
ARQs, not the table: the last column is the 10,000/100 time ratio, which
should stay under 2. Usage::

    python -m benchmarks.bench_bind [--repeat N]
"""
import argparse
import statistics
import time
import uuid

import fixtures
import sqlalchemy as sa

from benchmarks.bench_arqs import Statements
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env

SIZES = (100, 10000)


def _fill(db, profile_id, total):
    with db.engine.begin() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(
            models.ExtArq.__table__)).scalar()
        rows = [{'uuid': str(uuid.uuid4()), 'project_id': env.PROJECT,
                 'state': 'Bound' if i % 3 else 'Initial',
                 'substate': 'Initial', 'device_profile_id': profile_id,
                 'device_profile_group_id': 0,
                 'instance_uuid': str(uuid.uuid4()) if i % 3 else None}
                for i in range(total - have)]
        if rows:
            conn.execute(models.ExtArq.__table__.insert(), rows)


def _one_round(client, rp, stmts):
    """(seconds, statements) of bind-to-resolved, resolved, delete."""
    arqs = client.create_arqs('two')
    server = str(uuid.uuid4())
    out = []
    before, start = stmts.count, time.perf_counter()
    resp = client.bind(arqs, server, [rp, rp])
    assert resp.status_int == 202, resp.text
    client.wait_resolved(server)
    out.append((time.perf_counter() - start, stmts.count - before))
    before, start = stmts.count, time.perf_counter()
    assert client.arqs_of(server, resolved=True).status_int == 200
    out.append((time.perf_counter() - start, stmts.count - before))
    before, start = stmts.count, time.perf_counter()
    resp = client('DELETE', '/v2/accelerator_requests?instance=%s' % server)
    assert resp.status_int == 204, resp.text
    out.append((time.perf_counter() - start, stmts.count - before))
    return out


def run(repeat):
    labels = ('bind-to-resolved (2 ARQs)', 'GET ?instance&bind_state=resolved',
              'DELETE ?instance (2 bound ARQs)')
    table = {}
    with fixtures.TempHomeDir(), database.Database() as db, \
            services.Conductor(), nova.FakeNova() as fake:
        fake.use()
        client = env.Client(services.api_app())
        stmts = Statements(db.engine)
        with db.session() as s:
            rp = env.add_device(s, handles=4)
        client.profile('two', [{'resources:FPGA': '2'}])
        with db.engine.connect() as conn:
            profile_id = conn.execute(sa.select(
                models.DeviceProfile.id)).scalar()
        for size in SIZES:
            _fill(db, profile_id, size)
            _one_round(client, rp, stmts)             # warm up
            rounds = [_one_round(client, rp, stmts) for _ in range(repeat)]
            for i, label in enumerate(labels):
                table.setdefault(label, {})[size] = (
                    statistics.median(r[i][0] for r in rounds),
                    rounds[-1][i][1])
        env.clear_api_conf()
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=15)
    args = parser.parse_args()
    CONF([], project='cyborg')
    table = run(args.repeat)
    width = max(len(label) for label in table)
    head = '%-*s' % (width, 'operation') + ''.join(
        '  %12s  %9s' % ('ms @%d' % n, 'SQL @%d' % n) for n in SIZES) + \
        '  ratio'
    print(head)
    print('-' * len(head))
    for label, cells in table.items():
        line = '%-*s' % (width, label)
        for size in SIZES:
            seconds, statements = cells[size]
            line += '  %12.2f  %9d' % (seconds * 1000, statements)
        ratio = cells[SIZES[-1]][0] / cells[SIZES[0]][0]
        print(line + '  %5.2f%s' % (ratio, '' if ratio < 2 else '  (!)'))


if __name__ == '__main__':
    main()
