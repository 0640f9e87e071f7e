"""api.md §3-§7 row by row: error model, links, versions, order of checks,
data scoping, the service-token gate and field conventions.

Decisions applied: Q2 (DP show timestamps), Q9/Q11 (400s), Q19 (links
from ``[api] public_endpoint``, here https://cloud.example.net/accelerator).
"""
import json
import re

import pytest

from cyborg.tests.functional.api import conformance_client as cc
from cyborg.tests.functional.api import gabbi_fixtures as gf
from cyborg.tests.functional.api import inventory_fixtures as inv
from cyborg.tests.functional.api.conformance_client import A
from cyborg.tests.functional.api.conformance_client import api_fixture  # noqa: F401,E501
from cyborg.tests.functional.api.conformance_client import DPS
from cyborg.tests.functional.api.conformance_client import fault

B = 'https://cloud.example.net/accelerator'
OTHER_ARQ = '2f1d4c6b-3a5e-4b7d-8c9f-0e1a2b3c4d5e'   # other-project, bound
INSTANCE = '0b9b5d8e-7c1a-4f5e-9a64-3c2f8e1d0a77'
MINE = 'c7038376-cf20-4489-ba93-757146ba287c'
MEMBER = inv.MEMBER
SERVICE = {'X-Service-Roles': 'service'}
ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$')


# -- §3 error model -----------------------------------------------------------

@pytest.mark.parametrize('method, path, status', [
    ('GET', '/v2/devices/nope', 404), ('GET', A + '/abc', 400),
    ('POST', DPS, 400), ('DELETE', A + '?arqs=a&instance=b', 400),
])
def test_application_error_is_double_encoded(api, method, path, status):
    resp = api(method, path, raw=b'{"x', ct='application/json')
    assert resp.status_int == status
    assert resp.headers['Content-Type'] == 'application/json'
    assert list(resp.data) == ['error_message']
    text = resp.data['error_message']
    assert re.match(r'^\{"faultcode": "Client", "faultstring": ".*", '
                    r'"debuginfo": null\}$', text), text
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


def test_500_is_server_faultcode_and_names_the_cause(api):
    resp = api('POST', DPS, [{'name': '', 'groups': [{}]}])
    assert resp.status_int == 500
    assert cc.inner(resp) == {'faultcode': 'Server', 'faultstring':
                              'DeviceProfile name needed.',
                              'debuginfo': None}


def test_423_body_and_headers(api):
    """§3.2/§9.5: unresolved instance ARQs; body is the string 'null'."""
    resp = api('GET', A + '?instance=%s&bind_state=resolved' % INSTANCE)
    assert resp.status_int == 423
    assert resp.body == b'{"error_message": "null"}'
    assert resp.headers['Content-Type'] == 'application/json'
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'
    assert resp.headers['Vary'] == 'OpenStack-API-Version'


@pytest.mark.parametrize('accept, start', [
    ('application/json', '{"code": 405, "title": "Method Not Allowed", '),
    (None, '405 Method Not Allowed\n\n'),
    ('text/plain', '405 Method Not Allowed\n\n'),
])
def test_framework_error_variants(api, accept, start):
    resp = api('PUT', A, accept=accept)
    assert resp.status_int == 405
    assert resp.data['error_message'].startswith(start)


# -- §4 links (decision Q19) --------------------------------------------------

def _links_ok(links, href_rel):
    assert [sorted(link) for link in links] == [['href', 'rel']] * len(
        links)
    assert [(link['href'], link['rel']) for link in links] == href_rel


@pytest.mark.parametrize('path, key, collection', [
    (DPS, 'device_profiles', 'device_profiles'),
    (A, 'arqs', 'accelerator_requests'),
    ('/v2/devices', 'devices', 'devices'),
    ('/v2/attributes', 'attributes', 'attributes'),
])
def test_self_links(api, path, key, collection):
    items = api('GET', path).data[key]
    assert items
    for item in items:
        _links_ok(item['links'], [('%s/v2/%s/%s' % (B, collection,
                                                    item['uuid']), 'self')])


