"""conductor.devices against a real database and real Placement.

Enable/disable (api.md §10.4, internals.md §4.4.4): status saved, and the
``reserved`` of each deployable's resource class on its provider set to
``num_accelerators`` (disable) or 0 (enable). Program (§11.4): through
the agent serving the device's host, over the in-process transport, and a
clear 500 when there is none.
"""
import uuid

import oslo_messaging as messaging
import pytest

from cyborg import context
from cyborg.agent import rpcapi as agent_rpcapi
from cyborg.common import exception
from cyborg.common import rpc
from cyborg.conductor import devices
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures.placement import placement  # noqa: F401

DEVICE_A = 'a0000000-0000-4000-8000-00000000000a'
DEVICE_B = 'b0000000-0000-4000-8000-00000000000b'
RP_A = 'a1000000-0000-4000-8000-00000000000a'
RP_B = 'b1000000-0000-4000-8000-00000000000b'
RP_B2 = 'b2000000-0000-4000-8000-00000000000b'


@pytest.fixture
def db():
    fix = database.Database()
    fix.setUp()
    yield fix
    fix.cleanUp()


@pytest.fixture
def ctx():
    return context.get_admin_context()


def _device(session, uuid, hostname='compute-07'):
    row = models.Device(uuid=uuid, type='GPU', vendor='10de', model='1eb8',
                        hostname=hostname)
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def inventory(db, placement):  # noqa: F811
    """Device A (id 1): deployables 1 and 2; device B (id 2): deployables
    3 (provider B, 2 PGPU) and 4 (provider B2, 1 PGPU), and 5 (not in
    Placement yet). Upstream would take deployable 2 (device A's) for
    device B."""
    placement.configure()
    session = db.session()
    a = _device(session, DEVICE_A)
    b = _device(session, DEVICE_B)
    specs = [(a, 'a0', 1, None), (a, 'a1', 1, RP_A), (b, 'b0', 2, RP_B),
             (b, 'b1', 1, RP_B2), (b, 'b2', 1, None)]
    cn = placement.create_compute_node('compute-07')
    for device, name, num, rp in specs:
        dep = models.Deployable(uuid=str(uuid.uuid4()), name=name,
                                num_accelerators=num, device_id=device.id,
                                rp_uuid=rp)
        session.add(dep)
        session.flush()
        session.add(models.Attribute(uuid=str(uuid.uuid4()),
                                     deployable_id=dep.id, key='rc',
                                     value='PGPU'))
        if rp:
            placement.client.ensure_provider(rp, name, cn['uuid'])
            placement.client.set_inventory(rp, 'PGPU', num)
    session.commit()
    session.close()
    return placement


def _reserved(placement, rp):  # noqa: F811
    return placement.client.get_inventories(rp)['PGPU']['reserved']


def _status(db, uuid):
    session = db.session()
    try:
        return session.query(models.Device).filter_by(uuid=uuid).one().status
    finally:
        session.close()


def test_disable_then_enable_device_b(ctx, db, inventory):
    devices.set_enabled(ctx, DEVICE_B, False)
    assert _status(db, DEVICE_B) == 'maintaining'
    assert _reserved(inventory, RP_B) == 2
    assert _reserved(inventory, RP_B2) == 1
    assert _reserved(inventory, RP_A) == 0          # device A untouched
    assert _status(db, DEVICE_A) == 'enabled'
    # a repeated disable writes nothing new and keeps the result
    devices.set_enabled(ctx, DEVICE_B, False)
    assert _reserved(inventory, RP_B) == 2
    devices.set_enabled(ctx, DEVICE_B, True)
    assert _status(db, DEVICE_B) == 'enabled'
    assert _reserved(inventory, RP_B) == 0
    assert _reserved(inventory, RP_B2) == 0


def test_disable_keeps_allocations_and_totals(ctx, db, inventory):
    inventory.allocate(RP_B, {'PGPU': 1})
    devices.set_enabled(ctx, DEVICE_B, False)
    record = inventory.client.get_inventories(RP_B)['PGPU']
    assert (record['total'], record['reserved']) == (2, 2)
    assert inventory.client.get_usages(RP_B) == {'PGPU': 1}


