"""Devices, deployables and attributes of ``shared/spec/samples``.

``add_samples(session)`` inserts the rows behind ``device-*.json``,
``deployable-*.json`` and ``attribute-*.json`` (uuids, values and
timestamps included), so responses can be compared with the sample files
as they are. The FPGA device gets id 1 and the GPU id 2, like the samples'
``device_id``/``deployable_id`` values.

For pytest, a test module defines its fixture with ``serve()``::

    @pytest.fixture
    def api():
        yield from inventory_fixtures.serve(legacy=False)

which yields an :class:`Api` on a fresh database holding the samples, with
a conductor on the in-process transport. For gabbi:
``SampleInventoryFixture`` (after ``APIFixture`` or ``LegacyPolicyFixture``
of ``gabbi_fixtures``) adds the same rows.
"""
import datetime
import json
import os

from gabbi import fixture
import webob

from cyborg import policies
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services

PUBLIC_ENDPOINT = 'https://cloud.example.net/accelerator'
# Copies of shared/spec/samples kept with the gabbi stories.
SAMPLES = os.path.join(os.path.dirname(__file__), 'gabbits', 'samples')

FPGA = '58a1903c-84c7-4d0e-b029-3433a83fdda3'
GPU = 'c656d927-b437-45ef-922f-314573031f01'
FPGA_DEP = '887cc8e4-794b-4b05-aa47-9ffacc7ebf99'
GPU_DEP = 'a2c469b9-f3db-4f55-99c4-8d14d1177dbc'
FPGA_RP = '993bfc0e-d649-45f8-af9f-25f758afed5a'
GPU_RP = '9ccddf59-cdc9-456b-a69b-36a6950c3624'
ATTR_RC = '9b4631c3-7cf2-422a-9844-0d786f6a7d0d'
PROJECT = '5d44c2d34f7a4560a7b098dc7247d8c4'

ADMIN = 'admin,manager,member,reader'
MANAGER = 'manager,member,reader'
MEMBER = 'member,reader'
READER = 'reader'


def ts(text):
    return datetime.datetime.fromisoformat(text)


def sample(name):
    with open(os.path.join(SAMPLES, name)) as f:
        return json.load(f)


# (uuid, deployable index, key, value, created_at) in storage order: the
# first three are samples/attribute-list-response.json.
_ATTRIBUTES = [
    (ATTR_RC, 0, 'rc', 'FPGA', '2026-02-20T07:55:12'),
    ('93e5dd1d-bd66-4cc1-91ac-0945b4096238', 0, 'trait0', 'OWNER_CYBORG',
     '2026-02-20T07:55:12'),
    ('33e303b5-1e82-4e85-93d6-7cbe95c58a1a', 1, 'rc', 'PGPU',
     '2026-02-20T07:58:40'),
    ('1f0c1d1e-5b7e-4c55-9a43-7c6f0e0a0001', 0, 'trait1',
     'CUSTOM_FPGA_INTEL', '2026-02-20T07:55:12'),
    ('1f0c1d1e-5b7e-4c55-9a43-7c6f0e0a0002', 0, 'trait2',
     'CUSTOM_FPGA_INTEL_ARRIA10', '2026-02-20T07:55:12'),
    ('1f0c1d1e-5b7e-4c55-9a43-7c6f0e0a0003', 1, 'trait0', 'OWNER_CYBORG',
     '2026-02-20T07:58:40'),
    ('1f0c1d1e-5b7e-4c55-9a43-7c6f0e0a0004', 1, 'trait1',
     'CUSTOM_NVIDIA_1EB8', '2026-02-20T07:58:40'),
]


def add_samples(session):
    """Insert the sample rows; returns {'devices': [...], ...} of ids."""
    created = ts('2026-02-20T07:55:12')
    devices = [
        models.Device(uuid=FPGA, type='FPGA', vendor='0x8086',
                      model='0x09c4',
                      std_board_info='{"product_id": "0x09c4"}',
                      hostname='compute-11', status='enabled',
                      created_at=created, updated_at=None),
        models.Device(uuid=GPU, type='GPU', vendor='10de',
                      model='TU104GL [Tesla T4]',
                      std_board_info='{"controller": "3D controller", '
                                     '"product_id": "1eb8"}',
                      hostname='compute-07', status='enabled',
                      created_at=created, updated_at=None),
    ]
    session.add_all(devices)
    session.flush()
    deployables = [
        models.Deployable(uuid=FPGA_DEP, name='intel-fpga-dev.0',
                          num_accelerators=1, device_id=devices[0].id,
                          rp_uuid=FPGA_RP, driver_name='intel',
                          created_at=created,
                          updated_at=ts('2026-02-20T07:55:13')),
        models.Deployable(uuid=GPU_DEP, name='compute-07_0000:3b:00.0',
                          num_accelerators=1, device_id=devices[1].id,
                          rp_uuid=GPU_RP, driver_name='NVIDIA',
                          created_at=ts('2026-02-20T07:58:40'),
                          updated_at=ts('2026-02-20T07:58:41')),
    ]
    session.add_all(deployables)
    session.flush()
    for uuid, index, key, value, when in _ATTRIBUTES:
        session.add(models.Attribute(
            uuid=uuid, deployable_id=deployables[index].id, key=key,
            value=value, created_at=ts(when), updated_at=None))
        session.flush()
    session.add(models.ControlpathID(
        uuid='7e2c0d5a-0c36-4b6b-9d8e-7f0f6d1c0a11',
        device_id=devices[0].id, cpid_type='PCI',
        cpid_info=json.dumps({'domain': '0000', 'bus': '5e',
                              'device': '00', 'function': '0'})))
    session.commit()
    return {'devices': [d.id for d in devices],
            'deployables': [d.id for d in deployables]}


