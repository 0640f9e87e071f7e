"""api.md §2.2-§2.4 row by row: paths, the method matrix, content types.

Decisions applied: Q21 (POST to an item path is 405).
"""
import pytest

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
