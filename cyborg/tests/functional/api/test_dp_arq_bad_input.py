"""Bad input to the device-profile and ARQ endpoints: the documented 4xx
(or the asserted 500s of Q3/Q4), nothing stored, never a traceback."""
import json
from urllib import parse

import pytest
import sqlalchemy as sa

from cyborg.tests.functional.api import dp_arq_client
from cyborg.tests.functional.api.dp_arq_client import fault

DPS = '/v2/device_profiles'
ARQS = '/v2/accelerator_requests'
conductor = pytest.fixture(scope='module')(dp_arq_client.shared_conductor)


@pytest.fixture
def api(conductor):
    service = dp_arq_client.Service(shared_conductor=True)
    client = service.start()
    client.service = service
    yield client
    service.stop()


def _counts(api):
    with api.service.database.engine.connect() as conn:
        return tuple(conn.execute(sa.text(
            'SELECT COUNT(*) FROM %s' % t)).scalar()
            for t in ('device_profiles', 'extended_accelerator_requests'))


def _check(resp, status, message=None):
    assert resp.status_code == status, resp.text
    text = fault(resp)
    assert 'Traceback' not in text and 'File "' not in text
    if message is not None:
        assert text == message


G = [{'resources:GPU': '1'}]
DP_CASES = [
    ('not json', None, 400, 'Request is not in valid JSON format'),
    ({}, None, 400, 'Only one device profile allowed per POST request for '
                    'now.'),
    ({'a': 1}, None, 400, None),
    ([], None, 400, None),
    ([{'name': 'a', 'groups': G}] * 2, None, 400, None),
    (['x'], None, 400, None),
    ([{'groups': G}], None, 400, 'Missing argument: "name"'),
    ([{'name': 'a'}], None, 400, 'Missing argument: "groups"'),
    ([{'name': None, 'groups': G}], None, 400,
     'Device profile name must be of the form ^[a-zA-Z0-9-_]+$'),
    ([{'name': '', 'groups': G}], None, 500, 'DeviceProfile name needed.'),
    ([{'name': 'gpu\n', 'groups': G}], None, 400,
     'Device profile name must be of the form ^[a-zA-Z0-9-_]+$'),
    ([{'name': 5, 'groups': G}], None, 400, None),
    ([{'name': "x'; DROP TABLE device_profiles;--", 'groups': G}], None,
     400, 'Device profile name must be of the form ^[a-zA-Z0-9-_]+$'),
    ([{'name': 'a', 'groups': None}], None, 400,
     'Device profile groups must be an array of objects.'),
    ([{'name': 'a', 'groups': []}], None, 400,
     'DeviceProfile needs groups field.'),
    ([{'name': 'a', 'groups': 'x'}], None, 400, None),
    ([{'name': 'a', 'groups': [[]]}], None, 400, None),
    ([{'name': 'a', 'groups': [{'foo': '1'}]}], None, 400,
     'Device profile group keys must be of the form '
     '^(resources:|trait:|accel:)'),
    ([{'name': 'a', 'groups': [{'trait:FOO': 'required'}]}], None, 400,
     'Unsupported trait name format FOO, should start with CUSTOM_'),
    ([{'name': 'a', 'groups': [{'trait:CUSTOM_A': 'preferred'}]}], None,
     400, "Unsupported trait value preferred, the value must be one among "
          "['required', 'forbidden']"),
    ([{'name': 'a', 'groups': [{'resources:PCI': '1'}]}], None, 400,
     'Unsupported resource class PCI'),
    ([{'name': 'a', 'groups': [{'resources:GPU': 'one'}]}], None, 400,
     'Resources number one is invalid'),
    ([{'name': 'a', 'groups': [{'resources:GPU': '1.5'}]}], None, 400,
     'Resources number 1.5 is invalid'),
    ([{'name': 'a', 'groups': [{'resources:GPU': None}]}], None, 400, None),
    ([{'name': 'a', 'groups': [{'accel:x': {'a': 1}}]}], None, 400,
     'A string is required in field groups[0][accel:x], not a dict'),
    ([{'name': 'a', 'groups': G, 'description': [1]}], None, 400, None),
    ([{'name': 'a', 'groups': G, 'uuid': 'not-a-uuid'}], None, 400,
     'Expected a uuid but received not-a-uuid.'),
    ([{'name': 'a', 'groups': G}], 'text/plain', 415,
     'Unknown mimetype: text/plain'),
]


