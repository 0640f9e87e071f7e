"""Crash recovery (issue 12, item 4): work a dead conductor left half done
is finished or rolled back, on SQLite, MariaDB and PostgreSQL.

Each test commits what a conductor had committed when it died (with the
same database functions it uses), then runs the recovery a restart, a
takeover or the periodic sweep runs, and checks the rows, the attach
handles and the agent (a real RPC server over a sysfs tree).
"""
import time
import uuid

import pytest
import sqlalchemy as sa

from cyborg import context as cyborg_context
from cyborg.common import states
from cyborg.conductor.bind import recovery
from cyborg.conductor.bind import unbind as bind_unbind
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.db.queries import binding as bind_db
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import test_concurrency

backend = test_concurrency.backend      # sqlite, mysql, postgresql


@pytest.fixture
def world(backend, tmp_path):
    """(client, new session, agent endpoint) with a conductor, Nova and
    an agent serving the devices of compute-1."""
    endpoint = env.FakeAgentEndpoint(str(tmp_path))
    with services.Conductor(), nova.FakeNova() as fake:
        fake.use()
        server = env.start_agent(endpoint)
        client = env.Client(services.api_app())
        try:
            yield client, backend, endpoint
        finally:
            server.stop()
            server.wait()
            env.clear_api_conf()


def _ctx():
    return cyborg_context.get_admin_context()


def _bound(client, new_session, handles=2, attach_type='MDEV', groups=None):
    """A device and one Bound ARQ on it; (rp uuid, arq, instance)."""
    with new_session() as s:
        rp = env.add_device(s, handles=handles, attach_type=attach_type,
                            agent='agent-1')
    name = 'dp-' + uuid.uuid4().hex[:6]
    client.profile(name, groups or [{'resources:VGPU': '1'}])
    [arq] = client.create_arqs(name)
    instance = str(uuid.uuid4())
    resp = client.bind([arq], instance, [rp])
    assert resp.status_int == 202, resp.text
    return rp, arq, instance


def _row(new_session, arq_uuid):
    with new_session() as s:
        return s.execute(sa.select(models.ExtArq).where(
            models.ExtArq.uuid == arq_uuid)).scalar_one_or_none()


def _handle_uuid(new_session, handle_id):
    with new_session() as s:
        return s.scalar(sa.select(models.AttachHandle.uuid).where(
            models.AttachHandle.id == handle_id))


def _in_use(new_session):
    with new_session() as s:
        return env.handles_in_use(s)


def _set(new_session, arq_uuid, **values):
    with new_session() as s:
        s.execute(sa.update(models.ExtArq).where(
            models.ExtArq.uuid == arq_uuid).values(**values))
        s.commit()


def test_delete_cut_short_is_finished_at_restart(world):
    client, new_session, agent = world
    _rp, arq, _instance = _bound(client, new_session)
    handle = _row(new_session, arq['uuid']).attach_handle_id
    # The conductor moved the ARQ to Deleting, then died (kill -9).
    bind_db.run(_ctx(), bind_unbind._mark_deleting, uuids=[arq['uuid']])
    row = _row(new_session, arq['uuid'])
    assert row.state == states.DELETING
    assert row.state_reason == bind_db.delete_marker(CONF.host)

    done = recovery.recover()
    assert done['deletes_finished'] == [arq['uuid']]
    assert _row(new_session, arq['uuid']) is None
    assert _in_use(new_session) == 0
    assert agent.removed == [_handle_uuid(new_session, handle)]


def test_delete_of_another_conductor_waits_for_its_death(world):
    client, new_session, _agent = world
    _rp, arq, _instance = _bound(client, new_session)
    _set(new_session, arq['uuid'], state=states.DELETING,
         state_reason=bind_db.delete_marker('other'))
    # Not ours at restart, not late for the sweep: left alone.
    assert recovery.recover()['deletes_finished'] == []
    assert recovery.sweep(timeout=60)['deletes_finished'] == []
    assert _row(new_session, arq['uuid']).state == states.DELETING
    # Its conductor found dead: finished.
    done = recovery.take_over(_ctx(), 'other', 'gone')
    assert done['deletes_finished'] == [arq['uuid']]
    assert _row(new_session, arq['uuid']) is None
    assert _in_use(new_session) == 0


def test_sweep_finishes_a_delete_nobody_owns(world):
    """A release that wrote no owner, or a delete whose mdev removal
    failed: finished once it has not moved for bind_timeout."""
    client, new_session, _agent = world
    _rp, arq, _instance = _bound(client, new_session)
    _set(new_session, arq['uuid'], state=states.DELETING, state_reason=None)
    time.sleep(0.05)
    assert recovery.sweep(timeout=0.01)['deletes_finished'] == [arq['uuid']]
    assert _row(new_session, arq['uuid']) is None
    assert _in_use(new_session) == 0


