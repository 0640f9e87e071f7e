"""The real pipeline with ``[api] auth_strategy = keystone``.

keystonemiddleware's own ``AuthTokenFixture`` makes auth_token accept the
tokens registered here (nothing else is patched), so these tests show what
a deployment does: 401s outside the app (api.md §3.4), the public version
documents, identity from the token reaching policy and data scoping, and
the service-token gate fed by a validated ``X-Service-Token`` (§6.6).
"""
import json
import uuid

from keystonemiddleware import fixture as ksm_fixture
import pytest
import webob

from cyborg import policies
from cyborg.api import app as api_app
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.fixtures import services
from cyborg.tests.functional.api import gabbi_fixtures

IDENTITY = 'https://keystone.example.net/identity'
PROJECT = 'f1d2c3b4a5964e7f8a9b0c1d2e3f4a5b'
OTHER_PROJECT = '0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d'
INSTANCE = 'a7f2c1de-4b1f-4c8e-9d3a-2f6b5e4c3d21'
ARQ_UUID = 'c5d6e7f8-1a2b-4c3d-8e4f-5a6b7c8d9e01'
ALL_ROLES = ['admin', 'manager', 'member', 'reader']

UNAUTHORIZED = {'error': {
    'code': 401, 'title': 'Unauthorized',
    'message': 'The request you have made requires authentication.'}}


@pytest.fixture(scope='module')
def stack():
    gabbi_fixtures.init_conf()
    overrides = [
        ('auth_strategy', 'keystone', 'api'),
        ('public_endpoint', None, 'api'),
        ('enforce_new_defaults', True, 'oslo_policy'),
        ('www_authenticate_uri', IDENTITY, 'keystone_authtoken'),
    ]
    for name, value, group in overrides:
        CONF.set_override(name, value, group=group)
    policies.reset()
    db = database.Database()
    db.setUp()
    conductor = services.Conductor()
    conductor.setUp()
    tokens = ksm_fixture.AuthTokenFixture()
    tokens.setUp()
    ids = {
        'admin': _token(tokens, PROJECT, ALL_ROLES),
        'manager': _token(tokens, PROJECT, ['manager', 'member', 'reader']),
        'member': _token(tokens, PROJECT, ['member', 'reader']),
        'reader': _token(tokens, PROJECT, ['reader']),
        'other_member': _token(tokens, OTHER_PROJECT, ['member', 'reader']),
        'user_with_service_role': _token(tokens, PROJECT, ['service']),
        'service': _token(tokens, 'service-project', ['service', 'admin'],
                          user='nova'),
        'not_a_service': _token(tokens, 'service-project', ['member'],
                                user='nova'),
    }
    app = api_app.setup_app(CONF)
    yield app, ids, db
    tokens.cleanUp()
    conductor.cleanUp()
    db.cleanUp()
    for name, _value, group in overrides:
        CONF.clear_override(name, group=group)
    policies.reset()


def _token(fixture, project, roles, user=None):
    token_id = uuid.uuid4().hex
    fixture.add_token_data(token_id=token_id, user_id=user or uuid.uuid4().hex,
                           project_id=project, role_list=roles)
    return token_id


def _call(app, path, method='GET', token=None, service_token=None,
          headers=None, body=None):
    req = webob.Request.blank(path, method=method)
    req.headers['Accept'] = 'application/json'
    if token:
        req.headers['X-Auth-Token'] = token
    if service_token:
        req.headers['X-Service-Token'] = service_token
    req.headers.update(headers or {})
    if body is not None:
        req.body = json.dumps(body).encode()
        req.content_type = 'application/json'
    return req.get_response(app)


def _faultstring(resp):
    return json.loads(json.loads(resp.body)['error_message'])['faultstring']


def _add_bound_arq(db, project=PROJECT):
    session = db.session()
    try:
        profile = models.DeviceProfile(
            uuid=str(uuid.uuid4()), name='kst-%s' % uuid.uuid4().hex[:8],
            profile_json=json.dumps({'groups': [{'resources:PGPU': '1'}]}))
        session.add(profile)
        session.flush()
        session.add(models.ExtArq(
            uuid=ARQ_UUID, project_id=project, state='Bound',
            device_profile_id=profile.id, hostname='compute-07',
            device_rp_uuid=str(uuid.uuid4()), instance_uuid=INSTANCE))
        session.commit()
    finally:
        session.close()


# -- 401 outside the application -------------------------------------------

@pytest.mark.parametrize('token', [None, 'no-such-token', ''])
@pytest.mark.parametrize('path', ['/v2/device_profiles', '/device_profiles',
                                  '/v2/devices/x', '/v2/no_such_thing'])
def test_401_without_a_valid_token(stack, path, token):
    app, _ids, _db = stack
    resp = _call(app, path, token=token)
    assert resp.status_int == 401
    assert json.loads(resp.body) == UNAUTHORIZED     # samples/error-401
    assert resp.headers['WWW-Authenticate'] == 'Keystone uri="%s"' % IDENTITY
    assert resp.headers['x-openstack-request-id'].startswith('req-')
    assert 'OpenStack-API-Version' not in resp.headers


