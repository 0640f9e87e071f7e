"""The bind flow across separate API, conductor and agent processes over
RabbitMQ (``rabbit://cyborg:cyborg@127.0.0.1:5672/``; skipped locally when
it does not answer, failed in CI), on one SQLite file, with the recording Nova:

* the whole flow (instant MDEV bind, background FPGA bind, unbind,
  delete by instance) through ``cyborg-api`` -> ``cyborg-conductor`` ->
  agent;
* the conductor SIGKILLed while binds wait on a slow agent, then
  restarted: no ARQ stays unresolved and no attach handle leaks;
* FPGA programming with Glance found only through the caller's service
  catalog (no ``[glance] endpoint_override``): ``PATCH /deployables/{uuid}
  /program`` and an ``accel:function_id`` bind, the conductor looking the
  function's image up and the agent downloading it, the function trait
  written to real Placement;
* a PATCH mixing an unbind and a bind that fails is all or nothing
  (decisions Q13): the unbound ARQ is bound again with its handle and the
  agent process makes its mdev again.
"""
import threading
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from cyborg.common import states
from cyborg.db import migration
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import glance as glance_fixture
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import placement as placement_fixture
from cyborg.tests.fixtures import servers
from cyborg.tests.functional import processes
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import fpga_backends

HEADERS = processes.HEADERS


@pytest.fixture(autouse=True)
def _broker():
    servers.require('rabbitmq')


class Cluster(processes.ProcessGroup):
    def __init__(self, tmp_path, fake_nova, agent_delay=0.0, lines=(),
                 agent_args=()):
        db_url = 'sqlite:///%s' % (tmp_path / 'cyborg.sqlite')
        migration.upgrade('head', url=db_url)
        self.agent_delay = agent_delay
        self.agent_args = list(agent_args)
        super().__init__(
            tmp_path, database.sqlite_engine(tmp_path / 'cyborg.sqlite'),
            db_url, ['rpc_response_timeout = 10', 'bind_timeout = 8']
            + fake_nova.conf_lines() + list(lines))
        self.db_url = db_url

    def start(self):
        try:
            self.spawn('agent', ['-m', 'cyborg.tests.functional.bind.procs',
                                 'agent', '--root', str(self.root),
                                 '--delay', str(self.agent_delay)]
                       + self.agent_args, 'agent-1')
            self.start_conductor()
            self.api()
            self.wait_log('conductor', 'conductor ready')
            self.wait_log('agent', 'agent ready')
        except BaseException:
            self.stop()         # leave no process behind
            raise
        return self

    def start_conductor(self):
        self.spawn('conductor', ['-m', 'cyborg.tests.functional.bind.procs',
                                 'conductor'], 'cond-1')


@pytest.fixture
def fake_nova():
    with nova.FakeNova() as fake:
        yield fake


def _bind_body(arqs, instance, providers):
    return {a['uuid']: [
        {'path': '/hostname', 'op': 'add', 'value': 'compute-1'},
        {'path': '/device_rp_uuid', 'op': 'add',
         'value': providers[a['device_profile_group_id']]},
        {'path': '/instance_uuid', 'op': 'add', 'value': instance}]
        for a in arqs}


