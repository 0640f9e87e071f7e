"""api.md §2.2-§2.4 row by row: paths, the method matrix, content types.

Decisions applied: Q21 (POST to an item path is 405).
"""
import pytest

from cyborg.tests.functional.api import conformance_client as cc
from cyborg.tests.functional.api import inventory_fixtures as inv
from cyborg.tests.functional.api.conformance_client import A
from cyborg.tests.functional.api.conformance_client import api_fixture  # noqa: F401,E501
from cyborg.tests.functional.api.conformance_client import DPS
from cyborg.tests.functional.api.conformance_client import fault

ARQ = 'c7038376-cf20-4489-ba93-757146ba287c'
FORM = 'application/x-www-form-urlencoded'
ENABLE = '/v2/devices/%s/enable' % inv.GPU
PROGRAM = '/v2/deployables/%s/program' % inv.FPGA_DEP


# -- §2.4 request body media type ------------------------------------------

@pytest.mark.parametrize('method, path', [
    ('POST', DPS), ('POST', A), ('PATCH', A), ('PATCH', A + '/' + ARQ),
    ('POST', '/v2/attributes'), ('PATCH', PROGRAM),
])
def test_form_body_fields_are_unknown_arguments(api, method, path):
    """§2.4: a form body is not parsed as JSON; its fields are unknown
    arguments (400), not an unsupported media type."""
    resp = api(method, path, raw=b'name=x&groups=y', ct=FORM)
    assert resp.status_int == 400, resp.body
    assert fault(resp) == 'Unknown argument: "name"'


@pytest.mark.parametrize('method, path, name', [
    ('POST', DPS, 'req_devprof_list'), ('POST', A, 'req'),
    ('PATCH', A, 'patch_list'), ('POST', '/v2/attributes', 'req_attr'),
    ('PATCH', PROGRAM, 'program_info'),
])
def test_form_body_without_fields_leaves_the_body_missing(api, method, path,
                                                          name):
    resp = api(method, path, raw=b'&', ct=FORM)
    assert resp.status_int == 400
    assert fault(resp) == 'Missing argument: "%s"' % name


@pytest.mark.parametrize('method, path, name', [
    ('POST', DPS, 'req_devprof_list'), ('POST', A, 'req'),
    ('PATCH', A, 'patch_list'), ('POST', '/v2/attributes', 'req_attr'),
    ('PATCH', PROGRAM, 'program_info'),
])
@pytest.mark.parametrize('ct', ['application/json', 'text/plain', None])
def test_required_body_missing(api, method, path, name, ct):
    """§2.4: whatever the media type, an empty body is a missing body."""
    resp = api(method, path, raw=b'', ct=ct)
    assert resp.status_int == 400
    assert fault(resp) == 'Missing argument: "%s"' % name


@pytest.mark.parametrize('method, path', [
    ('POST', DPS), ('POST', A), ('PATCH', A), ('POST', '/v2/attributes'),
    ('PATCH', PROGRAM),
])
@pytest.mark.parametrize('ct', ['text/plain', 'application/xml',
                                'text/xml', 'application/javascript'])
def test_other_media_types_are_415(api, method, path, ct):
    resp = api(method, path, raw=b'{"a": 1}', ct=ct)
    assert resp.status_int == 415
    assert fault(resp) == 'Unknown mimetype: %s' % ct
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


def test_json_media_type_parameters_are_fine(api):
    resp = api('POST', A, {'device_profile_name': 'nope'},
               ct='application/json; charset=UTF-8')
    assert resp.status_int == 404


@pytest.mark.parametrize('raw', [b'{"a": ', b'[1,]', b"{'a': 1}", b'nul'])
def test_malformed_json(api, raw):
    resp = api('POST', DPS, raw=raw)
    assert resp.status_int == 400
    assert fault(resp) == 'Request is not in valid JSON format'


# -- §2.4 body-less actions (upstream: WSME's rules) -------------------------

@pytest.mark.parametrize('raw, ct, status, message', [
    (b'{"x": 1}', 'application/json', 400, 'Unknown argument: "x"'),
    (b'{"x": 1, "y": 2}', 'application/json', 400,
     'Unknown argument: "x, y"'),
    (b'x=1', FORM, 400, 'Unknown argument: "x"'),
    (b'[]', 'application/json', 400, 'Request must be a JSON dict'),
    (b'null', 'application/json', 400, 'Request must be a JSON dict'),
    (b'"x"', 'application/json', 400, 'Request must be a JSON dict'),
    (b'{x', 'application/json', 400, 'Request is not in valid JSON format'),
    (b'hello', 'text/plain', 415, 'Unknown mimetype: text/plain'),
])
@pytest.mark.parametrize('action', ['enable', 'disable'])
def test_unexpected_body_on_a_body_less_action(api, raw, ct, status,
                                               message, action):
    """Rejected before anything happens (the device status is kept)."""
    path = '/v2/devices/%s/%s' % (inv.GPU, action)
    resp = api('POST', path, raw=raw, ct=ct)
    assert resp.status_int == status, resp.body
    assert fault(resp) == message
    device = api('GET', '/v2/devices/' + inv.GPU, version='2.3').data
    assert device['status'] == 'enabled'


