"""The Tempest plugin's device-profile and ARQ assertions (api.md §18),
run with the plugin's personas in both policy modes."""
import uuid

import pytest

from cyborg.tests.functional.api import dp_arq_client
from cyborg.tests.functional.api import gabbi_fixtures
from cyborg.tests.functional.api.dp_arq_client import fault

ARQS = '/v2/accelerator_requests'
DPS = '/v2/device_profiles'


conductor = pytest.fixture(scope='module')(dp_arq_client.shared_conductor)


@pytest.fixture(params=['legacy', 'new-defaults'])
def api(request, conductor):
    service = dp_arq_client.Service(legacy=request.param == 'legacy',
                                    shared_conductor=True)
    client = service.start()
    client.service = service
    yield client
    service.stop()


def _arq_uuids(api, persona='reader', query=''):
    resp = api.request('GET', ARQS + query, persona=persona)
    assert resp.status_code == 200, resp.text
    return [a['uuid'] for a in resp.json()['arqs']]


def test_arq_create(api):
    dp = api.create_dp()
    resp = api.request('POST', ARQS, persona='member',
                       body={'device_profile_name': dp['name']})
    assert resp.status_code == 201
    arqs = resp.json()['arqs']
    assert arqs[0]['device_profile_name'] == dp['name']
    resp = api.request('DELETE', ARQS + '?arqs=' + arqs[0]['uuid'],
                       persona='member')
    assert resp.status_code == 204


def test_arq_list_get_delete(api):
    dp = api.create_dp()
    resp = api.request('POST', ARQS, persona='member',
                       body={'device_profile_name': dp['name']})
    arq = resp.json()['arqs'][0]
    assert arq['uuid'] in _arq_uuids(api)
    shown = api.request('GET', ARQS + '/' + arq['uuid'], persona='reader')
    assert shown.status_code == 200
    assert shown.json()['uuid'] == arq['uuid']
    assert shown.json()['device_profile_name'] == dp['name']
    resp = api.request('DELETE', ARQS + '?arqs=' + arq['uuid'],
                       persona='member')
    assert resp.status_code == 204
    assert arq['uuid'] not in _arq_uuids(api)


@pytest.mark.parametrize('name', ['', 'fake_dp', '!@#$%^&*()=-[]'])
def test_arq_create_unknown_profile(api, name):
    resp = api.request('POST', ARQS, persona='member',
                       body={'device_profile_name': name})
    assert resp.status_code == 404
    assert fault(resp) == 'Device Profile not found with name=%s' % name


def test_arq_negative_show_and_delete(api):
    random = str(uuid.uuid4())
    assert api.request('GET', ARQS + '/' + random,
                       persona='reader').status_code == 404
    assert api.request('DELETE', ARQS + '?arqs=' + random,
                       persona='member').status_code == 404


def test_device_profile_lifecycle(api):
    created = api.create_dp(name='tempest-dp', description='desc',
                            groups=[{'resources:FPGA': '1',
                                     'trait:CUSTOM_FPGA_1': 'required'}])
    assert created['name'] == 'tempest-dp'
    assert created['description'] == 'desc'
    assert created['groups'] == [{'resources:FPGA': '1',
                                  'trait:CUSTOM_FPGA_1': 'required'}]
    a, b = api.create_dp()['name'], api.create_dp()['name']
    resp = api.request('DELETE', DPS + '?value=%s,%s' % (a, b))
    assert resp.status_code == 204
    names = [p['name'] for p in api.request(
        'GET', DPS, persona='reader').json()['device_profiles']]
    assert 'tempest-dp' in names and a not in names and b not in names
    shown = api.request('GET', DPS + '/' + created['uuid'], persona='reader')
    assert shown.json()['device_profile']['name'] == 'tempest-dp'
    assert shown.json()['device_profile']['uuid'] == created['uuid']
    resp = api.request('DELETE', DPS + '/' + created['uuid'])
    assert resp.status_code == 204
    other = api.create_dp()
    assert api.request('DELETE', DPS + '/' + other['name']).status_code \
        == 204
    uuids = [p['uuid'] for p in api.request(
        'GET', DPS, persona='reader').json()['device_profiles']]
    assert created['uuid'] not in uuids and other['uuid'] not in uuids