def test_deployable_links_carry_a_bookmark(api):
    for item in api('GET', '/v2/deployables').data['deployables']:
        _links_ok(item['links'], [
            ('%s/v2/deployables/%s' % (B, item['uuid']), 'self'),
            ('%s/deployables/%s' % (B, item['uuid']), 'bookmark')])


def test_show_links(api):
    dp = api('GET', DPS + '/6cbfb1ad-0a7c-4dbf-a3ac-0d0a4d6f1f64').data
    _links_ok(dp['device_profile']['links'], [
        (B + '/v2/device_profiles/6cbfb1ad-0a7c-4dbf-a3ac-0d0a4d6f1f64',
         'self')])
    _links_ok(api('GET', '/v2').data['links'], [(B + '/v2/', 'self')])
    root = api('GET', '/').data
    _links_ok(root['versions'][0]['links'], [(B + '/v2', 'self')])
    _links_ok(root['default_version']['links'], [(B + '/v2', 'self')])


# -- §5 versions --------------------------------------------------------------

def test_root_document(api):
    resp = api('GET', '/')
    assert list(resp.data) == ['name', 'description', 'versions',
                               'default_version']
    assert resp.data['name'] == 'OpenStack Cyborg API'
    assert len(resp.data['versions']) == 1
    version = resp.data['versions'][0]
    assert list(version) == ['id', 'status', 'max_version', 'min_version',
                             'links']
    assert version == resp.data['default_version']
    assert (version['id'], version['status'], version['max_version'],
            version['min_version']) == ('v2', 'CURRENT', '2.4', '2.0')
    for name in cc.VERSION_HEADERS:
        assert name not in resp.headers


def test_v2_document(api):
    resp = api('GET', '/v2')
    assert resp.data == {'id': 'v2.0', 'links': [{'href': B + '/v2/',
                                                   'rel': 'self'}],
                         'max_version': '2.4', 'min_version': '2.0',
                         'status': 'CURRENT'}
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


@pytest.mark.parametrize('header, negotiated', [
    (None, '2.0'), ('accelerator 2.1', '2.1'), ('ACCELERATOR 2.2', '2.2'),
    ('compute 2.5, accelerator 2.1', '2.1'), (' accelerator  2.3 ', '2.3'),
    ('accelerator latest', '2.4'), ('accelerator LATEST', '2.4'),
    ('2.1', '2.1'), ('latest', '2.4'), ('accelerator 2.01', '2.1'),
    ('accelerator 02.003', '2.3'),
])
def test_negotiation(api, header, negotiated):
    resp = api('GET', '/v2/devices',
               headers={'OpenStack-API-Version': header})
    assert resp.status_int == 200
    assert resp.headers['OpenStack-API-Version'] == \
        'accelerator ' + negotiated
    assert resp.headers['OpenStack-API-Minimum-Version'] == '2.0'
    assert resp.headers['OpenStack-API-Maximum-Version'] == '2.4'
    assert resp.headers['Vary'] == 'OpenStack-API-Version'
    assert ('status' in resp.data['devices'][0]) == (
        negotiated in ('2.3', '2.4'))


@pytest.mark.parametrize('header', ['10', '2', 'abc', 'accelerator 2.x',
                                    'accelerator', '', 'compute 2.1',
                                    'accelerator 2.1.0', 'accelerator -2.1',
                                    'accelerator 2.1 beta'])
def test_negotiation_invalid_value(api, header):
    resp = api('GET', '/v2/devices',
               headers={'OpenStack-API-Version': header})
    assert resp.status_int == 406
    assert cc.inner(resp)['description'] == \
        'Invalid value for OpenStack-API-Version header'
    for name in cc.VERSION_HEADERS:
        assert name not in resp.headers


