"""Personas x inventory endpoints in both policy modes (api.md §6.4, §18).

New defaults (ours, decision Q16): reads need a project manager or an
admin; writes need an admin. Legacy mode (upstream's default): any
project-scoped token reads; writes stay admin-only. System-scoped tokens
are refused everywhere. Write probes carry an invalid request, so an
allowed caller gets a 400 (policy runs before validation) and nothing
changes.
"""
import pytest

from cyborg.tests.functional.api import inventory_fixtures as inv

GPU = inv.GPU
PERSONAS = {
    'admin': inv.ADMIN,
    'manager': inv.MANAGER,
    'member': inv.MEMBER,
    'reader': inv.READER,
    'service': 'service',
    'other': 'observer',
}
READS = [
    ('GET', '/v2/devices', 'cyborg:device:get_all'),
    ('GET', '/v2/devices/' + GPU, 'cyborg:device:get_one'),
    ('GET', '/v2/deployables', 'cyborg:deployable:get_all'),
    ('GET', '/v2/deployables/' + inv.FPGA_DEP, 'cyborg:deployable:get_one'),
    ('GET', '/v2/attributes', 'cyborg:attribute:get_all'),
    ('GET', '/v2/attributes/' + inv.ATTR_RC, 'cyborg:attribute:get_one'),
]
# (method, path, body, rule): an allowed caller gets 400
WRITES = [
    ('POST', '/v2/devices/%s/enable' % GPU, {'x': 1}, 'cyborg:device:enable'),
    ('POST', '/v2/devices/%s/disable' % GPU, {'x': 1},
     'cyborg:device:disable'),
    ('PATCH', '/v2/deployables/%s/program' % inv.FPGA_DEP, {'x': 1},
     'cyborg:deployable:program'),
    ('POST', '/v2/attributes', {'key': 'k'}, 'cyborg:attribute:create'),
    ('DELETE', '/v2/attributes', None, 'cyborg:attribute:delete'),
]
NEW_READERS = {'admin', 'manager'}
LEGACY_READERS = set(PERSONAS)


@pytest.fixture
def api():
    yield from inv.serve(legacy=False)


@pytest.fixture
def legacy_api():
    yield from inv.serve(legacy=True)


@pytest.fixture(params=[False, True], ids=['new-defaults', 'legacy'])
def either_api(request):
    """Both policy modes; ``.legacy`` says which."""
    for api in inv.serve(legacy=request.param):
        api.legacy = request.param
        yield api


def _denied(resp, rule):
    assert resp.status_int == 403, resp.body
    assert inv.fault(resp) == (
        'Access was denied to the following resource: %s' % rule)


def _check_reads(api, allowed):
    for persona, roles in PERSONAS.items():
        caller = api.as_roles(roles)
        for method, path, rule in READS:
            resp = caller.request(method, path)
            if persona in allowed:
                assert resp.status_int == 200, (persona, path, resp.body)
            else:
                _denied(resp, rule)


def _check_writes(api):
    for persona, roles in PERSONAS.items():
        caller = api.as_roles(roles)
        for method, path, body, rule in WRITES:
            resp = caller.request(method, path, body)
            if persona == 'admin':
                assert resp.status_int == 400, (persona, path, resp.body)
            else:
                _denied(resp, rule)


def test_new_defaults_reads(api):
    _check_reads(api, NEW_READERS)


def test_new_defaults_writes(api):
    _check_writes(api)


def test_legacy_reads_open_to_every_project_token(legacy_api):
    _check_reads(legacy_api, LEGACY_READERS)


def test_legacy_writes_admin_only(legacy_api):
    _check_writes(legacy_api)


def test_system_scope_is_refused(either_api):
    system = {'OpenStack-System-Scope': 'all'}
    for method, path, rule in READS:
        _denied(either_api.request(method, path, headers=system), rule)
    for method, path, body, rule in WRITES:
        _denied(either_api.request(method, path, body, headers=system),
                rule)


def test_denied_before_validation(api):
    manager = api.as_roles(inv.MANAGER)
    # a malformed body, a malformed uuid and an unknown query argument
    # are all 403 for a caller without the right
    _denied(manager.request('PATCH', '/v2/deployables/xyz/program',
                            raw=b'not json'), 'cyborg:deployable:program')
    _denied(manager.request('POST', '/v2/attributes', raw=b'[['),
            'cyborg:attribute:create')
    member = api.as_roles(inv.MEMBER)
    _denied(member.get('/v2/devices?bogus=1'), 'cyborg:device:get_all')
    _denied(member.get('/v2/deployables/xyz'), 'cyborg:deployable:get_one')
    _denied(member.get('/v2/attributes?deployable_id=x'),
            'cyborg:attribute:get_all')


# -- Tempest §18, manager persona in both jobs -----------------------------

def _tempest_manager(api):
    """In the legacy job the manager client is the admin client."""
    return api if api.legacy else api.as_roles(inv.MANAGER)


def test_tempest_devices(either_api):
    manager = _tempest_manager(either_api)
    resp = manager.get('/v2/devices')
    assert list(resp.data) == ['devices']
    first = resp.data['devices'][0]
    assert manager.get('/v2/devices/' + first['uuid']).data['uuid'] \
        == first['uuid']
    for name in ('type', 'vendor', 'hostname'):
        found = manager.get('/v2/devices?%s=%s' % (name, first[name]))
        assert found.data['devices']
        assert all(d[name] == first[name]
                   for d in found.data['devices'])
        none = manager.get('/v2/devices?%s=fake-value' % name)
        assert none.data['devices'] == []
    combined = manager.get('/v2/devices?type=%s&vendor=%s&hostname=%s' % (
        first['type'], first['vendor'], first['hostname']))
    assert first['uuid'] in [d['uuid'] for d in combined.data['devices']]
    missing = manager.get('/v2/devices/' + inv.PROJECT)
    assert missing.status_int == 404


@pytest.mark.parametrize('collection', ['deployables', 'attributes'])
def test_tempest_deployables_and_attributes(either_api, collection):
    manager = _tempest_manager(either_api)
    resp = manager.get('/v2/' + collection)
    assert list(resp.data) == [collection]
    first = resp.data[collection][0]['uuid']
    shown = manager.get('/v2/%s/%s' % (collection, first))
    assert shown.data['uuid'] == first
    unknown = '6b7a7c1e-2d39-4d57-9b53-0f6f1b8d9e21'
    assert manager.get('/v2/%s/%s' % (collection, unknown)).status_int \
        == 404