@pytest.mark.parametrize('raw, ct', [(b'', 'application/json'),
                                     (b'{}', 'application/json'),
                                     (b'', None), (b'&', FORM)])
def test_empty_bodies_on_a_body_less_action_pass_validation(api, raw, ct):
    """Validation passes; the test setup has no Placement, so the action
    itself ends in a 500 that names Placement."""
    resp = api('POST', '/v2/devices/nope/enable', raw=raw, ct=ct)
    assert resp.status_int == 404
    assert fault(resp) == 'Device not found with uuid=nope'
    resp = api('POST', ENABLE, raw=raw, ct=ct)
    assert resp.status_int == 500
    assert 'Placement' in fault(resp)


# -- §2.4 query parameters ----------------------------------------------------

@pytest.mark.parametrize('method, path, param', [
    ('GET', A + '?arqs=x', 'arqs'),
    ('GET', A + '/%s?instance=x' % ARQ, 'instance'),
    ('POST', A + '?x=1', 'x'),
    ('PATCH', A + '?bind_state=resolved', 'bind_state'),
    ('DELETE', A + '?arqs=x&bind_state=y', 'bind_state'),
    ('DELETE', A + '/%s?x=1' % ARQ, 'x'),
    ('GET', DPS + '?value=x', 'value'),
    ('GET', DPS + '/%s?name=x' % ARQ, 'name'),
    ('POST', DPS + '?name=x', 'name'),
    ('DELETE', DPS + '?name=x', 'name'),
    ('DELETE', DPS + '/x?value=x', 'value'),
    ('GET', '/v2/devices?status=enabled', 'status'),
    ('GET', '/v2/devices?filters=limit', 'filters'),
    ('GET', '/v2/devices/%s?type=GPU' % inv.GPU, 'type'),
    ('POST', ENABLE + '?force=1', 'force'),
    ('GET', '/v2/deployables?name=x', 'name'),
    ('GET', '/v2/deployables/%s?x=1' % inv.GPU_DEP, 'x'),
    ('PATCH', PROGRAM + '?x=1', 'x'),
    ('GET', '/v2/attributes?value=x', 'value'),
    ('GET', '/v2/attributes/%s?key=rc' % inv.ATTR_RC, 'key'),
    ('POST', '/v2/attributes?x=1', 'x'),
    ('DELETE', '/v2/attributes/x?x=1', 'x'),
])
def test_unknown_query_parameter(api, method, path, param):
    resp = api(method, path, {'a': 1} if method in ('POST', 'PATCH')
               else None)
    assert resp.status_int == 400, resp.body
    assert fault(resp) == 'Unknown argument: "%s"' % param


# -- §2.2 path handling ------------------------------------------------------

@pytest.mark.parametrize('path, key', [
    ('/devices', 'devices'), ('/v2/devices/', 'devices'),
    ('/v2/devices.json', 'devices'), ('/devices.json/', 'devices'),
    ('//v2//devices//', 'devices'), ('/v2.json', 'id'), ('/v2/', 'id'),
    ('/.json', 'versions'), ('/accelerator_requests/%s.json' % ARQ, 'uuid'),
    ('/v2/device_profiles/%s.json' % '6cbfb1ad-0a7c-4dbf-a3ac-0d0a4d6f1f64',
     'device_profile'),
])
def test_path_normalisation(api, path, key):
    resp = api('GET', path)
    assert resp.status_int == 200, resp.body
    assert key in resp.data


@pytest.mark.parametrize('path', ['/v1', '/v1/devices', '/v3/devices',
                                  '/accelerator/v2/devices', '/v2/v2',
                                  '/v2/devices/x/y', '/v2/device_profile',
                                  '/V2/devices', '/v2/Devices'])
def test_unknown_paths_are_framework_404s(api, path):
    resp = api('GET', path)
    assert resp.status_int == 404
    assert cc.inner(resp) == {'code': 404, 'title': 'Not Found',
                              'description': ''}
    for name in cc.VERSION_HEADERS:
        assert name not in resp.headers


# -- §2.3 the method matrix, every cell (Q21 applied) -------------------------