@pytest.mark.parametrize('header, message', [
    ('1.0', 'Mutually exclusive versions requested. Version 1.0 requested '
            'but not supported by this service. The supported version range '
            'is: [2.0, 2.4].'),
    ('accelerator 3.0', 'Mutually exclusive versions requested. Version '
     '3.0 requested but not supported by this service. The supported '
     'version range is: [2.0, 2.4].'),
    ('accelerator 2.5', 'Version 2.5 was requested but the minor version is '
     'not supported by this service. The supported version range is: '
     '[2.0, 2.4].'),
])
@pytest.mark.parametrize('path', ['/v2', '/v2/devices', '/v2/no-such'])
def test_negotiation_out_of_range(api, header, message, path):
    """Before routing (§6.1): an unknown path gets the 406 too."""
    resp = api('GET', path, headers={'OpenStack-API-Version': header})
    assert resp.status_int == 406
    assert cc.inner(resp)['description'] == message
    assert resp.headers['OpenStack-API-Minimum-Version'] == '2.0'
    assert resp.headers['Vary'] == 'OpenStack-API-Version'
    assert 'OpenStack-API-Version' not in resp.headers


def test_project_specific_header_is_ignored(api):
    resp = api('GET', '/v2/devices',
               headers={'X-OpenStack-Cyborg-API-Version': '2.3'})
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


# -- §6.1 order of checks -----------------------------------------------------

@pytest.mark.parametrize('method, path, raw, rule', [
    ('POST', DPS, b'{bad', 'cyborg:device_profile:create'),
    ('POST', DPS + '?x=1', b'[]', 'cyborg:device_profile:create'),
    ('DELETE', DPS, None, 'cyborg:device_profile:delete'),
    ('DELETE', DPS + '/x?bogus=1', None, 'cyborg:device_profile:delete'),
    ('GET', '/v2/devices?bogus=1', None, 'cyborg:device:get_all'),
    ('GET', '/v2/devices/x', None, 'cyborg:device:get_one'),
    ('POST', '/v2/devices/x/enable', b'[', 'cyborg:device:enable'),
    ('POST', '/v2/devices/x/disable?x=1', None, 'cyborg:device:disable'),
    ('GET', '/v2/deployables?filters.field=bogus', None,
     'cyborg:deployable:get_all'),
    ('GET', '/v2/deployables/bad', None, 'cyborg:deployable:get_one'),
    ('PATCH', '/v2/deployables/bad/program', b'{',
     'cyborg:deployable:program'),
    ('GET', '/v2/attributes?deployable_id=x', None,
     'cyborg:attribute:get_all'),
    ('GET', '/v2/attributes/bad', None, 'cyborg:attribute:get_one'),
    ('POST', '/v2/attributes', b'[', 'cyborg:attribute:create'),
    ('DELETE', '/v2/attributes', None, 'cyborg:attribute:delete'),
    ('DELETE', '/v2/attributes/x', None, 'cyborg:attribute:delete'),
])
def test_policy_before_validation(api, method, path, raw, rule):
    """A member (new defaults) lacks these rules: 403 however malformed."""
    resp = api(method, path, raw=raw, roles=MEMBER)
    assert resp.status_int == 403, resp.body
    assert fault(resp) == 'Access was denied to the following resource: ' \
        + rule


@pytest.mark.parametrize('method, path, raw, rule', [
    ('GET', A + '/bad', None, 'cyborg:arq:get_one'),
    ('GET', A + '?bind_state=x', None, 'cyborg:arq:get_all'),
    ('POST', A, b'[', 'cyborg:arq:create'),
    ('PATCH', A, b'{}', 'cyborg:arq:update'),
    ('DELETE', A, None, 'cyborg:arq:delete'),
    ('GET', DPS + '?bogus=1', None, 'cyborg:device_profile:get_all'),
])
def test_policy_before_validation_arqs(api, method, path, raw, rule):
    """Role outside the persona set (new defaults): 403 first."""
    resp = api(method, path, raw=raw, roles='other')
    assert resp.status_int == 403
    assert fault(resp).endswith(rule)


def test_system_scope_is_403(api):
    resp = api('GET', '/v2/devices', headers={
        'OpenStack-System-Scope': 'all', 'X-Project-Id': None})
    assert resp.status_int == 403
    assert fault(resp) == ('Access was denied to the following resource: '
                           'cyborg:device:get_all')


