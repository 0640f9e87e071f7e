"""Absurd input never leaks internals (decisions.md D2, api.md §2.4, §3).

Deeply nested JSON, huge names, NUL bytes, lone surrogates, bytes that are
not UTF-8, huge and repeated query parameters: always a 4xx (or a 5xx
naming its cause) in the contract's error shape, never a traceback, a file
path or SQL text (``conformance_client.check_clean`` runs on every
response).
"""

import pytest

from cyborg.tests.functional.api import conformance_client as cc
from cyborg.tests.functional.api import inventory_fixtures as inv
from cyborg.tests.functional.api.conformance_client import A
from cyborg.tests.functional.api.conformance_client import api_fixture  # noqa: F401,E501
from cyborg.tests.functional.api.conformance_client import DPS
from cyborg.tests.functional.api.conformance_client import fault

DEEP_ARRAY = b'[' * 10000 + b']' * 10000
DEEP_OBJECT = b'{"a":' * 10000 + b'1' + b'}' * 10000
PROGRAM = '/v2/deployables/%s/program' % inv.FPGA_DEP
BODY_PATHS = [
    ('POST', DPS), ('POST', A), ('PATCH', A), ('PATCH', A + '/x'),
    ('POST', '/v2/attributes'), ('PATCH', PROGRAM),
    ('POST', '/v2/devices/%s/enable' % inv.GPU),
    ('POST', '/v2/devices/%s/disable' % inv.GPU),
]


@pytest.mark.parametrize('method, path', BODY_PATHS)
@pytest.mark.parametrize('raw', [DEEP_ARRAY, DEEP_OBJECT],
                         ids=['array', 'object'])
def test_deeply_nested_json_is_400(api, method, path, raw):
    """10,000 levels: 400 malformed JSON, not an escaped RecursionError."""
    resp = api(method, path, raw=raw)
    assert resp.status_int == 400, resp.body
    assert fault(resp) == 'Request is not in valid JSON format'
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


def test_deep_json_for_a_caller_without_permission_is_403(api):
    """Policy comes before the body (§6.1), even for an absurd body."""
    resp = api('POST', DPS, raw=DEEP_ARRAY, roles='reader')
    assert resp.status_int == 403
    assert fault(resp) == ('Access was denied to the following resource: '
                           'cyborg:device_profile:create')


def test_body_over_the_size_limit_is_413(api):
    resp = api('POST', DPS, raw=b'[' + b'1,' * 600000 + b'1]')
    assert resp.status_int == 413
    assert fault(resp)


def test_100kb_profile_name(api):
    """Longer than 255: Tempest's 500 (Q4), with a faultstring."""
    resp = api('POST', DPS, [{'name': 'n' * 100000, 'groups': [{}]}])
    assert resp.status_int == 500
    assert 'longer than 255' in fault(resp)


def test_100kb_device_profile_name_lookups(api):
    resp = api('GET', DPS + '/' + 'a' * 100000, version='2.2')
    assert resp.status_int == 404
    resp = api('POST', A, {'device_profile_name': 'x' * 100000})
    assert resp.status_int == 404
    resp = api('GET', DPS + '?name=' + 'a' * 100000)
    assert resp.status_int == 200 and resp.data == {'device_profiles': []}


@pytest.mark.parametrize('name', ['nul\u0000x', '\u00e9t\u00e9', '\u2603',
                                  'a b', 'x;DROP', "x'--", '../x', '%00'])
def test_profile_names_outside_the_pattern_are_400(api, name):
    resp = api('POST', DPS, [{'name': name, 'groups': [{}]}])
    assert resp.status_int == 400
    assert fault(resp) == ('Device profile name must be of the form '
                           '^[a-zA-Z0-9-_]+$')


