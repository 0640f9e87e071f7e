"""A PATCH mixing unbinds and binds is all or nothing (decisions Q13).

When its bind part fails, refused at reserve or failed while preparing
the device, the ARQs it unbound are back as they were: same state,
fields and attach handle (and, for an MDEV handle, the mediated device
exists again). On SQLite, and on MySQL/MariaDB and PostgreSQL when their
CI servers answer (failed, not skipped, with ``CI=true``).

The limit, by choice: all or nothing holds up to the answer. When the
bind part programs an FPGA, the PATCH answers ``202`` once the unbinds
are done and the bind is reserved; the client was told the unbinds
happened and may act on it. A programming failure after that fails only
the binds (``BindFailed``, handles released, ``failed`` event); the
unbinds stay done.
"""
import json
import uuid

import pytest
import sqlalchemy as sa

from cyborg.common import states
from cyborg.conductor.bind import flow as bind
from cyborg.db import models
from cyborg.db import session as db_session
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import nova
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import fpga_backends
from cyborg.tests.functional.bind.test_concurrency import ServerDatabase

FIELDS = ('state', 'hostname', 'device_rp_uuid', 'instance_uuid',
          'attach_handle_id', 'deployable_id', 'state_reason')


@pytest.fixture(params=['sqlite', 'mysql', 'postgresql'])
def stack(request, tmp_path):
    """(session factory, API client, agent endpoint, recording Nova) on
    each backend."""
    env.init_conf()
    if request.param == 'sqlite':
        db = database.Database()
        db.setUp()
        sessions, cleanup = db.session, db.cleanUp
    else:
        server = ServerDatabase(request.param).__enter__()
        sessions, cleanup = server.session, lambda: server.__exit__(None)
    try:
        with services.Conductor(), nova.FakeNova() as fake:
            fake.use()
            agent = env.FakeAgentEndpoint(str(tmp_path))
            rpc_server = env.start_agent(agent)
            try:
                yield sessions, env.Client(services.api_app()), agent, fake
            finally:
                bind.wait_jobs(10)
                rpc_server.stop()
                rpc_server.wait()
                env.clear_api_conf()
    finally:
        cleanup()


def _row(sessions, arq_uuid):
    with sessions() as s:
        arq = s.scalars(sa.select(models.ExtArq).where(
            models.ExtArq.uuid == arq_uuid)).one()
        return {f: getattr(arq, f) for f in FIELDS}


def _bound(client, rp, profile):
    """One ARQ of ``profile`` bound to a new server on ``rp``."""
    arqs = client.create_arqs(profile)
    server = str(uuid.uuid4())
    resp = client.bind(arqs, server, [rp])
    assert resp.status_int == 202, resp.text
    return arqs[0]['uuid'], server


def _mixed(client, remove, add, server, rp, hostname='compute-1'):
    body = {remove: [{'op': 'remove', 'path': '/hostname'},
                     {'op': 'remove', 'path': '/device_rp_uuid'},
                     {'op': 'remove', 'path': '/instance_uuid'}],
            add: [{'op': 'add', 'path': '/hostname', 'value': hostname},
                  {'op': 'add', 'path': '/device_rp_uuid', 'value': rp},
                  {'op': 'add', 'path': '/instance_uuid', 'value': server}]}
    return client('PATCH', '/v2/accelerator_requests', body)


def test_refused_bind_undoes_the_unbind(stack):
    sessions, client, _, _ = stack
    with sessions() as s:
        rp = env.add_device(s, handles=2, agent='agent-1')
        off = env.add_device(s, handles=2, agent='agent-1',
                             status='maintaining')
    client.profile('pci', [{'resources:FPGA': '1'}])
    bound, _ = _bound(client, rp, 'pci')
    before = _row(sessions, bound)
    assert before['state'] == states.BOUND
    fresh = client.create_arqs('pci')[0]['uuid']
    resp = _mixed(client, bound, fresh, str(uuid.uuid4()), off)
    assert resp.status_int == 409, resp.text
    assert _row(sessions, bound) == before
    assert _row(sessions, fresh)['state'] == states.INITIAL
    with sessions() as s:
        assert env.handles_in_use(s) == 1
    # The same PATCH against an enabled device goes through.
    server = str(uuid.uuid4())
    resp = _mixed(client, bound, fresh, server, rp)
    assert resp.status_int == 202, resp.text
    assert _row(sessions, bound)['state'] == states.UNBOUND
    assert _row(sessions, fresh)['state'] == states.BOUND
    with sessions() as s:
        assert env.handles_in_use(s) == 1


