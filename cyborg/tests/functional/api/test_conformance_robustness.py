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
