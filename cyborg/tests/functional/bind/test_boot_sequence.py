"""Nova's boot call sequence, played exactly as in
``shared/spec/fixtures/nova/boot-call-sequence.json``, against the
in-process API and conductor, with a recording Nova and an agent.

Profile ``gpu-dp``: group 0 a whole GPU (PCI handle), group 1 two vGPUs
(MDEV handles, created by the agent that owns the device) = three ARQs.
"""
import json
import os
import uuid

import pytest

from cyborg.common import states
from cyborg.tests.functional.bind import env

# In-repo copies of shared/spec/fixtures/nova.
SPEC = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures',
                    'spec', 'nova')


def _fixture(name):
    with open(os.path.join(SPEC, name)) as fh:
        return json.load(fh)


def _inventory(db):
    with db.session() as s:
        pgpu = env.add_device(s, handles=1, attach_type='PCI',
                              dev_type='GPU', agent='agent-1')
        vgpu = env.add_device(s, handles=4, attach_type='MDEV',
                              dev_type='GPU', agent='agent-1')
    return [pgpu, vgpu]


@pytest.mark.parametrize('nova_mode', ['not-on-host', 'ok'])
def test_boot_sequence(service, client, agent, nova_mode):
    db, _, nova = service
    nova.mode = nova_mode
    sequence = _fixture('boot-call-sequence.json')['calls']
    expected = _fixture('external-event-request-completed.json')['events']
    providers = _inventory(db)
    client.profile('gpu-dp', [{'resources:PGPU': '1'},
                              {'resources:VGPU': '2'}])
    server = str(uuid.uuid4())
    steps = {str(c['step']): c for c in sequence}

    # 1. nova-api: the profile by name, exactly one.
    assert steps['1']['path'] == '/v2/device_profiles'
    resp = client('GET', '/v2/device_profiles?name=gpu-dp')
    assert resp.status_int == 200 and len(resp.json['device_profiles']) == 1
    # 2. nova-conductor: create the ARQs.
    assert steps['2']['body'] == {'device_profile_name': 'gpu-dp'}
    arqs = client.create_arqs('gpu-dp')
    assert [a['device_profile_group_id'] for a in arqs] == [0, 1, 1]
    # 3. nova-conductor: one PATCH binding all of them.
    resp = client.bind(arqs, server, providers)
    assert resp.status_int == 202, resp.text
    assert resp.body == b''
    # 5. nova-compute: the ARQs of the instance; these are resolved.
    resp = client.arqs_of(server)
    assert resp.status_int == 200
    listed = resp.json['arqs']
    assert [a['state'] for a in listed] == [states.BOUND] * 3
    assert [a['attach_handle_type'] for a in listed] == ['PCI', 'MDEV',
                                                         'MDEV']
    # 6. the conductor's event: one per ARQ, like the fixture's shape.
    events = nova.wait_for_events(3)
    assert events == [
        {'name': 'accelerator-request-bound', 'server_uuid': server,
         'tag': a['uuid'], 'status': 'completed'} for a in arqs]
    assert [sorted(e) for e in events] == [sorted(expected[0])] * 3
    assert len(nova.bodies()) == 1
    path, headers, _ = nova.requests[0]
    assert headers['OpenStack-API-Version'] == 'compute 2.82'
    assert headers['X-OpenStack-Nova-API-Version'] == '2.82'
    # The agent created both mdevs, named after their attach handles.
    assert agent.mdevs == [a['attach_handle_uuid'] for a in listed[1:]]
    assert agent.created('0000:0c:00.0', 'nvidia-222') == agent.mdevs[-1]
    # 7. (only when step 5 missed some) - here everything was resolved.
    resp = client.arqs_of(server, resolved=True)
    assert resp.status_int == 200 and len(resp.json['arqs']) == 3
    # D. server delete: DELETE ?instance=, idempotent.
    for _ in range(2):
        resp = client('DELETE', '/v2/accelerator_requests?instance=%s'
                      % server)
        assert resp.status_int == 204, resp.text
    assert client.arqs_of(server).json['arqs'] == []
    with db.session() as s:
        assert env.handles_in_use(s) == 0
    assert len(nova.bodies()) == 1  # delete sends no event
    assert sorted(agent.removed) == sorted(agent.mdevs)  # each once


def test_unbind_then_delete(service, client, agent):
    db, _, nova = service
    providers = _inventory(db)
    client.profile('gpu-dp', [{'resources:PGPU': '1'},
                              {'resources:VGPU': '2'}])
    server = str(uuid.uuid4())
    arqs = client.create_arqs('gpu-dp')
    assert client.bind(arqs, server, providers).status_int == 202
    nova.wait_for_events(3)
    unbind = {a['uuid']: [{'op': 'remove', 'path': '/hostname'}]
              for a in arqs}
    resp = client('PATCH', '/v2/accelerator_requests', unbind)
    assert resp.status_int == 202, resp.text
    with db.session() as s:
        assert env.handles_in_use(s) == 0
        assert set(env.arq_states(s).values()) == {states.UNBOUND}
    # Unbound ARQs have no instance: delete by instance finds nothing.
    resp = client('DELETE', '/v2/accelerator_requests?instance=%s' % server)
    assert resp.status_int == 204
    resp = client('DELETE', '/v2/accelerator_requests?arqs=%s'
                  % ','.join(a['uuid'] for a in arqs))
    assert resp.status_int == 204, resp.text
    with db.session() as s:
        assert env.arq_states(s) == {}


def test_fpga_bind_runs_in_the_background(service, client, tmp_path,
                                          backends):
    db, _, nova = service
    endpoint = env.FakeAgentEndpoint(str(tmp_path), delay=0.5)
    server_rpc = env.start_agent(endpoint)
    try:
        with db.session() as s:
            rp = backends.provider(env.add_device(s, handles=2,
                                                  agent='agent-1'))
        image = backends.image()
        client.profile('fpga-dp', [{'resources:FPGA': '1',
                                    'accel:bitstream_id': image}])
        server = str(uuid.uuid4())
        arqs = client.create_arqs('fpga-dp')
        assert client.bind(arqs, server, [rp]).status_int == 202
        # Still programming: the ARQ is BindStarted and the poll is 423.
        assert client.arqs_of(server).json['arqs'][0]['state'] == \
            states.BIND_STARTED
        assert client.arqs_of(server, resolved=True).status_int == 423
        events = nova.wait_for_events(1)
        assert events[0]['status'] == 'completed'
        listed = client.wait_resolved(server)
        assert listed[0]['state'] == states.BOUND
        assert endpoint.programmed == [(image, 'fake')]
    finally:
        server_rpc.stop()
        server_rpc.wait()
