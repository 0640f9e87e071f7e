"""The Database fixture: real SQLite, foreign keys on, fresh per test."""
import time

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from cyborg import context
from cyborg.conf import CONF
from cyborg.db import migration
from cyborg.db import models
from cyborg.db import session
from cyborg.tests.fixtures import database


@session.writer
def _add_device(ctx, uuid='d1'):
    ctx.session.add(models.Device(uuid=uuid, type='GPU', vendor='10de',
                                  model='m', hostname='cn1'))


@session.writer
def _add_deployable(ctx, device_id):
    ctx.session.add(models.Deployable(uuid='dep1', name='cn1_0',
                                      num_accelerators=1,
                                      device_id=device_id))


@session.reader
def _devices(ctx):
    return ctx.session.scalars(sa.select(models.Device)).all()


@pytest.fixture
def ctx():
    return context.get_admin_context()


def test_service_session_uses_the_test_database(db, ctx):
    assert db.url in CONF.database.connection
    _add_device(ctx)
    [device] = _devices(ctx)
    assert device.status == 'enabled'
    assert device.created_at is not None
    with db.engine.connect() as conn:
        assert conn.execute(sa.text('SELECT uuid FROM devices')).scalar() \
            == 'd1'


@pytest.mark.parametrize('attempt', [1, 2])
def test_every_test_starts_empty(db, ctx, attempt):
    assert _devices(ctx) == []
    _add_device(ctx, uuid='same-uuid-each-time')


def test_foreign_keys_are_enforced(db, ctx):
    with pytest.raises(db_exc.DBReferenceError):
        _add_deployable(ctx, device_id=12345)
    _add_device(ctx)
    [device] = _devices(ctx)
    _add_deployable(ctx, device_id=device.id)
    with db.session() as s, pytest.raises(db_exc.DBReferenceError):
        s.execute(sa.delete(models.Device))     # ON DELETE RESTRICT
        s.commit()


def test_schema_is_at_head(db):
    assert migration.version(engine=db.engine) == migration.head()


def test_cleanup_restores_session_and_config(ctx):
    before = CONF.database.connection
    fix = database.Database()
    fix.setUp()
    _add_device(ctx)
    fix.cleanUp()
    assert CONF.database.connection == before
    with database.Database():
        assert _devices(ctx) == []


def test_fixture_is_fast():
    database.template_path()
    start = time.perf_counter()
    for _ in range(20):
        with database.Database():
            pass
    assert (time.perf_counter() - start) / 20 < 0.02


def test_backend_url_is_none_when_unreachable(monkeypatch):
    monkeypatch.setenv('CYBORG_TEST_REQUIRE_SERVERS', '0')
    monkeypatch.setenv('CYBORG_TEST_MYSQL_URL',
                       'mysql+pymysql://nobody:x@127.0.0.1:1/none')
    assert database.backend_url('mysql') is None
