"""cyborg-status upgrade check passes on fresh deployments made by the
agent path: a ``cyborg-standalone`` process, and ``cyborg-conductor`` +
``cyborg-agent`` processes over RabbitMQ. The check runs, as its own
process, once the fake driver's device has been stored, with the config
the services use."""
import shutil
import uuid

import sqlalchemy as sa

from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.fixtures import servers
from cyborg.tests.functional import test_rabbit_multiprocess as rabbit_mp
from cyborg.tests.functional.cmd import test_status
from cyborg.tests.functional.standalone import conftest as standalone


def _device_states(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(models.Device.hostname,
                                      models.Device.device_state)).all()


def test_fresh_standalone_passes(tmp_path):
    state = tmp_path / 'state'
    service = standalone.StandaloneProcess(state).start()
    try:
        [deployable] = standalone.wait_for_provider(service.url)
        # The standalone's database, as its config would name it.
        url = 'sqlite:///%s' % (state / 'cyborg.sqlite')
        code, checks = test_status.status(
            test_status.write_config(tmp_path, url))
    finally:
        service.stop()
    assert deployable['rp_uuid']
    assert code == 0, checks
    assert {c['result'] for c in checks.values()} == {0}, checks
    engine = sa.create_engine(url)
    try:
        assert [s for _, s in _device_states(engine)] == ['available']
    finally:
        engine.dispose()


def test_fresh_multiprocess_deployment_passes(tmp_path):
    servers.require('rabbitmq')  # skip locally without it, fail in CI
    db_path = tmp_path / 'cyborg.sqlite'
    shutil.copyfile(database.template_path(), db_path)
    engine = database.sqlite_engine(str(db_path))
    with placement_fixture.PlacementFixture(real_server=True) as placement:
        placement.create_compute_node(rabbit_mp.HOST)
        config = tmp_path / 'cyborg.conf'
        config.write_text(rabbit_mp.CONFIG.format(
            rabbit=rabbit_mp.RABBIT_URL,
            exchange='cyborg-test-' + uuid.uuid4().hex,
            host=rabbit_mp.HOST, db=db_path, placement=placement.endpoint))
        procs = [rabbit_mp._spawn('conductor', config, tmp_path),
                 rabbit_mp._spawn('agent', config, tmp_path)]
        try:
            rows = rabbit_mp._wait_for(
                lambda: [r for r in rabbit_mp._deployables(engine)
                         if r.rp_uuid], procs)
            logs = {p: (tmp_path / ('%s.log' % p)).read_text()
                    for p in ('conductor', 'agent')}
            assert rows, logs
            code, checks = test_status.status(config)
        finally:
            for proc in reversed(procs):
                rabbit_mp._stop(proc)
        try:
            states = _device_states(engine)
        finally:
            engine.dispose()
    assert code == 0, checks
    assert {c['result'] for c in checks.values()} == {0}, checks
    assert states == [(rabbit_mp.HOST, 'available')]
