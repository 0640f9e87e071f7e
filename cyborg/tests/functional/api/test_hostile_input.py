"""Issue 12's classes of client mistakes, on SQLite, MariaDB and
PostgreSQL: each is a 400 in the contract's shape before any database
work (so no driver error can turn it into a 500), nothing is stored, and
the three 500s the upstream Tempest plugin asserts (decisions.md Q3/Q4)
stay 500s with a clear faultstring.
"""
import json
import uuid

import pytest
import sqlalchemy as sa
import webob

from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services
from cyborg.tests.functional.bind import env
from cyborg.tests.functional.bind import test_concurrency

A = '/v2/accelerator_requests'
DPS = '/v2/device_profiles'
G = [{'resources:GPU': '1'}]
NAME_RULE = 'Device profile name must be of the form ^[a-zA-Z0-9-_]+$'


@pytest.fixture(scope='module', params=['sqlite', 'mysql', 'postgresql'])
def backend(request):
    """One database per backend for the module (tests compare counts
    before and after, and use their own names)."""
    env.init_conf()
    if request.param == 'sqlite':
        with database.Database() as db:
            yield db.session
    else:
        with test_concurrency.ServerDatabase(request.param) as db:
            yield db.session


@pytest.fixture(scope='module')
def api(backend):
    with services.Conductor():
        app = services.api_app()

        def call(method, path, body=None, raw=None):
            if raw is None:
                return env.api_call(app, method, path, body)
            req = webob.Request.blank(path, method=method,
                                      headers=dict(env.SERVICE))
            req.body = raw
            req.content_type = 'application/json'
            req.accept = 'application/json'
            return req.get_response(app)

        call.session = backend
        try:
            yield call
        finally:
            env.clear_api_conf()


def _fault(resp):
    inner = json.loads(resp.json['error_message'])
    assert inner['debuginfo'] is None
    assert inner['faultcode'] == ('Server' if resp.status_int >= 500
                                  else 'Client')
    return inner['faultstring']


def _counts(api):
    with api.session() as s:
        return tuple(s.scalar(sa.select(sa.func.count()).select_from(t))
                     for t in (models.DeviceProfile, models.ExtArq))


def _dp(**item):
    return [dict({'name': 'hostile', 'groups': G}, **item)]


PROFILE_400S = [
    (_dp(name=None), NAME_RULE),
    (_dp(groups=None), 'Device profile groups must be an array of objects.'),
    (_dp(groups=[]), 'DeviceProfile needs groups field.'),
    (_dp(groups=[{'resources:GPU': '1.5'}]), 'Resources number 1.5 is '
                                             'invalid'),
    (_dp(groups=[{'resources:GPU': 1.5}]), 'Resources number 1.5 is '
                                           'invalid'),
    (_dp(groups=[{'resources:GPU': '9' * 5000}]), None),
    (_dp(groups=[{'resources:GPU': '0'}]), 'Resources number 0 is invalid'),
    (_dp(name='gpu\n'), NAME_RULE),
    (_dp(groups=[{'trait:CUSTOM_A\u0000': 'required'}]), None),
    (_dp(groups=[{'accel:x': 'a\u0000b'}]), None),
    (_dp(description='nul \u0000'), None),
]


@pytest.mark.parametrize('body, message', PROFILE_400S)
def test_profile_mistakes_are_400(api, body, message):
    before = _counts(api)
    resp = api('POST', DPS, body)
    assert resp.status_int == 400, resp.text
    if message is not None:
        assert _fault(resp) == message
    else:
        _fault(resp)
    assert _counts(api) == before


@pytest.mark.parametrize('raw', [
    b'[{"name": "hostile", "groups": [{"accel:x": "\\ud800"}]}]',
    b'[{"name": "hostile", "description": "\\udfff", "groups": [{}]}]',
    b'[{"name": "hostile", "groups": [{"accel:x": "\xed\xa0\x80"}]}]',
    b'[{"name": "hostile", "groups": [{"resources:GPU": NaN}]}]',
    b'[{"name": "hostile", "groups": [{"accel:x": Infinity}]}]',
    b'[{"name": "hostile", "description": -Infinity, "groups": [{}]}]',
    b'[{"name": "hostile", "groups": [{"resources:GPU": 1e400}]}]',
    b'{"device_profile_name": "\\ud800"}',
])
def test_unstorable_text_and_numbers_are_400(api, raw):
    before = _counts(api)
    path = A if raw.startswith(b'{') else DPS
    resp = api('POST', path, raw=raw)
    assert resp.status_int == 400, resp.text
    _fault(resp)
    assert _counts(api) == before


