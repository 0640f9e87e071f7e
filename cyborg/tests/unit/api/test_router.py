"""Path normalisation, route matching and the dispatch order (api.md §2.2,
§6.1), on a small route table of test handlers."""
import json

import pytest
import webob

from cyborg.api import router
from cyborg.common import exception
from cyborg.conf import CONF


@pytest.mark.parametrize('path, segments', [
    ('/', ()),
    ('', ()),
    ('//', ()),
    ('/.json', ()),
    ('/v2', ('v2',)),
    ('/v2/', ('v2',)),
    ('/v2.json', ('v2',)),
    ('/v2/.json', ('v2',)),
    ('/v2/devices', ('v2', 'devices')),
    ('/v2/devices/', ('v2', 'devices')),
    ('/v2/devices.json', ('v2', 'devices')),
    ('/v2//devices', ('v2', 'devices')),
    ('/devices', ('v2', 'devices')),                 # implied v2
    ('/devices/abc.json', ('v2', 'devices', 'abc')),
    ('/v2/accelerator_requests/u.json', ('v2', 'accelerator_requests', 'u')),
    ('/v2/a.json/b', ('v2', 'a.json', 'b')),         # only the last one
    ('/v1/devices', ('v2', 'v1', 'devices')),        # no /v1 exists
    ('/V2', ('v2', 'V2')),                            # case sensitive
])
def test_normalize(path, segments):
    assert router.normalize(path) == segments


def _h(name):
    @router.handler()
    def fn(req, **params):
        return {'handler': name, 'params': params}
    return fn


ROUTES = [
    ('/', {'GET': _h('root')}),
    ('/v2', {'GET': _h('v2')}),
    ('/v2/things', {'GET': _h('list'), 'PATCH': router.NOT_FOUND}),
    ('/v2/things/{uuid}', {'GET': _h('show')}),
    ('/v2/things/{uuid}/enable', {'POST': _h('enable')}),
]


def test_match_literal_and_params():
    table = router._compile(ROUTES)
    methods, params = router._match(table, ('v2', 'things', 'abc'))
    assert methods['GET']({}, **params)['handler'] == 'show'
    assert params == {'uuid': 'abc'}
    methods, params = router._match(table, ('v2', 'things', 'x', 'enable'))
    assert set(methods) == {'POST'} and params == {'uuid': 'x'}
    assert router._match(table, ())[0]['GET']({})['handler'] == 'root'


@pytest.mark.parametrize('segments', [
    ('v2', 'thing'), ('v2', 'things', 'a', 'b'), ('v2', 'things', 'a',
                                                   'disable'),
    ('v3',), ('things',),
])
def test_match_miss(segments):
    assert router._match(router._compile(ROUTES), segments) == (None, None)


def test_handler_decorator_keeps_status_and_name():
    @router.handler(status=201)
    def create(req, uuid):
        return {'uuid': uuid}
    assert create.status == 201
    assert create.__name__ == 'create'
    assert create(None, uuid='u') == {'uuid': 'u'}
    assert router.handler()(lambda req: None).status == 200


@pytest.fixture
def app():
    CONF.set_override('public_endpoint', None, group='api')
    r = router.Router(CONF, conductor_factory=lambda: 'conductor')

    @router.handler()
    def show(req, uuid):
        return {'uuid': uuid, 'version': list(req.version),
                'conductor': req.conductor,
                'link': req.link('things', uuid)}

    @router.handler(status=204)
    def delete(req, uuid):
        return None

    @router.handler()
    def boom(req):
        raise exception.DeviceNotFound(uuid='nope')

    r.table = router._compile([
        ('/', {'GET': _h('root')}),
        ('/v2', {'GET': _h('v2')}),
        ('/v2/things', {'GET': boom, 'PATCH': router.NOT_FOUND}),
        ('/v2/things/{uuid}', {'GET': show, 'DELETE': delete}),
    ])
    yield r
    CONF.clear_override('public_endpoint', group='api')


def _call(app, path, method='GET', **headers):
    return app(webob.Request.blank(path, method=method, headers=headers))


def _inner(resp):
    return json.loads(json.loads(resp.body)['error_message'])


VERSION_HEADERS = ('OpenStack-API-Version', 'OpenStack-API-Minimum-Version',
                   'OpenStack-API-Maximum-Version', 'Vary')