def test_route_before_policy(api):
    assert api('PUT', DPS, roles='other').status_int == 405
    assert api('GET', '/v2/nope', roles='other').status_int == 404


# -- §6.5 data scoping (ARQs) -------------------------------------------------

def test_member_sees_only_own_project(api):
    arqs = api('GET', A, roles=MEMBER).data['arqs']
    assert arqs and {a['project_id'] for a in arqs} == {cc.PROJECT}
    admin = api('GET', A).data['arqs']
    assert OTHER_ARQ in {a['uuid'] for a in admin}
    resolved = api('GET', A + '?instance=' + INSTANCE, roles=MEMBER)
    assert resolved.data == {'arqs': []}


@pytest.mark.parametrize('method, path', [
    ('GET', A + '/' + OTHER_ARQ), ('DELETE', A + '?arqs=' + OTHER_ARQ),
    ('DELETE', A + '/' + OTHER_ARQ),
])
def test_other_projects_arq_is_404(api, method, path):
    resp = api(method, path, roles=MEMBER, headers=SERVICE)
    assert resp.status_int == 404
    assert fault(resp) == 'ExtArq not found with uuid=' + OTHER_ARQ


def test_member_resolved_query_ignores_other_projects(api):
    """The other project's unresolved ARQ does not make it 423."""
    resp = api('GET', A + '?instance=%s&bind_state=resolved' % INSTANCE,
               roles=MEMBER)
    assert resp.status_int == 200 and resp.data == {'arqs': []}


def test_member_delete_by_instance_leaves_other_projects(api):
    resp = api('DELETE', A + '?instance=' + INSTANCE, roles=MEMBER,
               headers=SERVICE)
    assert resp.status_int == 204
    assert api('GET', A + '/' + OTHER_ARQ).status_int == 200


def test_global_resources_are_not_scoped(api):
    other = 'another-project'
    assert len(api('GET', DPS, roles='reader', project=other).data[
        'device_profiles']) >= 2
    assert len(api('GET', '/v2/devices', roles=inv.MANAGER,
                   project=other).data['devices']) == 2


# -- §6.6 service-token gate --------------------------------------------------

def test_delete_by_instance_needs_a_service_token_even_if_nothing_matches(
        api):
    for roles, headers in ((cc.ADMIN, {}), ('service', {}),
                           (cc.ADMIN, {'X-Service-Roles': 'admin'})):
        resp = api('DELETE', A + '?instance=' + '1' * 32, roles=roles,
                   headers=headers)
        assert resp.status_int == 403, (roles, headers)
        assert fault(resp) == ('This operation requires a service token. '
                               'Use the Compute API to manage instance '
                               'accelerators.')
    resp = api('DELETE', A + '?instance=' + '1' * 32, headers=SERVICE)
    assert resp.status_int == 204


def test_bound_arq_delete_needs_a_service_token(api):
    for path in (A + '?arqs=' + OTHER_ARQ, A + '/' + OTHER_ARQ):
        resp = api('DELETE', path)
        assert resp.status_int == 403
        assert fault(resp) == (
            'ARQ %s is bound to instance %s. Use the Compute API to manage '
            'instance accelerators.' % (OTHER_ARQ, INSTANCE))
    assert api('GET', A + '/' + OTHER_ARQ).status_int == 200


def test_patch_gate_after_validation(api):
    bad = {MINE: [{'op': 'replace', 'path': '/hostname', 'value': 'h'}]}
    resp = api('PATCH', A, bad)
    assert resp.status_int == 400
    good = {MINE: [{'op': 'add', 'path': '/hostname', 'value': 'h'},
                   {'op': 'add', 'path': '/device_rp_uuid',
                    'value': inv.GPU_RP},
                   {'op': 'add', 'path': '/instance_uuid', 'value': '1' * 32}]}
    for body in (good, {MINE: [{'op': 'remove', 'path': '/hostname'}]}):
        resp = api('PATCH', A + '/ignored', body)
        assert resp.status_int == 403
        assert 'requires a service token' in fault(resp)
    assert api('GET', A + '/' + MINE).data['state'] == 'Initial'