@pytest.mark.parametrize('count, message', [
    ('1.5', 'Device profile group 0 has a non-integer value 1.5 for '
            'resources:FPGA.'),
    ('9' * 5000, None),
])
def test_profiles_stored_before_validation_refuse_arqs_with_400(
        api, count, message):
    """A profile stored by an older release (or upstream) with a count
    that is not a whole number: every ARQ create from it is a 400 naming
    the value, never a 500, and nothing is created."""
    name = 'old-' + uuid.uuid4().hex[:8]
    with api.session() as s:
        s.add(models.DeviceProfile(
            uuid=str(uuid.uuid4()), name=name, profile_json=json.dumps(
                {'groups': [{'resources:FPGA': count}]})))
        s.commit()
    before = _counts(api)
    resp = api('POST', A, {'device_profile_name': name})
    assert resp.status_int == 400, resp.text
    text = _fault(resp)
    if message is not None:
        assert text == message
    else:
        assert text.startswith('Device profile group 0 asks for 999')
        assert text.endswith('at most 1000 accelerator requests can be '
                             'created at once.')
    assert _counts(api) == before


def test_trailing_newline_cannot_sit_beside_the_name(api):
    assert api('POST', DPS, _dp(name='gpu')).status_int == 201
    assert api('POST', DPS, _dp(name='gpu\n')).status_int == 400
    assert api('GET', DPS + '?name=gpu%0a').status_int == 400
    assert [p['name'] for p in api('GET', DPS).json['device_profiles']
            if p['name'].startswith('gpu')] == ['gpu']


def test_the_tempest_500s_stay(api):
    created = api('POST', DPS, _dp(name='taken')).json
    before = _counts(api)
    for body, text in (
            (_dp(name=''), 'DeviceProfile name needed.'),
            (_dp(name='n' * 256), 'DeviceProfile name is longer than 255 '
                                  'characters and cannot be stored.'),
            (_dp(name='other', uuid=created['uuid']),
             'DeviceProfile with uuid %s already exists.' % created['uuid'])):
        resp = api('POST', DPS, body)
        assert resp.status_int == 500, resp.text
        assert _fault(resp) == text
    assert _counts(api) == before


def _bind(arq, **values):
    fields = dict({'hostname': 'compute-1',
                   'device_rp_uuid': str(uuid.uuid4()),
                   'instance_uuid': str(uuid.uuid4())}, **values)
    return {arq: [{'op': 'add', 'path': '/' + k, 'value': v}
                  for k, v in fields.items()]}


@pytest.mark.parametrize('values', [
    {'instance_uuid': str(uuid.uuid4()) + '\u0000'},
    {'instance_uuid': '\u0000'},
    {'instance_uuid': float('nan')},
    {'device_rp_uuid': 'not-a-uuid'},
    {'hostname': 'compute\u00001'},
    {'hostname': 'compute-1\n'},
])
def test_bind_values_that_name_nothing_are_400(api, values):
    name = 'one-' + uuid.uuid4().hex[:8]
    assert api('POST', DPS, _dp(name=name)).status_int == 201
    arq = api('POST', A, {'device_profile_name': name}).json['arqs'][0]
    body = _bind(arq['uuid'], **values)
    raw = json.dumps(body, allow_nan=True).encode()
    resp = api('PATCH', A, raw=raw)
    assert resp.status_int == 400, resp.text
    _fault(resp)
    shown = api('GET', A + '/' + arq['uuid']).json
    assert shown['state'] == 'Initial' and shown['instance_uuid'] is None


@pytest.mark.parametrize('path', [
    A + '?instance=%00', A + '?instance=' + str(uuid.uuid4()) + '%00',
    DPS + '?name=a%00b', DPS + '/a%00b', '/v2/devices/%00',
    '/v2/devices?hostname=%00', '/v2/attributes?key=%00',
    '/v2/deployables?filters.field=name&filters.value=%00',
])
def test_nul_in_path_or_query_is_400(api, path):
    resp = api('GET', path)
    assert resp.status_int == 400, resp.text
    assert 'control character U+0000' in _fault(resp)
    resp = api('DELETE', DPS + '?value=a%00b')
    assert resp.status_int == 400


@pytest.mark.parametrize('path', ['/program\n', '/program\x00', '/',
                                  '', '//program', '/pro gram', '/id',
                                  '/uuid/x'])
def test_program_with_a_malformed_path_is_400_before_glance(api, path):
    """Validation fails before the deployable is even looked up (its
    uuid here is unknown: a 404 would mean validation passed)."""
    body = [{'op': 'replace', 'path': path,
             'value': [{'image_uuid': str(uuid.uuid4())}]}]
    resp = api('PATCH', '/v2/deployables/%s/program' % uuid.uuid4(), body)
    assert resp.status_int == 400, resp.text
    _fault(resp)