def test_device_profile_negative(api):
    random = str(uuid.uuid4())
    assert api.request('GET', DPS + '/' + random,
                       persona='reader').status_code == 404
    assert api.request('DELETE', DPS + '/' + random).status_code == 404
    assert api.request('DELETE', DPS + '?value=fake1,fake2').status_code \
        == 404
    assert api.request('DELETE', DPS + '/').status_code == 400
    existing = api.create_dp()
    body = [{'name': 'other', 'uuid': existing['uuid'],
             'groups': [{'resources:GPU': '1'}]}]
    assert api.request('POST', DPS, body=body).status_code == 500
    body = [{'name': existing['name'], 'groups': [{'resources:GPU': '1'}]}]
    assert api.request('POST', DPS, body=body).status_code == 409
    body = [{'name': '', 'groups': [{'resources:GPU': '1'}]}]
    assert api.request('POST', DPS, body=body).status_code == 500
    body = [{'name': 'a' * 256, 'groups': [{'resources:GPU': '1'}]}]
    resp = api.request('POST', DPS, body=body)
    assert resp.status_code == 500
    assert 'longer than 255' in fault(resp)


def test_srbac(api):
    if api.legacy:
        pytest.skip('the srbac tests run in the new-defaults job only')
    dp = api.create_dp()
    resp = api.request('POST', ARQS, persona='service',
                       body={'device_profile_name': dp['name']})
    assert resp.status_code == 201
    arq = resp.json()['arqs'][0]['uuid']
    assert api.request('DELETE', ARQS + '?arqs=' + arq,
                       persona='service').status_code == 204
    assert api.request('GET', ARQS).status_code == 200
    assert api.request('POST', ARQS, body={
        'device_profile_name': dp['name']}).status_code == 201
    assert api.request('GET', DPS, persona='reader').status_code == 200
    assert api.request('GET', ARQS, persona='reader').status_code == 200


@pytest.mark.parametrize('path', [DPS, ARQS])
def test_system_scope_is_rejected(api, path):
    resp = api.request('GET', path, persona='system_admin')
    assert resp.status_code == 403


def _bound_instance(api):
    session = api.service.database.session()
    try:
        gabbi_fixtures.add_inventory(session)
    finally:
        session.close()
    dp = api.create_dp(groups=[{'resources:PGPU': '1'}])
    arq = api.request('POST', ARQS, body={
        'device_profile_name': dp['name']}).json()['arqs'][0]
    instance = str(uuid.uuid4())
    rp = gabbi_fixtures.INVENTORY[0][0]
    patch = {arq['uuid']: [
        {'op': 'add', 'path': '/hostname', 'value': 'compute-07'},
        {'op': 'add', 'path': '/device_rp_uuid', 'value': rp},
        {'op': 'add', 'path': '/instance_uuid', 'value': instance}]}
    resp = api.request('PATCH', ARQS, body=patch, service_token=True)
    assert resp.status_code == 202, resp.text
    return instance


def test_scenario_service_token_ops(api):
    instance = _bound_instance(api)
    assert _arq_uuids(api, 'admin', '?instance=' + instance)
    resp = api.request('DELETE', ARQS + '?instance=' + instance)
    assert resp.status_code == 403
    assert 'requires a service token' in fault(resp).lower()
    resp = api.request('DELETE', ARQS + '?instance=' + instance,
                       service_token=True)
    assert resp.status_code == 204
    assert _arq_uuids(api, 'admin', '?instance=' + instance) == []


def test_scenario_pci_resolved_poll(api):
    instance = _bound_instance(api)
    resp = api.request('GET', ARQS + '?instance=%s&bind_state=resolved'
                       % instance)
    assert resp.status_code == 200
    arq = resp.json()['arqs'][0]
    assert arq['attach_handle_type'] == 'PCI'
    assert arq['instance_uuid'] == instance
    assert {'domain', 'bus', 'device', 'function'} <= set(
        arq['attach_handle_info'])