def test_two_finishers_release_the_handle_once(world):
    client, new_session, _agent = world
    rp, arq, _instance = _bound(client, new_session, handles=1,
                                attach_type='TEST_PCI',
                                groups=[{'resources:FPGA': '1'}])
    bind_db.run(_ctx(), bind_unbind._mark_deleting, uuids=[arq['uuid']])
    holdings = bind_db.run(_ctx(), bind_unbind.deleting_holdings, [])
    bind_unbind.finish_delete(_ctx(), holdings)
    assert _in_use(new_session) == 0
    # The freed handle goes to a new bind before the late finisher acts.
    name = 'dp-' + uuid.uuid4().hex[:6]
    client.profile(name, [{'resources:FPGA': '1'}])
    [second] = client.create_arqs(name)
    assert client.bind([second], str(uuid.uuid4()), [rp]).status_int == 202
    bind_unbind.finish_delete(_ctx(), holdings)
    assert _row(new_session, second['uuid']).state == states.BOUND
    assert _in_use(new_session) == 1


def test_unbind_cut_short_is_finished_at_restart(world):
    client, new_session, agent = world
    _rp, arq, _instance = _bound(client, new_session)
    handle = _row(new_session, arq['uuid']).attach_handle_id
    # The conductor named itself, asked the agent, and died.
    _set(new_session, arq['uuid'], state_reason=bind_db.unbind_marker(
        CONF.host))
    done = recovery.recover()
    assert done['unbinds_finished'] == [arq['uuid']]
    row = _row(new_session, arq['uuid'])
    assert (row.state, row.attach_handle_id, row.instance_uuid) == (
        states.UNBOUND, None, None)
    assert _in_use(new_session) == 0
    assert agent.removed == [_handle_uuid(new_session, handle)]


def test_unbind_failed_is_tried_again_by_the_sweep(world):
    client, new_session, agent = world
    _rp, arq, _instance = _bound(client, new_session)

    def refuse(context, pci_addr, asked_type, ah_uuid):
        raise RuntimeError('device busy')

    agent.remove_vgpu_mdev, real = refuse, agent.remove_vgpu_mdev
    resp = client('PATCH', '/v2/accelerator_requests',
                  {arq['uuid']: [{'op': 'remove', 'path': '/hostname'}]})
    assert resp.status_int == 500, resp.text
    assert _row(new_session, arq['uuid']).state == states.UNBIND_FAILED
    time.sleep(0.05)
    # Still failing: stays UnbindFailed with its handle.
    assert recovery.sweep(timeout=0.01)['unbinds_finished'] == []
    assert _row(new_session, arq['uuid']).state == states.UNBIND_FAILED
    assert _in_use(new_session) == 1
    agent.remove_vgpu_mdev = real
    time.sleep(0.05)
    assert recovery.sweep(timeout=0.01)['unbinds_finished'] == [arq['uuid']]
    assert _row(new_session, arq['uuid']).state == states.UNBOUND
    assert _in_use(new_session) == 0


@pytest.mark.parametrize('programmed', [False, True])
def test_half_programmed_fpga_is_forgotten(world, programmed):
    client, new_session, _agent = world
    with new_session() as s:
        rp = env.add_device(s, handles=1, agent='agent-1')
        s.execute(sa.update(models.Deployable).where(
            models.Deployable.rp_uuid == rp).values(bitstream_id='old'))
        s.commit()
    wanted = str(uuid.uuid4())
    client.profile('prog', [{'resources:FPGA': '1',
                             'accel:bitstream_id': wanted}])
    [arq] = client.create_arqs('prog')
    [work] = bind_db.run(_ctx(), bind_db.reserve, [(arq['uuid'], {
        'hostname': 'compute-1', 'device_rp_uuid': rp,
        'instance_uuid': str(uuid.uuid4()), 'project_id': env.PROJECT})],
        CONF.host)
    if programmed:      # died after the agent succeeded
        bind_db.run(_ctx(), bind_db.record_bitstream, work.deployable_id,
                    wanted)
    assert recovery.recover()['binds_failed'] == [arq['uuid']]
    assert _row(new_session, arq['uuid']).state == states.BIND_FAILED
    assert _in_use(new_session) == 0
    with new_session() as s:
        recorded = s.scalar(sa.select(models.Deployable.bitstream_id).where(
            models.Deployable.rp_uuid == rp))
    assert recorded == (wanted if programmed else None)