def test_unknown_device(ctx, db):
    with pytest.raises(exception.DeviceNotFound) as err:
        devices.set_enabled(ctx, 'nope', False)
    assert str(err.value) == 'Device not found with uuid=nope'


def test_missing_rc_is_404_before_any_change(ctx, db, inventory):
    session = db.session()
    dep = session.query(models.Deployable).filter_by(name='b1').one()
    session.query(models.Attribute).filter_by(
        deployable_id=dep.id).delete()
    session.commit()
    session.close()
    with pytest.raises(exception.AttributeNotFound) as err:
        devices.set_enabled(ctx, DEVICE_B, False)
    assert str(err.value) == ('Attribute not found with deployable_id=%s,'
                              'key=rc' % dep.id)
    assert _status(db, DEVICE_B) == 'enabled'
    assert _reserved(inventory, RP_B) == 0


def test_provider_gone_from_placement_still_saves_status(ctx, db,
                                                         inventory):
    inventory.raw('DELETE', '/resource_providers/%s' % RP_B2)
    devices.set_enabled(ctx, DEVICE_B, False)
    assert _status(db, DEVICE_B) == 'maintaining'
    assert _reserved(inventory, RP_B) == 2


def test_device_without_providers_needs_no_placement(ctx, db):
    session = db.session()
    _device(session, DEVICE_A)
    session.commit()
    session.close()
    devices.set_enabled(ctx, DEVICE_A, False)      # [placement] unset
    assert _status(db, DEVICE_A) == 'maintaining'


IMAGE = 'f0718896-706d-45d9-9bf9-02a2d1b046ed'


class FakeAgent:
    """An agent RPC endpoint answering ``fpga_program``."""
    target = messaging.Target(version='1.0')

    def __init__(self, result):
        self.result, self.calls = result, []

    def fpga_program(self, context, controlpath_id, bitstream_uuid,
                     driver_name):
        self.calls.append((controlpath_id, bitstream_uuid, driver_name))
        return self.result


def _programmable(db, agent=True):
    """Deployable b0 with a control path; an agent for compute-07."""
    session = db.session()
    dep = session.query(models.Deployable).filter_by(name='b0').one()
    dep.driver_name = 'intel'
    session.add(models.ControlpathID(
        uuid='c0000000-0000-4000-8000-00000000000c', device_id=dep.device_id,
        cpid_type='PCI', cpid_info='{"bus": "3b"}'))
    if agent:
        session.add(models.Agent(host='agent-07',
                                 compute_node_name='compute-07'))
    session.commit()
    uuid = dep.uuid
    session.close()
    return uuid


@pytest.fixture
def agent_server():
    """Start a fake agent on the in-process transport; yields a starter."""
    CONF.set_override('transport_url', 'fake://')
    rpc.cleanup()
    servers = []

    def start(result):
        endpoint = FakeAgent(result)
        target = messaging.Target(topic=agent_rpcapi.TOPIC, server='agent-07')
        server = rpc.get_server(target, [endpoint])
        server.start()
        servers.append(server)
        return endpoint
    yield start
    for server in servers:
        server.stop()
        server.wait()
    rpc.cleanup()
    CONF.clear_override('transport_url')


def test_program_without_an_agent(ctx, db, inventory):
    uuid = _programmable(db, agent=False)
    with pytest.raises(exception.ServerError) as err:
        devices.program(ctx, uuid, IMAGE)
    assert str(err.value) == devices.NO_AGENT
    assert err.value.code == 500


@pytest.mark.parametrize('result', [True, False])
def test_program_through_the_owning_agent(ctx, db, inventory, agent_server,
                                          result):
    uuid = _programmable(db)
    agent = agent_server(result)
    if result:
        assert devices.program(ctx, uuid, IMAGE) is True
    else:
        with pytest.raises(exception.FPGAProgramError) as err:
            devices.program(ctx, uuid, IMAGE)
        assert str(err.value) == 'FPGA programming failed with return False.'
    controlpath, image, driver = agent.calls[0]
    assert controlpath['cpid_info'] == {'bus': '3b'}
    assert controlpath['cpid_type'] == 'PCI'
    assert (image, driver) == (IMAGE, 'intel')


def test_program_unknown_deployable(ctx, db):
    with pytest.raises(exception.DeployableNotFound):
        devices.program(ctx, 'd0000000-0000-4000-8000-00000000000d', IMAGE)
