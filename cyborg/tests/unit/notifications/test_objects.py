"""Notification objects: fingerprints (bump VERSION when fields change),
every field documented, every event type the hooks send is declared."""
import ast
import pathlib

from oslo_versionedobjects import fixture

from cyborg.notifications import base
from cyborg.notifications import events
from cyborg.notifications import payloads

EXPECTED = {
    'AcceleratorRequestNotification': '1.0-256dc22834c64f95b2f0ef3546208cd5',
    'AcceleratorRequestPayload': '1.0-4ad2e5817129283eac98af153466f46e',
    'DeployableNotification': '1.0-256dc22834c64f95b2f0ef3546208cd5',
    'DeployablePayload': '1.0-6bd69ca96c5e112622185794c5122e85',
    'DeviceNotification': '1.0-256dc22834c64f95b2f0ef3546208cd5',
    'DevicePayload': '1.0-65de662623ea20a3f5b27e70c4c5ac61',
    'DeviceProfileNotification': '1.0-256dc22834c64f95b2f0ef3546208cd5',
    'DeviceProfilePayload': '1.0-6cda96acf6691d3cf64080dcbc9c408a',
    'EventType': '1.0-a601b01c1849946ca2d59286fbecaa04',
    'ExceptionPayload': '1.0-f588e6166977aa92e065a2ff1b94d24c',
    'NotificationPublisher': '1.0-578ee5fea2922ff32e8917621f140857',
}


def _classes():
    every = payloads.PAYLOADS + payloads.NOTIFICATIONS + [
        base.EventType, base.NotificationPublisher]
    return {c.obj_name(): [c] for c in every}


def test_fingerprints():
    checker = fixture.ObjectVersionChecker(_classes())
    expected, actual = checker.test_hashes(EXPECTED)
    assert expected == actual, (
        'A notification object changed: bump its VERSION, note why in '
        'its version comment, then update EXPECTED')


def test_every_payload_field_documented():
    for cls in payloads.PAYLOADS:
        if cls is base.ExceptionPayload:
            continue
        assert set(cls.FIELD_DOCS) == set(cls.fields), cls.obj_name()
        assert set(cls.SCHEMA) <= set(cls.fields)


def test_payload_primitive_follows_nova_shape():
    payload = payloads.DevicePayload.from_mapping({
        'uuid': '0e6b1c8a-1f83-4a55-9d2e-4f5a0f7c9b11', 'type': 'GPU',
        'vendor': '10de', 'model': 'T4', 'std_board_info': None,
        'vendor_board_info': None, 'hostname': 'h', 'status': 'enabled',
        'ignored': 'x'})
    prim = payload.obj_to_primitive()
    assert prim['cyborg_object.name'] == 'DevicePayload'
    assert prim['cyborg_object.namespace'] == 'cyborg'
    assert prim['cyborg_object.version'] == '1.0'
    assert prim['cyborg_object.data']['hostname'] == 'h'
    event = base.EventType(object='device', action='create')
    assert event.to_event_type_field() == 'device.create'
    event = base.EventType(object='accelerator_request', action='bind',
                           phase='end')
    assert event.to_event_type_field() == 'accelerator_request.bind.end'
    publisher = base.NotificationPublisher(host='c1',
                                           source='cyborg-conductor')
    assert publisher.publisher_id == 'cyborg-conductor:c1'


def _sent_event_types():
    """(object, action, phase) literals in events.py's _emit/_arq(s)
    calls."""
    tree = ast.parse(pathlib.Path(events.__file__).read_text())
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and
                getattr(node.func, 'id', None) in ('_arq', '_arqs')):
            continue
        consts = [a.value for a in node.args[2:4]
                  if isinstance(a, ast.Constant)]
        if consts:
            found.add('.'.join(['accelerator_request'] + consts))
    return found


def test_every_sent_event_type_is_declared():
    declared = {e for cls in payloads.NOTIFICATIONS for e, _p, _w in
                cls.EVENTS}
    assert _sent_event_types() <= declared
    assert 'accelerator_request.bind.end' in _sent_event_types()


def test_context_sent_without_credentials():
    from cyborg import context
    from cyborg.notifications import notifier
    ctx = context.RequestContext(auth_token='SECRET', user_id='u',
                                 project_id='p')
    assert ctx.to_dict()['auth_token'] == 'SECRET'
    sent = notifier.ContextSerializer().serialize_context(ctx)
    assert 'auth_token' not in sent and sent['project_id'] == 'p'
    assert notifier.ContextSerializer().serialize_context(None) == {}