def test_nul_and_unicode_in_free_text_round_trip(api):
    body = [{'name': 'robust-unicode', 'description': 'a\u0000b \u2603 '
             '\U0001F600', 'groups': [{'accel:k\u0000': 'v\u0000\u00e9'}]}]
    resp = api('POST', DPS, body)
    assert resp.status_int == 201, resp.body
    assert resp.data['description'] == body[0]['description']
    assert resp.data['groups'] == body[0]['groups']
    listed = api('GET', DPS + '?name=robust-unicode').data
    assert listed['device_profiles'][0]['groups'] == body[0]['groups']


@pytest.mark.parametrize('raw', [
    b'[{"name": "lone-sur", "description": "\\ud800", "groups": [{}]}]',
    b'[{"name": "lone-sur", "groups": [{"accel:x": "\\udfff"}]}]',
    b'[{"name": "lone-sur", "groups": [{"accel:\\uDBFF": "v"}]}]',
])
def test_lone_surrogates_are_400(api, raw):
    """Not storable text: 400, not a database encoding error."""
    resp = api('POST', DPS, raw=raw)
    assert resp.status_int == 400, resp.body
    assert fault(resp) == 'Request is not in valid JSON format'
    assert api('GET', DPS + '?name=lone-sur').data == {'device_profiles': []}


def test_lone_surrogate_in_arq_and_attribute_bodies(api):
    resp = api('POST', A, raw=b'{"device_profile_name": "\\ud800"}')
    assert resp.status_int == 400
    resp = api('POST', '/v2/attributes',
               raw=b'{"deployable_id": 1, "key": "\\ud800", "value": "v"}')
    assert resp.status_int == 400


@pytest.mark.parametrize('raw', [b'[{"name": "\xff"}]', b'\x00\x00',
                                 b'\xfe\xff\x00[', b'\xc3('])
def test_body_bytes_that_are_not_utf8_json(api, raw):
    resp = api('POST', DPS, raw=raw)
    assert resp.status_int == 400
    assert fault(resp) == 'Request is not in valid JSON format'


@pytest.mark.parametrize('path', [
    '/v2/devices?vendor=%ff%fe', A + '?instance=%ff', DPS + '?name=%c3',
    '/v2/devices/%ff', DPS + '/%ff', '/%ff', '/v2/%ff/x',
])
def test_path_or_query_not_utf8_is_a_wrapped_400(api, path):
    """Rejected before the router, still in the §3.3 wrapped shape."""
    resp = api('GET', path)
    assert resp.status_int == 400
    assert resp.content_type == 'application/json'
    doc = cc.inner(resp)
    assert doc['code'] == 400 and doc['title'] == 'Bad Request'


def test_not_utf8_plain_text_variant(api):
    resp = api('GET', '/v2/devices/%ff', accept=None)
    assert resp.status_int == 400
    assert resp.data['error_message'].startswith('400 Bad Request')


@pytest.mark.parametrize('path, status', [
    ('/v2/devices/%00', 404), (DPS + '/%00', 406), (A + '/%00', 400),
    ('/v2/deployables/%00', 400), ('/v2/attributes/%00', 400),
    ('/v2/devices?type=%00', 200), (A + '?instance=%00', 400),
])
def test_nul_in_path_and_query(api, path, status):
    assert api('GET', path).status_int == status


@pytest.mark.parametrize('value', ['99999999999999999999999999',
                                   '-99999999999999999999999999'])
def test_integers_beyond_64_bits_in_queries(api, value):
    """Beyond any stored id or row count: no match / no limit, not 500."""
    resp = api('GET', '/v2/attributes?deployable_id=' + value)
    assert resp.status_int == 200 and resp.data == {'attributes': []}
    resp = api('GET', '/v2/devices?filters.field=limit&filters.value=' +
               value)
    if value.startswith('-'):
        assert resp.status_int == 400
    else:
        assert resp.status_int == 200 and len(resp.data['devices']) == 2


def test_integer_beyond_64_bits_in_attribute_create(api):
    resp = api('POST', '/v2/attributes', {
        'deployable_id': 10 ** 30, 'key': 'k', 'value': 'v'})
    assert resp.status_int == 404
    assert fault(resp) == 'Deployable not found with id=%d' % 10 ** 30