def test_dispatch_success_with_version_headers(app):
    resp = _call(app, '/things/abc.json',
                 **{'OpenStack-API-Version': 'accelerator 2.2'})
    assert resp.status_int == 200
    body = json.loads(resp.body)
    assert body['uuid'] == 'abc'
    assert body['version'] == [2, 2]
    assert body['conductor'] == 'conductor'
    assert body['link'] == {'href': 'http://localhost/v2/things/abc',
                            'rel': 'self'}
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.2'
    assert resp.headers['Vary'] == 'OpenStack-API-Version'


def test_dispatch_204_has_no_body_and_no_content_type(app):
    resp = _call(app, '/v2/things/abc', 'DELETE')
    assert resp.status_int == 204
    assert resp.body == b''
    assert 'Content-Type' not in resp.headers
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.0'


def test_root_never_negotiates(app):
    resp = _call(app, '/', **{'OpenStack-API-Version': 'garbage'})
    assert resp.status_int == 200
    for name in VERSION_HEADERS:
        assert name not in resp.headers


def test_negotiation_before_routing(app):
    resp = _call(app, '/v2/nowhere', Accept='application/json',
                 **{'OpenStack-API-Version': 'accelerator 2.9'})
    assert resp.status_int == 406
    assert _inner(resp)['code'] == 406
    assert 'OpenStack-API-Version' not in resp.headers
    assert resp.headers['OpenStack-API-Maximum-Version'] == '2.4'


def test_invalid_version_406_has_no_version_headers(app):
    resp = _call(app, '/v2', **{'OpenStack-API-Version': 'abc'})
    assert resp.status_int == 406
    for name in VERSION_HEADERS:
        assert name not in resp.headers


@pytest.mark.parametrize('path, method, status', [
    ('/v2/nowhere', 'GET', 404),
    ('/v2/things', 'PATCH', 404),          # NOT_FOUND marker
    ('/v2/things', 'POST', 405),
    ('/v2/things/x', 'PUT', 405),
    ('/', 'POST', 405),
])
def test_route_errors_are_framework_errors_without_version_headers(
        app, path, method, status):
    resp = _call(app, path, method, Accept='application/json')
    assert resp.status_int == status
    assert _inner(resp) == {'code': status, 'title': resp.status[4:],
                            'description': ''}
    for name in VERSION_HEADERS:
        assert name not in resp.headers


def test_head_on_known_path_is_405_with_empty_error_message(app):
    resp = _call(app, '/v2', 'HEAD')
    assert resp.status_int == 405
    assert json.loads(resp.body) == {'error_message': ''}


def test_route_before_accept(app):
    # An unknown path with an unacceptable Accept is a 404, not a 406.
    assert _call(app, '/v2/nowhere', Accept='text/plain').status_int == 404
    assert _call(app, '/v2/things/x', Accept='text/plain').status_int == 406


def test_application_error_carries_version_headers(app):
    resp = _call(app, '/v2/things',
                 **{'OpenStack-API-Version': 'accelerator latest'})
    assert resp.status_int == 404
    assert _inner(resp) == {'faultcode': 'Client',
                            'faultstring': 'Device not found with uuid=nope',
                            'debuginfo': None}
    assert resp.headers['OpenStack-API-Version'] == 'accelerator 2.4'


def test_unparseable_service_catalog_is_not_a_500(app):
    # api.md §2.5: upstream lets this escape as a server error; we never
    # need the catalog, so it must not break the request.
    resp = _call(app, '/v2/things/x',
                 **{'X-Service-Catalog': '{not json', 'X-Roles': 'admin'})
    assert resp.status_int in (200, 400)


def test_link_uses_public_endpoint(app):
    CONF.set_override('public_endpoint', 'https://c.example/accel/',
                      group='api')
    body = json.loads(_call(app, '/v2/things/u').body)
    assert body['link']['href'] == 'https://c.example/accel/v2/things/u'


def test_missing_controller_module_is_tolerated(monkeypatch):
    monkeypatch.setattr(router, 'CONTROLLER_MODULES', [
        'cyborg.api.controllers.root',
        'cyborg.api.controllers.v2.no_such_module'])
    r = router.Router(CONF, conductor_factory=None)
    assert router._match(r.table, ('v2',))[0] is not None


def test_broken_controller_module_is_not_hidden(monkeypatch):
    # Only a missing controller module itself is tolerated, not a
    # ModuleNotFoundError about some other module.
    monkeypatch.setattr(router, 'CONTROLLER_MODULES', ['cyborg.no_pkg.x'])
    with pytest.raises(ModuleNotFoundError):
        router.Router(CONF, conductor_factory=None)