@pytest.mark.parametrize('body,ctype,status,message', DP_CASES)
def test_dp_create_rejected(api, body, ctype, status, message):
    before = _counts(api)
    raw = body if isinstance(body, str) else json.dumps(body)
    headers = {'Content-Type': ctype} if ctype else None
    resp = api.request('POST', DPS, raw=raw, headers=headers)
    _check(resp, status, message)
    assert _counts(api) == before


def test_dp_create_forbidden_before_parsing(api):
    resp = api.request('POST', DPS, persona='member', raw='not json')
    if not api.legacy:
        _check(resp, 403, 'Access was denied to the following resource: '
                          'cyborg:device_profile:create')


def test_huge_bodies_are_413(api):
    big = json.dumps([{'name': 'a', 'groups': G,
                       'description': 'x' * (2 * 1024 * 1024)}])
    before = _counts(api)
    _check(api.request('POST', DPS, raw=big), 413)
    _check(api.request('POST', ARQS, raw=big), 413)
    _check(api.request('PATCH', ARQS, raw=big, service_token=True), 413)
    assert _counts(api) == before


def test_sql_metacharacters_are_plain_data(api):
    api.create_dp(name='keep')
    for name in ("keep' OR '1'='1", 'keep%', 'k_ep', 'keep;--'):
        resp = api.request('GET', DPS + '?name=' + parse.quote(name))
        assert resp.json()['device_profiles'] == []
        resp = api.request('POST', ARQS, body={'device_profile_name': name})
        _check(resp, 404, 'Device Profile not found with name=%s' % name)
        resp = api.request('DELETE', DPS + '?value=' + parse.quote(name))
        assert resp.status_code == 404
    assert _counts(api) == (1, 0)


ARQ_CREATE_CASES = [
    ('[1]', 400), ('"x"', 400), ('{}', 400), ('{"device_profile_name": 3}',
                                              400),
    ('{"device_profile_name": null}', 400), ('{bad', 400), ('', 400),
]


@pytest.mark.parametrize('raw,status', ARQ_CREATE_CASES)
def test_arq_create_rejected(api, raw, status):
    api.create_dp(name='dp1')
    resp = api.request('POST', ARQS, raw=raw)
    _check(resp, status)
    assert _counts(api) == (1, 0)


PATCH_CASES = [
    '[]', '{}', '{"u": []}', '{"u": {}}', '{"u": ["x"]}',
    '{"u": [{"op": "add", "path": "/hostname"}]}',
    '{"u": [{"op": "add", "path": 5, "value": "x"}]}',
    '{"u": [{"op": "add", "path": "/hostname", "value": {"a": 1}}]}',
    '{"u": [{"op": "test", "path": "/hostname", "value": "x"}]}',
]


@pytest.mark.parametrize('raw', PATCH_CASES)
def test_patch_rejected(api, raw):
    resp = api.request('PATCH', ARQS, raw=raw, service_token=True)
    _check(resp, 400)


@pytest.mark.parametrize('path', [
    ARQS + '/not-a-uuid', ARQS + '?instance=1%27%20OR%201=1',
    ARQS + '?foo=1', DPS + '/x?foo=1'])
def test_bad_ids_and_params(api, path):
    _check(api.request('GET', path), 400)


def test_arq_delete_of_a_non_uuid_is_404(api):
    _check(api.request('DELETE', ARQS + '?arqs=abc'), 404,
           'ExtArq not found with uuid=abc')


def test_dp_in_use_is_409(api):
    dp = api.create_dp(name='used')
    assert api.request('POST', ARQS, body={
        'device_profile_name': 'used'}).status_code == 201
    _check(api.request('DELETE', DPS + '/' + dp['uuid']), 409,
           'Device profile used is used by accelerator requests and cannot '
           'be deleted.')
    assert _counts(api) == (1, 1)