def _wait_resolved(cluster, instance, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = cluster.http('GET', '/v2/accelerator_requests?instance=%s'
                            '&bind_state=resolved' % instance)
        if resp.status_code == 200:
            return resp.json()['arqs']
        assert resp.status_code == 423, resp.text
        time.sleep(0.2)
    raise AssertionError('not resolved')


def test_bind_across_processes(tmp_path, fake_nova):
    backends = fpga_backends.Backends(real_server=True)
    backends.setUp()
    cluster = Cluster(tmp_path, fake_nova, lines=backends.conf_lines())
    try:
        cluster.start()
        with cluster.session() as s:
            vgpu = env.add_device(s, handles=2, attach_type='MDEV',
                                  dev_type='GPU', agent='agent-1')
            fpga = backends.provider(env.add_device(s, handles=2,
                                                    agent='agent-1'))
        image = backends.image(**{'accel:function_id': 'f1'})
        resp = cluster.http('POST', '/v2/device_profiles', [
            {'name': 'mix', 'groups': [
                {'resources:VGPU': '1'},
                {'resources:FPGA': '1', 'accel:bitstream_id': image}]}])
        assert resp.status_code == 201, resp.text
        arqs = cluster.http('POST', '/v2/accelerator_requests',
                            {'device_profile_name': 'mix'}).json()['arqs']
        server = str(uuid.uuid4())
        resp = cluster.http('PATCH', '/v2/accelerator_requests',
                            _bind_body(arqs, server, [vgpu, fpga]))
        assert resp.status_code == 202, resp.text
        listed = _wait_resolved(cluster, server)
        assert [a['state'] for a in listed] == [states.BOUND] * 2
        assert [a['attach_handle_type'] for a in listed] == ['MDEV',
                                                             'TEST_PCI']
        events = fake_nova.wait_for_events(2)
        assert {(e['tag'], e['status']) for e in events} == {
            (a['uuid'], 'completed') for a in arqs}
        created = next(cluster.root.rglob('create')).read_text()
        assert created == listed[0]['attach_handle_uuid']
        resp = cluster.http('DELETE', '/v2/accelerator_requests?instance=%s'
                            % server)
        assert resp.status_code == 204, resp.text
        with cluster.session() as s:
            assert env.handles_in_use(s) == 0
            assert env.arq_states(s) == {}
        # The conductor read the image's metadata and set its function.
        assert backends.placement.client.get_traits(fpga) == {
            'CUSTOM_FPGA_FUNCTION_ID_FAKE_F1'}
    finally:
        cluster.stop()
        backends.cleanUp()


def test_conductor_killed_mid_bind(tmp_path, fake_nova):
    backends = fpga_backends.Backends(real_server=True)
    backends.setUp()
    cluster = Cluster(tmp_path, fake_nova, agent_delay=6,
                      lines=backends.conf_lines())
    try:
        cluster.start()
        with cluster.session() as s:
            fpga = backends.provider(env.add_device(s, handles=4,
                                                    agent='agent-1'))
            vgpu = env.add_device(s, handles=4, attach_type='MDEV',
                                  dev_type='GPU', agent='agent-1')
        for profile in ({'name': 'prog', 'groups': [{
                'resources:FPGA': '1', 'accel:bitstream_id':
                backends.image()}]},
                {'name': 'vgpu', 'groups': [{'resources:VGPU': '1'}]}):
            resp = cluster.http('POST', '/v2/device_profiles', [profile])
            assert resp.status_code == 201, resp.text
        servers = []
        # Two background (programming) binds: 202 at once.
        for _ in range(2):
            arqs = cluster.http('POST', '/v2/accelerator_requests', {
                'device_profile_name': 'prog'}).json()['arqs']
            servers.append(str(uuid.uuid4()))
            resp = cluster.http('PATCH', '/v2/accelerator_requests',
                                _bind_body(arqs, servers[-1], [fpga]))
            assert resp.status_code == 202, resp.text
        # One instant MDEV bind, left waiting on the slow agent.
        arqs = cluster.http('POST', '/v2/accelerator_requests', {
            'device_profile_name': 'vgpu'}).json()['arqs']
        servers.append(str(uuid.uuid4()))
        pending = threading.Thread(target=cluster.http, args=(
            'PATCH', '/v2/accelerator_requests',
            _bind_body(arqs, servers[-1], [vgpu])), daemon=True)
        pending.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with cluster.session() as s:
                started = [st for st in env.arq_states(s).values()
                           if st == states.BIND_STARTED]
            if len(started) == 3:
                break
            time.sleep(0.1)
        assert len(started) == 3
        cluster.kill('conductor')
        with cluster.session() as s:
            assert env.handles_in_use(s) == 3
        cluster.start_conductor()
        cluster.wait_log('conductor', 'conductor ready')
        for server in servers:
            listed = _wait_resolved(cluster, server)
            assert [a['state'] for a in listed] == [states.BIND_FAILED]
        with cluster.session() as s:
            assert env.handles_in_use(s) == 0
            reasons = s.scalars(sa.select(models.ExtArq.state_reason)).all()
        assert all('restarted' in r for r in reasons), reasons
        events = fake_nova.wait_for_events(3)
        assert {e['status'] for e in events} == {'failed'}
        pending.join(30)
    finally:
        cluster.stop()
        backends.cleanUp()


def test_programming_through_the_catalog(tmp_path, fake_nova):
    with glance_fixture.FakeGlance() as glance, \
            placement_fixture.PlacementFixture(real_server=True) as placement:
        cluster = Cluster(tmp_path, fake_nova, lines=[
            '[glance]', 'region_name = RegionOne',
            '[placement]', 'auth_type = admin_token',
            'endpoint = %s' % placement.endpoint,
            'endpoint_override = %s' % placement.endpoint,
            'token = admin'], agent_args=['--real-glance'])
        try:
            cluster.start()
            _program_and_bind(cluster, glance, placement)
        finally:
            cluster.stop()


def _program_and_bind(cluster, glance, placement):
    headers = glance.headers(HEADERS)

    def call(method, path, body=None):
        return requests.request(method, cluster.url + path, json=body,
                                headers=headers, timeout=30)

    with cluster.session() as s:
        rp = env.add_device(s, handles=2, agent='agent-1',
                            driver_name='intel')
        dep = s.scalars(sa.select(models.Deployable.uuid).where(
            models.Deployable.rp_uuid == rp)).one()
    cn = placement.create_compute_node('compute-1')
    placement.client.ensure_provider(rp, 'fpga-1', cn['uuid'])
    placement.client.ensure_traits(rp, {'CUSTOM_FPGA_FUNCTION_ID_INTEL_OLD'})
    # An operator programs the card: API -> conductor -> agent, which
    # downloads the image from the Glance of the catalog.
    manual = glance.add_image(b'manual')
    resp = call('PATCH', '/v2/deployables/%s/program' % dep, [
        {'op': 'replace', 'path': '/program',
         'value': [{'image_uuid': manual}]}])
    assert resp.status_code == 200, resp.text
    assert glance.downloads() == [manual]
    # A bind naming a function: the conductor finds its image in Glance,
    # the agent programs it, Placement gets the function trait.
    image = glance.add_image(b'afu', **{'accel:function_id': 'f00d-1'})
    resp = call('POST', '/v2/device_profiles', [
        {'name': 'fn', 'groups': [{'resources:FPGA': '1',
                                   'accel:function_id': 'f00d-1'}]}])
    assert resp.status_code == 201, resp.text
    arqs = call('POST', '/v2/accelerator_requests',
                {'device_profile_name': 'fn'}).json()['arqs']
    server = str(uuid.uuid4())
    resp = call('PATCH', '/v2/accelerator_requests',
                _bind_body(arqs, server, [rp]))
    assert resp.status_code == 202, resp.text
    listed = _wait_resolved(cluster, server)
    assert [a['state'] for a in listed] == [states.BOUND], \
        cluster.log('conductor')
    assert glance.lookups() == [{'accel:function_id': 'f00d-1',
                                 'limit': '2'}]
    assert glance.downloads() == [manual, image]
    assert {t for _, _, t in glance.requests} == {glance_fixture.TOKEN}
    assert placement.client.get_traits(rp) == {
        'CUSTOM_FPGA_FUNCTION_ID_INTEL_F00D_1'}
    with cluster.session() as s:
        assert s.scalars(sa.select(models.Deployable.bitstream_id).where(
            models.Deployable.rp_uuid == rp)).one() == image
    # No such function: the bind fails with the reason, nothing held.
    resp = call('POST', '/v2/device_profiles', [
        {'name': 'nofn', 'groups': [{'resources:FPGA': '1',
                                     'accel:function_id': 'none'}]}])
    arqs = call('POST', '/v2/accelerator_requests',
                {'device_profile_name': 'nofn'}).json()['arqs']
    server = str(uuid.uuid4())
    resp = call('PATCH', '/v2/accelerator_requests',
                _bind_body(arqs, server, [rp]))
    assert resp.status_code == 202, resp.text
    listed = _wait_resolved(cluster, server)
    assert [a['state'] for a in listed] == [states.BIND_FAILED]
    with cluster.session() as s:
        reason = s.scalars(sa.select(models.ExtArq.state_reason).where(
            models.ExtArq.uuid == arqs[0]['uuid'])).one()
        assert env.handles_in_use(s) == 1
    assert 'accel:function_id=none: no image' in reason, reason


def _arq_row(cluster, arq_uuid):
    with cluster.session() as s:
        arq = s.scalars(sa.select(models.ExtArq).where(
            models.ExtArq.uuid == arq_uuid)).one()
        return {f: getattr(arq, f) for f in (
            'state', 'hostname', 'device_rp_uuid', 'instance_uuid',
            'attach_handle_id', 'deployable_id')}


def test_mixed_patch_is_all_or_nothing_across_processes(tmp_path,
                                                        fake_nova):
    """decisions Q13 over RabbitMQ: a PATCH that unbinds a vGPU ARQ and
    binds another one where no agent can make the mdev fails as a whole;
    the unbound ARQ is bound again with its handle, and the agent process
    made its mdev again."""
    cluster = Cluster(tmp_path, fake_nova)
    try:
        cluster.start()
        with cluster.session() as s:
            vgpu = env.add_device(s, handles=2, attach_type='MDEV',
                                  dev_type='GPU', agent='agent-1')
            # A host no agent serves: the mdev of a bind there cannot
            # be made.
            orphan = env.add_device(s, hostname='compute-9', handles=2,
                                    attach_type='MDEV', dev_type='GPU')
        resp = cluster.http('POST', '/v2/device_profiles', [
            {'name': 'vgpu', 'groups': [{'resources:VGPU': '1'}]}])
        assert resp.status_code == 201, resp.text

        def new_arq():
            resp = cluster.http('POST', '/v2/accelerator_requests',
                                {'device_profile_name': 'vgpu'})
            assert resp.status_code == 201, resp.text
            return resp.json()['arqs'][0]

        first, server = new_arq(), str(uuid.uuid4())
        resp = cluster.http('PATCH', '/v2/accelerator_requests',
                            _bind_body([first], server, [vgpu]))
        assert resp.status_code == 202, resp.text
        assert [a['state'] for a in _wait_resolved(cluster, server)] == \
            [states.BOUND]
        before = _arq_row(cluster, first['uuid'])
        with cluster.session() as s:
            handle = s.get(models.AttachHandle, before['attach_handle_id'])
            handle_uuid = handle.uuid
        created = 'Created mdev %s' % handle_uuid
        assert cluster.log('agent').count(created) == 1

        second = new_arq()
        body = {first['uuid']: [
            {'op': 'remove', 'path': '/hostname'},
            {'op': 'remove', 'path': '/device_rp_uuid'},
            {'op': 'remove', 'path': '/instance_uuid'}]}
        body.update({second['uuid']: [
            {'op': 'add', 'path': '/hostname', 'value': 'compute-9'},
            {'op': 'add', 'path': '/device_rp_uuid', 'value': orphan},
            {'op': 'add', 'path': '/instance_uuid', 'value': server}]})
        resp = cluster.http('PATCH', '/v2/accelerator_requests', body)
        assert resp.status_code == 500, resp.text
        assert 'compute-9' in resp.text and 'Traceback' not in resp.text
        assert _arq_row(cluster, first['uuid']) == before
        assert _arq_row(cluster, second['uuid'])['state'] == \
            states.INITIAL
        with cluster.session() as s:
            assert env.handles_in_use(s) == 1
        # The unbind's mdev removal reached the agent; the undo made the
        # mdev again there.
        cluster.wait_log('agent', 'mdev %s' % handle_uuid, timeout=10)
        deadline = time.monotonic() + 10
        while cluster.log('agent').count(created) < 2 and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        assert cluster.log('agent').count(created) == 2, \
            cluster.log('agent')[-3000:]
    finally:
        cluster.stop()
