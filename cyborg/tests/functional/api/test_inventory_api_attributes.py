"""/v2/attributes against the samples (api.md §12; Q18, Q20, Q21)."""
import re

import pytest

from cyborg.tests.functional.api import inventory_fixtures as inv

RC = inv.ATTR_RC
UUID_RE = (r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
           r'[0-9a-f]{12}$')
UNKNOWN = '4bd64e1f-7d2a-4b3a-9d54-3b8c8f0d6b7e'


@pytest.fixture
def api():
    yield from inv.serve()


def test_list_and_show_match_samples(api):
    resp = api.get('/v2/attributes')
    assert resp.status_int == 200
    assert list(resp.data) == ['attributes']
    expected = inv.sample('attribute-list-response.json')['attributes']
    assert resp.data['attributes'][:3] == expected
    assert len(resp.data['attributes']) == 7
    resp = api.get('/v2/attributes/' + RC)
    assert resp.status_int == 200
    assert resp.data == inv.sample('attribute-get-response.json')
    assert list(resp.data) == ['uuid', 'deployable_id', 'key', 'value',
                               'created_at', 'updated_at', 'links']


@pytest.mark.parametrize('query, keys', [
    ('deployable_id=1', ['rc', 'trait0', 'trait1', 'trait2']),
    ('deployable_id=2', ['rc', 'trait0', 'trait1']),
    ('deployable_id=2&key=rc', ['rc']),
    ('key=rc', ['rc', 'rc']),
    ('deployable_id=0', ['rc', 'trait0', 'rc', 'trait1', 'trait2',
                         'trait0', 'trait1']),
    ('key=', ['rc', 'trait0', 'rc', 'trait1', 'trait2', 'trait0',
              'trait1']),
    ('deployable_id=77', []),
])
def test_list_filters(api, query, keys):
    resp = api.get('/v2/attributes?' + query)
    assert resp.status_int == 200
    assert [a['key'] for a in resp.data['attributes']] == keys


@pytest.mark.parametrize('query, message', [
    ('deployable_id=abc', "Invalid input for field/attribute deployable_id. "
                          "Value: 'abc'. unable to convert to integer."),
    ('deployable_id=1.5', "field/attribute deployable_id. Value: '1.5'"),
    ('value=FPGA', 'Unknown argument: "value"'),
])
def test_list_bad_queries(api, query, message):
    resp = api.get('/v2/attributes?' + query)
    assert resp.status_int == 400
    assert message in inv.fault(resp)


def test_show_malformed_400_unknown_404(api):
    resp = api.get('/v2/attributes/xyz')
    assert resp.status_int == 400
    assert "field/attribute uuid. Value: 'xyz'" in inv.fault(resp)
    resp = api.get('/v2/attributes/' + UNKNOWN)
    assert resp.status_int == 404
    assert inv.fault(resp) == 'Attribute not found with uuid=' + UNKNOWN


def test_create_sample(api):
    resp = api.post('/v2/attributes',
                    inv.sample('attribute-create-request.json'))
    assert resp.status_int == 201, resp.body
    expected = inv.sample('attribute-create-response.json')
    got = dict(resp.data)
    assert list(got) == list(expected)
    assert re.match(UUID_RE, got['uuid'])
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$',
                    got['created_at'])
    assert got['links'] == [{
        'href': '%s/v2/attributes/%s' % (inv.PUBLIC_ENDPOINT, got['uuid']),
        'rel': 'self'}]
    for key in ('deployable_id', 'key', 'value', 'updated_at'):
        assert got[key] == expected[key]
    shown = api.get('/v2/attributes/' + got['uuid'])
    assert shown.data['key'] == 'trait3'
    listed = api.get('/v2/attributes?deployable_id=1&key=trait3')
    assert [a['uuid'] for a in listed.data['attributes']] == [got['uuid']]
    dep = api.get('/v2/deployables/' + inv.FPGA_DEP).data
    assert dep['attributes_list'].endswith(
        '{"trait3": "CUSTOM_FUNCTION_GZIP"}]')


