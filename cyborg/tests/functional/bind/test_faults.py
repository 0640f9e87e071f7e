"""Failures in-process: Nova down, deadlines, restart recovery, refusals."""
import time
import uuid

import pytest
import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.common import states
from cyborg.conductor.bind import deadlines
from cyborg.conductor.bind import recovery
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.db.queries import binding as bind_db
from cyborg.tests.functional.bind import env


def _one(client, db, groups=None, **device):
    with db.session() as s:
        rp = env.add_device(s, handles=2, agent='agent-1', **device)
    name = 'dp-' + uuid.uuid4().hex[:6]
    client.profile(name, groups or [{'resources:FPGA': '1'}])
    return rp, client.create_arqs(name), str(uuid.uuid4())


def _row(db, uuid_):
    with db.session() as s:
        return s.execute(sa.select(models.ExtArq).where(
            models.ExtArq.uuid == uuid_)).scalar_one()


@pytest.mark.parametrize('how', ['refused', '503'])
def test_nova_down_bind_still_bound_event_later(service, client, how):
    db, _, nova = service
    rp, arqs, server = _one(client, db)
    if how == 'refused':
        nova.down()
    else:
        nova.mode = '503'
    assert client.bind(arqs, server, [rp]).status_int == 202
    assert client.arqs_of(server).json['arqs'][0]['state'] == states.BOUND
    time.sleep(0.5)       # a few failed attempts
    assert nova.events() == [] if how == 'refused' else nova.events()
    nova.up()
    nova.mode = 'ok'
    nova.requests.clear()
    events = nova.wait_for_events(1)
    assert events == [{'name': 'accelerator-request-bound',
                       'server_uuid': server, 'tag': arqs[0]['uuid'],
                       'status': 'completed'}]


def test_disabled_device_is_refused(service, client):
    db, _, nova = service
    rp, arqs, server = _one(client, db, status='maintaining')
    resp = client.bind(arqs, server, [rp])
    assert resp.status_int == 409, resp.text
    assert 'disabled (maintaining)' in resp.text
    row = _row(db, arqs[0]['uuid'])
    assert row.state == states.INITIAL and row.instance_uuid is None
    assert 'disabled (maintaining)' in row.state_reason
    with db.session() as s:
        assert env.handles_in_use(s) == 0


def test_mdev_failure_rolls_the_patch_back(service, client):
    db, _, nova = service
    # No agent serves compute-1: the mdev cannot be created.
    with db.session() as s:
        pci = env.add_device(s, handles=1, attach_type='PCI')
        mdev = env.add_device(s, handles=1, attach_type='MDEV')
    client.profile('mix', [{'resources:PGPU': '1'}, {'resources:VGPU': '1'}])
    arqs = client.create_arqs('mix')
    resp = client.bind(arqs, str(uuid.uuid4()), [pci, mdev])
    assert resp.status_int == 500, resp.text
    assert 'no agent has registered' in resp.text
    for arq in arqs:
        row = _row(db, arq['uuid'])
        assert (row.state, row.attach_handle_id) == (states.INITIAL, None)
    with db.session() as s:
        assert env.handles_in_use(s) == 0
    assert nova.events() == []


def test_slow_programming_fails_at_bind_timeout(service, client, agent,
                                                backends):
    """The agent call is bounded by bind_timeout: the job fails itself."""
    db, _, nova = service
    agent.delay = 1.5
    CONF.set_override('bind_timeout', 1)
    try:
        rp, arqs, server = _one(client, db, groups=[
            {'resources:FPGA': '1', 'accel:bitstream_id': backends.image()}])
        assert client.bind(arqs, server, [rp]).status_int == 202
        assert deadlines.enforce() == []          # not late yet
        assert client.wait_resolved(server)[0]['state'] == \
            states.BIND_FAILED
        row = _row(db, arqs[0]['uuid'])
        assert 'preparing the device failed' in row.state_reason
        assert backends.glance.requests, 'failed before the agent call'
        assert row.attach_handle_id is None
        assert nova.wait_for_events(1)[0]['status'] == 'failed'
        with db.session() as s:
            assert env.handles_in_use(s) == 0
    finally:
        CONF.clear_override('bind_timeout')


def test_deadline_fails_a_stuck_bind(service, client):
    """A bind nobody finishes (its worker is gone) fails at the deadline."""
    db, _, nova = service
    rp, arqs, server = _one(client, db)
    ctx = cyborg_context.get_admin_context()
    bind_db.run(ctx, bind_db.reserve, [(arqs[0]['uuid'], {
        'hostname': 'compute-1', 'device_rp_uuid': rp,
        'instance_uuid': server, 'project_id': env.PROJECT})], 'lost')
    assert deadlines.enforce(timeout=60) == []
    assert client.arqs_of(server, resolved=True).status_int == 423
    time.sleep(0.05)
    assert deadlines.enforce(timeout=0.01) == [arqs[0]['uuid']]
    row = _row(db, arqs[0]['uuid'])
    assert row.state == states.BIND_FAILED
    assert 'bind_timeout' in row.state_reason
    assert nova.wait_for_events(1)[0]['status'] == 'failed'
    with db.session() as s:
        assert env.handles_in_use(s) == 0


def test_recover_fails_binds_of_a_dead_conductor(service, client):
    db, _, nova = service
    rp, arqs, server = _one(client, db)
    ctx = cyborg_context.get_admin_context()
    fields = {'hostname': 'compute-1', 'device_rp_uuid': rp,
              'instance_uuid': server, 'project_id': env.PROJECT}
    # What a conductor had committed before it died mid-bind.
    bind_db.run(ctx, bind_db.reserve, [(arqs[0]['uuid'], fields)],
                CONF.host)
    bind_db.run(ctx, bind_db.reserve, [(client.create_arqs(
        _profile(client))[0]['uuid'],
        dict(fields, instance_uuid=str(uuid.uuid4())))], 'other-conductor')
    assert recovery.recover()['binds_failed'] == [arqs[0]['uuid']]
    assert client.wait_resolved(server)[0]['state'] == states.BIND_FAILED
    assert 'restarted' in _row(db, arqs[0]['uuid']).state_reason
    with db.session() as s:
        assert env.handles_in_use(s) == 1        # the other conductor's
    assert nova.wait_for_events(1)[0]['tag'] == arqs[0]['uuid']


def _profile(client):
    name = 'dp-' + uuid.uuid4().hex[:6]
    client.profile(name, [{'resources:FPGA': '1'}])
    return name


def test_periodic_enforcement_stops(service, client):
    db, _, _ = service
    rp, arqs, server = _one(client, db)
    ctx = cyborg_context.get_admin_context()
    bind_db.run(ctx, bind_db.reserve, [(arqs[0]['uuid'], {
        'hostname': 'compute-1', 'device_rp_uuid': rp,
        'instance_uuid': server, 'project_id': env.PROJECT})], 'gone')
    CONF.set_override('bind_timeout', 1)
    periodic = deadlines.start_periodic(0.1)
    try:
        client.wait_resolved(server, timeout=5)
    finally:
        periodic.stop(2)
        CONF.clear_override('bind_timeout')
    assert not periodic.running
    assert _row(db, arqs[0]['uuid']).state == states.BIND_FAILED
