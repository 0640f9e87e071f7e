"""Absurd input never leaks internals (decisions.md D2, api.md §2.4, §3).

Deeply nested JSON, huge names, NUL bytes, lone surrogates, bytes that are
not UTF-8, huge and repeated query parameters: always a 4xx (or a 5xx
naming its cause) in the contract's error shape, never a traceback, a file
path or SQL text (``conformance_client.check_clean`` runs on every
response).
"""
import json
import logging

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


@pytest.mark.parametrize('method, path', BODY_PATHS)
@pytest.mark.parametrize('depth', [500, 900, 990])
def test_nesting_just_below_the_limit_is_a_clean_4xx(api, method, path,
                                                     depth):
    """Bodies Python can still decode are shape errors, not 500s."""
    resp = api(method, path, raw=b'[' * depth + b']' * depth)
    assert 400 <= resp.status_int < 500, resp.body
    resp = api(method, path, raw=b'{"a":' * depth + b'1' + b'}' * depth)
    assert 400 <= resp.status_int < 500, resp.body


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
    assert resp.status_int == 400       # longer than any stored name
    resp = api('POST', A, {'device_profile_name': 'x' * 255})
    assert resp.status_int == 404
    resp = api('GET', DPS + '?name=' + 'a' * 100000)
    assert resp.status_int == 200 and resp.data == {'device_profiles': []}


@pytest.mark.parametrize('name', ['\u00e9t\u00e9', '\u2603', 'gpu\n',
                                  'a b', 'x;DROP', "x'--", '../x', '%00'])
def test_profile_names_outside_the_pattern_are_400(api, name):
    resp = api('POST', DPS, [{'name': name, 'groups': [{}]}])
    assert resp.status_int == 400
    assert fault(resp) == ('Device profile name must be of the form '
                           '^[a-zA-Z0-9-_]+$')


@pytest.mark.parametrize('item', [
    {'name': 'nul\u0000x'}, {'description': 'a\u0000b'},
    {'groups': [{'accel:k\u0000': 'v'}]}, {'groups': [{'accel:k': '\x1b'}]},
    {'groups': [{'trait:CUSTOM_A\u0000': 'required'}]},
])
def test_control_characters_are_400(api, item):
    """Issue 12: NUL and other control characters are never stored."""
    body = [dict({'name': 'ctl', 'groups': [{}]}, **item)]
    resp = api('POST', DPS, body)
    assert resp.status_int == 400, resp.body
    assert 'control character U+00' in fault(resp)
    assert api('GET', DPS + '?name=ctl').data == {'device_profiles': []}


def test_unicode_in_free_text_round_trip(api):
    body = [{'name': 'robust-unicode', 'description': 'a\tb\n \u2603 '
             '\U0001F600', 'groups': [{'accel:k\u00e9': 'v\u00e9'}]}]
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
    assert 'unpaired UTF-16 surrogate' in fault(resp)
    assert api('GET', DPS + '?name=lone-sur').data == {'device_profiles': []}


@pytest.mark.parametrize('raw', [
    b'[{"name": "cesu", "groups": [{"accel:x": "\xed\xa0\x80"}]}]',
    '[{"name": "utf16", "groups": [{}]}]'.encode('utf-16'),
])
def test_body_bytes_that_json_takes_but_utf8_does_not(api, raw):
    """Python's json decodes bytes as UTF-16/32 and with surrogatepass
    (CESU-8 surrogates); the API takes UTF-8 only."""
    resp = api('POST', DPS, raw=raw)
    assert resp.status_int == 400, resp.body
    assert fault(resp) == 'Request is not in valid JSON format'


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
def test_path_or_query_not_utf8_is_a_wrapped_400(api, path, caplog):
    """Rejected before the router, still in the §3.3 wrapped shape; the
    log has one INFO line for it, no ERROR and no traceback (a client's
    mistake)."""
    with caplog.at_level(logging.INFO):
        resp = api('GET', path)
    assert resp.status_int == 400
    assert resp.content_type == 'application/json'
    doc = cc.inner(resp)
    assert doc['code'] == 400 and doc['title'] == 'Bad Request'
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING
                or r.exc_info], [r.getMessage() for r in caplog.records]
    assert any(r.levelno == logging.INFO and 'not UTF-8' in r.getMessage()
               for r in caplog.records), caplog.records


def test_not_utf8_plain_text_variant(api):
    resp = api('GET', '/v2/devices/%ff', accept=None)
    assert resp.status_int == 400
    assert resp.data['error_message'].startswith('400 Bad Request')


