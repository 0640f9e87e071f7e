"""No remote traceback reaches a client (issue 14 item 3), across real
API, conductor and agent processes over RabbitMQ (a serialising transport:
errors travel as oslo.messaging failures, tracebacks appended), on one
SQLite file:

* an agent failure mid-bind (the mdev ``create`` file cannot be written)
  and mid-programming (the agent's bitstream is missing);
* conductor-side unexpected exceptions (the ``agents`` table gone from
  under the conductor: an SQL error) in a bind and in a program request.

Each answers a 500 in the contract's error shape whose faultstring is one
line with the request id and no traceback, path, SQL or module name; the
API log has the request id, the conductor log the request id and the
traceback.
"""
import json
import os
import uuid

import pytest
import sqlalchemy as sa

from cyborg.common import states
from cyborg.db import migration
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import servers
from cyborg.tests.functional import processes
from cyborg.tests.functional.bind import env

PCI_ADDR, ASKED_TYPE = '0000:0c:00.0', 'nvidia-222'
IMAGE = 'f0718896-706d-45d9-9bf9-02a2d1b046ed'
LEAKS = ('Traceback', 'File "', '.py', '/tmp', 'sys-root', 'cyborg.',
         'oslo', 'sqlalchemy', 'SELECT', 'no such table', 'Errno', '\\n',
         'Remote error')


@pytest.fixture(autouse=True)
def _broker():
    servers.require('rabbitmq')


class Cluster(processes.ProcessGroup):
    def __init__(self, tmp_path):
        path = tmp_path / 'cyborg.sqlite'
        db_url = 'sqlite:///%s' % path
        migration.upgrade('head', url=db_url)
        super().__init__(tmp_path, database.sqlite_engine(path), db_url,
                         ['rpc_response_timeout = 20', 'bind_timeout = 15'])

    def start(self):
        self.spawn('agent', ['-m', 'cyborg.tests.functional.errors.procs',
                             '--root', str(self.root)], 'agent-1')
        self.spawn('conductor', ['-m', 'cyborg.tests.functional.bind.procs',
                                 'conductor'], 'cond-1')
        self.api()
        self.wait_log('conductor', 'conductor ready')
        self.wait_log('agent', 'agent ready')
        return self


@pytest.fixture
def cluster(tmp_path):
    group = Cluster(tmp_path)
    try:
        yield group.start()
    finally:
        group.stop()


def _fault(resp, cluster):
    """The faultstring of a clean 500; returns (faultstring, request id)."""
    assert resp.status_code == 500, resp.text
    assert resp.headers['Content-Type'] == 'application/json'
    assert list(resp.json()) == ['error_message']
    inner = json.loads(resp.json()['error_message'])
    assert inner['faultcode'] == 'Server' and inner['debuginfo'] is None
    for leak in LEAKS + (str(cluster.tmp),):
        assert leak not in resp.text, (leak, resp.text)
    request_id = resp.headers['x-openstack-request-id']
    return inner['faultstring'], request_id


def _logged(cluster, name, request_id, *texts):
    """``name``'s log mentions ``request_id``, followed by ``texts``."""
    log = cluster.log(name)
    assert request_id in log, log[-3000:]
    after = log[log.index(request_id):]
    for text in texts:
        assert text in after, (name, text, after[:3000])


def _bind(cluster, profile_groups, device_rp):
    resp = cluster.http('POST', '/v2/device_profiles', [
        {'name': 'p-%s' % uuid.uuid4().hex[:6], 'groups': profile_groups}])
    assert resp.status_code == 201, resp.text
    name = resp.json()['name']
    arqs = cluster.http('POST', '/v2/accelerator_requests',
                        {'device_profile_name': name}).json()['arqs']
    body = {a['uuid']: [
        {'path': '/hostname', 'op': 'add', 'value': 'compute-1'},
        {'path': '/device_rp_uuid', 'op': 'add', 'value': device_rp},
        {'path': '/instance_uuid', 'op': 'add', 'value': str(uuid.uuid4())}]
        for a in arqs}
    return arqs, cluster.http('PATCH', '/v2/accelerator_requests', body)


