"""A small in-process HTTP client for the DP/ARQ pytest modules.

The API app of ``gabbi_fixtures.APIFixture`` is reached through
wsgi-intercept with ``requests``; personas are the Tempest plugin's
(api.md §18): in legacy mode reader, member and manager are the admin
client, with new defaults they are project personas.
"""
import json
import uuid

import requests
import wsgi_intercept
from wsgi_intercept import requests_intercept

from cyborg.tests.fixtures import services
from cyborg.tests.functional.api import gabbi_fixtures

HOST = 'cyborg.test'
PROJECT = '5d44c2d34f7a4560a7b098dc7247d8c4'
ADMIN_ROLES = 'admin,manager,member,reader'
_NEW_ROLES = {'reader': 'reader', 'member': 'member,reader',
              'manager': 'manager,member,reader'}


def headers_for(persona, legacy):
    """Identity headers of a Tempest persona."""
    if persona in _NEW_ROLES and legacy:
        persona = 'admin'
    if persona == 'admin':
        roles = ADMIN_ROLES
    elif persona == 'service':
        roles = 'service'
    elif persona == 'system_admin':
        return {'X-User-Id': 'sysadmin', 'X-Roles': ADMIN_ROLES,
                'OpenStack-System-Scope': 'all'}
    else:
        roles = _NEW_ROLES[persona]
    return {'X-User-Id': persona + '-user', 'X-Project-Id': PROJECT,
            'X-Roles': roles}


class Client:
    def __init__(self, legacy):
        self.legacy = legacy

    def request(self, method, path, persona='admin', body=None,
                raw=None, service_token=False, headers=None):
        hdrs = {'Content-Type': 'application/json',
                'Accept': 'application/json'}
        hdrs.update(headers_for(persona, self.legacy))
        if service_token:
            hdrs['X-Service-Roles'] = 'service'
        hdrs.update(headers or {})
        data = raw if raw is not None else (
            json.dumps(body) if body is not None else None)
        return requests.request(method, 'http://%s%s' % (HOST, path),
                                headers=hdrs, data=data)

    def create_dp(self, name=None, groups=None, **extra):
        name = name or 'dp-' + uuid.uuid4().hex[:8]
        body = dict(name=name, groups=groups or [{'resources:GPU': '1'}],
                    **extra)
        resp = self.request('POST', '/v2/device_profiles', body=[body])
        assert resp.status_code == 201, resp.text
        return resp.json()


def fault(resp):
    """The faultstring of an application error body."""
    inner = json.loads(resp.json()['error_message'])
    assert inner['debuginfo'] is None
    return inner['faultstring']


class Service:
    """APIFixture plus the intercept, for pytest fixtures.

    With ``shared_conductor`` the caller runs one ``services.Conductor``
    for many tests (stopping a conductor costs about a second).
    """

    def __init__(self, legacy=False, shared_conductor=False):
        cls = (gabbi_fixtures.LegacyPolicyFixture if legacy
               else gabbi_fixtures.APIFixture)
        self.fixture = cls()
        self.fixture.start_conductor = not shared_conductor
        self.legacy = legacy

    def start(self):
        self.fixture.start_fixture()
        requests_intercept.install()
        wsgi_intercept.add_wsgi_intercept(HOST, 80,
                                          gabbi_fixtures.setup_app)
        return Client(self.legacy)

    def stop(self):
        wsgi_intercept.remove_wsgi_intercept(HOST, 80)
        requests_intercept.uninstall()
        self.fixture.stop_fixture()

    @property
    def database(self):
        return self.fixture.database


def shared_conductor():
    """Generator for a module-scoped pytest fixture: one conductor."""
    gabbi_fixtures.init_conf()
    conductor = services.Conductor()
    conductor.setUp()
    try:
        yield conductor
    finally:
        conductor.cleanUp()
