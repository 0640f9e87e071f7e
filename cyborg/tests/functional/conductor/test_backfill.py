"""ARQ project_id back-fill from Nova (internals.md §1.3, §11.2).

Against a real SQLite database and a FakeNova on loopback: the walk goes
in batches ordered by id, asks Nova ``GET /servers/{id}`` at compute
2.82 once per instance, skips 404s, counts failures and leaves ARQs that
have a project alone.
"""
import datetime
import json
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from cyborg import context
from cyborg.clients import nova as nova_client
from cyborg.common import exception
from cyborg.common import rpc
from cyborg.conductor import service
from cyborg.conductor.cluster import backfill
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures.nova import FakeNova

OLD = datetime.datetime(2020, 1, 2, 3, 4, 5)


@pytest.fixture
def db():
    with database.Database() as fix:
        yield fix


@pytest.fixture
def nova():
    with FakeNova() as fake:
        fake.use(sender=False)          # only GET /servers here
        yield fake


@pytest.fixture
def ctx():
    return context.get_admin_context()


def _server():
    return str(uuid.uuid4())


def _seed(db, rows):
    """``rows``: (instance_uuid, project_id) per ARQ, in id order; returns
    the ARQ uuids."""
    with db.session() as s:
        profile = models.DeviceProfile(
            uuid=str(uuid.uuid4()), name='dp-%s' % uuid.uuid4().hex[:8],
            profile_json=json.dumps({'groups': [{'resources:FPGA': '1'}]}))
        s.add(profile)
        s.flush()
        uuids = []
        for instance, project in rows:
            arq = models.ExtArq(
                uuid=str(uuid.uuid4()), project_id=project,
                state='Bound' if instance else 'Initial',
                device_profile_id=profile.id, device_profile_group_id=0,
                instance_uuid=instance, created_at=OLD, updated_at=OLD)
            s.add(arq)
            uuids.append(arq.uuid)
        s.commit()
    return uuids


def _projects(db):
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.select(
            models.ExtArq.uuid, models.ExtArq.project_id)).all())


def _server_gets(nova):
    return [path.rsplit('/', 1)[1] for path, _ in nova.gets]


def test_backfills_in_batches_ordered_by_id(db, nova, ctx, monkeypatch):
    servers = [_server() for _ in range(5)]
    nova.servers = {s: 'project-%d' % i for i, s in enumerate(servers)}
    arqs = _seed(db, [(s, None) for s in servers])
    batches = []
    real_batch = backfill._read_batch

    def recording_batch(context, engine, after_id, size):
        rows = real_batch(context, engine, after_id, size)
        batches.append([r.instance_uuid for r in rows])
        return rows
    monkeypatch.setattr(backfill, '_read_batch', recording_batch)

    result = backfill.backfill_project_ids(ctx, batch_size=2)

    assert tuple(result) == (5, 0)
    assert (result.migrated, result.failed, result.skipped) == (5, 0, 0)
    assert batches == [servers[0:2], servers[2:4], servers[4:5], []]
    assert _server_gets(nova) == servers
    assert _projects(db) == {a: 'project-%d' % i for i, a in enumerate(arqs)}
    # A second run finds nothing to do and asks Nova nothing.
    assert tuple(backfill.backfill_project_ids(ctx, batch_size=2)) == (0, 0)
    assert len(nova.gets) == 5


def test_sends_compute_microversion_2_82(db, nova, ctx):
    server = _server()
    nova.servers = {server: 'p1'}
    _seed(db, [(server, None)])
    backfill.backfill_project_ids(ctx)
    (path, headers), = nova.gets
    assert path == '/servers/%s' % server
    assert headers['OpenStack-API-Version'] == 'compute 2.82'


def test_one_lookup_per_instance_across_batches(db, nova, ctx):
    server = _server()
    nova.servers = {server: 'p1'}
    arqs = _seed(db, [(server, None)] * 5)
    assert tuple(backfill.backfill_project_ids(ctx, batch_size=2)) == (5, 0)
    assert _server_gets(nova) == [server]
    assert set(_projects(db).values()) == {'p1'}
    assert len(arqs) == 5


def test_unknown_instance_is_skipped_and_counted(db, nova, ctx):
    known, gone = _server(), _server()
    nova.servers = {known: 'p1'}
    arqs = _seed(db, [(gone, None), (known, None), (gone, None)])
    result = backfill.backfill_project_ids(ctx, batch_size=2)
    assert tuple(result) == (1, 0)
    assert result.skipped == 2
    assert _projects(db) == {arqs[0]: None, arqs[1]: 'p1', arqs[2]: None}
    assert _server_gets(nova) == [gone, known]


