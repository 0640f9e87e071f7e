"""Versioned notifications on a real RabbitMQ: the sequence of a bind, a
failed bind and an unbind, as a listener sees it."""
import time
import uuid

from cyborg import context as cyborg_context
from cyborg.conductor.bind import deadlines
from cyborg.db.queries import binding as bind_db
from cyborg.notifications import notifier
from cyborg.tests.functional.bind import env

NS = 'cyborg_object.'


def _data(n):
    assert n['payload'][NS + 'namespace'] == 'cyborg'
    assert n['payload'][NS + 'version'] == '1.0'
    return n['payload'][NS + 'data']


def _events(notifications):
    return [(n['event_type'], n['priority']) for n in notifications]


def test_bind_failed_bind_unbind_sequence(service, client, agent, listener):
    db = service[0]
    with db.session() as s:
        pci = env.add_device(s, handles=1, attach_type='PCI', agent='agent-1')
        # no agent owns this host: creating the mdev fails
        orphan = env.add_device(s, hostname='compute-9', handles=1,
                                attach_type='MDEV')
    client.profile('ok-dp', [{'resources:PGPU': '1'}])
    client.profile('bad-dp', [{'resources:VGPU': '1'}])
    ok = client.create_arqs('ok-dp')
    bad = client.create_arqs('bad-dp')
    got = listener.wait_for(4)
    assert _events(got) == [('device_profile.create', 'INFO')] * 2 + [
        ('accelerator_request.create', 'INFO')] * 2
    assert {n['publisher_id'] for n in got} == {
        'cyborg-api:' + env.CONF.host}
    assert _data(got[0])['groups'] == [{'resources:PGPU': '1'}]
    assert got[0]['payload'][NS + 'name'] == 'DeviceProfilePayload'
    assert _data(got[2])['state'] == 'Initial'
    assert got[2]['context']['project_id'] == env.PROJECT
    assert got[3]['context']['user'] == 'nova'
    listener.clear()

    server = str(uuid.uuid4())
    assert client.bind(ok, server, [pci]).status_int == 202
    got = listener.wait_for(2)
    assert _events(got) == [('accelerator_request.bind.start', 'INFO'),
                            ('accelerator_request.bind.end', 'INFO')]
    start, end = (_data(n) for n in got)
    assert (start['uuid'], start['state']) == (ok[0]['uuid'],
                                              'BindStarted')
    assert (end['state'], end['instance_uuid'], end['device_rp_uuid']) == \
        ('Bound', server, pci)
    assert end['attach_handle_type'] == 'PCI' and end['fault'] is None
    assert got[1]['publisher_id'] == 'cyborg-conductor:' + env.CONF.host
    assert got[1]['payload'][NS + 'name'] == 'AcceleratorRequestPayload'
    listener.clear()

    resp = client.bind(bad, str(uuid.uuid4()), [orphan],
                       hostname='compute-9')
    assert resp.status_int == 500, resp.text
    got = listener.wait_for(2)
    assert _events(got) == [('accelerator_request.bind.start', 'INFO'),
                            ('accelerator_request.bind.error', 'ERROR')]
    error = _data(got[1])
    assert error['state'] == 'Initial'          # rolled back (Q13)
    assert 'no agent has registered' in error['state_reason']
    fault = error['fault'][NS + 'data']
    assert error['fault'][NS + 'name'] == 'ExceptionPayload'
    assert 'no agent has registered' in fault['exception_message']
    listener.clear()

    unbind = {ok[0]['uuid']: [{'path': '/hostname', 'op': 'remove'},
                              {'path': '/device_rp_uuid', 'op': 'remove'},
                              {'path': '/instance_uuid', 'op': 'remove'}]}
    assert client('PATCH', '/v2/accelerator_requests',
                  unbind).status_int == 202
    resp = client('DELETE', '/v2/accelerator_requests/' + ok[0]['uuid'])
    assert resp.status_int == 204, resp.text
    got = listener.wait_for(2)
    assert _events(got) == [('accelerator_request.unbind.end', 'INFO'),
                            ('accelerator_request.delete.end', 'INFO')]
    unbound, deleted = (_data(n) for n in got)
    assert (unbound['state'], unbound['instance_uuid']) == ('Unbound', None)
    assert (deleted['uuid'], deleted['state']) == (ok[0]['uuid'], 'Deleted')
    assert notifier.flush(5)


def test_deadline_failure_is_a_bind_error(service, client, listener):
    db = service[0]
    with db.session() as s:
        rp = env.add_device(s, handles=1, agent='agent-1')
    client.profile('late-dp', [{'resources:FPGA': '1'}])
    arq = client.create_arqs('late-dp')[0]
    server = str(uuid.uuid4())
    # a bind whose worker is gone: reserved, never resolved
    bind_db.run(cyborg_context.get_admin_context(), bind_db.reserve,
                [(arq['uuid'], {'hostname': 'compute-1',
                                'device_rp_uuid': rp,
                                'instance_uuid': server,
                                'project_id': env.PROJECT})], 'lost')
    time.sleep(0.05)
    assert deadlines.enforce(timeout=0.01) == [arq['uuid']]
    got = listener.wait_for(3)
    assert _events(got)[2] == ('accelerator_request.bind.error', 'ERROR')
    data = _data(got[2])
    assert data['state'] == 'BindFailed'
    assert 'bind_timeout' in data['fault'][NS + 'data']['exception_message']