def test_create_with_uuid_string_id_and_extra_keys(api):
    body = {'deployable_id': '2', 'key': 'trait9', 'value': 'CUSTOM_X',
            'uuid': '5E0F64C2-6F71-4B39-9F4A-0F2D7E3C1A55', 'colour': 'red'}
    resp = api.post('/v2/attributes', body)
    assert resp.status_int == 201, resp.body
    assert resp.data['uuid'] == '5e0f64c2-6f71-4b39-9f4a-0f2d7e3c1a55'
    assert resp.data['deployable_id'] == 2
    # duplicate (deployable_id, key) pairs are allowed
    del body['uuid']
    assert api.post('/v2/attributes', body).status_int == 201


@pytest.mark.parametrize('body, status, message', [
    ({'key': 'k', 'value': 'v'}, 400, 'Missing argument: "deployable_id"'),
    ({'deployable_id': 1, 'value': 'v'}, 400, 'Missing argument: "key"'),
    ({'deployable_id': 1, 'key': 'k'}, 400, 'Missing argument: "value"'),
    ({'deployable_id': 'one', 'key': 'k', 'value': 'v'}, 400,
     "Invalid input for field/attribute deployable_id. Value: 'one'."),
    ({'deployable_id': True, 'key': 'k', 'value': 'v'}, 400,
     'field/attribute deployable_id'),
    ({'deployable_id': 1, 'key': ['k'], 'value': 'v'}, 400,
     'field/attribute key'),
    ({'deployable_id': 1, 'key': 'k', 'value': 'v', 'uuid': 'nope'}, 400,
     "Invalid input for field/attribute uuid. Value: 'nope'."),
    ([{'deployable_id': 1, 'key': 'k', 'value': 'v'}], 400,
     'field/attribute req_attr'),
    ({'deployable_id': 99, 'key': 'k', 'value': 'v'}, 404,
     'Deployable not found with id=99'),
    ({'deployable_id': 1, 'key': 'k', 'value': 'v', 'uuid': RC}, 409,
     'Attribute with uuid %s already exists.' % RC),
])
def test_create_errors(api, body, status, message):
    resp = api.post('/v2/attributes', body)
    assert resp.status_int == status, resp.body
    assert message in inv.fault(resp)


def test_create_body_errors(api):
    resp = api.post('/v2/attributes')
    assert resp.status_int == 400
    assert inv.fault(resp) == 'Missing argument: "req_attr"'
    resp = api.post('/v2/attributes', raw=b'{"deployable_id": ')
    assert resp.status_int == 400
    assert inv.fault(resp) == 'Request is not in valid JSON format'


def test_delete(api):
    assert api.delete('/v2/attributes/' + RC).status_int == 204
    resp = api.get('/v2/attributes/' + RC)
    assert resp.status_int == 404
    resp = api.delete('/v2/attributes/' + RC)
    assert resp.status_int == 404
    assert inv.fault(resp) == 'Attribute not found with uuid=' + RC
    # no uuid validation on delete (Q18): malformed is 404 too
    resp = api.delete('/v2/attributes/not-a-uuid')
    assert resp.status_int == 404
    assert inv.fault(resp) == 'Attribute not found with uuid=not-a-uuid'


def test_delete_collection_is_400(api):
    resp = api.delete('/v2/attributes')
    assert resp.status_int == 400
    assert inv.fault(resp) == 'Missing argument: "uuid"'


@pytest.mark.parametrize('method, path, status', [
    ('POST', '/v2/attributes/' + RC, 405),           # Q21
    ('PATCH', '/v2/attributes', 404),
    ('PUT', '/v2/attributes', 405),
    ('PATCH', '/v2/attributes/' + RC, 405),
    ('PUT', '/v2/attributes/' + RC, 405),
])
def test_method_matrix(api, method, path, status):
    body = {'deployable_id': 1, 'key': 'k', 'value': 'v'}
    assert api.request(method, path, body).status_int == status
