"""Report-driven device/deployable events, device enable/disable and
device profile delete on a real RabbitMQ; notifications off by default;
a broken message bus never fails an operation."""
import logging
import time
import uuid

from cyborg import context
from cyborg.conductor import devices
from cyborg.conductor.inventory import report as inventory
from cyborg.conf import CONF
from cyborg.notifications import events
from cyborg.notifications import notifier
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.inventory import conftest as inv

NS = 'cyborg_object.'


def _events(got):
    return [n['event_type'] for n in got]


def _data(n):
    return n['payload'][NS + 'data']


def test_report_enable_disable_sequence(database, placement, listener):
    ctx = context.get_admin_context()
    placement.create_compute_node(inv.HOST)
    placement.configure()
    inventory.set_placement(placement.new_client())
    try:
        one, two = inv.gpu_device(0), inv.gpu_device(1)
        inventory.report_data(ctx, inv.HOST, [one, two])
        got = listener.wait_for(4)
        assert sorted(_events(got)) == ['deployable.create'] * 2 + [
            'device.create'] * 2
        created = {_data(n)['name']: _data(n) for n in got
                   if n['event_type'] == 'deployable.create'}
        name = one['deployable_list'][0]['name']
        assert created[name]['rp_uuid'] == \
            placement.client.provider_uuid_for(name)   # after the sync
        device_uuid = created[name]['device_uuid']
        listener.clear()

        one['deployable_list'][0]['num_accelerators'] = 2
        inventory.report_data(ctx, inv.HOST, [one])
        got = listener.wait_for(3)
        assert sorted(_events(got)) == ['deployable.delete',
                                        'deployable.update', 'device.delete']
        update = [n for n in got if n['event_type'] == 'deployable.update']
        assert _data(update[0])['num_accelerators'] == 2
        listener.clear()

        inventory.report_data(ctx, inv.HOST, [one])   # unchanged: silent
        devices.set_enabled(ctx, device_uuid, False)
        devices.set_enabled(ctx, device_uuid, True)
        got = listener.wait_for(2)
        time.sleep(0.3)       # the unchanged report sent nothing
        assert len(listener.received) == 2
        assert _events(got) == ['device.disable', 'device.enable']
        assert [_data(n)['status'] for n in got] == ['maintaining',
                                                     'enabled']
        assert got[0]['publisher_id'] == 'cyborg-conductor:' + CONF.host
    finally:
        inventory.set_placement(None)


def test_device_profile_delete(service, client, listener):
    client.profile('gone-dp', [{'resources:FPGA': '1'}])
    resp = client('DELETE', '/v2/device_profiles/gone-dp')
    assert resp.status_int == 204, resp.text
    got = listener.wait_for(2)
    assert _events(got) == ['device_profile.create', 'device_profile.delete']
    assert _data(got[1])['name'] == 'gone-dp'
    assert got[1]['publisher_id'] == 'cyborg-api:' + CONF.host


def test_off_unless_a_driver_is_set(service, client):
    notifier.reset()
    assert CONF.oslo_messaging_notifications.driver == []
    assert not notifier.enabled()
    client.profile('quiet-dp', [{'resources:FPGA': '1'}])
    client.create_arqs('quiet-dp')
    assert notifier._state['thread'] is None      # nothing was queued
    assert events.arq_bind_end(None, ['x']) is None


def test_broken_bus_never_fails_an_operation(service, client, caplog):
    group = 'oslo_messaging_notifications'
    CONF.set_override('driver', ['messagingv2'], group=group)
    # nothing listens on port 1; one attempt, then the notifier gives up
    CONF.set_override('transport_url', 'rabbit://u:p@127.0.0.1:1/',
                      group=group)
    CONF.set_override('retry', 0, group=group)
    notifier.reset()
    try:
        db = service[0]
        with db.session() as s:
            rp = env.add_device(s, handles=1, attach_type='PCI',
                                agent='agent-1')
        with caplog.at_level(logging.ERROR):
            client.profile('loud-dp', [{'resources:FPGA': '1'}])
            arqs = client.create_arqs('loud-dp')
            started = time.monotonic()
            resp = client.bind(arqs, str(uuid.uuid4()), [rp])
            assert resp.status_int == 202, resp.text
            assert time.monotonic() - started < 5
            assert notifier.flush(30)
        states = [a['state'] for a in client('GET', '/v2/accelerator_requests'
                                             ).json['arqs']]
        assert states == ['Bound']
        assert any('notification' in r.getMessage().lower()
                   for r in caplog.records), [r.getMessage()
                                              for r in caplog.records]
    finally:
        notifier.reset()
        for name in ('driver', 'transport_url', 'retry'):
            CONF.clear_override(name, group=group)


def test_hook_failure_is_swallowed(service, listener, caplog):
    # a hook given nonsense logs and returns; it never raises
    with caplog.at_level(logging.ERROR):
        assert events.arq_bind_end(context.get_admin_context(),
                                   [object()]) is None
    assert 'Notification hook arq_bind_end failed' in caplog.text