OK = 'handled'
MATRIX = {
    '/': {'GET': OK, 'POST': 405, 'PATCH': 405, 'PUT': 405, 'DELETE': 405},
    '/v2': {'GET': OK, 'POST': 405, 'PATCH': 405, 'PUT': 405,
            'DELETE': 405},
    DPS: {'GET': OK, 'POST': OK, 'PATCH': 404, 'PUT': 405, 'DELETE': OK},
    DPS + '/x': {'GET': OK, 'POST': 405, 'PATCH': 405, 'PUT': 405,
                 'DELETE': OK},
    A: {'GET': OK, 'POST': OK, 'PATCH': OK, 'PUT': 405, 'DELETE': OK},
    A + '/' + ARQ: {'GET': OK, 'POST': 405, 'PATCH': OK, 'PUT': 405,
                    'DELETE': OK},
    '/v2/devices': {'GET': OK, 'POST': 405, 'PATCH': 404, 'PUT': 405,
                    'DELETE': 405},
    '/v2/devices/x': {'GET': OK, 'POST': 405, 'PATCH': 405, 'PUT': 405,
                      'DELETE': 405},
    '/v2/devices/x/enable': {'GET': 404, 'POST': OK, 'PATCH': 405,
                             'PUT': 405, 'DELETE': 405},
    '/v2/devices/x/disable': {'GET': 404, 'POST': OK, 'PATCH': 405,
                              'PUT': 405, 'DELETE': 405},
    '/v2/deployables': {'GET': OK, 'POST': 405, 'PATCH': 404, 'PUT': 405,
                        'DELETE': 405},
    '/v2/deployables/x': {'GET': OK, 'POST': 405, 'PATCH': 405, 'PUT': 405,
                          'DELETE': 405},
    '/v2/deployables/x/program': {'GET': 404, 'POST': 405, 'PATCH': OK,
                                  'PUT': 405, 'DELETE': 405},
    '/v2/attributes': {'GET': OK, 'POST': OK, 'PATCH': 404, 'PUT': 405,
                       'DELETE': OK},
    '/v2/attributes/x': {'GET': OK, 'POST': 405, 'PATCH': 405, 'PUT': 405,
                         'DELETE': OK},
}
CELLS = [(path, method, want) for path, row in MATRIX.items()
         for method, want in row.items()]


@pytest.mark.parametrize('path, method, want', CELLS)
def test_method_matrix(api, path, method, want):
    """Framework cells: 404/405 in the framework format, no version
    headers; handled cells: the application format (any status)."""
    resp = api(method, path, raw=b'', ct=None)
    if want == OK:
        assert resp.status_int not in (404, 405) or \
            'faultcode' in resp.data['error_message'], resp.body
        if path != '/':
            assert resp.headers['OpenStack-API-Version'] == \
                'accelerator 2.0'
        return
    assert resp.status_int == want, resp.body
    doc = cc.inner(resp)
    assert doc['code'] == want and doc['description'] == ''
    for name in cc.VERSION_HEADERS:
        assert name not in resp.headers


@pytest.mark.parametrize('path, status, message', [
    (DPS, 400, 'Missing argument: "value"'),
    (DPS + '/', 400, 'Missing argument: "value"'),
    ('/v2/attributes', 400, 'Missing argument: "uuid"'),
])
def test_delete_without_value_is_an_application_400(api, path, status,
                                                    message):
    resp = api('DELETE', path)
    assert resp.status_int == status
    assert fault(resp) == message
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


def test_head_v2_is_405_with_an_empty_error_message(api):
    """§2.2: the body upstream computes is {"error_message": ""}."""
    resp = api('HEAD', '/v2')
    assert resp.status_int == 405
    assert resp.content_length == len(b'{"error_message": ""}')


# -- §2.4 response content types ----------------------------------------------

@pytest.mark.parametrize('method, path, status', [
    ('GET', '/', 200), ('GET', '/v2', 200), ('GET', DPS, 200),
    ('GET', '/v2/nope', 404), ('PUT', DPS, 405), ('DELETE', DPS, 400),
])
def test_bodies_are_json(api, method, path, status):
    resp = api(method, path)
    assert resp.status_int == status
    assert resp.headers['Content-Type'] == 'application/json'
    assert int(resp.headers['Content-Length']) == len(resp.body)


def test_204_and_202_have_no_body_and_no_content_type(api):
    name = 'ct-check'
    assert api('POST', DPS, [{'name': name, 'groups': [{}]}]).status_int \
        == 201
    resp = api('DELETE', DPS + '/' + name)
    assert resp.status_int == 204
    assert resp.body == b'' and 'Content-Type' not in resp.headers
    assert resp.headers['Content-Length'] == '0'
    arq = api('POST', A, {'device_profile_name': 'gpu-t4-pair'}).data[
        'arqs'][0]['uuid']
    resp = api('PATCH', A, {arq: [{'op': 'remove', 'path': '/hostname'}]},
               headers={'X-Service-Roles': 'service'})
    assert resp.status_int == 202
    assert resp.body == b'' and 'Content-Type' not in resp.headers
    assert resp.headers['Content-Length'] == '0'
    resp = api('DELETE', A + '/' + arq)
    assert resp.status_int == 204 and resp.headers['Content-Length'] == '0'
