"""50 binds of 50 instances racing for 16 attach handles of one device.

Threads issue the PATCHes to the in-process API (each a real RPC to the
conductor on the fake transport), released together by a barrier.
Exactly 16 must end ``Bound``, each with its own handle; the other 34
are refused (404 ``AttachHandle not found``, Q13: back to ``Initial``
with the reason noted); no 5xx; exactly 16 handles in use. On SQLite,
and on MySQL/MariaDB and PostgreSQL when their CI servers answer.
"""
import collections
import threading
import uuid

from oslo_db.sqlalchemy import engines
import pytest
import sqlalchemy as sa

from cyborg.common import states
from cyborg.conf import CONF
from cyborg.db import locks
from cyborg.db import migration
from cyborg.db import models
from cyborg.db import session as db_session
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import servers
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env

BINDS, HANDLES = 50, 16


class ServerDatabase:
    """A throwaway MySQL/PostgreSQL database at head, used by the service
    (an oslo.db engine, so deadlocks surface as DBDeadlock)."""

    def __init__(self, backend):
        url = servers.require(backend)
        self.throwaway = database.ThrowawayDatabase(url)

    def __enter__(self):
        self.throwaway.setUp()
        url = self.throwaway.url_string()
        self.engine = engines.create_engine(url, max_pool_size=10,
                                            max_overflow=60, max_retries=0)
        migration.upgrade('head', engine=self.engine)
        self._undo = db_session.use_engine(self.engine)
        CONF.set_override('connection', url, group='database')
        self.session = sa.orm.sessionmaker(bind=self.engine)
        return self

    def __exit__(self, *exc):
        CONF.clear_override('connection', group='database')
        self._undo()
        self.engine.dispose()
        self.throwaway.cleanUp()


@pytest.fixture(params=['sqlite', 'mysql', 'postgresql'])
def backend(request):
    env.init_conf()
    if request.param == 'sqlite':
        with database.Database() as db:
            yield db.session
    else:
        with ServerDatabase(request.param) as db:
            yield db.session


def test_fifty_binds_sixteen_handles(backend):
    with services.Conductor(), nova.FakeNova() as fake:
        fake.use()
        app = services.api_app()
        try:
            _race(env.Client(app), backend, fake)
        finally:
            env.clear_api_conf()


def _race(client, new_session, fake):
    with new_session() as s:
        rp = env.add_device(s, handles=HANDLES)
    client.profile('one-fpga', [{'resources:FPGA': '1'}])
    arqs = [client.create_arqs('one-fpga')[0] for _ in range(BINDS)]
    barrier = threading.Barrier(BINDS)
    results = {}

    def bind(arq):
        instance = str(uuid.uuid4())
        barrier.wait()
        resp = env.api_call(client.app, 'PATCH', '/v2/accelerator_requests',
                            {arq['uuid']: [
                                {'op': 'add', 'path': '/hostname',
                                 'value': 'compute-1'},
                                {'op': 'add', 'path': '/device_rp_uuid',
                                 'value': rp},
                                {'op': 'add', 'path': '/instance_uuid',
                                 'value': instance}]})
        results[arq['uuid']] = (resp.status_int, resp.text)

    threads = [threading.Thread(target=bind, args=(a,)) for a in arqs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = collections.Counter(code for code, _ in results.values())
    assert len(results) == BINDS
    assert statuses == {202: HANDLES, 404: BINDS - HANDLES}, results
    refusals = {text for code, text in results.values() if code == 404}
    assert all('AttachHandle not found' in t for t in refusals), refusals
    with new_session() as s:
        rows = s.execute(sa.select(models.ExtArq.uuid, models.ExtArq.state,
                                   models.ExtArq.attach_handle_id,
                                   models.ExtArq.state_reason)).all()
        in_use = env.handles_in_use(s)
    by_state = collections.Counter(r.state for r in rows)
    assert by_state == {states.BOUND: HANDLES,
                        states.INITIAL: BINDS - HANDLES}
    bound_handles = [r.attach_handle_id for r in rows
                     if r.state == states.BOUND]
    assert len(set(bound_handles)) == HANDLES
    assert None not in bound_handles
    assert in_use == HANDLES
    for r in rows:
        if r.state == states.INITIAL:
            assert r.attach_handle_id is None
            assert r.state_reason.startswith('bind refused: AttachHandle')
        assert (r.uuid, results[r.uuid][0]) in {
            (r.uuid, 202 if r.state == states.BOUND else 404)}
    fake.wait_for_events(HANDLES)


def test_ten_binds_of_one_arq(backend):
    """Concurrent binds of the same ARQ: one 202, the others 409 (Q12)."""
    with services.Conductor(), nova.FakeNova() as fake:
        fake.use()
        client = env.Client(services.api_app())
        try:
            with backend() as s:
                rp = env.add_device(s, handles=HANDLES)
            client.profile('one-fpga', [{'resources:FPGA': '1'}])
            arq = client.create_arqs('one-fpga')[0]
            barrier = threading.Barrier(10)
            codes = []

            def bind():
                barrier.wait()
                codes.append(client.bind([arq], str(uuid.uuid4()),
                                         [rp]).status_int)

            threads = [threading.Thread(target=bind) for _ in range(10)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert sorted(codes) == [202] + [409] * 9, codes
            with backend() as s:
                assert env.handles_in_use(s) == 1
        finally:
            env.clear_api_conf()


def test_binds_of_one_instance(backend):
    """Concurrent binds of different ARQs to one instance (§9.7): one
    202, the others 400 (the instance already has ARQs); one handle."""
    count = 8
    with services.Conductor(), nova.FakeNova() as fake:
        fake.use()
        client = env.Client(services.api_app())
        try:
            with backend() as s:
                rp = env.add_device(s, handles=HANDLES)
            client.profile('one-fpga', [{'resources:FPGA': '1'}])
            arqs = [client.create_arqs('one-fpga')[0] for _ in range(count)]
            instance = str(uuid.uuid4())
            barrier = threading.Barrier(count)
            results = {}

            def bind(arq):
                barrier.wait()
                resp = client.bind([arq], instance, [rp])
                results[arq['uuid']] = (resp.status_int, resp.text)

            threads = [threading.Thread(target=bind, args=(a,))
                       for a in arqs]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert len(results) == count
            statuses = collections.Counter(c for c, _ in results.values())
            assert statuses == {202: 1, 400: count - 1}, results
            message = ('Instance %s already has accelerator requests. '
                       'Cannot bind additional ARQs.' % instance)
            assert all(message in text for code, text in results.values()
                       if code == 400), results
            with backend() as s:
                rows = s.execute(sa.select(
                    models.ExtArq.uuid, models.ExtArq.state,
                    models.ExtArq.instance_uuid)).all()
                assert env.handles_in_use(s) == 1
                if s.get_bind().dialect.name in ('mysql', 'mariadb'):
                    # GET_LOCK is per connection: given back at checkin.
                    name = locks.mysql_name('bind-instance:%s' % instance)
                    assert s.scalar(sa.select(
                        sa.func.is_used_lock(name))) is None
            winner = [u for u, (code, _) in results.items() if code == 202]
            bound = [r.uuid for r in rows if r.state == states.BOUND]
            assert bound == winner
            assert [r.uuid for r in rows
                    if r.instance_uuid == instance] == winner
            assert collections.Counter(r.state for r in rows) == {
                states.BOUND: 1, states.INITIAL: count - 1}
            fake.wait_for_events(1)
        finally:
            env.clear_api_conf()