def test_unbound_arq_delete_and_create_need_no_token(api):
    arqs = api('POST', A, {'device_profile_name': 'fpga-gzip-x1'},
               roles=MEMBER).data['arqs']
    assert len(arqs) == 1 and arqs[0]['project_id'] == cc.PROJECT
    resp = api('DELETE', A + '?arqs=' + arqs[0]['uuid'], roles=MEMBER)
    assert resp.status_int == 204


# -- §7 field conventions -----------------------------------------------------

def test_timestamps(api):
    created = api('POST', DPS, [{'name': 'ts-check', 'groups': [{}]}]).data
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$',
                    created['created_at']), created['created_at']
    assert created['updated_at'] is None
    shown = api('GET', DPS + '/' + created['uuid']).data['device_profile']
    assert ISO.match(shown['created_at']) and shown['updated_at'] is None
    for path, key in ((DPS, 'device_profiles'), (A, 'arqs'),
                      ('/v2/devices', 'devices'),
                      ('/v2/deployables', 'deployables'),
                      ('/v2/attributes', 'attributes')):
        for item in api('GET', path).data[key]:
            assert ISO.match(item['created_at']), item
            assert item['updated_at'] is None or ISO.match(
                item['updated_at']), item
    device = api('GET', '/v2/devices/' + inv.FPGA).data
    assert device['created_at'] == '2026-02-20T07:55:12+00:00'


def test_unset_is_null_but_status_below_2_3_is_absent(api):
    device = api('GET', '/v2/devices/' + inv.FPGA).data
    assert device['vendor_board_info'] is None and 'status' not in device
    assert api('GET', '/v2/devices/' + inv.FPGA,
               version='2.3').data['status'] == 'enabled'


def test_default_orders(api):
    uuids = lambda path, key: [i['uuid'] for i in api('GET', path).data[key]]  # noqa: E731,E501
    assert uuids('/v2/devices', 'devices') == [inv.FPGA, inv.GPU]
    # any query parameter: created_at descending, ties by id descending
    assert uuids('/v2/devices?filters.field=limit&filters.value=9',
                 'devices') == [inv.GPU, inv.FPGA]
    assert uuids('/v2/devices?hostname=compute-07', 'devices') == [inv.GPU]
    assert uuids('/v2/deployables', 'deployables') == [inv.FPGA_DEP,
                                                       inv.GPU_DEP]
    assert uuids('/v2/deployables?filters.field=limit&filters.value=9',
                 'deployables') == [inv.GPU_DEP, inv.FPGA_DEP]
    attrs = uuids('/v2/attributes', 'attributes')
    assert attrs[:3] == [inv.ATTR_RC, '93e5dd1d-bd66-4cc1-91ac-0945b4096238',
                         '33e303b5-1e82-4e85-93d6-7cbe95c58a1a']
    dps = uuids(DPS, 'device_profiles')
    assert dps[:2] == [p[0] for p in gf.SAMPLE_PROFILES]
    arqs = uuids(A, 'arqs')
    assert arqs[:4] == [a[0] for a in gf.SAMPLE_ARQS]


def test_sort_filters(api):
    def names(query):
        return [d['uuid'] for d in api(
            'GET', '/v2/devices?' + query).data['devices']]
    assert names('filters.field=sort_key&filters.value=hostname&'
                 'filters.field=sort_dir&filters.value=asc') == [
        inv.GPU, inv.FPGA]
    assert names('filters[0].field=sort_key&filters[0].value=hostname&'
                 'filters[1].field=sort_dir&filters[1].value=desc') == [
        inv.FPGA, inv.GPU]
    assert names('filters.field=limit&filters.value=1') == [inv.GPU]
    assert json.dumps(names('filters.field=limit&filters.value=0')) == '[]'