@pytest.mark.parametrize('path', [
    '/v2/devices/%00', DPS + '/%00', A + '/%00', '/v2/deployables/%00',
    '/v2/attributes/%00', '/v2/devices?type=%00', A + '?instance=%00',
    DPS + '?name=a%0a', '/v2/devices?filters.field=name&filters.value=%1b',
    '/v2/attributes?key=%7f', DPS + '/gpu%0a',
])
def test_control_characters_in_path_and_query(api, path):
    """Nothing can store or match them (PostgreSQL refuses a NUL in any
    text): a 400 before any database work, on every endpoint."""
    resp = api('GET', path, version='2.2')
    assert resp.status_int == 400
    assert 'control character U+00' in fault(resp)


def test_huge_query_strings(api):
    resp = api('GET', '/v2/devices?type=' + 'x' * 200000)
    assert resp.status_int == 200 and resp.data == {'devices': []}
    resp = api('GET', DPS + '?name=' + 'a,' * 50000)
    assert resp.data == {'device_profiles': []}
    resp = api('GET', '/v2/devices?' + '&'.join(
        'filters.field=limit&filters.value=1' for _ in range(5000)))
    assert resp.status_int == 200 and len(resp.data['devices']) == 1
    resp = api('GET', '/v2/devices?' + '&'.join(
        'p%d=1' % i for i in range(5000)))
    assert resp.status_int == 400
    assert fault(resp) == 'Unknown argument: "p0"'


def test_huge_delete_lists(api):
    zero = '00000000-0000-0000-0000-000000000000'
    resp = api('DELETE', A + '?arqs=' + ','.join([zero] * 20000))
    assert resp.status_int == 404
    assert fault(resp) == 'ExtArq not found with uuid=%s' % zero
    resp = api('DELETE', DPS + '?value=' + ','.join(
        'n%d' % i for i in range(20000)))
    assert resp.status_int == 404
    assert fault(resp) == 'Device Profile not found with name=n0'


@pytest.mark.parametrize('path, value', [
    (DPS + '?name=nope&name=gpu-t4-pair', ['gpu-t4-pair']),
    (DPS + '?name=gpu-t4-pair&name=nope', []),
])
def test_repeated_query_parameter_last_one_wins(api, path, value):
    """webob (and so upstream's WSME) reads the last of repeated params."""
    names = [p['name'] for p in api('GET', path).data['device_profiles']]
    assert names == value


def test_repeated_instance_parameter(api):
    bound = gabbi_instance = '0b9b5d8e-7c1a-4f5e-9a64-3c2f8e1d0a77'
    resp = api('GET', A + '?instance=abc&instance=' + bound)
    assert resp.status_int == 200
    assert all(a['instance_uuid'] == gabbi_instance
               for a in resp.data['arqs'])
    resp = api('GET', A + '?instance=%s&instance=abc' % bound)
    assert resp.status_int == 400
    assert fault(resp).startswith(
        "Invalid input for field/attribute instance. Value: 'abc'.")


@pytest.mark.parametrize('value', ['1' * 100000, '2.' + '1' * 5000,
                                   'accelerator ' + '9' * 5000 + '.0'])
def test_absurd_microversion_header(api, value):
    resp = api('GET', DPS, headers={'OpenStack-API-Version': value})
    assert resp.status_int == 406
    assert 'OpenStack-API-Version' not in resp.headers


@pytest.mark.parametrize('accept', ['application/json;q=abc', ',,,;;;',
                                    'x' * 10000, '*/*;q=0.0001'])
def test_odd_accept_headers(api, accept):
    resp = api('GET', DPS, accept=accept)
    assert resp.status_int in (200, 406)


@pytest.mark.parametrize('catalog', ['{bad', '[1', '"' * 1000])
def test_service_catalog_that_is_not_json_is_400(api, catalog):
    """api.md §2.5: answer 400 rather than let the parse error escape."""
    resp = api('GET', DPS, headers={'X-Service-Catalog': catalog})
    assert resp.status_int == 400
    assert fault(resp)


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