def test_nova_500_is_counted_as_failure_and_the_walk_goes_on(db, nova, ctx):
    bad, good = _server(), _server()
    nova.servers = {bad: 'p-bad', good: 'p-good'}
    nova.servers_fail = {bad}
    arqs = _seed(db, [(bad, None), (good, None), (bad, None)])
    result = backfill.backfill_project_ids(ctx, batch_size=2)
    assert tuple(result) == (1, 2)
    assert result.skipped == 0
    assert _projects(db) == {arqs[0]: None, arqs[1]: 'p-good',
                             arqs[2]: None}
    # The failed instance was asked once, not once per ARQ.
    assert _server_gets(nova) == [bad, good]


def test_rows_with_a_project_or_no_instance_are_untouched(db, nova, ctx):
    server = _server()
    nova.servers = {server: 'from-nova'}
    arqs = _seed(db, [(server, 'mine'), (None, None), (server, None)])
    assert tuple(backfill.backfill_project_ids(ctx)) == (1, 0)
    assert _projects(db) == {arqs[0]: 'mine', arqs[1]: None,
                             arqs[2]: 'from-nova'}
    with db.engine.connect() as conn:
        stamps = conn.execute(sa.select(models.ExtArq.updated_at)).scalars()
        assert set(stamps) == {OLD}   # it times BindStarted: kept


def test_project_written_meanwhile_wins(db, nova, ctx):
    server = _server()
    arqs = _seed(db, [(server, None)])

    def lookup(instance):
        with db.engine.begin() as conn:
            conn.execute(sa.update(models.ExtArq).values(project_id='api'))
        return 'nova'
    assert tuple(backfill.backfill_project_ids(ctx, lookup=lookup)) == (0, 0)
    assert _projects(db) == {arqs[0]: 'api'}


def test_lookup_exception_is_logged_and_counted(db, ctx, caplog):
    server = _server()
    _seed(db, [(server, None)])

    def lookup(instance):
        raise RuntimeError('boom')
    assert tuple(backfill.backfill_project_ids(ctx, lookup=lookup)) == (0, 1)
    assert 'boom' in caplog.text and server in caplog.text


# -- server_project -----------------------------------------------------

def test_server_project(nova):
    server = _server()
    nova.servers = {server: 'p1'}
    assert nova_client.server_project(server) == 'p1'
    assert nova_client.server_project(_server()) is None
    nova.servers_fail = True
    with pytest.raises(exception.NovaRequestFailed, match='HTTP 500'):
        nova_client.server_project(server)


def test_server_project_nova_down(nova):
    nova.down()
    with pytest.raises(exception.NovaRequestFailed,
                       match='could not reach Nova'):
        nova_client.server_project(_server())


def test_nova_not_configured(db, ctx):
    assert CONF.nova.endpoint_override is None
    with pytest.raises(exception.NovaNotConfigured, match=r'\[nova\]'):
        nova_client.server_project(_server())
    # Nothing to back-fill: Nova is not needed.
    assert tuple(backfill.backfill_project_ids(ctx)) == (0, 0)
    _seed(db, [(_server(), None)])
    with pytest.raises(exception.NovaNotConfigured):
        backfill.backfill_project_ids(ctx)


# -- in the conductor ---------------------------------------------------

def test_background_skipped_without_nova(db, caplog):
    caplog.set_level('DEBUG', logger='cyborg.conductor.cluster.backfill')
    assert backfill.start_background() is None
    assert 'skipping the ARQ project_id back-fill' in caplog.text


def test_background_backfills(db, nova):
    server = _server()
    nova.servers = {server: 'p1'}
    arqs = _seed(db, [(server, None)])
    thread = backfill.start_background()
    thread.join(10)
    assert not thread.is_alive()
    assert _projects(db) == {arqs[0]: 'p1'}


def test_background_errors_never_escape(db, nova, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError('database went away')
    monkeypatch.setattr(backfill, 'backfill_project_ids', broken)
    thread = backfill.start_background()
    thread.join(10)
    assert 'ARQ project_id back-fill failed' in caplog.text


def test_conductor_start_backfills_without_waiting(db, nova, monkeypatch):
    server = _server()
    nova.servers = {server: 'p1'}
    arqs = _seed(db, [(server, None)])
    gate = threading.Event()
    real = nova_client.server_project

    def slow(server_uuid, adapter=None):
        assert gate.wait(10)
        return real(server_uuid, adapter=adapter)
    monkeypatch.setattr(nova_client, 'server_project', slow)
    CONF.set_override('transport_url', 'fake://')
    rpc.cleanup()
    svc = service.ConductorService('backfill-test')
    try:
        svc.start()      # returns while Nova has not answered yet
        assert _projects(db) == {arqs[0]: None}
        gate.set()
        deadline = time.monotonic() + 10
        while _projects(db)[arqs[0]] is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert _projects(db) == {arqs[0]: 'p1'}
    finally:
        gate.set()
        svc.stop()
        rpc.cleanup()
        CONF.clear_override('transport_url')
