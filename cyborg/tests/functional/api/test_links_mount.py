"""Links follow decisions.md Q19: ``[api] public_endpoint`` when set, else
the request's own scheme, host and mount point (SCRIPT_NAME), after
proxy-header processing when the operator enables it."""
import json
import uuid

import pytest
import urllib3
import webob
from wsgi_intercept import interceptor

from cyborg import policies
from cyborg.api import app as api_app
from cyborg.conf import CONF
from cyborg.db import models
from cyborg.tests.fixtures import database
from cyborg.tests.functional.api import gabbi_fixtures

ADMIN = {'X-User-Id': 'u', 'X-Project-Id': 'p',
         'X-Roles': 'admin,manager,member,reader',
         'Accept': 'application/json'}


@pytest.fixture
def make_app():
    gabbi_fixtures.init_conf()
    db = database.Database()
    db.setUp()
    profile_uuid = str(uuid.uuid4())
    session = db.session()
    session.add(models.DeviceProfile(
        uuid=profile_uuid, name='links',
        profile_json=json.dumps({'groups': [{'resources:PGPU': '1'}]})))
    session.commit()
    session.close()
    CONF.set_override('auth_strategy', 'noauth', group='api')
    policies.reset()

    def make(public_endpoint=None, proxy_headers=False):
        CONF.set_override('public_endpoint', public_endpoint, group='api')
        app = api_app.setup_app(CONF, conductor_factory=lambda: None)
        # The proxy middleware registers its option when it is built.
        CONF.set_override('enable_proxy_headers_parsing', proxy_headers,
                          group='oslo_middleware')
        return app

    make.profile_uuid = profile_uuid
    yield make
    CONF.clear_override('auth_strategy', group='api')
    CONF.clear_override('public_endpoint', group='api')
    CONF.clear_override('enable_proxy_headers_parsing',
                        group='oslo_middleware')
    policies.reset()
    db.cleanUp()


def _links(app_or_url, path, headers=None, via_http=False):
    """(root link, v2 link, profile link) as seen at ``path``'s base."""
    headers = dict(ADMIN, **(headers or {}))
    bodies = []
    for sub in ('/', '/v2', '/v2/device_profiles'):
        if via_http:
            resp = urllib3.PoolManager().request(
                'GET', app_or_url + sub, headers=headers)
            assert resp.status == 200, resp.data
            bodies.append(json.loads(resp.data))
        else:
            req = webob.Request.blank(path + sub, headers=headers)
            resp = req.get_response(app_or_url)
            assert resp.status_int == 200, resp.body
            bodies.append(json.loads(resp.body))
    root, v2, profiles = bodies
    assert root['versions'][0]['links'] == root['default_version']['links']
    return (root['versions'][0]['links'][0]['href'],
            v2['links'][0]['href'],
            profiles['device_profiles'][0]['links'][0]['href'])


def _expect(base, profile_uuid):
    return (base + '/v2', base + '/v2/',
            base + '/v2/device_profiles/' + profile_uuid)


def test_public_endpoint_wins(make_app):
    app = make_app(public_endpoint='https://api.example.com/accelerator')
    got = _links(app, '', headers={'Host': 'internal:6666'})
    assert got == _expect('https://api.example.com/accelerator',
                          make_app.profile_uuid)


def test_public_endpoint_trailing_slash(make_app):
    app = make_app(public_endpoint='https://api.example.com/accelerator/')
    assert _links(app, '')[0] == 'https://api.example.com/accelerator/v2'


def test_public_endpoint_beats_proxy_headers_and_mount(make_app):
    app = make_app(public_endpoint='https://api.example.com',
                   proxy_headers=True)
    with interceptor.Urllib3Interceptor(
            lambda: app, url='http://internal:6666/accelerator') as url:
        got = _links(url, None, via_http=True,
                     headers={'X-Forwarded-Host': 'evil.example'})
    assert got == _expect('https://api.example.com', make_app.profile_uuid)


def test_request_host_at_root_mount(make_app):
    app = make_app()
    with interceptor.Urllib3Interceptor(
            lambda: app, url='http://cloud.internal:8080/') as url:
        got = _links(url.rstrip('/'), None, via_http=True)
    assert got == _expect('http://cloud.internal:8080',
                          make_app.profile_uuid)


def test_request_host_and_script_name_under_a_prefix(make_app):
    # wsgi-intercept mounts the app below /accelerator (SCRIPT_NAME), as a
    # web server or uWSGI mount would.
    app = make_app()
    with interceptor.Urllib3Interceptor(
            lambda: app, url='http://cloud.internal:8080/accelerator') as url:
        got = _links(url, None, via_http=True)
    assert got == _expect('http://cloud.internal:8080/accelerator',
                          make_app.profile_uuid)


class _PrefixMount:
    """A tiny urlmap: serves ``app`` below ``prefix``, 404 elsewhere."""

    def __init__(self, prefix, app):
        self.prefix, self.app = prefix, app

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path != self.prefix and not path.startswith(self.prefix + '/'):
            start_response('404 Not Found', [('Content-Length', '0')])
            return [b'']
        environ['SCRIPT_NAME'] = environ.get('SCRIPT_NAME', '') + self.prefix
        environ['PATH_INFO'] = path[len(self.prefix):]
        return self.app(environ, start_response)


def test_prefix_mount_wrapper(make_app):
    app = _PrefixMount('/accelerator', make_app())
    got = _links(app, '/accelerator',
                 headers={'Host': 'cloud.example.net'})
    assert got == _expect('http://cloud.example.net/accelerator',
                          make_app.profile_uuid)


def test_deeper_prefix_on_https_default_port(make_app):
    app = _PrefixMount('/api/accel', make_app())
    got = _links(app, 'https://cloud.example.net/api/accel')
    assert got == _expect('https://cloud.example.net/api/accel',
                          make_app.profile_uuid)


FORWARDED = {'X-Forwarded-Proto': 'https',
             'X-Forwarded-Host': 'public.example.org'}


def test_proxy_headers_when_enabled(make_app):
    app = make_app(proxy_headers=True)
    got = _links(app, '', headers=dict(FORWARDED, Host='10.0.0.5:6666'))
    assert got == _expect('https://public.example.org',
                          make_app.profile_uuid)


def test_proxy_headers_and_mount_point(make_app):
    app = make_app(proxy_headers=True)
    with interceptor.Urllib3Interceptor(
            lambda: app, url='http://10.0.0.5:6666/accelerator') as url:
        got = _links(url, None, via_http=True, headers=FORWARDED)
    assert got == _expect('https://public.example.org/accelerator',
                          make_app.profile_uuid)


def test_proxy_prefix_header_when_enabled(make_app):
    app = make_app(proxy_headers=True)
    got = _links(app, '', headers=dict(FORWARDED,
                                       **{'X-Forwarded-Prefix': '/accel'}))
    assert got == _expect('https://public.example.org/accel',
                          make_app.profile_uuid)


def test_rfc7239_forwarded_header_when_enabled(make_app):
    app = make_app(proxy_headers=True)
    got = _links(app, '', headers={
        'Forwarded': 'for=192.0.2.1;proto=https;host=fwd.example.org'})
    assert got == _expect('https://fwd.example.org', make_app.profile_uuid)


def test_proxy_headers_ignored_by_default(make_app):
    app = make_app()
    got = _links(app, '', headers=dict(FORWARDED, Host='10.0.0.5:6666'))
    assert got == _expect('http://10.0.0.5:6666', make_app.profile_uuid)