@pytest.mark.parametrize('raw', [
    b'[{"name": "huge-number", "groups": [{"resources:FPGA": "1e3"}]}]',
    b'[{"name": "huge-number", "groups": [{"resources:FPGA": 1.5}]}]',
    b'[{"name": "huge-number", "groups": [{"resources:FPGA": "1.5"}]}]',
    b'[{"name": "huge-number", "groups": [{"resources:FPGA": 1' +
    b'0' * 4000 + b'}]}]',
    b'[{"name": "huge-number", "groups": [{"resources:FPGA": "1' +
    b'0' * 5000 + b'"}]}]',
])
def test_absurd_numbers_in_profiles(api, raw):
    """A count is a whole number from 1 to the fan-out cap (issue 12):
    nothing else is stored to fail every later ARQ create."""
    resp = api('POST', DPS, raw=raw)
    assert resp.status_int == 400, resp.body
    assert fault(resp).startswith('Resources number ')
    assert api('GET', DPS + '?name=huge-number').data == {
        'device_profiles': []}


@pytest.mark.parametrize('raw', [
    b'[{"name": "not-json", "groups": [{"resources:FPGA": NaN}]}]',
    b'[{"name": "not-json", "groups": [{"resources:FPGA": -Infinity}]}]',
    b'[{"name": "not-json", "groups": [{"accel:x": Infinity}]}]',
    b'[{"name": "not-json", "description": NaN, "groups": [{}]}]',
    b'[{"name": "not-json", "groups": [{"resources:FPGA": 1e999}]}]',
    b'{"deployable_id": 1, "key": "k", "value": NaN}',
])
def test_non_finite_numbers_are_not_json(api, raw):
    path = '/v2/attributes' if raw.startswith(b'{') else DPS
    resp = api('POST', path, raw=raw)
    assert resp.status_int == 400, resp.body
    assert fault(resp) == 'Request is not in valid JSON format'


def test_arq_fan_out_is_bounded(api):
    """A profile asking for more ARQs than the cap in all: refused when
    it is created, naming it, not a hang or an OverflowError 500."""
    for name, groups in (('fan-out-huge', [{'resources:CUSTOM_X': '9' * 26}]),
                         ('fan-out-big', [{'resources:CUSTOM_X': '600'}] * 2)):
        resp = api('POST', DPS, [{'name': name, 'groups': groups}])
        assert resp.status_int == 400, resp.status
        assert fault(resp).startswith('Resources number ') or \
            name in fault(resp)
    listed = api('GET', A).data['arqs']
    assert not [a for a in listed
                if a['device_profile_name'].startswith('fan-out')]


@pytest.mark.parametrize('method', ['HEAD', 'OPTIONS'])
@pytest.mark.parametrize('path', [
    '/', '/v2', DPS, DPS + '/x', A, A + '/x', '/v2/devices',
    '/v2/devices/x', '/v2/devices/x/enable', '/v2/devices/x/disable',
    '/v2/deployables', '/v2/deployables/x', '/v2/deployables/x/program',
    '/v2/attributes', '/v2/attributes/x', '/v2/nope', '/nope/a/b/c',
])
def test_head_and_options_everywhere(api, method, path):
    """HEAD: 405 on known paths (no HEAD anywhere upstream), 404 else,
    never a body. OPTIONS: oslo.middleware's CORS layer (outermost, as
    upstream) turns any non-2xx OPTIONS answer into an empty 200."""
    resp = api(method, path)
    assert resp.body == b''
    if method == 'OPTIONS':
        assert resp.status_int == 200
        return
    known = not path.endswith(('/nope', '/c'))
    assert resp.status_int == (405 if known else 404)
    assert resp.content_type == 'application/json'
    for name in cc.VERSION_HEADERS:
        assert name not in resp.headers


def test_json_text_as_form_field_name(api):
    """Content-Type lies: JSON text sent as a form is a form field."""
    resp = api('POST', A, raw=json.dumps({'device_profile_name': 'x'})
               .encode(), ct='application/x-www-form-urlencoded')
    assert resp.status_int == 400
    assert fault(resp).startswith('Unknown argument: ')


def test_database_data_error_is_400(api, monkeypatch):
    """MySQL rejects text over 64 KB (DBDataError); SQLite does not, so the
    driver's error is simulated. 400 naming it, no SQL text."""
    from oslo_db import exception as db_exc

    from cyborg.db.queries import device_profiles

    def too_long(context, profile):
        raise db_exc.DBDataError(Exception(
            "(1406, \"Data too long for column 'description' at row 1\") "
            "[SQL: INSERT INTO device_profiles ...]"))

    monkeypatch.setattr(device_profiles, 'create', too_long)
    resp = api('POST', DPS, [{'name': 'long-text', 'groups': [{}],
                              'description': 'd' * 16000}])
    assert resp.status_int == 400
    assert fault(resp) == ('Invalid input: a value is too long or out of '
                           'range for the database.')