def test_401_comes_before_negotiation(stack):
    app, _ids, _db = stack
    resp = _call(app, '/v2/device_profiles',
                 headers={'OpenStack-API-Version': 'accelerator 9.9'})
    assert resp.status_int == 401


@pytest.mark.parametrize('path', ['/', '/v2', '/v2/', '/v2.json', '/.json'])
def test_version_documents_are_public(stack, path):
    app, _ids, _db = stack
    resp = _call(app, path)
    assert resp.status_int == 200
    assert json.loads(resp.body)['links' if path.startswith('/v2')
                                 else 'versions']


def test_invalid_service_token_is_401(stack):
    app, ids, _db = stack
    resp = _call(app, '/v2/device_profiles', token=ids['admin'],
                 service_token='no-such-token')
    assert resp.status_int == 401


def test_service_token_without_a_service_role_is_401(stack):
    # Cyborg forces service_token_roles_required = True (api.md §3.4).
    app, ids, _db = stack
    resp = _call(app, '/v2/device_profiles', token=ids['admin'],
                 service_token=ids['not_a_service'])
    assert resp.status_int == 401


# -- identity from the token reaches the policy check ----------------------

@pytest.mark.parametrize('persona, path, method, status', [
    ('reader', '/v2/device_profiles', 'GET', 200),
    ('reader', '/v2/devices', 'GET', 403),
    ('manager', '/v2/devices', 'GET', 200),
    ('member', '/v2/device_profiles', 'POST', 403),
    ('admin', '/v2/devices', 'GET', 200),
])
def test_token_roles_reach_policy(stack, persona, path, method, status):
    app, ids, _db = stack
    resp = _call(app, path, method, token=ids[persona],
                 body=[] if method == 'POST' else None)
    assert resp.status_int == status, resp.body
    if status == 403:
        assert _faultstring(resp).startswith(
            'Access was denied to the following resource: cyborg:')


def test_identity_headers_from_the_client_are_not_trusted(stack):
    # auth_token replaces X-Roles/X-Project-Id with the token's own.
    app, ids, _db = stack
    resp = _call(app, '/v2/devices', token=ids['reader'],
                 headers={'X-Roles': 'admin', 'X-Project-Id': 'x',
                          'X-Service-Roles': 'service'})
    assert resp.status_int == 403
    assert _faultstring(resp) == ('Access was denied to the following '
                                  'resource: cyborg:device:get_all')


def test_token_project_reaches_data_scoping(stack):
    app, ids, db = stack
    _add_bound_arq(db)
    try:
        url = '/v2/accelerator_requests/' + ARQ_UUID
        assert _call(app, url, token=ids['member']).status_int == 200
        resp = _call(app, url, token=ids['other_member'])
        assert resp.status_int == 404
        assert _faultstring(resp) == 'ExtArq not found with uuid=' + ARQ_UUID
    finally:
        _delete_arq_rows(db)


def _delete_arq_rows(db):
    session = db.session()
    try:
        session.query(models.ExtArq).delete()
        session.commit()
    finally:
        session.close()


# -- the service-token gate ------------------------------------------------

def test_delete_by_instance_needs_a_validated_service_token(stack):
    app, ids, db = stack
    _add_bound_arq(db)
    url = '/v2/accelerator_requests?instance=' + INSTANCE
    try:
        # An admin user token is not enough (the gate applies to admins).
        resp = _call(app, url, 'DELETE', token=ids['admin'])
        assert resp.status_int == 403
        assert 'requires a service token' in _faultstring(resp).lower()
        # Nor is a 'service' role on the user token, nor a forged header.
        for token in ('user_with_service_role', 'member'):
            resp = _call(app, url, 'DELETE', token=ids[token],
                         headers={'X-Service-Roles': 'service'})
            assert resp.status_int == 403, token
            assert 'requires a service token' in _faultstring(resp)
        listed = _call(app, url, token=ids['admin'])
        assert [a['uuid'] for a in json.loads(listed.body)['arqs']] == [
            ARQ_UUID]
        # With Nova's service token: 204 and the instance's ARQs are gone.
        resp = _call(app, url, 'DELETE', token=ids['admin'],
                     service_token=ids['service'])
        assert resp.status_int == 204, resp.body
        assert resp.body == b''
        listed = _call(app, url, token=ids['admin'])
        assert json.loads(listed.body)['arqs'] == []
    finally:
        _delete_arq_rows(db)


def test_member_with_service_token_may_delete_by_instance(stack):
    # Nova acts for the instance owner: a member token plus the service
    # token passes policy (member) and the gate (service token).
    app, ids, _db = stack
    resp = _call(app, '/v2/accelerator_requests?instance=' + INSTANCE,
                 'DELETE', token=ids['member'], service_token=ids['service'])
    assert resp.status_int == 204, resp.body