def mark_gpu_maintaining(session):
    """The GPU as in the 2.3 samples: disabled on 2026-03-05."""
    row = session.query(models.Device).filter_by(uuid=GPU).one()
    row.status = 'maintaining'
    row.updated_at = ts('2026-03-05T13:40:09')
    session.commit()


def init_conf():
    if not getattr(init_conf, 'done', False):
        CONF([], project='cyborg', default_config_files=[],
             default_config_dirs=[])
        init_conf.done = True


class Api:
    """Requests to the in-process app as one persona (X-* headers)."""

    def __init__(self, app, db, roles=ADMIN, project=PROJECT):
        self.app, self.db = app, db
        self.roles, self.project = roles, project

    def as_roles(self, roles, project=PROJECT):
        return Api(self.app, self.db, roles, project)

    def request(self, method, path, body=None, version=None, raw=None,
                headers=None):
        req = webob.Request.blank(path, method=method)
        req.headers.update({'X-User-Id': 'u-' + self.project,
                            'X-Project-Id': self.project,
                            'X-Roles': self.roles,
                            'Accept': 'application/json'})
        if version:
            req.headers['OpenStack-API-Version'] = 'accelerator ' + version
        req.headers.update(headers or {})
        if body is not None or raw is not None:
            req.body = raw if raw is not None else json.dumps(body).encode()
            req.content_type = 'application/json'
        resp = req.get_response(self.app)
        resp.data = json.loads(resp.body) if resp.body else None
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request('PATCH', path, body, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)


def fault(resp):
    """The faultstring of an application error response."""
    return json.loads(resp.data['error_message'])['faultstring']


def serve(legacy=False):
    """Generator for a pytest fixture: yields an :class:`Api` (admin)."""
    init_conf()
    db = database.Database()
    db.setUp()
    conductor = services.Conductor()
    conductor.setUp()
    app = services.api_app(public_endpoint=PUBLIC_ENDPOINT,
                           legacy_policy=legacy)
    session = db.session()
    try:
        add_samples(session)
    finally:
        session.close()
    try:
        yield Api(app, db)
    finally:
        for name in ('auth_strategy', 'public_endpoint'):
            CONF.clear_override(name, group='api')
        CONF.clear_override('enforce_new_defaults', group='oslo_policy')
        policies.reset()
        conductor.cleanUp()
        db.cleanUp()


class SampleInventoryFixture(fixture.GabbiFixture):
    """gabbi: the sample rows, in the database of the running APIFixture."""

    def start_fixture(self):
        from cyborg.tests.functional.api import gabbi_fixtures
        session = gabbi_fixtures.current_database().session()
        try:
            add_samples(session)
        finally:
            session.close()

    def stop_fixture(self):
        pass


class MaintainingGpuFixture(fixture.GabbiFixture):
    """gabbi: the GPU disabled as in the 2.3 samples (after
    ``SampleInventoryFixture``)."""

    def start_fixture(self):
        from cyborg.tests.functional.api import gabbi_fixtures
        session = gabbi_fixtures.current_database().session()
        try:
            mark_gpu_maintaining(session)
        finally:
            session.close()

    def stop_fixture(self):
        pass


class ProgrammingAgentFixture(fixture.GabbiFixture):
    """gabbi: an agent RPC server (topic cyborg-agent, in-process
    transport) owning the sample FPGA's host, whose ``fpga_program``
    succeeds; the conductor reaches it exactly as it reaches a real
    agent (decision D3.1: through the ``agents`` table)."""

    HOST = 'agent-11'

    def start_fixture(self):
        import tempfile

        from cyborg.tests.functional.api import gabbi_fixtures
        from cyborg.tests.functional.bind import env
        session = gabbi_fixtures.current_database().session()
        try:
            session.add(models.Agent(host=self.HOST,
                                     compute_node_name='compute-11'))
            session.commit()
        finally:
            session.close()
        self.root = tempfile.TemporaryDirectory()
        self.endpoint = env.FakeAgentEndpoint(self.root.name)
        self.server = env.start_agent(self.endpoint, host=self.HOST)

    def stop_fixture(self):
        self.server.stop()
        self.server.wait()
        self.root.cleanup()