def test_failed_preparation_undoes_the_unbind_and_its_mdev(stack):
    sessions, client, agent, _ = stack
    with sessions() as s:
        vgpu = env.add_device(s, handles=2, attach_type='MDEV',
                              dev_type='GPU', agent='agent-1')
        # Its host has no agent: the mdev of a bind there cannot be made.
        orphan = env.add_device(s, hostname='compute-9', handles=2,
                                attach_type='MDEV', dev_type='GPU')
    client.profile('vgpu', [{'resources:VGPU': '1'}])
    bound, server = _bound(client, vgpu, 'vgpu')
    before = _row(sessions, bound)
    with sessions() as s:
        handle = s.get(models.AttachHandle, before['attach_handle_id'])
        handle_uuid, info = handle.uuid, json.loads(handle.attach_info)
    assert agent.mdevs == [handle_uuid]
    fresh = client.create_arqs('vgpu')[0]['uuid']
    # Unbind the bound ARQ and bind the new one to the same server (the
    # server is free once the unbind is done).
    resp = _mixed(client, bound, fresh, server, orphan, 'compute-9')
    assert resp.status_int == 500, resp.text
    assert 'compute-9' in resp.text
    assert _row(sessions, bound) == before
    assert _row(sessions, fresh)['state'] == states.INITIAL
    with sessions() as s:
        assert env.handles_in_use(s) == 1
    # The mdev was removed by the unbind, then created again.
    assert agent.removed == [handle_uuid]
    pci = '%s:%s:%s.%s' % (info['domain'], info['bus'], info['device'],
                           info['function'])
    assert agent.created(pci, info['asked_type']) == handle_uuid
    assert agent.mdevs == [handle_uuid, handle_uuid]


def test_failed_unbind_undoes_earlier_unbinds(stack):
    """All or nothing among the unbinds too: the second one fails (no
    agent to remove its mdev), the first is restored."""
    sessions, client, _, _ = stack
    with sessions() as s:
        pci = env.add_device(s, handles=2, agent='agent-1')
        vgpu = env.add_device(s, hostname='compute-9', handles=2,
                              attach_type='MDEV', dev_type='GPU')
    client.profile('pci', [{'resources:FPGA': '1'}])
    client.profile('vgpu', [{'resources:VGPU': '1'}])
    first, _ = _bound(client, pci, 'pci')
    before = _row(sessions, first)
    second_arqs = client.create_arqs('vgpu')
    with sessions() as s:
        # Bind the vGPU ARQ by hand: no agent serves compute-9. On SQLite
        # the write lock first, as the service's writers take it: the
        # conductor may still be writing after the first bind.
        db_session.take_write_lock(s.connection())
        arq = s.scalars(sa.select(models.ExtArq).where(
            models.ExtArq.uuid == second_arqs[0]['uuid'])).one()
        handle = s.scalars(sa.select(models.AttachHandle).join(
            models.Deployable).where(
                models.Deployable.rp_uuid == vgpu)).first()
        handle.in_use = True
        arq.state, arq.attach_handle_id = states.BOUND, handle.id
        arq.deployable_id = handle.deployable_id
        arq.instance_uuid = str(uuid.uuid4())
        s.commit()
    second = second_arqs[0]['uuid']
    remove = [{'op': 'remove', 'path': '/hostname'}]
    resp = client('PATCH', '/v2/accelerator_requests',
                  {first: remove, second: remove})
    assert resp.status_int == 500, resp.text
    assert _row(sessions, first) == before
    assert _row(sessions, second)['state'] == states.UNBIND_FAILED
    with sessions() as s:
        assert env.handles_in_use(s) == 2


def test_background_failure_after_202_keeps_the_unbind(stack):
    """Programming fails after the 202: the new ARQ ends ``BindFailed``
    with its handle released and Nova told ``failed``; the ARQ the PATCH
    unbound stays ``Unbound`` (not bound again behind the client's back:
    it may already have deleted or rebound it)."""
    sessions, client, agent, nova_ = stack
    with fpga_backends.Backends() as backends:
        backends.configure()
        with sessions() as s:
            pci = env.add_device(s, handles=2, agent='agent-1')
            fpga = backends.provider(env.add_device(s, handles=2,
                                                    agent='agent-1'))
        client.profile('pci', [{'resources:FPGA': '1'}])
        client.profile('prog', [{'resources:FPGA': '1',
                                 'accel:bitstream_id': backends.image()}])
        bound, server = _bound(client, pci, 'pci')
        assert nova_.wait_for_events(1)[0]['status'] == 'completed'
        fresh = client.create_arqs('prog')[0]['uuid']
        agent.program_ok = False
        resp = _mixed(client, bound, fresh, server, fpga)
        assert resp.status_int == 202, resp.text
        # The unbind is done at the answer; the bind is under way.
        assert _row(sessions, bound)['state'] == states.UNBOUND
        assert bind.wait_jobs(10)
    after = _row(sessions, fresh)
    assert after['state'] == states.BIND_FAILED
    assert 'FPGA programming failed' in after['state_reason']
    assert after['attach_handle_id'] is None
    unbound = _row(sessions, bound)
    assert unbound['state'] == states.UNBOUND
    assert unbound['attach_handle_id'] is None
    assert unbound['instance_uuid'] is None
    with sessions() as s:
        assert env.handles_in_use(s) == 0
    events = nova_.wait_for_events(2)
    assert [(e['tag'], e['status']) for e in events[1:]] == [
        (fresh, 'failed')]