def _program(cluster, deployable_uuid):
    return cluster.http('PATCH', '/v2/deployables/%s/program'
                        % deployable_uuid, [
                            {'op': 'replace', 'path': '/program',
                             'value': [{'image_uuid': IMAGE}]}])


def _deployable_uuid(cluster, rp_uuid):
    with cluster.session() as s:
        return s.execute(sa.text(
            'SELECT uuid FROM deployables WHERE rp_uuid = :rp'),
            {'rp': rp_uuid}).scalar_one()


def test_agent_failures_reach_clients_without_details(cluster):
    with cluster.session() as s:
        vgpu = env.add_device(s, handles=2, attach_type='MDEV',
                              dev_type='GPU', agent='agent-1',
                              asked_type=ASKED_TYPE)
        fpga = env.add_device(s, handles=1, agent='agent-1')
    # The mdev create "file" is a directory: the agent's write fails.
    os.makedirs(os.path.join(cluster.root, 'sys/class/mdev_bus', PCI_ADDR,
                             'mdev_supported_types', ASKED_TYPE, 'create'))
    arqs, resp = _bind(cluster, [{'resources:VGPU': '1'}], vgpu)
    fault, request_id = _fault(resp, cluster)
    assert fault == (
        'The agent on host agent-1 failed to create a mediated device: '
        'unexpected IsADirectoryError (request %s; the details are in the '
        'cyborg logs).' % request_id)
    with cluster.session() as s:
        assert env.arq_states(s)[arqs[0]['uuid']] == states.INITIAL
        assert env.handles_in_use(s) == 0
    _logged(cluster, 'api', request_id, 'answered 500')
    _logged(cluster, 'conductor', request_id, 'Traceback',
            'IsADirectoryError', str(cluster.root))
    # Programming: the agent's bitstream is missing.
    resp = _program(cluster, _deployable_uuid(cluster, fpga))
    fault, request_id = _fault(resp, cluster)
    assert fault == (
        'The agent on host agent-1 failed to program an FPGA: unexpected '
        'FileNotFoundError (request %s; the details are in the cyborg '
        'logs).' % request_id)
    _logged(cluster, 'api', request_id, 'answered 500')
    _logged(cluster, 'conductor', request_id, 'Traceback',
            'FileNotFoundError', 'var/lib/cyborg/bitstreams')
    assert 'Traceback' in cluster.log('agent')


def test_conductor_failures_reach_clients_without_details(cluster):
    with cluster.session() as s:
        vgpu = env.add_device(s, handles=2, attach_type='MDEV',
                              dev_type='GPU', agent='agent-1')
        fpga = env.add_device(s, handles=1, agent='agent-1')
        fpga_dep = _deployable_uuid(cluster, fpga)
        # Behind the conductor's back: its agent look-up now fails in SQL.
        s.execute(sa.text('ALTER TABLE agents RENAME TO agents_gone'))
        s.commit()
    arqs, resp = _bind(cluster, [{'resources:VGPU': '1'}], vgpu)
    fault, request_id = _fault(resp, cluster)
    # oslo.db names the SQL error it translated: DBNonExistentTable.
    assert fault == ('Bind of ARQ(s) %s failed: unexpected '
                     'DBNonExistentTable' % arqs[0]['uuid'])
    _logged(cluster, 'api', request_id, 'answered 500')
    _logged(cluster, 'conductor', request_id, 'Traceback',
            'no such table: agents')
    resp = _program(cluster, fpga_dep)
    fault, request_id = _fault(resp, cluster)
    assert fault == ('Internal error in the conductor: unexpected '
                     'DBNonExistentTable (request %s; the details are in '
                     'the cyborg logs).' % request_id)
    _logged(cluster, 'api', request_id, 'answered 500')
    _logged(cluster, 'conductor', request_id, 'Traceback',
            'no such table: agents')
